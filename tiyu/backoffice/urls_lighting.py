"""Lighting: a venue's light zones with state, manual switching, plan and lit-vs-booked report."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_lighting as views

V = "venues/<int:venue_id>/lighting/"

urlpatterns: list[URLPattern] = [
    path(V, views.lighting, name="lighting"),
    path(f"{V}zones/new/", views.zone_form, name="lighting_zone_new"),
    path(f"{V}zones/<int:zone_id>/", views.zone_form, name="lighting_zone"),
    path(f"{V}zones/<int:zone_id>/switch/", views.zone_switch, name="lighting_switch"),
]
