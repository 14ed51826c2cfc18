"""The two web servers under load, each a child process with its memory sampled.

- ours: `aidledger portal --workers N --no-chain` over the mirror (a SQLite file or a
  PostgreSQL schema), exactly as a deployment runs it (uvicorn,
  `portal.serve:app_from_environment`, access log off);
- datasette: `datasette serve -i mirror.sqlite3` (immutable), from its own virtualenv under
  `.bench-cache/datasette/`, installed on demand with pip (never by `make setup` or CI).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.error import URLError

from bench._processes import ROOT, free_port, tree_rss, wait_for

AIDLEDGER = ROOT / ".venv" / "bin" / "aidledger"
DATASETTE_VERSION = "0.65.5"
DATASETTE_VENV = ROOT / ".bench-cache" / "datasette" / ".venv"
DATASETTE = DATASETTE_VENV / "bin" / "datasette"


@dataclass
class RssSampler:
    """Samples the resident memory of a process tree every `interval` seconds in a thread."""

    pid: int
    interval: float = 0.1
    peak: int = 0
    last: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        """Begin sampling."""
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop sampling (the peak stays readable)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def reset(self) -> None:
        """Forget the peak so far (e.g. after a warm-up)."""
        self.peak = self.last

    def _run(self) -> None:
        while not self._stop.is_set():
            self.last = tree_rss(self.pid)
            self.peak = max(self.peak, self.last)
            self._stop.wait(self.interval)


@dataclass
class Server:
    """A running server: its name, base URL and memory sampler."""

    name: str
    base: str
    rss: RssSampler


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (URLError, OSError):
        return False


@contextmanager
def _serve(
    name: str, argv: list[str], env: dict[str, str], probe: str, port: int
) -> Iterator[Server]:
    """Start `argv`, wait until `probe` answers 200, sample its memory; stop it afterwards."""
    log = ROOT / ".bench-cache" / f"{name.split(maxsplit=1)[0]}.log"  # stderr, read when it fails
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as err:
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,  # datasette's access log
            stderr=err,
            start_new_session=True,  # its own process group: uvicorn's workers go with it
        )
    base = f"http://127.0.0.1:{port}"
    sampler = RssSampler(proc.pid)
    try:
        try:
            wait_for(lambda: _exited(proc) or _answers(base + probe), name, timeout=180)
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}")
        except RuntimeError as exc:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{exc}:\n{tail}") from None
        sampler.start()
        yield Server(name, base, sampler)
    finally:
        sampler.stop()
        _stop(proc)


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    return proc.poll() is not None


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(ProcessLookupError):  # workers left behind by a master that died
        os.killpg(proc.pid, signal.SIGKILL)


@contextmanager
def ours(url: str, data_dir: Path, workers: int) -> Iterator[Server]:
    """`aidledger portal` over the mirror at `url` (SQLite or PostgreSQL) with `workers`
    uvicorn workers, its secret and nonces in `data_dir`."""
    port = free_port()
    argv = [
        str(AIDLEDGER),
        "portal",
        *("--port", str(port), "--workers", str(workers)),
        *("--database-url", url, "--no-chain"),
    ]
    env = {**os.environ, "AIDLEDGER_DATA_DIR": str(data_dir)}
    label = f"ours ({workers} worker{'s' if workers > 1 else ''})"
    with _serve(label, argv, env, "/about", port) as server:
        yield server


def datasette_available() -> str | None:
    """None when datasette is installed (installing it now if pip can reach PyPI), else why not."""
    if DATASETTE.exists():
        return None
    print(f"installing datasette {DATASETTE_VERSION} into {DATASETTE_VENV} ...", flush=True)
    try:
        if not (DATASETTE_VENV / "bin" / "python").exists():
            subprocess.run([sys.executable, "-m", "venv", str(DATASETTE_VENV)], check=True)
        pip = [str(DATASETTE_VENV / "bin" / "pip"), "install", "-q"]
        subprocess.run([*pip, f"datasette=={DATASETTE_VERSION}"], check=True, timeout=600)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"datasette could not be installed ({exc}); is PyPI reachable for pip?"
    return None if DATASETTE.exists() else "datasette did not install its command"


@contextmanager
def datasette(db: Path) -> Iterator[Server]:
    """`datasette serve -i db` (immutable: no locking, table counts computed once)."""
    port = free_port()
    argv = [str(DATASETTE), "serve", "-i", str(db), "-h", "127.0.0.1", "-p", str(port)]
    with _serve("datasette", argv, dict(os.environ), "/-/versions.json", port) as server:
        yield server


def settle(seconds: float = 1.0) -> None:
    """A pause between servers so one's exit does not overlap the next one's start."""
    time.sleep(seconds)
