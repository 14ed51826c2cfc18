"""Sign-in nonces used once: a small SQLite file of the portal's own (not the mirror).

A challenge is signed by the portal (nothing is stored when one is shown); a sign-in records its
nonce here, and a nonce already recorded is a replay. Every worker process opens the same file
under the data directory, so a nonce is single-use across them; rows are dropped once their
challenge has expired (it could not be used anyway). Without a data directory (tests) the store
is in memory, for one process.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

NONCES_FILE = "portal-nonces.sqlite3"


class UsedNonces:
    """`use(nonce, expires)` is True the first time only."""

    def __init__(self, path: Path | None) -> None:
        target = ":memory:" if path is None else str(path)
        self._db = sqlite3.connect(
            target, check_same_thread=False, timeout=10, isolation_level=None
        )
        self._lock = threading.Lock()
        with self._lock:
            if path is not None:
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS used_nonces (nonce TEXT PRIMARY KEY, expires INTEGER)"
            )

    @classmethod
    def under(cls, data_dir: Path | None) -> UsedNonces:
        """The store in `data_dir` (in memory without one)."""
        if data_dir is None:
            return cls(None)
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        return cls(data_dir / NONCES_FILE)

    def use(self, nonce: str, expires: int) -> bool:
        """Record `nonce` (valid until unix time `expires`); False when it was used before."""
        with self._lock:
            self._db.execute("DELETE FROM used_nonces WHERE expires < ?", (int(time.time()),))
            try:
                self._db.execute("INSERT INTO used_nonces VALUES (?, ?)", (nonce, expires))
            except sqlite3.IntegrityError:
                return False
            return True
