"""Regions: the GB/T 2260 tree and the data scope (who may see what)."""
