"""Run the real `aidledger` command in a subprocess, in a directory of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

AIDLEDGER = Path(sys.executable).with_name("aidledger")


def run_cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`aidledger *args` in `cwd`, with AIDLEDGER_DATA_DIR under it unless `env` sets it."""
    full_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("AIDLEDGER_") or key == "AIDLEDGER_TEST_PG"
    }
    full_env["AIDLEDGER_DATA_DIR"] = str(cwd / "data")
    full_env.update(env or {})
    return subprocess.run(
        [str(AIDLEDGER), *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line_error(result: subprocess.CompletedProcess[str], code: int = 1) -> str:
    """The single `error: ...` line on stderr, after checking the exit code and no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]
