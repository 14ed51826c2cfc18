"""`aidledger index`, `verify` and `db upgrade` from the outside: every ordinary mistake is one
line and an exit code, never a traceback; progress and summary formats."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.devnet.nodes import running, start_devnet
from tests.ledger.cli.cli import AIDLEDGER, one_line_error, run_cli
from tests.ledger.cli.conftest import DeployedChain
from tests.ledger.conftest import PG_ADMIN_URL, _pg_available

BAD_RPC_URLS = [
    ("localhost:8545", "no scheme"),
    ("ws://127.0.0.1:8545", "WebSocket"),
    ("notaurl", "no scheme"),
    ("http://", "not an HTTP URL"),
]


@pytest.mark.parametrize("command", ["index", "verify"])
@pytest.mark.parametrize(("url", "why"), BAD_RPC_URLS)
def test_malformed_rpc_url_is_one_line(tmp_path: Path, command: str, url: str, why: str) -> None:
    line = one_line_error(run_cli(command, "--rpc", url, cwd=tmp_path))
    assert f"RPC URL {url!r} is not usable" in line and why in line
    assert "http://host:port" in line


def test_rpc_url_from_the_environment_is_checked_too(tmp_path: Path) -> None:
    result = run_cli("index", cwd=tmp_path, env={"AIDLEDGER_RPC_URL": "localhost:8545"})
    assert "AIDLEDGER_RPC_URL" in one_line_error(result)


def test_unreachable_node_says_start_one(tmp_path: Path) -> None:
    line = one_line_error(run_cli("index", "--rpc", "http://127.0.0.1:9", cwd=tmp_path))
    assert "no Ethereum node answered at http://127.0.0.1:9" in line
    assert "aidledger devnet start" in line


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("notaurl", "is not usable: use sqlite:///"),
        ("mysql://u@h/db", "unsupported kind (mysql)"),
        ("sqlite://", "names no file"),
        ("postgresql://postgres@127.0.0.1:5432", "names no database"),
    ],
)
@pytest.mark.parametrize("command", [["db", "upgrade"], ["index"], ["verify"]])
def test_malformed_database_url_is_one_line(
    tmp_path: Path, command: list[str], url: str, words: str
) -> None:
    line = one_line_error(run_cli(*command, "--database-url", url, cwd=tmp_path))
    assert words in line


def test_sqlite_directory_outside_the_data_dir_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'typo' / 'mirror.sqlite3'}"
    line = one_line_error(run_cli("db", "upgrade", "--database-url", url, cwd=tmp_path))
    assert "typo does not exist" in line and "create it" in line
    assert not (tmp_path / "typo").exists()


def test_db_upgrade_in_a_fresh_directory_with_the_defaults(tmp_path: Path) -> None:
    result = run_cli("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "mirror.sqlite3").is_file()
    assert "schema up to date" in result.stdout


def test_stale_deployment_on_a_fresh_chain_says_redeploy(
    tmp_path: Path, deployed: DeployedChain
) -> None:
    stale = tmp_path / "deployments"
    shutil.copytree(deployed.deployments, stale)
    with running(start_devnet(tmp_path / "fresh-chain")) as fresh:
        for command in ("index", "verify"):
            result = run_cli(
                command, "--rpc", fresh.url, "--deployments-dir", str(stale), cwd=tmp_path
            )
            line = one_line_error(result)
            assert "1337.json names contracts that chain 1337 does not have" in line
            assert "AidRegistry at 0x" in line and "run `aidledger deploy`" in line
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_index_json_writes_only_json_and_plain_progress_off_a_terminal(
    tmp_path: Path, deployed: DeployedChain
) -> None:
    args = ("--rpc", deployed.url, "--deployments-dir", str(deployed.deployments))
    (tmp_path / "json").mkdir()
    as_json = run_cli("index", *args, "--json", cwd=tmp_path / "json")
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert summary["last_block"] >= 1 and as_json.stderr == ""
    plain = run_cli("index", *args, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    progress = plain.stderr.strip().splitlines()
    assert progress and "(100.0%)" in progress[-1] and "events/s" in progress[-1]
    assert plain.stdout.startswith("indexed ") and "events/s" in plain.stdout
    verified = run_cli("verify", *args, cwd=tmp_path)
    assert verified.returncode == 0 and "the mirror equals the chain" in verified.stdout


def _follow_until(line_start: str, tmp_path: Path, deployed: DeployedChain) -> tuple[str, int]:
    """Run `index --follow` until stderr shows `line_start`, then Ctrl-C it; (line, exit code)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("AIDLEDGER_") or k.endswith("_PG")
    }
    env["AIDLEDGER_DATA_DIR"] = str(tmp_path / "data")
    args = ["--rpc", deployed.url, "--deployments-dir", str(deployed.deployments), "--follow"]
    proc = subprocess.Popen(
        [str(AIDLEDGER), "index", *args],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    seen = ""
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            seen = proc.stderr.readline()
            if seen.startswith(line_start) or not seen:
                break
        proc.send_signal(signal.SIGINT)
        rest = proc.communicate(timeout=60)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert "Traceback" not in rest, rest
    return seen.strip(), proc.returncode


def test_follow_says_when_it_caught_up_and_when_up_to_date(
    tmp_path: Path, deployed: DeployedChain
) -> None:
    line, code = _follow_until("caught up", tmp_path, deployed)
    assert re.fullmatch(r"caught up at block [\d,]+; following the head \(Ctrl-C to stop\)", line)
    assert code == 130
    line, code = _follow_until("up to date", tmp_path, deployed)
    assert line == "up to date; following the head (Ctrl-C to stop)"
    assert code == 130


@pytest.mark.parametrize(
    ("suffix", "words"),
    [
        ("/no_such_database", 'database "no_such_database" does not exist'),
        ("/test?options=-csearch_path%3Dno_such_schema", "CREATE SCHEMA no_such_schema"),
    ],
)
def test_postgresql_database_or_schema_missing_is_one_line(
    tmp_path: Path, suffix: str, words: str
) -> None:
    reason = _pg_available()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + suffix
    line = one_line_error(run_cli("db", "upgrade", "--database-url", url, cwd=tmp_path))
    assert words in line


@pytest.mark.parametrize("command", [["db", "upgrade"], ["index"]])
def test_unwritable_data_dir_is_one_line(tmp_path: Path, command: list[str]) -> None:
    # sysfs refuses new directories to everyone, root included
    result = run_cli(*command, cwd=tmp_path, env={"AIDLEDGER_DATA_DIR": "/sys/aidledger"})
    line = one_line_error(result)
    assert "cannot create /sys/aidledger" in line and "AIDLEDGER_DATA_DIR" in line
