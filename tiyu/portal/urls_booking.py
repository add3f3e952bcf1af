"""Resident booking pages: the slot grid, checkout, my bookings."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
