"""The report formats: each writes a `Report` to a path and returns the files it wrote (the
report first). `manifest()` gives the manifest's core (everything but the files' hashes) once
the journal was consumed, for writers that embed it (XLSX properties, PDF metadata)."""

from __future__ import annotations

from importlib import import_module

from ledger.reports.formats.types import Writer

# format -> (module under ledger.reports.formats, file suffix)
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("csv_format", ".csv"),
    "xlsx": ("xlsx_format", ".xlsx"),
    "pdf": ("pdf_format", ".pdf"),
    "json": ("json_format", ".json"),
    "disclosure": ("disclosure_format", ".md"),
    "iati": ("iati_format", ".xml"),
    "fts": ("fts_format", ".json"),
}


def writer(fmt: str) -> Writer:
    """The writer of a format (imported on first use: each pulls in its own library)."""
    module, _ = FORMATS[fmt]
    fn: Writer = import_module(f"ledger.reports.formats.{module}").write
    return fn
