"""Venue and government back-office pages under /manage/."""

from django.urls import path

from tiyu.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
