"""``tiyu serve``: run the WSGI app under granian (production mode)."""

from __future__ import annotations

import os
import subprocess
import sys
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
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("WEB_THREADS", "0")) or None,
            help="threads per worker (granian's default when unset)",
        )
        parser.add_argument(
            "--no-jobs",
            action="store_true",
            help="do not start the huey consumer (run `tiyu run_huey` elsewhere)",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from granian import Granian
        from granian.constants import Interfaces

        call_command("collectstatic", interactive=False, verbosity=0)
        jobs = None if opts["no_jobs"] else _start_jobs()
        self.stdout.write(
            f"Tiyu on http://{opts['host']}:{opts['port']}/ (data: {settings.DATA_DIR})"
        )
        try:
            Granian(
                "tiyu.config.wsgi:application",
                address=opts["host"],
                port=opts["port"],
                interface=Interfaces.WSGI,
                workers=opts["workers"],
                blocking_threads=opts["threads"],
            ).serve()
        finally:
            if jobs is not None:
                jobs.terminate()


def _start_jobs() -> subprocess.Popen[bytes]:
    """The huey consumer (periodic jobs: hold expiry, no-shows, reminders, reconciliation,
    inbox delivery) as a child process, so one command runs the whole platform."""
    return subprocess.Popen([sys.executable, "-m", "tiyu.config.cli", "run_huey", "--workers", "2"])
