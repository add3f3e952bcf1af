"""Resident inbox pages."""

from django.urls import URLPattern, path

from tiyu.portal import views_inbox

urlpatterns: list[URLPattern] = [
    path("inbox/", views_inbox.inbox, name="inbox"),
    path("inbox/read-all/", views_inbox.read_all, name="inbox_read_all"),
    path("inbox/<int:notice_id>/", views_inbox.notice, name="inbox_notice"),
    path("inbox/<int:notice_id>/go/", views_inbox.notice_go, name="inbox_go"),
]
