"""Venue and government back-office pages under /manage/."""

from django.urls import path

from tiyu.backoffice import (
    urls_devices,
    urls_environment,
    urls_frontdesk,
    urls_lighting,
    urls_pricing,
    urls_screen,
    views,
)

app_name = "backoffice"

V = "venues/<int:venue_id>/"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(V, views.venue_detail, name="venue"),
    path(f"{V}edit/", views.venue_edit, name="venue_edit"),
    path(f"{V}courts/", views.courts, name="courts"),
    path(f"{V}courts/<int:court_id>/", views.courts, name="court_edit"),
    path(f"{V}hours/", views.hours, name="hours"),
    path(f"{V}closures/", views.closures, name="closures"),
    path(f"{V}closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path(f"{V}prices/", views.prices, name="prices"),
    path(f"{V}photos/", views.photos, name="photos"),
    path(f"{V}photos/<int:photo_id>/remove/", views.photo_remove, name="photo_remove"),
    path(f"{V}documents/", views.documents, name="documents"),
    path(f"{V}documents/<int:document_id>/remove/", views.document_remove, name="document_remove"),
    path(f"{V}equipment/", views.equipment, name="equipment"),
    path(f"{V}equipment/qr/", views.equipment_qr, name="equipment_qr"),
    path(f"{V}equipment/<int:item_id>/status/", views.equipment_status, name="equipment_status"),
    *urls_pricing.urlpatterns,
    *urls_frontdesk.urlpatterns,
    *urls_environment.urlpatterns,
    *urls_screen.urlpatterns,
    *urls_devices.urlpatterns,
    *urls_lighting.urlpatterns,
]
