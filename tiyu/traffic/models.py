"""Traffic models."""
