from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LightingConfig(AppConfig):
    name = "tiyu.lighting"
    verbose_name = _("智能灯光")
