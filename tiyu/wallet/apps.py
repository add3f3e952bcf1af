from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WalletConfig(AppConfig):
    name = "tiyu.wallet"
    verbose_name = _("钱包与账本")
