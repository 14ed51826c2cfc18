"""A report's manifest: what the file covers on chain and how to check it (docs/reports.md)."""

from __future__ import annotations

import hashlib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import orjson

from ledger.errors import AidLedgerError
from ledger.reports.build import Report

SCHEMA = "aidledger-report/1"
SUFFIX = ".manifest.json"


class ManifestError(AidLedgerError):
    """A manifest is missing or unreadable."""


def generator() -> str:
    """This program and its version."""
    try:
        return f"aidledger {version('aidledger')}"
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "aidledger (source)"


def core(report: Report, fmt: str) -> dict[str, Any]:
    """Everything but the files' hashes; available once the journal was consumed."""
    return {
        "schema": SCHEMA,
        "format": fmt,
        "generator": generator(),
        **report.context.as_json(),
        "tables": {
            name: {"rows": d.rows, "sha256": d.hexdigest()} for name, d in report.digests.items()
        },
    }


def sha256_file(path: Path) -> str:
    """A file's sha256 as 0x-hex, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return "0x" + h.hexdigest()


def finish(
    manifest: dict[str, Any], files: list[Path], known: dict[str, str] | None = None
) -> dict[str, Any]:
    """The manifest with every file's name, size and sha256 (the first file is the report);
    `known`: hashes already computed while writing, by file name (a CSV table's file hash is
    its digest), the others read back."""
    known = known or {}
    return {
        **manifest,
        "files": [
            {
                "name": p.name,
                "bytes": p.stat().st_size,
                "sha256": known.get(p.name) or sha256_file(p),
            }
            for p in files
        ],
    }


def encode(manifest: dict[str, Any]) -> bytes:
    """The manifest's bytes as written: sorted keys, two-space indent, newline at the end."""
    return orjson.dumps(manifest, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


def path_for(report_file: Path) -> Path:
    """Where a report's manifest lives: beside it, named after it."""
    return report_file.with_name(report_file.name + SUFFIX)


def manifest_hash(data: bytes) -> str:
    """The hash an attestation records: sha256 of the manifest file's bytes, 0x-hex."""
    return "0x" + hashlib.sha256(data).hexdigest()


def load(report_file: Path) -> tuple[dict[str, Any], bytes]:
    """A report's manifest (found beside it, or the file itself when given a manifest)."""
    path = report_file if report_file.name.endswith(SUFFIX) else path_for(report_file)
    if not path.is_file():
        raise ManifestError(
            f"no manifest at {path}; a report's manifest is written beside it as "
            f"<report file>{SUFFIX} — copy it next to the report and try again"
        )
    data = path.read_bytes()
    try:
        manifest = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{path} is not JSON ({exc}); not an AidLedger manifest") from None
    if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
        raise ManifestError(f"{path} is not an AidLedger report manifest ({SCHEMA})")
    return manifest, data
