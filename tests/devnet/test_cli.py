"""`aidledger devnet start | status | stop` run the node in the background and report on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from devnet.datadir import PID_FILE
from tests.devnet.nodes import ROOT, free_port, rpc, running, start_devnet


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "ledger", "devnet", *args]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=120, cwd=ROOT, check=False, env=env
    )


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
    assert not (tmp_path / "chain" / PID_FILE).exists()


def test_foreground_refuses_a_data_dir_of_another_chain(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    port = str(free_port())
    assert _cli("start", "--port", port, "--data-dir", data_dir).returncode == 0
    _cli("stop", "--data-dir", data_dir)
    other = _cli("--port", port, "--data-dir", data_dir, "--chain-id", "5")
    assert other.returncode == 1
    assert "holds chain id 1337" in other.stderr


def test_start_reports_why_the_node_did_not_start(tmp_path: Path) -> None:
    data_dir = str(tmp_path / "chain")
    port = str(free_port())
    assert _cli("start", "--port", port, "--data-dir", data_dir).returncode == 0
    _cli("stop", "--data-dir", data_dir)
    again = _cli("start", "--port", port, "--data-dir", data_dir, "--chain-id", "5")
    assert again.returncode == 1
    assert again.stderr.startswith("error: devnet did not start: ")
    assert "holds chain id 1337" in again.stderr
    assert f"see {tmp_path / 'chain' / 'devnet.log'}" in again.stderr
    assert "Traceback" not in (tmp_path / "chain" / "devnet.log").read_text()


def test_start_refuses_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    refused = _cli("start", "--port", str(free_port()), "--data-dir", str(tmp_path / "afile"))
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"error: data dir {tmp_path / 'afile'}: {tmp_path / 'afile'} is a file, not a "
        "directory; pass --data-dir with a directory, or move the file away"
    ]


def test_start_refuses_a_port_another_node_answers_on(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "theirs")) as theirs:
        mine = tmp_path / "mine"
        refused = _cli("start", "--port", str(theirs.port), "--data-dir", str(mine))
        assert refused.returncode == 1
        assert "started" not in refused.stdout
        assert f"port {theirs.port} on 127.0.0.1 is already in use" in refused.stderr
        assert "Traceback" not in refused.stderr
        assert not (mine / PID_FILE).exists()
        assert _cli("status", "--data-dir", str(mine)).returncode == 1


def test_foreground_on_a_busy_port_says_so_in_one_line(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "theirs")) as theirs:
        mine = tmp_path / "mine"
        refused = _cli("--port", str(theirs.port), "--data-dir", str(mine))
        assert refused.returncode == 1
        assert refused.stderr.startswith(f"error: cannot listen on 127.0.0.1:{theirs.port}")
        assert len(refused.stderr.strip().splitlines()) == 1
        assert not (mine / PID_FILE).exists()


def test_status_sees_a_node_running_in_the_foreground(tmp_path: Path) -> None:
    with running(start_devnet(tmp_path / "chain")) as node:
        shown = _cli("status", "--data-dir", str(tmp_path / "chain"), "--json")
        assert shown.returncode == 0, shown.stderr
        status = json.loads(shown.stdout)
        assert status["running"] is True
        assert status["pid"] == node.proc.pid
        assert status["url"] == node.url
    assert _cli("status", "--data-dir", str(tmp_path / "chain")).returncode == 1


def test_status_json_exits_1_when_not_running(tmp_path: Path) -> None:
    shown = _cli("status", "--data-dir", str(tmp_path / "none"), "--json")
    assert shown.returncode == 1
    assert json.loads(shown.stdout)["running"] is False


def test_data_dir_defaults_to_aidledger_data_dir(tmp_path: Path) -> None:
    env = {**os.environ, "AIDLEDGER_DATA_DIR": str(tmp_path / "base")}
    port = str(free_port())
    started = _cli("start", "--port", port, env=env)
    assert started.returncode == 0, started.stderr
    try:
        assert (tmp_path / "base" / "devnet" / PID_FILE).exists()
        assert (tmp_path / "base" / "devnet" / "chain" / "data.mdb").exists()
        status = json.loads(_cli("status", "--json", env=env).stdout)
        assert status["dataDir"] == str(tmp_path / "base" / "devnet")
    finally:
        stopped = _cli("stop", env=env)
    assert "stopped" in stopped.stdout


def test_stop_says_so_when_the_node_outlives_the_wait(tmp_path: Path) -> None:
    data_dir = tmp_path / "chain"
    data_dir.mkdir()
    stubborn = subprocess.Popen(  # a process named like a devnet that ignores SIGTERM
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(15, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(120)",
            "devnet",
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
        (data_dir / PID_FILE).write_text(f"{stubborn.pid}\n127.0.0.1:1\n")
        stopped = _cli("stop", "--data-dir", str(data_dir), "--wait", "0.5")
        assert stopped.returncode == 1
        assert "stopped" not in stopped.stdout
        assert "did not stop within 0.5 s" in stopped.stderr
        assert f"kill -9 {stubborn.pid}" in stopped.stderr
        assert stubborn.poll() is None
        assert (data_dir / PID_FILE).exists()
    finally:
        stubborn.kill()
        stubborn.wait()


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
