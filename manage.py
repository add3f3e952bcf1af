#!/usr/bin/env python
"""Django's manage.py; the ``tiyu`` command does the same."""

from tiyu.config.cli import main

if __name__ == "__main__":
    main()
