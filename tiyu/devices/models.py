"""Devices models."""
