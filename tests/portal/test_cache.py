"""The overview's whole-table sums are kept per mirror head: summed once while the head stands,
summed again as soon as the indexer moves it (portal/cache.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ledger.queries.models import Position
from portal.app import create_app
from portal.cache import HeadCache
from portal.i18n import Formatter
from tests.portal.conftest import Indexed
from tests.portal.html import soup


def at(seq: int, head: str = "0xaa") -> Position:
    return Position(chain_id=1337, block=seq, seq=seq, head=head)


def test_one_head_computes_once_and_a_new_head_computes_again() -> None:
    cache, calls = HeadCache(), []

    def compute(value: str) -> str:
        calls.append(value)
        return value

    assert cache.get(at(5), "k", lambda: compute("first")) == "first"
    assert cache.get(at(5), "k", lambda: compute("second")) == "first"
    assert cache.get(at(5), "other", lambda: compute("other")) == "other"
    assert cache.get(at(6), "k", lambda: compute("third")) == "third"
    assert cache.get(at(6, "0xbb"), "k", lambda: compute("reorg")) == "reorg"  # same seq
    assert calls == ["first", "other", "third", "reorg"]


def test_waiting_requests_share_one_computation() -> None:
    cache, calls, results = HeadCache(), [], []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return 42

    threads = [
        threading.Thread(target=lambda: results.append(cache.get(at(1), "k", slow)))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8 and calls == [1]


def test_a_value_past_its_time_is_computed_again_at_the_same_head() -> None:
    cache, calls = HeadCache(), []

    def compute(until: int) -> int:
        calls.append(until)
        return until

    assert cache.get(at(1), "site", lambda: compute(10), fresh=lambda v: v > 5) == 10
    assert cache.get(at(1), "site", lambda: compute(20), fresh=lambda v: v > 9) == 10
    assert cache.get(at(1), "site", lambda: compute(30), fresh=lambda v: v > 10) == 30
    assert calls == [10, 30]


def test_entries_are_bounded() -> None:
    cache = HeadCache(max_entries=3)
    for key in range(5):
        cache.get(at(1), key, lambda key=key: key)  # type: ignore[misc]
    assert cache.get(at(1), 0, lambda: -1) == -1  # the oldest went first
    assert cache.get(at(1), 4, lambda: -1) == 4


@pytest.fixture
def mirror_copy(indexed: Indexed, tmp_path: Path) -> Iterator[Path]:
    """A copy of the session's mirror that this test may change as the indexer would."""
    source = sqlite3.connect(indexed.database_url.removeprefix("sqlite:///"))
    path = tmp_path / "mirror.sqlite3"
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    yield path


def received_cny(client: TestClient) -> int:
    money = client.get("/api/v1/overview").json()["data"]["money"]
    return int(next(row["received"] for row in money if row["currency"] == "CNY"))


def within_one_minute() -> None:
    """Start at the top of a minute when less than 20 s of this one are left: the overview's
    alerts are judged per minute, so a minute turning would read the sums again."""
    left = 60 - time.time() % 60
    if left < 20:
        time.sleep(left)


def test_overview_is_summed_again_when_the_mirror_head_moves(mirror_copy: Path) -> None:
    money = Formatter("en").money
    with TestClient(create_app(f"sqlite:///{mirror_copy}")) as client:
        within_one_minute()
        before = received_cny(client)
        old, new = money(before, "CNY"), money(before + 1, "CNY")
        text = soup(client.get("/")).get_text()
        assert old in text and new not in text
        db = sqlite3.connect(mirror_copy)
        # rows written without moving the head: the kept sums stand (they belong to the head)
        db.execute("UPDATE pools SET received = received + 1 WHERE currency = 'CNY'")
        db.commit()
        assert received_cny(client) == before
        assert new not in soup(client.get("/")).get_text()
        # the indexer's commit moves the head with its rows: the sums are read again
        db.execute("UPDATE indexer_state SET seq = seq + 1, head = '0x" + "ab" * 32 + "'")
        db.commit()
        db.close()
        assert received_cny(client) == before + 1
        assert new in soup(client.get("/")).get_text()


def test_site_page_is_read_again_when_the_mirror_head_moves(mirror_copy: Path) -> None:
    number = Formatter("en").number
    db = sqlite3.connect(mirror_copy)
    site_id, lot_id, held = db.execute(
        "SELECT site_id, max(lot_id), sum(on_hand) FROM lots WHERE on_hand > 0 "
        "GROUP BY site_id ORDER BY site_id LIMIT 1"
    ).fetchone()
    more = number(held + 1_000)
    with TestClient(create_app(f"sqlite:///{mirror_copy}")) as client:
        within_one_minute()
        assert more not in soup(client.get(f"/sites/{site_id}")).get_text()
        db.execute("UPDATE lots SET on_hand = on_hand + 1000 WHERE lot_id = ?", (lot_id,))
        db.commit()
        assert more not in soup(client.get(f"/sites/{site_id}")).get_text()
        db.execute("UPDATE indexer_state SET seq = seq + 1, head = '0x" + "cd" * 32 + "'")
        db.commit()
        assert more in soup(client.get(f"/sites/{site_id}")).get_text()
    db.close()


def donated(client: TestClient) -> int:
    edges = client.get("/api/v1/flows").json()["data"]["edges"]
    return sum(int(e["value"]) for e in edges if e["kind"] == "gift")


def test_flows_are_read_again_when_the_mirror_head_moves(mirror_copy: Path) -> None:
    with TestClient(create_app(f"sqlite:///{mirror_copy}")) as client:
        before = donated(client)
        db = sqlite3.connect(mirror_copy)
        changed = db.execute("UPDATE gifts SET amount = amount + 7 WHERE kind = 'money'").rowcount
        db.commit()
        assert changed > 0 and donated(client) == before
        db.execute("UPDATE indexer_state SET seq = seq + 1, head = '0x" + "ef" * 32 + "'")
        db.commit()
        db.close()
        assert donated(client) == before + 7 * changed
