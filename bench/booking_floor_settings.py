"""Production settings for the booking benchmark, with the floor endpoint's URL map."""

from tiyu.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.booking_floor"
