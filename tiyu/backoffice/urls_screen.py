"""The venue screen (full-screen lobby page) and the JSON it polls."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_screen as views

V = "venues/<int:venue_id>/"

urlpatterns: list[URLPattern] = [
    path(f"{V}screen/", views.screen, name="screen"),
    path(f"{V}screen/data.json", views.screen_data, name="screen_data"),
]
