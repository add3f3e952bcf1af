"""A venue's device registry: list and register, detail with edit, rotate and revoke."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_devices as views

D = "venues/<int:venue_id>/devices/"

urlpatterns: list[URLPattern] = [
    path(D, views.device_list, name="devices"),
    path(f"{D}<int:device_id>/", views.device_detail, name="device"),
    path(f"{D}<int:device_id>/rotate/", views.device_rotate, name="device_rotate"),
    path(f"{D}<int:device_id>/revoke/", views.device_revoke, name="device_revoke"),
]
