"""The report formats: each writes a `Report` to a path and returns the files it wrote (the
report first). `manifest` is the manifest's core for writers that embed it (XLSX, PDF)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from ledger.reports.build import Report

Writer = Callable[[Report, Path, "dict[str, Any] | None"], list[Path]]

# format -> (module under ledger.reports.formats, file suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv_format", ".csv"),
    "json": ("json_format", ".json"),
}


def writer(fmt: str) -> Writer:
    """The writer of a format (imported on first use: each pulls in its own library)."""
    module, _ = FORMATS[fmt]
    fn: Writer = import_module(f"ledger.reports.formats.{module}").write
    return fn
