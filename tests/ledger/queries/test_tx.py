"""What a transaction did, against its logs from eth_getLogs."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

import pytest
from sqlmodel import Session

from ledger.chain.events import DecodedEvent, event_specs
from ledger.queries.position import read_position
from ledger.queries.sentences import TEMPLATES, Code, Money, english, money
from ledger.queries.tx import _SENTENCES, transaction
from tests.contracts.world import World
from tests.ledger.queries.indexed import Indexed, build, counted, hexed

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.fixture(scope="module")
def indexed(module_world: World, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Indexed]:
    yield build(module_world, tmp_path_factory.mktemp("tx"))


def by_tx(ix: Indexed) -> dict[str, list[DecodedEvent]]:
    found: dict[str, list[DecodedEvent]] = defaultdict(list)
    for e in ix.events:
        found[hexed(e.tx_hash)].append(e)
    return found


def summary_of(indexed: Indexed, event: DecodedEvent) -> str:
    with Session(indexed.engine) as session:
        result = transaction(session, hexed(event.tx_hash))
    assert result is not None
    return next(e.summary for e in result.data.events if e.seq == event.seq)


def test_every_transaction_lists_its_logs_in_order_with_a_sentence(indexed: Indexed) -> None:
    w3 = indexed.world.ledger.client.w3
    with Session(indexed.engine) as session:
        at = read_position(session)
        for tx_hash, logs in by_tx(indexed).items():
            result = transaction(session, tx_hash, at=at)
            assert result is not None
            data = result.data
            assert [(e.seq, e.name, e.log_index) for e in data.events] == [
                (e.seq, e.name, e.log_index) for e in logs
            ]
            assert data.block == logs[0].block_number
            assert data.time == w3.eth.get_block(logs[0].block_number)["timestamp"]
            for e in data.events:
                assert e.sentence.kind in TEMPLATES and e.sentence.kind != "event"
                placeholders = set(PLACEHOLDER.findall(TEMPLATES[e.sentence.kind]))
                assert set(e.sentence.values) == placeholders, e.name
                assert e.summary == english(e.sentence)


def test_a_purchase_reads_in_domain_words_with_names_and_labels(indexed: Indexed) -> None:
    spent = indexed.named("AllocationSpent")[0]
    lot = next(e for e in indexed.named("LotCreated") if e.tx_hash == spent.tx_hash)
    with Session(indexed.engine) as session:
        at = read_position(session)
        with counted(session) as statements:
            result = transaction(session, "0x" + spent.tx_hash.hex().upper(), at=at)
    assert result is not None and len(statements) <= 8
    words = {e.name: e for e in result.data.events}
    assert words["AllocationSpent"].summary.startswith(f"{money('CNY', 2_000)} of allocation A-")
    assert words["AllocationSpent"].args["amount"] == spent.args["amount"]
    assert words["AllocationSpent"].sentence.values["amount"] == Money(2_000, "CNY")
    created = words["LotCreated"]
    assert created.summary == f"Lot L-{lot.seq} of 400 mask created at wh_a (purchase)"
    assert created.sentence.kind == "lot_created"
    assert created.sentence.values == {
        "lot": f"L-{lot.seq}",
        "quantity": 400,
        "item": "mask",
        "site": "wh_a",
        "origin": Code("lot_origin", "purchase"),
    }
    assert {(s.kind, s.name) for s in created.subjects} >= {
        ("lot", f"L-{lot.seq}"),
        ("item", "mask"),
        ("site", "wh_a"),
    }


def test_a_donor_is_named_only_when_they_chose_a_public_name(indexed: Indexed) -> None:
    gifts = indexed.named("GiftRecorded")
    named = next(e for e in gifts if e.args["publicName"])
    anonymous = gifts[0]
    assert summary_of(indexed, named).endswith("from Acme <b>Ltd</b>")
    with Session(indexed.engine) as session:
        result = transaction(session, hexed(named.tx_hash))
    assert result is not None
    sentence = next(e.sentence for e in result.data.events if e.seq == named.seq)
    assert sentence.kind == "gift_received_named" and sentence.values["name"] == "Acme <b>Ltd</b>"
    words = summary_of(indexed, anonymous)
    assert words == (
        f"Gift of {money('CNY', anonymous.args['amount'])} received "
        f"(donor {hexed(anonymous.args['donorCommitment'])[2:10]})"
    )


def test_every_sequenced_event_has_a_sentence_and_unknown_transactions_are_none(
    indexed: Indexed,
) -> None:
    assert {spec.name for spec in event_specs().values()} == set(_SENTENCES)
    with Session(indexed.engine) as session:
        assert transaction(session, "0x" + "ab" * 32) is None
    assert money("CNY", 123_456) == "CNY 1,234.56" and money("USD", 5) == "USD 0.05"
