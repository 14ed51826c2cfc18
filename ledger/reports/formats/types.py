"""The type every format's `write` has."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a format imports the report; the report's tables import `formats.safe`
    from ledger.reports.build import Report

Manifest = Callable[[], dict[str, Any]]  # the manifest's core, once the journal was consumed
Writer = Callable[["Report", Path, Manifest], list[Path]]
