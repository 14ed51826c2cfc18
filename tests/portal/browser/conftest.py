"""A live portal (uvicorn in a thread) over the indexed scenario, and Debian's chromium driven
by Playwright. Nothing downloads a browser: without /usr/bin/chromium these tests skip, except
under CI=true, where they fail."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import sync_playwright

from portal.app import create_app
from portal.settings import Settings
from tests.chain_backends import free_port
from tests.portal.conftest import Indexed

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOTS = ROOT / ".artifacts" / "screenshots"
AXE = ROOT / "portal" / "static" / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def live(indexed: Indexed) -> Iterator[str]:
    """The portal over the scenario's mirror on a free loopback port; its base URL."""
    settings = Settings(indexed.database_url, rpc_url=indexed.rpc_url, trace_per_minute=10_000)
    port = free_port()
    config = uvicorn.Config(
        create_app(indexed.database_url, settings), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the live portal did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium under Playwright (skipped without it, failed under CI)."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def screenshot_path(name: str) -> Path:
    """Where a screenshot goes (a gitignored folder, kept as a CI artifact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}.png"
