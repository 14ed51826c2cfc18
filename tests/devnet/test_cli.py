"""`aidledger devnet start | status | stop` run the node in the background and report on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.devnet.nodes import ROOT, free_port, rpc


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "ledger", "devnet", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


def test_start_status_stop_keeps_the_chain(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    port = str(free_port())
    started = _cli("start", "--port", port, "--data-dir", data_dir, "--chain-id", "4242")
    assert started.returncode == 0, started.stderr
    try:
        url = f"http://127.0.0.1:{port}"
        assert rpc(url, "eth_chainId")["result"] == hex(4242)
        rpc(url, "evm_mine")
        status = json.loads(_cli("status", "--data-dir", data_dir, "--json").stdout)
        assert status["running"] is True
        assert status["chainId"] == 4242
        assert status["blockNumber"] == 1
        again = _cli("start", "--port", port, "--data-dir", data_dir)
        assert "already running" in again.stdout
    finally:
        stopped = _cli("stop", "--data-dir", data_dir)
    assert "stopped" in stopped.stdout
    assert _cli("status", "--data-dir", data_dir).returncode == 1
    assert "Listening" in (tmp_path / "chain" / "devnet.log").read_text()


def test_foreground_refuses_a_data_dir_of_another_chain(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    port = str(free_port())
    assert _cli("start", "--port", port, "--data-dir", data_dir).returncode == 0
    _cli("stop", "--data-dir", data_dir)
    other = _cli("--port", port, "--data-dir", data_dir, "--chain-id", "5")
    assert other.returncode == 1
    assert "holds chain id 1337" in other.stderr


def test_help_names_every_option() -> None:
    out = _cli("--help").stdout
    for option in (
        "--host",
        "--port",
        "--chain-id",
        "--data-dir",
        "--block-time",
        "--accounts",
        "--mnemonic",
        "--max-logs",
    ):
        assert option in out
