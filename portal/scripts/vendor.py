"""Copy the portal's browser assets from node_modules into portal/static/vendor/.

`npm ci` installs the versions pinned in package-lock.json; this copies the files the portal
serves (ECharts, Swagger UI) and the browser tests inject (axe-core), each package into its own
folder with a VERSION file and its licence files, so nothing is ever loaded from a CDN.
Run with `make vendor`; the result is committed.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "portal" / "static" / "vendor"


@dataclass(frozen=True)
class Asset:
    """An npm package and the files of it the portal needs (paths inside the package)."""

    package: str
    files: tuple[str, ...]
    licences: tuple[str, ...]


ASSETS = (
    Asset("echarts", ("dist/echarts.min.js",), ("LICENSE", "NOTICE")),
    Asset(
        "swagger-ui-dist",
        ("swagger-ui-bundle.js", "swagger-ui.css"),
        ("LICENSE", "NOTICE", "swagger-ui-bundle.js.LICENSE.txt"),
    ),
    Asset("axe-core", ("axe.min.js",), ("LICENSE", "LICENSE-3RD-PARTY.txt")),
)


def installed_version(package: str, node_modules: Path = NODE_MODULES) -> str:
    """The version npm installed (from the package's own package.json)."""
    manifest = json.loads((node_modules / package / "package.json").read_text())
    return str(manifest["version"])


def vendor(node_modules: Path = NODE_MODULES, target: Path = VENDOR) -> list[str]:
    """Copy every asset; one line per package saying what was copied."""
    done = []
    for asset in ASSETS:
        source = node_modules / asset.package
        if not source.is_dir():
            raise SystemExit(f"error: {source} is missing: run `npm ci` first")
        folder = target / asset.package
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for name in (*asset.files, *asset.licences):
            shutil.copyfile(source / name, folder / Path(name).name)
        version = installed_version(asset.package, node_modules)
        (folder / "VERSION").write_text(version + "\n")
        done.append(f"{asset.package} {version}: {', '.join(asset.files)}")
    return done


if __name__ == "__main__":
    for line in vendor():
        sys.stdout.write(line + "\n")
