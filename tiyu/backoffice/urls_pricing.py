"""Price rules and the holiday calendar."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_pricing as views

V = "venues/<int:venue_id>/pricing/"
C = f"{V}courts/<int:court_id>/"

urlpatterns: list[URLPattern] = [
    path(V, views.pricing, name="pricing"),
    path(C, views.pricing_court, name="pricing_court"),
    path(f"{C}rules/<int:rule_id>/", views.pricing_court, name="pricing_rule"),
    path(f"{C}rules/<int:rule_id>/remove/", views.pricing_rule_remove, name="pricing_rule_remove"),
    path(f"{C}copy/", views.pricing_copy, name="pricing_copy"),
    path(f"{C}preview/", views.pricing_preview, name="pricing_preview"),
    path("holidays/", views.holidays, name="holidays"),
    path("holidays/remove/", views.holiday_remove, name="holiday_remove"),
]
