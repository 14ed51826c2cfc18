"""The installed package finds its contract artifacts (package data in pyproject.toml)."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from ledger.chain.artifacts import CONTRACT_NAMES, artifacts_dir, load_artifact

ROOT = Path(__file__).resolve().parents[2]


def test_package_data_names_existing_files_the_code_loads() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["ledger.chain"]
    matched = {
        str(Path(path).relative_to(ROOT / "ledger" / "chain"))
        for pattern in patterns
        for path in glob.glob(str(ROOT / "ledger" / "chain" / pattern))
    }
    assert {f"artifacts/{name}.json" for name in CONTRACT_NAMES} <= matched


def test_artifacts_dir_defaults_to_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIDLEDGER_ARTIFACTS_DIR", raising=False)
    assert artifacts_dir() == ROOT / "ledger" / "chain" / "artifacts"
    raw = (ROOT / "contracts" / "build" / "AidRegistry.json").read_bytes()
    assert (
        load_artifact("AidRegistry").abi
        and raw == (artifacts_dir() / "AidRegistry.json").read_bytes()
    )


def test_built_wheel_carries_the_artifacts(tmp_path: Path) -> None:
    """Build a wheel from a copy of the tree, install it alone, load every artifact from it."""
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for package in ("ledger", "portal", "devnet"):
        shutil.copytree(ROOT / package, source / package, symlinks=True, ignore=ignore)
    shutil.copytree(ROOT / "contracts" / "build", source / "contracts" / "build")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(tmp_path / "dist"), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("aidledger-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read("aidledger-0.1.0.dist-info/METADATA").decode()
    assert {f"ledger/chain/artifacts/{n}.json" for n in CONTRACT_NAMES} <= set(names)
    portal_files = {  # a wheel-installed portal must find its pages, assets and catalogues
        str(p.relative_to(ROOT))
        for folder in ("templates", "static", "translations")
        for p in (ROOT / "portal" / folder).rglob("*")
        if p.is_file() and p.suffix not in (".mo", ".pyc")
    }
    assert portal_files and portal_files <= set(names), sorted(portal_files - set(names))[:5]
    assert "ledger/reports/schemas/iati-2.03/iati-activities-schema.xsd" in names
    assert "Requires-Dist: websockets" in metadata  # ledger/indexer/heads.py imports it
    target = tmp_path / "installed"
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    # -S: no site-packages, so the editable install of this checkout cannot answer instead.
    check = (
        "import ledger.chain.artifacts as a\n"
        "print(a.__file__)\n"
        f"for n in {CONTRACT_NAMES!r}: a.load_artifact(n)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AIDLEDGER_ARTIFACTS_DIR"}
    result = subprocess.run(
        [sys.executable, "-S", "-c", check],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(target)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(str(target))
