"""Front-desk pages: day sheet, walk-ins, blocks, check-in, series, policy."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
