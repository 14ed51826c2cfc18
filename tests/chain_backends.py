"""Chain backends the shared contract suite runs on: eth-tester (in-process), anvil, our devnet.

Each backend is a real EVM behind web3.py; anvil is a separate node spoken to over JSON-RPC.
When anvil is absent the anvil cases are skipped with the reason, except under CI=true where
its absence fails the run.
"""

from __future__ import annotations

import ast
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import EthereumTesterProvider, Web3

from tests.devnet.nodes import start_devnet

ROOT = Path(__file__).resolve().parents[1]
ANVIL = ROOT / "node_modules" / ".bin" / "anvil"


def free_port() -> int:
    """An unused TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def require_tool(path: Path, what: str) -> None:
    """Skip when a tool is missing; under CI=true fail instead, so CI always runs the test."""
    if path.exists() or shutil.which(str(path)):
        return
    message = f"{what} not found at {path}; run `make setup` (npm ci) to install it"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def anvil_web3() -> Iterator[Web3]:
    """Start anvil on a free port and yield a web3 connected over HTTP."""
    require_tool(ANVIL, "anvil")
    port = free_port()
    proc = subprocess.Popen(
        [
            str(ANVIL),
            "--port",
            str(port),
            "--hardfork",
            "prague",
            "--silent",
            "--chain-id",
            "31337",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 30}))
        deadline = time.monotonic() + 20
        while not w3.is_connected():
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("anvil did not start within 20 s")
            time.sleep(0.05)
        yield w3
    finally:
        proc.terminate()
        proc.wait(timeout=10)


class RevertingTesterProvider(EthereumTesterProvider):
    """EthereumTesterProvider answering reverts the way JSON-RPC nodes do (code 3 + data).

    web3.py's tester provider raises `TransactionFailed` with the revert bytes in its message;
    real nodes return an error object. This adapter gives the suite one behaviour for both.
    """

    def make_request(self, method: Any, params: Any) -> Any:
        """Forward to eth-tester, converting a revert into a JSON-RPC error response."""
        try:
            return super().make_request(method, params)
        except TransactionFailed as exc:
            text = str(exc)
            raw = text.split("execution reverted: ", 1)[-1]
            data = ast.literal_eval(raw) if raw.startswith("b'") or raw.startswith('b"') else b""
            error = {"code": 3, "message": "execution reverted", "data": "0x" + data.hex()}
            return {"jsonrpc": "2.0", "id": 0, "error": error}


@contextmanager
def eth_tester_web3() -> Iterator[Web3]:
    """An in-process py-evm chain (Prague) behind web3.py's EthereumTesterProvider."""
    yield Web3(RevertingTesterProvider())


@contextmanager
def devnet_web3() -> Iterator[Web3]:
    """Start our own devnet (py-evm on LMDB) in a temporary data dir, over HTTP JSON-RPC."""
    with tempfile.TemporaryDirectory(prefix="aidledger-devnet-") as tmp:
        node = start_devnet(Path(tmp) / "chain")
        try:
            yield Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 60}))
        finally:
            node.stop()


BACKENDS = {"eth_tester": eth_tester_web3, "anvil": anvil_web3, "devnet": devnet_web3}
# Nodes spoken to over JSON-RPC; long profiles run only here (eth-tester manages ~40 tx/s).
RPC_BACKENDS = {"anvil": anvil_web3, "devnet": devnet_web3}


@contextmanager
def rolled_back(w3: Web3) -> Iterator[None]:
    """Undo everything the block does on the chain (evm_snapshot / evm_revert)."""
    snapshot = w3.provider.make_request("evm_snapshot", [])["result"]  # type: ignore[arg-type]
    try:
        yield
    finally:
        w3.provider.make_request("evm_revert", [snapshot])  # type: ignore[arg-type]
