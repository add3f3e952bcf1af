"""Resident pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tiyu.portal import urls_booking, urls_inbox, urls_wallet, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("nearby/", views.nearby, name="nearby"),
    path("venues/", views.search, name="search"),
    path("venues/<int:venue_id>/", views.venue, name="venue"),
    path("map/", views.map_page, name="map"),
    path("e/<str:code>/", views.equipment, name="equipment"),
    path("e/<str:code>/qr.svg", views.equipment_qr, name="equipment_qr"),
    *urls_booking.urlpatterns,
    *urls_wallet.urlpatterns,
    *urls_inbox.urlpatterns,
]

# Login and logout live at the site root (``login`` / ``logout`` URL names).
auth_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
