"""One indexer writes to a database at a time: file lock (SQLite), advisory lock (PostgreSQL)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from ledger.errors import AidLedgerError
from ledger.store.lock_files import open_lock_file

_ADVISORY_KEY = 0x41494444  # "AIDD"
# One lock per schema, so mirrors in different schemas of one database do not block each other.
_LOCK_SQL = "SELECT {fn}(:k, hashtext(current_schema()))"


class IndexerBusyError(AidLedgerError):
    """Another indexer holds the writer lock of this database."""


@contextmanager
def writer_lock(engine: Engine) -> Iterator[None]:
    """Hold the writer lock for the block; raise IndexerBusyError at once if it is taken."""
    if engine.dialect.name == "sqlite":
        database = engine.url.database or ""
        path = Path(f"{database}.lock")
        with open_lock_file(path, "writer lock") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexerBusyError(
                    f"another indexer is writing to {database} (lock {path}); "
                    "stop it or wait for it"
                ) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with engine.connect() as conn:
        got = conn.execute(
            text(_LOCK_SQL.format(fn="pg_try_advisory_lock")), {"k": _ADVISORY_KEY}
        ).scalar()
        conn.commit()
        if not got:
            raise IndexerBusyError(
                f"another indexer is writing to {engine.url.render_as_string(hide_password=True)}; "
                "stop it or wait for it"
            )
        try:
            yield
        finally:
            conn.execute(text(_LOCK_SQL.format(fn="pg_advisory_unlock")), {"k": _ADVISORY_KEY})
            conn.commit()
