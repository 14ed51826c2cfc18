"""Processes and databases for benchmarks: anvil, a timed child with its memory sampled, a
scratch PostgreSQL database."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench._rpc import Rpc

ROOT = Path(__file__).resolve().parents[1]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(ready: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    """Poll `ready` every 50 ms until it is true; raise after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not ready within {timeout:.0f} s")
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        Rpc(url, timeout=2).call("eth_chainId")
    except (OSError, RuntimeError):
        return False
    return True


@contextmanager
def anvil(chain_id: int = 31337) -> Iterator[str]:
    """Start anvil on a free port with room for big blocks; yield its URL."""
    if not ANVIL.exists():
        raise RuntimeError(f"anvil not found at {ANVIL}; run `make setup-node`")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(ANVIL),
            *("--port", str(port), "--chain-id", str(chain_id), "--hardfork", "prague"),
            *("--gas-limit", "1000000000", "--order", "fifo", "--prune-history", "--silent"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(url), "anvil")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def scratch_postgres(name: str) -> Iterator[str]:
    """A fresh PostgreSQL database on 127.0.0.1:5432 for one run, dropped afterwards."""
    database = f"{name}_{os.getpid()}_{time.monotonic_ns() % 10**9}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{database}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants (0 once it is gone)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as f:
                total += int(f.read().split()[1]) * PAGE
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as f:
                    pending.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


@dataclass
class Timed:
    """A child process run: wall seconds, its output, and its memory over time."""

    seconds: float = 0.0
    returncode: int | None = None
    stdout: str = ""
    stderr: str = ""
    rss: list[tuple[float, int]] = field(default_factory=list)  # (seconds, bytes)

    @property
    def peak_rss(self) -> int:
        """Highest sampled resident set, bytes."""
        return max((b for _, b in self.rss), default=0)

    def rss_at(self, fraction: float) -> int:
        """Resident set at `fraction` of the run (the sample nearest before it)."""
        moment = self.seconds * fraction
        before = [b for t, b in self.rss if t <= moment]
        return before[-1] if before else 0


def run_timed(
    argv: list[str],
    env: dict[str, str],
    cwd: Path,
    done: Callable[[], bool] | None = None,
    timeout: float = 3600.0,
) -> Timed:
    """Run `argv` until it exits, or until `done()` turns true (then stop it); sample RSS.

    With `done`, `returncode` is 0 when `done()` turned true and the child's own code otherwise.
    """
    out_path, err_path = cwd / ".bench-stdout", cwd / ".bench-stderr"
    timed = Timed()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=out, stderr=err)
        try:
            reached = _sample_until(proc, start, timed, done, timeout)
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=30)
    timed.returncode = 0 if reached else proc.returncode
    timed.stdout, timed.stderr = out_path.read_text(), err_path.read_text()
    out_path.unlink()
    err_path.unlink()
    return timed


def _sample_until(
    proc: subprocess.Popen[bytes],
    start: float,
    timed: Timed,
    done: Callable[[], bool] | None,
    timeout: float,
) -> bool:
    """Sample every 50 ms; return whether `done()` turned true (False: the child exited)."""
    while True:
        elapsed = time.perf_counter() - start
        rss = tree_rss(proc.pid)
        if rss:
            timed.rss.append((elapsed, rss))
        reached = done is not None and done()
        if reached or proc.poll() is not None:
            timed.seconds = time.perf_counter() - start
            return reached
        if elapsed > timeout:
            raise RuntimeError(f"{proc.args!r} still running after {timeout:.0f} s")
        time.sleep(0.05)
