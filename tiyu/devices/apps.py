from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevicesConfig(AppConfig):
    name = "tiyu.devices"
    verbose_name = _("智能设备")
