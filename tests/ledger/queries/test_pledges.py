"""Pledges, what was paid against each and the gap, against the events from eth_getLogs."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from ledger.queries.pages import BadFilterError, stream
from ledger.queries.pledges import list_pledges, pledge
from ledger.queries.position import read_position
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("pledges"))


def paid(ix: Indexed) -> Counter[str]:
    found: Counter[str] = Counter()
    for e in ix.named("GiftRecorded"):
        if any(e.args["pledgeId"]):
            found[hexed(e.args["pledgeId"])] += e.args["amount"]
    return found


def test_every_pledge_with_paid_and_gap_from_the_events(indexed: Indexed) -> None:
    recorded = indexed.named("PledgeRecorded")[::-1]
    by_gifts = paid(indexed)
    with Session(indexed.engine) as session:
        at = read_position(session)
        listed = list(stream(lambda c: list_pledges(session, cursor=c, limit=1, at=at)))
    assert [p.pledge_id for p in listed] == [hexed(e.args["pledgeId"]) for e in recorded]
    for p, e in zip(listed, recorded, strict=True):
        assert (p.currency, p.amount, p.paid) == (
            e.args["currency"].decode(),
            e.args["amount"],
            by_gifts[p.pledge_id],
        )
        assert p.gap == max(p.amount - p.paid, 0)
        assert p.donor == hexed(e.args["donorCommitment"])[2:10]
        assert p.event.seq == e.seq and p.event.tx_hash == hexed(e.tx_hash)


def test_filters_by_status_and_currency(indexed: Indexed) -> None:
    with Session(indexed.engine) as session:
        at = read_position(session)
        usd = list_pledges(session, currency="USD", at=at).items
        open_ = list_pledges(session, status="open", at=at).items
        settled = list_pledges(session, status="paid", at=at).items
        assert list_pledges(session, region="CN-HB", at=at).items == []
        with pytest.raises(BadFilterError, match="open or paid"):
            list_pledges(session, status="late", at=at)
    assert [(p.amount, p.paid, p.gap, p.status) for p in usd] == [(5_000, 1_200, 3_800, "open")]
    assert {p.status for p in open_} == {"open"} and {p.status for p in settled} <= {"paid"}
    assert len(open_) + len(settled) == len(indexed.named("PledgeRecorded"))


def test_a_pledge_lists_the_gifts_that_paid_it_in_two_queries(indexed: Indexed) -> None:
    event = indexed.named("PledgeRecorded")[0]
    key = hexed(event.args["pledgeId"])
    paying = [
        hexed(e.args["giftId"])
        for e in indexed.named("GiftRecorded")
        if hexed(e.args["pledgeId"]) == key
    ]
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            result = pledge(session, key, at=at)
        assert pledge(session, "0x" + "00" * 32, at=at) is None
    assert result is not None and len(statements) == 2
    assert [g.gift_id for g in result.data.gifts] == paying[::-1] and paying
    assert result.data.more_gifts is None
    assert result.data.pledge.paid == paid(indexed)[key]
