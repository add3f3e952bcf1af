"""Resident booking pages: the slot grid, checkout, my bookings."""

from django.urls import URLPattern, path

from tiyu.portal import views_booking

urlpatterns: list[URLPattern] = [
    path("venues/<int:venue_id>/book/", views_booking.book, name="book"),
    path("bookings/", views_booking.bookings, name="bookings"),
    path("bookings/<str:number>/", views_booking.booking_page, name="booking"),
    path("bookings/<str:number>/checkout/", views_booking.checkout, name="checkout"),
    path("bookings/<str:number>/cancel/", views_booking.cancel, name="booking_cancel"),
]
