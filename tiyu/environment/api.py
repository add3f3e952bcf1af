"""Environment API (mounted by tiyu.config.api)."""

from ninja import Router

router = Router(tags=["environment"])
