from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SandboxConfig(AppConfig):
    name = "tiyu.sandbox"
    verbose_name = _("本地沙箱支付（演示，非真实支付）")
