"""Price rules and the holiday calendar."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
