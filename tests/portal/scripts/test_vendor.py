"""The vendored browser assets are the versions package-lock.json pins, with their licences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portal.scripts.vendor import ASSETS, ROOT, VENDOR, Asset, vendor


def locked_version(package: str) -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return str(lock["packages"][f"node_modules/{package}"]["version"])


@pytest.mark.parametrize("asset", ASSETS, ids=lambda a: a.package)
def test_vendored_asset_is_the_locked_version_with_its_licence(asset: Asset) -> None:
    folder = VENDOR / asset.package
    assert (folder / "VERSION").read_text().strip() == locked_version(asset.package)
    assert (folder / "LICENSE").stat().st_size > 0
    for name in asset.files:
        assert (folder / Path(name).name).stat().st_size > 0


def test_vendor_copies_files_licences_and_version(tmp_path: Path) -> None:
    modules = tmp_path / "node_modules"
    for asset in ASSETS:
        for name in (*asset.files, *asset.licences):
            (modules / asset.package / name).parent.mkdir(parents=True, exist_ok=True)
            (modules / asset.package / name).write_text(f"{asset.package}:{name}")
        (modules / asset.package / "package.json").write_text('{"version": "9.9.9"}')
    lines = vendor(modules, tmp_path / "vendor")
    assert len(lines) == len(ASSETS)
    echarts = tmp_path / "vendor" / "echarts"
    assert (echarts / "echarts.min.js").read_text() == "echarts:dist/echarts.min.js"
    assert (echarts / "VERSION").read_text() == "9.9.9\n"


def test_vendor_without_node_modules_says_run_npm_ci(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="npm ci"):
        vendor(tmp_path / "node_modules", tmp_path / "vendor")
