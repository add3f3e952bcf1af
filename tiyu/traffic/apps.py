from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrafficConfig(AppConfig):
    name = "tiyu.traffic"
    verbose_name = _("客流")
