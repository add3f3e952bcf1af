"""Resident stored-value card pages: balance, history, top-up."""

from django.urls import URLPattern, path

from tiyu.portal import views_wallet

urlpatterns: list[URLPattern] = [
    path("wallet/", views_wallet.wallet_home, name="wallet"),
    path("wallet/history/", views_wallet.wallet_history_page, name="wallet_history"),
    path("wallet/topup/", views_wallet.wallet_topup, name="wallet_topup"),
    path(
        "wallet/topup/<str:out_trade_no>/",
        views_wallet.wallet_topup_result,
        name="wallet_topup_result",
    ),
]
