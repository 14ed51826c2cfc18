"""`aidledger portal`: uvicorn with several workers over a mirror that is missing or empty,
saying so on the page; bad options refused in one line before anything starts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from bs4 import BeautifulSoup

from ledger.cli.portal import _check_port
from ledger.errors import AidLedgerConfigError
from ledger.store.db import upgrade
from tests.chain_backends import free_port

RUN = (
    "import sys, typer; from ledger.cli.portal import portal; from ledger.errors import "
    "AidLedgerError\napp = typer.Typer(); app.command()(portal)\n"
    "try:\n    app()\nexcept AidLedgerError as e:\n    print(f'error: {e}', file=sys.stderr)"
    "\n    sys.exit(1)"
)


@contextmanager
def serving(*args: str) -> Iterator[str]:
    """Run the command in the background until the portal answers; its base URL."""
    port = free_port()
    env = {**os.environ, "AIDLEDGER_DATA_DIR": str(Path(args[-1]).parent)}
    command = [sys.executable, "-c", RUN, "--port", str(port), "--no-chain", *args[:-1]]
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(base + "/about", timeout=1)
                break
            except httpx2.TransportError:
                assert process.poll() is None, process.communicate()[1]
                assert time.monotonic() < deadline, "the portal did not start in 30 s"
                time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=20)


def notices(base: str, path: str) -> tuple[int, str]:
    response = httpx2.get(base + path, timeout=10)
    page = BeautifulSoup(response.text, "lxml")
    return response.status_code, " ".join(n.get_text(" ") for n in page.select(".notice"))


def test_serves_with_two_workers_on_a_database_without_a_mirror(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    with serving("--workers", "2", "--database-url", url, str(tmp_path / "x")) as base:
        status, said = notices(base, "/about")
        assert status == 200 and "aidledger db upgrade" in said
        status, said = notices(base, "/")
        assert status == 503 and "aidledger db upgrade" in said
        assert httpx2.get(base + "/", timeout=10).headers["content-security-policy"]


def test_empty_mirror_shows_the_overview_and_says_it_is_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    upgrade(url)
    with serving("--database-url", url, "--timezone", "Asia/Shanghai", str(tmp_path / "x")) as base:
        status, said = notices(base, "/")
        assert status == 200 and "mirror is empty" in said
        assert httpx2.get(base + "/api/v1/gifts", timeout=10).json()["items"] == []


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--timezone", "Mars/Olympus"], "time zone 'Mars/Olympus' is unknown"),
        (["--database-url", "mysql://x/y"], "unsupported kind"),
    ],
)
def test_bad_options_are_one_line_before_starting(
    tmp_path: Path, args: list[str], says: str
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RUN, "--no-chain", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AIDLEDGER_DATA_DIR": str(tmp_path)},
        check=False,
    )
    assert done.returncode == 1
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_port_in_use_is_refused() -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        with pytest.raises(AidLedgerConfigError, match=f"port {port} on 127.0.0.1 is in use"):
            _check_port("127.0.0.1", port)
