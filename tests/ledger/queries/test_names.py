"""Names and labels resolve to ids through the mirror, and back."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from ledger.queries.names import UnknownNameError, label, name_of, resolve
from ledger.store.db import make_engine, upgrade
from ledger.store.models import Lot
from tests.contracts.helpers import stock
from tests.contracts.world import World
from tests.ledger.queries.conftest import index


def test_sites_and_items_resolve_by_name_and_lots_by_label(world: World, tmp_path: Path) -> None:
    lot_id = stock(world, 40)
    engine = index(world, tmp_path)
    with Session(engine) as session:
        assert resolve(session, "site", "wh_a") == world.sites["wh_a"]
        assert resolve(session, "item", "mask") == world.items["mask"]
        lot = session.get(Lot, "0x" + lot_id.hex())
        assert lot is not None
        assert resolve(session, "lot", f"L-{lot.seq}") == lot_id
        assert resolve(session, "lot", f"l-{lot.seq}") == lot_id
        assert resolve(session, "lot", "0x" + lot_id.hex()) == lot_id
        assert name_of(session, "lot", lot_id) == label("lot", lot.seq)
        assert name_of(session, "site", world.sites["wh_b"]) == "wh_b"
        assert name_of(session, "lot", b"\x01" * 32) is None


def test_an_unknown_name_says_where_the_mirror_is(world: World, tmp_path: Path) -> None:
    engine = index(world, tmp_path)
    with Session(engine) as session, pytest.raises(UnknownNameError) as caught:
        resolve(session, "site", "WH-9")
    assert "'WH-9'" in str(caught.value) and "the mirror is at block" in str(caught.value)
    with Session(engine) as session, pytest.raises(UnknownNameError, match="label like L-17"):
        resolve(session, "lot", "17")


def test_an_empty_mirror_says_index_first(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    with Session(make_engine(url)) as session, pytest.raises(UnknownNameError, match="index"):
        resolve(session, "item", "N95")
