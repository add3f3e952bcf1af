"""Core: the pieces every domain app stands on (errors, audit, idempotency, locking)."""
