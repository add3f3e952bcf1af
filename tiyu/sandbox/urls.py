"""The local sandbox gateway's pages (mounted at /sandbox/)."""

from django.urls import path

from tiyu.sandbox import views

app_name = "sandbox"

urlpatterns = [
    path("pay/<str:out_trade_no>/", views.cashier, name="cashier"),
]
