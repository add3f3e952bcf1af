"""Front-desk pages: day sheet, walk-ins, blocks, check-in, series, members, policy."""

from django.urls import URLPattern, path

from tiyu.backoffice import views_desk as views

V = "venues/<int:venue_id>/"
D = f"{V}desk/"

urlpatterns: list[URLPattern] = [
    path(D, views.sheet, name="desk"),
    path(f"{D}bookings/<str:number>/checkin/", views.sheet_check_in, name="desk_sheet_checkin"),
    path(f"{D}slots/<int:slot_id>/cancel/", views.sheet_cancel, name="desk_slot_cancel"),
    path(f"{D}checkin/", views.check_in, name="desk_checkin"),
    path(f"{D}walkin/", views.walk_in, name="desk_walkin"),
    path(f"{D}blocks/", views.blocks, name="desk_blocks"),
    path(f"{D}blocks/<int:block_id>/remove/", views.block_remove, name="desk_block_remove"),
    path(f"{D}series/", views.series_page, name="desk_series"),
    path(f"{D}series/<int:series_id>/cancel/", views.series_cancel, name="desk_series_cancel"),
    path(f"{D}policy/", views.policy, name="desk_policy"),
    path(f"{D}members/", views.members, name="desk_members"),
]
