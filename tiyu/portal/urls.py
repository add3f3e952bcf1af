"""Resident pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tiyu.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
]

# Login and logout live at the site root (``login`` / ``logout`` URL names).
auth_patterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
