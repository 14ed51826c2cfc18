"""`make clean` takes the dev chains' deployment files with the chain state, and says so."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_clean_removes_dev_deployments_and_says_so(tmp_path: Path) -> None:
    (tmp_path / ".aidledger" / "devnet").mkdir(parents=True)
    deployments = tmp_path / "deployments"
    deployments.mkdir()
    for name in ("1337.json", "31337.json", "4242.json"):
        (deployments / name).write_text("{}")
    result = subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "clean"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert not (tmp_path / ".aidledger").exists()
    assert sorted(p.name for p in deployments.iterdir()) == ["4242.json"]  # not a dev chain
    assert "removed deployments/1337.json" in result.stdout
    assert "removed deployments/31337.json" in result.stdout
    assert "aidledger deploy" in result.stdout
