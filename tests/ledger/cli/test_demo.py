"""`aidledger demo` as a person runs it: in a fresh directory, at a small size, in a subprocess;
it serves the portal, stops cleanly on Ctrl-C (SIGINT) and resumes without doubling anything."""

from __future__ import annotations

import io
import os
import queue
import signal
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bs4 import BeautifulSoup

from ledger.cli.demo import _SeedProgress
from tests.devnet.nodes import free_port
from tests.ledger.cli.cli import AIDLEDGER, one_line_error, run_cli

SIZE = "0.02"


class Demo:
    """A running `python -m ledger.cli.demo` and the lines it printed."""

    def __init__(self, root: Path, rpc_port: int, portal_port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIDLEDGER_")}
        env |= {
            "AIDLEDGER_RPC_URL": f"http://127.0.0.1:{rpc_port}",
            "AIDLEDGER_DATA_DIR": str(root / "data"),
        }
        args = [str(AIDLEDGER), "demo", "--size", SIZE]
        args += ["--port", str(portal_port), "--trickle", "0"]
        self.proc = subprocess.Popen(
            args, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.out: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, text: str, timeout: float = 150) -> str:
        """The first printed line containing `text`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                assert self.proc.poll() is None, self.proc.stderr.read()  # type: ignore[union-attr]
                continue
            self.out.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in {timeout} s: {self.out}")

    def interrupt(self, sig: int = signal.SIGINT) -> tuple[int, str]:
        """Ctrl-C (or another signal); the exit code and what it said on stderr."""
        self.proc.send_signal(sig)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


def fetch(url: str) -> BeautifulSoup:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return BeautifulSoup(response.read(), "lxml")


def trace_steps(url: str, code: str) -> int:
    """Steps of the trace the portal shows for `code` (POST /trace, as its form does)."""
    body = urllib.parse.urlencode({"code": code}).encode()
    with urllib.request.urlopen(urllib.request.Request(url + "/trace", body), timeout=10) as r:
        page = BeautifulSoup(r.read(), "lxml")
    assert page.find(id="problem") is None
    return len(page.select("#trace li.step"))


def gifts_in(root: Path) -> int:
    with sqlite3.connect(root / "data" / "mirror.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM gifts").fetchone()[0])


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_demo_serves_stops_on_ctrl_c_and_resumes_without_doubling(tmp_path: Path) -> None:
    rpc_port, portal_port = free_port(), free_port()
    demo = Demo(tmp_path, rpc_port, portal_port)
    line = demo.wait_for("portal at http://")
    url = line.split("portal at ")[1].strip()
    assert url == f"http://127.0.0.1:{portal_port}"
    demo.wait_for("Ctrl-C stops")
    codes = [ln.split()[0] for ln in demo.out if ln.startswith("  ") and ln.count("-") >= 8]
    assert len(codes) == 3
    assert any("coordinator" in ln for ln in demo.out)
    assert any(f"{url}/auditor/sign-in" in ln for ln in demo.out)
    assert any("aidledger auditor sign-in-code --as" in ln for ln in demo.out)
    assert fetch(url + "/").find("html") is not None
    assert trace_steps(url, codes[0]) >= 2  # the gift and what it became
    code, err = demo.interrupt()
    assert code == 0, err
    assert "Traceback" not in err and "stopped" in err
    seeded = gifts_in(tmp_path)
    assert seeded > 0

    again = Demo(tmp_path, rpc_port, portal_port)
    again.wait_for("portal at http://")
    again.wait_for("Ctrl-C stops")
    assert fetch(url + "/").find("html") is not None
    code, err = again.interrupt(signal.SIGHUP)  # the terminal closed: stops as Ctrl-C does
    assert code == 0, err
    assert "seeded already" in err and "Traceback" not in err
    assert gifts_in(tmp_path) == seeded
    assert not listening(rpc_port) and not listening(portal_port), "a child outlived the demo"


def test_demo_seed_without_a_node_says_how_to_start_one(tmp_path: Path) -> None:
    env = {"AIDLEDGER_RPC_URL": f"http://127.0.0.1:{free_port()}"}
    result = run_cli("demo", "seed", "--size", SIZE, cwd=tmp_path, env=env)
    assert "aidledger devnet start" in one_line_error(result)


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_seed_progress_is_a_bar_on_a_terminal_and_plain_lines_elsewhere() -> None:
    phases = ("setup", "week 1: gifts", "round 1")
    plain = io.StringIO()
    with _SeedProgress(len(phases), plain, interval=3600) as progress:
        for phase in phases:
            progress.advance(phase)
    # the first phase, then nothing within the interval, then the last
    assert plain.getvalue().splitlines() == [
        "seeding: 1/3 phases (setup)",
        "seeding: 3/3 phases (round 1)",
    ]
    terminal = Terminal()
    with _SeedProgress(len(phases), terminal) as progress:
        for phase in phases:
            progress.advance(phase)
    assert "━" in terminal.getvalue() and "3/3 phases" in terminal.getvalue()
