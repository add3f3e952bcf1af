"""The ``tiyu`` command: Django's manage.py with the settings module preset.

``tiyu demo``, ``tiyu serve``, ``tiyu migrate``, ``tiyu load_regions`` and every
other management command.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Entry point of the ``tiyu`` console script."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tiyu.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
