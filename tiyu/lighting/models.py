"""Lighting models."""
