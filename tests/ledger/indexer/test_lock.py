"""The SQLite writer lock: a lock file that cannot be created is one clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.errors import AidLedgerConfigError
from ledger.indexer.lock import writer_lock
from ledger.store.db import make_engine


def test_lock_file_that_cannot_be_created_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "mirror.sqlite3.lock").mkdir()  # refused to root as well
    engine = make_engine(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    locked = writer_lock(engine)
    with pytest.raises(AidLedgerConfigError, match=r"cannot create the writer lock .*\.lock"):
        locked.__enter__()
