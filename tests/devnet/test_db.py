"""DiskDB buffers py-evm's writes until flush; every store applies a flush atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from devnet.db import STORES, DiskDB, open_store


@pytest.fixture(params=sorted(STORES))
def db(request: pytest.FixtureRequest, tmp_path: Path) -> DiskDB:
    return DiskDB(open_store(tmp_path / "store", request.param))


def test_writes_are_readable_at_once_but_reach_the_store_only_on_flush(db: DiskDB) -> None:
    db[b"k"] = b"v"
    assert db[b"k"] == b"v"
    assert db.store.get(b"k") is None
    db.flush()
    assert db.store.get(b"k") == b"v"
    assert not db.dirty


def test_delete_and_discard(db: DiskDB) -> None:
    db[b"a"] = b"1"
    db.flush()
    del db[b"a"]
    assert not db.exists(b"a")
    db.discard()
    assert db[b"a"] == b"1"
    del db[b"a"]
    db.flush()
    assert db.store.get(b"a") is None
    with pytest.raises(KeyError):
        del db[b"a"]


def test_atomic_batch_commits_into_the_buffer_or_not_at_all(db: DiskDB) -> None:
    with db.atomic_batch() as batch:
        batch[b"x"] = b"1"
    assert db[b"x"] == b"1"
    with pytest.raises(RuntimeError), db.atomic_batch() as batch:
        batch[b"y"] = b"2"
        raise RuntimeError("abort")
    assert not db.exists(b"y")


def test_reopened_store_has_what_was_flushed(tmp_path: Path) -> None:
    for kind in STORES:
        first = DiskDB(open_store(tmp_path / kind, kind))
        first[b"kept"] = b"1"
        first.flush()
        first[b"lost"] = b"2"  # never flushed, as after kill -9
        first.close()
        again = DiskDB(open_store(tmp_path / kind, kind))
        assert again[b"kept"] == b"1"
        assert not again.exists(b"lost")
        again.close()


def test_iterate_returns_a_key_range_in_order(db: DiskDB) -> None:
    for n in (3, 1, 2, 9):
        db[b"p" + bytes([n])] = bytes([n])
    db[b"q"] = b"other"
    db.flush()
    assert [v for _, v in db.iterate(b"p\x01", b"p\x09")] == [b"\x01", b"\x02", b"\x03"]
