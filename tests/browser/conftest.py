"""Browser tests: Playwright driving Debian's Chromium against ``live_server``.

``playwright install`` cannot download browsers here, so the system Chromium at
``/usr/bin/chromium`` (or ``$CHROMIUM``) is launched with the flags this closed
network needs. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the
# tests make around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test`, which installs it")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _page(browser: Any, viewport: dict[str, int], locale: str = "zh-CN") -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale=locale)
    context.set_default_timeout(15_000)
    # No tile server is reachable here: fail tile requests fast, as a closed network would.
    context.route("**/*autonavi.com/**", lambda route: route.abort())
    context.route("**/*openstreetmap.org/**", lambda route: route.abort())
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A desktop-sized page in Chinese."""
    yield from _page(browser, DESKTOP)


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A phone-sized page in Chinese."""
    yield from _page(browser, PHONE)


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Any, live_server: Any, username: str, password: str) -> None:
    """Sign in through the login page and wait for the redirect."""
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=whoami]", state="attached")
