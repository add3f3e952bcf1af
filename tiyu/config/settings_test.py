"""Settings for the test suite: the normal settings with ``TIYU_TESTING`` on.

Testing mode uses a fast password hasher, runs huey tasks immediately and a
development secret key; the database still comes from ``DATABASE_URL``.
"""

import os

os.environ.setdefault("TIYU_TESTING", "1")

from tiyu.config.settings import *  # noqa: F403
