from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "tiyu.booking"
    verbose_name = _("预订")
