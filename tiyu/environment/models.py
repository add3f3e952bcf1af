"""Environment models."""
