"""The mirror position every result carries: the checkpoint, or EMPTY before any index."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from ledger.queries.position import EMPTY, position_or_read, read_position
from ledger.store.db import make_engine, upgrade
from tests.contracts.helpers import give
from tests.contracts.world import World
from tests.ledger.queries.conftest import index
from tests.ledger.queries.indexed import counted


def test_position_is_the_checkpoint_block_seq_and_head(world: World, tmp_path: Path) -> None:
    give(world, 100)
    seq, head = world.ledger.ledger_head()
    with Session(index(world, tmp_path)) as session:
        at = read_position(session)
    assert (at.seq, at.head) == (seq, "0x" + head.hex())
    assert at.chain_id == world.ledger.deployment.chain_id
    assert at.block is not None and at.block >= world.ledger.client.w3.eth.block_number - 1


def test_position_of_a_mirror_never_indexed_is_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    with Session(make_engine(url)) as session:
        assert read_position(session) == EMPTY
    assert (EMPTY.block, EMPTY.seq, EMPTY.head) == (None, 0, None)


def test_a_position_passed_in_is_not_read_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    with Session(make_engine(url)) as session, counted(session) as statements:
        given = position_or_read(session, EMPTY)
        assert statements == []
        read = position_or_read(session, None)
    assert given is EMPTY and read == EMPTY and len(statements) == 1
