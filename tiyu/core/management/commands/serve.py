"""``tiyu serve``: run the WSGI app under granian (production mode)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Tiyu with granian (WSGI). Honours PORT, HOST and WEB_WORKERS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))

    def handle(self, *args: Any, **opts: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(
            f"Tiyu on http://{opts['host']}:{opts['port']}/ (data: {settings.DATA_DIR})"
        )
        Granian(
            "tiyu.config.wsgi:application",
            address=opts["host"],
            port=opts["port"],
            interface=Interfaces.WSGI,
            workers=opts["workers"],
        ).serve()
