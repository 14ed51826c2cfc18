"""Lock files beside a SQLite mirror (the indexer's writer lock, the migration lock)."""

from __future__ import annotations

from pathlib import Path
from typing import TextIO

from ledger.errors import AidLedgerConfigError


def open_lock_file(path: Path, what: str) -> TextIO:
    """`path` opened for `fcntl.flock`, or a clear error naming `what` ("writer lock", ...)."""
    try:
        return path.open("w")
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot create the {what} {path} ({exc.strerror}); make its directory writable"
        ) from None
