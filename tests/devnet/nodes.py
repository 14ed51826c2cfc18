"""Start a devnet or an anvil on a free port for tests and benchmarks, and stop it."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account

ROOT = Path(__file__).resolve().parents[2]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"
CAST = ROOT / "node_modules" / ".bin" / "cast"
COUNTER = Path(__file__).resolve().parent / "fixtures" / "Counter.json"
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 30) -> Any:
    """One JSON-RPC call; returns the whole response object."""
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
    return post(url, json.dumps(body).encode(), timeout)[1]


def signed_transfer(key: str, nonce: int, **fields: Any) -> str:
    """A raw EIP-1559 transfer of 1 wei on the devnet's chain (1337); `fields` override."""
    tx = {
        "to": "0x" + "11" * 20,
        "value": 1,
        "gas": 21_000,
        "nonce": nonce,
        "chainId": 1337,
        "maxFeePerGas": 10**10,
        "maxPriorityFeePerGas": 10**9,
        **fields,
    }
    return "0x" + bytes(Account.sign_transaction(tx, key).raw_transaction).hex()


def post(url: str, body: bytes, timeout: float = 30) -> tuple[int, Any]:
    """POST raw bytes; return (HTTP status, decoded JSON or None)."""
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as exc:
        text = exc.read()
        return exc.code, json.loads(text) if text else None


@dataclass
class NodeProcess:
    """A node subprocess and its URL."""

    proc: subprocess.Popen[bytes]
    url: str
    port: int
    data_dir: Path | None = None

    @property
    def ws_url(self) -> str:
        """The WebSocket URL on the same port."""
        return self.url.replace("http://", "ws://")

    def kill(self) -> None:
        """kill -9, as a crash."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM and wait."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class NodeExitedError(RuntimeError):
    """The node process ended before it answered (e.g. its port was taken)."""


def _wait(node: NodeProcess, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if node.proc.poll() is not None:
            raise NodeExitedError(f"{what} exited with {node.proc.returncode}")
        try:
            if "result" in rpc(node.url, "eth_chainId", timeout=2):
                return
        except OSError:
            pass
        time.sleep(0.05)
    node.kill()
    raise RuntimeError(f"{what} did not answer within {timeout} s")


def start_devnet(data_dir: Path, *args: str, port: int | None = None) -> NodeProcess:
    """Start `python -m devnet` on `data_dir` with extra CLI `args`.

    A free port can be taken by someone else before the node binds it; with no port given,
    a node that exits at start is retried on another port.
    """
    for attempt in range(3):
        chosen = port or free_port()
        cmd = [sys.executable, "-m", "devnet", "--port", str(chosen), "--data-dir", str(data_dir)]
        log = (data_dir.parent / f"{data_dir.name}.log").open("ab")
        proc = subprocess.Popen([*cmd, *args], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
        node = NodeProcess(proc, f"http://127.0.0.1:{chosen}", chosen, data_dir)
        try:
            _wait(node, "devnet")
        except NodeExitedError:
            if port is not None or attempt == 2:
                raise
            continue
        return node
    raise AssertionError("unreachable")


def start_anvil(*args: str) -> NodeProcess:
    """Start anvil (Prague) on a free port with chain id 1337 like the devnet."""
    if not ANVIL.exists():
        raise RuntimeError(f"anvil not found at {ANVIL}; run `make setup`")
    for attempt in range(3):
        port = free_port()
        cmd = [str(ANVIL), "--port", str(port), "--hardfork", "prague", "--silent"]
        cmd += ["--chain-id", "1337", *args]
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        node = NodeProcess(proc, f"http://127.0.0.1:{port}", port)
        try:
            _wait(node, "anvil")
        except NodeExitedError:
            if attempt == 2:
                raise
            continue
        return node
    raise AssertionError("unreachable")


@contextmanager
def running(node: NodeProcess) -> Iterator[NodeProcess]:
    """Stop `node` when the block ends."""
    try:
        yield node
    finally:
        node.stop()


def counter_artifact() -> dict[str, Any]:
    """ABI and bytecode of tests/devnet/fixtures/Counter.sol."""
    artifact: dict[str, Any] = json.loads(COUNTER.read_text())
    return artifact


def env_without_ci() -> dict[str, str]:
    """The environment for child tools."""
    return dict(os.environ)
