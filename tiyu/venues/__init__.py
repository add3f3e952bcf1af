"""Venues: the registry of venues, outdoor facilities, courts, equipment, hours and documents."""
