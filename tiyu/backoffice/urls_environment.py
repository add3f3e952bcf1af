"""Environment monitoring: a venue's sensors and thresholds, and the alerts list."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_environment as views

urlpatterns: list[URLPattern] = [
    path("venues/<int:venue_id>/environment/", views.venue_environment, name="environment"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:alert_id>/close/", views.alert_close, name="alert_close"),
]
