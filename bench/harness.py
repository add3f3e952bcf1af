"""What every HTTP benchmark shares: production settings in a child process, the
server as ``tiyu serve`` runs it, a scratch PostgreSQL database, percentiles.

A benchmark names itself (``Harness("booking")``): its data folder is
``var/bench-<name>`` and its PostgreSQL database ``tiyu_bench_<name>`` unless
``DATABASE_URL`` says otherwise. ``sqlite=True`` runs on the embedded default instead.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def local_redis() -> str | None:
    """The machine's Redis, if one answers: production at scale runs its jobs on Redis."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            if s.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/0"
    except OSError:
        return None
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def django_setup() -> None:
    """Set up Django in this (child) process with the benchmark's settings."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


class Harness:
    """One benchmark's server, database and child processes."""

    def __init__(self, name: str, *, sqlite: bool = False, settings: str = "") -> None:
        self.name = name
        self.sqlite = sqlite
        self.settings = settings or "tiyu.config.settings"
        self.data_dir = ROOT / "var" / f"bench-{name}"
        self.pg_url = os.environ.get("DATABASE_URL") or (
            f"postgres://postgres@127.0.0.1:5432/tiyu_bench_{name}"
        )
        self.server_log = self.data_dir / "server.log"

    def env(self, **extra: str) -> dict[str, str]:
        """Production settings: DEBUG off, a secret key, PostgreSQL (or SQLite), jobs on
        Redis when the machine has one (else huey's SQLite default)."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": self.settings,
            "SECRET_KEY": f"tiyu-{self.name}-bench-" + "x" * 40,
            "TIYU_DATA_DIR": str(self.data_dir),
            "PYTHONPATH": str(ROOT),
            "LOG_LEVEL": "WARNING",
            "NOTICE_CHANNELS": "tiyu.notices.channels.ConsoleChannel",
            **extra,
        }
        for name in ("DEBUG", "TIYU_TESTING", "TIYU_DEMO", "DATABASE_URL", "REDIS_URL"):
            env.pop(name, None)
        if not self.sqlite:
            env["DATABASE_URL"] = self.pg_url
        redis_url = local_redis()
        if redis_url:
            env["REDIS_URL"] = redis_url
        return env

    def reset_database(self) -> None:
        """A fresh, empty database for this run."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.sqlite:
            for suffix in ("", "-wal", "-shm"):
                (self.data_dir / f"tiyu.sqlite3{suffix}").unlink(missing_ok=True)
            return
        db = self.pg_url.rsplit("/", 1)[1]
        self.pg_admin(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        self.pg_admin(f'CREATE DATABASE "{db}"')

    def drop_database(self) -> None:
        if not self.sqlite:
            self.pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_url.rsplit("/", 1)[1]}" WITH (FORCE)')

    def pg_admin(self, sql: str) -> None:
        import psycopg

        base = self.pg_url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql)

    def run_child(self, script: str, mode: str, *extra: str) -> dict[str, Any]:
        """Run ``script --child mode`` with the settings; its last stdout line is JSON."""
        proc = subprocess.run(
            [sys.executable, script, "--child", mode, *extra],
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        sys.stderr.write(proc.stderr[-2000:])
        if proc.returncode != 0:
            raise SystemExit(f"bench child {mode} failed")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def start(self, command: list[str], log_name: str) -> subprocess.Popen:
        """A ``tiyu`` command in its own process group, output to a log file (a pipe
        nobody reads fills up and stalls the child)."""
        log = (self.data_dir / log_name).open("wb")
        return subprocess.Popen(
            [sys.executable, "-m", "tiyu.config.cli", *command],
            env=self.env(),
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_server(self, port: int, workers: int) -> subprocess.Popen:
        """``tiyu serve`` (granian, WSGI, and its job runner)."""
        serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        return self.start(serve, "server.log")

    @staticmethod
    def stop(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)

    async def wait_ready(self, base: str, proc: subprocess.Popen) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=base) as client:
            for _ in range(600):
                if proc.poll() is not None:
                    raise SystemExit(f"server exited: {self.server_log.read_text()[-2000:]}")
                try:
                    r = await client.get("/api/v1/regions/510107")
                    if r.status_code < 500:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise SystemExit("server did not start")
