"""The `aidledger` entry point: the guard for unexpected errors, Ctrl-C, help and flags."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ledger.cli.cli import one_line_error, run_cli

# A command that fails the way a bug would, mounted on the real app and run by the real main().
_FAILING = """
import sys
from ledger.cli.main import app, main

@app.command()
def boom() -> None:
    raise {raise_}

main()
"""


def _run_failing(raise_: str, cwd: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AIDLEDGER_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "-c", _FAILING.format(raise_=raise_), "boom"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_unexpected_exception_is_one_line_and_a_log(tmp_path: Path) -> None:
    result = _run_failing(
        "ZeroDivisionError('division by zero\\nsecond line')", tmp_path, tmp_path / "data"
    )
    line = one_line_error(result)
    match = re.fullmatch(
        r"error: unexpected ZeroDivisionError: division by zero — the traceback is in (\S+); "
        r"please report it",
        line,
    )
    assert match, line
    log = Path(match.group(1))
    assert log.parent == (tmp_path / "data" / "logs").resolve()
    assert "Traceback" in log.read_text() and "in boom" in log.read_text()


def test_unexpected_exception_with_unwritable_data_dir_logs_to_temp(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the data dir should be")
    line = one_line_error(_run_failing("RuntimeError('bug')", tmp_path, tmp_path / "data"))
    log = Path(line.split("the traceback is in ")[1].split(";")[0])
    assert "aidledger-logs" in str(log) and "RuntimeError: bug" in log.read_text()
    log.unlink()


def test_keyboard_interrupt_is_interrupted_exit_130(tmp_path: Path) -> None:
    result = _run_failing("KeyboardInterrupt()", tmp_path, tmp_path / "data")
    assert result.returncode == 130
    assert result.stderr.strip() == "interrupted"
    assert not (tmp_path / "data").exists()  # no log: nothing went wrong


@pytest.mark.parametrize("command", ["index", "verify", "deploy", "db upgrade"])
def test_help_is_not_cut_at_80_columns(tmp_path: Path, command: str) -> None:
    result = run_cli(*command.split(), "--help", cwd=tmp_path, env={"COLUMNS": "80"})
    assert result.returncode == 0
    assert "…" not in result.stdout and "<bool>" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "AIDLEDGER_" in result.stdout or command == "db upgrade"


def test_boolean_flags_are_flags(tmp_path: Path) -> None:
    help_text = run_cli("index", "--help", cwd=tmp_path).stdout
    assert "--follow / --no-follow" in help_text and "--parallel / --no-parallel" in help_text
    result = run_cli("index", "--json=true", cwd=tmp_path)
    assert result.returncode == 2 and "does not take a value" in result.stderr
    assert "Traceback" not in result.stderr


def test_deploy_has_deployments_dir(tmp_path: Path) -> None:
    assert "--deployments-dir" in run_cli("deploy", "--help", cwd=tmp_path).stdout


@pytest.mark.parametrize(
    "args",
    [
        ["index", "--rpc", "localhost:1"],
        ["verify", "--rpc", "notaurl"],
        ["db", "upgrade", "--database-url", "notaurl"],
    ],
)
def test_smoke_no_traceback_in_an_empty_directory(tmp_path: Path, args: list[str]) -> None:
    one_line_error(run_cli(*args, cwd=tmp_path))


def test_the_command_starts_without_loading_the_machinery() -> None:
    """`aidledger --help` and `version` stay fast: web3, SQLAlchemy and the indexer load lazily."""
    code = (
        "import sys, ledger.cli.main\n"
        "heavy = [m for m in ('web3', 'sqlalchemy', 'eth_abi', 'ledger.indexer.sync') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
