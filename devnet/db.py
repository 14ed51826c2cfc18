"""On-disk key/value store for py-evm: a write buffer over an embedded store.

py-evm writes trie nodes, headers and indexes through :class:`DiskDB` at any time, but
those writes only reach disk in :meth:`DiskDB.flush`, which the miner calls once per block
after its own indexes are written. One flush is one store transaction with fsync, so a
block is on disk whole or not at all, and a receipt is never handed out before its block
is durable. Three stores implement :class:`KVStore`; LMDB is the default (see
docs/devnet.md for the measurements).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

import lmdb
from eth.abc import AtomicWriteBatchAPI
from eth.db.atomic import AtomicDBWriteBatch
from eth.db.backends.base import BaseAtomicDB

from devnet.datadir import DataDirError

_DELETED = None
LMDB_MAP_SIZE = 1 << 38  # 256 GiB of address space; the file only grows as written


class KVStore(Protocol):
    """A durable byte store that applies a batch of writes atomically."""

    def get(self, key: bytes) -> bytes | None: ...

    def commit(self, writes: dict[bytes, bytes | None]) -> None: ...

    def iterate(self, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]: ...

    def close(self) -> None: ...


class LmdbStore:
    """LMDB: memory-mapped B+tree, one fsync per write transaction."""

    def __init__(self, path: Path, sync: bool = True) -> None:
        path.mkdir(parents=True, exist_ok=True)
        try:
            self._env = lmdb.open(str(path), map_size=LMDB_MAP_SIZE, sync=sync, metasync=sync)
        except lmdb.Error as exc:
            raise DataDirError(
                f"cannot open the chain store {path}: {exc}; "
                "move the data dir away to start a new chain"
            ) from None
        self._read = self._env.begin()  # one reader, renewed after each commit

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self._read.get(key)
        return value

    def commit(self, writes: dict[bytes, bytes | None]) -> None:
        with self._env.begin(write=True) as txn:
            for key, value in writes.items():
                if value is None:
                    txn.delete(key)
                else:
                    txn.put(key, value)
        self._read.abort()
        self._read = self._env.begin()

    def iterate(self, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]:
        with self._env.begin() as txn:
            cursor = txn.cursor()
            if not cursor.set_range(start):
                return
            for key, value in cursor:
                if key >= stop:
                    break
                yield bytes(key), bytes(value)

    def close(self) -> None:
        self._read.abort()
        self._env.close()


class LevelStore:
    """LevelDB via plyvel: log-structured merge tree, synced write batches."""

    def __init__(self, path: Path, sync: bool = True) -> None:
        import plyvel  # noqa: PLC0415  (optional store; mypy override in pyproject)

        path.mkdir(parents=True, exist_ok=True)
        self._db = plyvel.DB(str(path), create_if_missing=True)
        self._sync = sync

    def get(self, key: bytes) -> bytes | None:
        value: bytes | None = self._db.get(key)
        return value

    def commit(self, writes: dict[bytes, bytes | None]) -> None:
        with self._db.write_batch(sync=self._sync) as batch:
            for key, value in writes.items():
                if value is None:
                    batch.delete(key)
                else:
                    batch.put(key, value)

    def iterate(self, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]:
        yield from self._db.iterator(start=start, stop=stop)

    def close(self) -> None:
        self._db.close()


class SqliteStore:
    """SQLite in WAL mode with synchronous=FULL, one table of key/value blobs."""

    def __init__(self, path: Path, sync: bool = True) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path / "chain.sqlite", isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute(f"PRAGMA synchronous={'FULL' if sync else 'OFF'}")
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID"
        )

    def get(self, key: bytes) -> bytes | None:
        row = self._conn.execute("SELECT v FROM kv WHERE k = ?", (key,)).fetchone()
        return None if row is None else bytes(row[0])

    def commit(self, writes: dict[bytes, bytes | None]) -> None:
        puts = [(k, v) for k, v in writes.items() if v is not None]
        deletes = [(k,) for k, v in writes.items() if v is None]
        self._conn.execute("BEGIN")
        self._conn.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", puts)
        self._conn.executemany("DELETE FROM kv WHERE k = ?", deletes)
        self._conn.execute("COMMIT")

    def iterate(self, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]:
        rows = self._conn.execute(
            "SELECT k, v FROM kv WHERE k >= ? AND k < ? ORDER BY k", (start, stop)
        ).fetchall()
        for key, value in rows:
            yield bytes(key), bytes(value)

    def close(self) -> None:
        self._conn.close()


STORES: dict[str, type[LmdbStore] | type[LevelStore] | type[SqliteStore]] = {
    "lmdb": LmdbStore,
    "leveldb": LevelStore,
    "sqlite": SqliteStore,
}


def open_store(path: Path, kind: str = "lmdb", sync: bool = True) -> KVStore:
    """Open the store of `kind` ("lmdb", "leveldb" or "sqlite") under `path`."""
    return STORES[kind](path, sync=sync)


class DiskDB(BaseAtomicDB):
    """py-evm's AtomicDatabaseAPI over a :class:`KVStore`, buffered until :meth:`flush`."""

    def __init__(self, store: KVStore) -> None:
        self.store = store
        self._pending: dict[bytes, bytes | None] = {}

    def __getitem__(self, key: bytes) -> bytes:
        value = self._pending[key] if key in self._pending else self.store.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: bytes, value: bytes) -> None:
        self._pending[key] = value

    def __delitem__(self, key: bytes) -> None:
        if not self._exists(key):
            raise KeyError(key)
        self._pending[key] = _DELETED

    def _exists(self, key: bytes) -> bool:
        if key in self._pending:
            return self._pending[key] is not None
        return self.store.get(key) is not None

    @contextmanager
    def atomic_batch(self) -> Iterator[AtomicWriteBatchAPI]:
        with AtomicDBWriteBatch._commit_unless_raises(self) as batch:
            yield batch

    def iterate(self, start: bytes, stop: bytes) -> Iterator[tuple[bytes, bytes]]:
        """Committed entries with start <= key < stop, in key order (flush first)."""
        return self.store.iterate(start, stop)

    @property
    def dirty(self) -> bool:
        """Whether writes wait for the next flush."""
        return bool(self._pending)

    def flush(self) -> None:
        """Write everything buffered in one durable store transaction."""
        if self._pending:
            self.store.commit(self._pending)
            self._pending = {}

    def discard(self) -> None:
        """Drop buffered writes (a failed block)."""
        self._pending = {}

    def close(self) -> None:
        self.store.close()
