"""Resident stored-value card pages: balance, history, top-up."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
