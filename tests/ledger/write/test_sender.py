"""The sender against a real node behind a proxy that loses transactions (an injected RPC fault)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from eth_utils import keccak
from web3 import Web3

from ledger.chain.bindings import AidLedger
from ledger.chain.client import ChainClient
from ledger.write.sender import Sender, WriteTimeoutError
from ledger.write.service import WriteService
from tests.contracts.world import World
from tests.ledger.indexer.rpc_proxy import RpcProxy
from tests.ledger.write.test_service import gift


class LosingProxy(RpcProxy):
    """Answers `eth_sendRawTransaction` with the right hash but forwards only after `lose` sends.

    This is what a node does that accepted a transaction into its pool and then dropped it.
    """

    def __init__(self, upstream: str, lose: int) -> None:
        super().__init__(upstream)
        self.lose = lose
        self.sends = 0

    def forward(self, calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Swallow the first `lose` raw transactions, forward everything else."""
        swallowed = []
        for call in calls:
            if call.get("method") == "eth_sendRawTransaction":
                self.sends += 1
                if self.sends <= self.lose:
                    raw = bytes.fromhex(call["params"][0][2:])
                    swallowed.append(
                        {"jsonrpc": "2.0", "id": call["id"], "result": "0x" + keccak(raw).hex()}
                    )
        kept = [c for c in calls if c["id"] not in {s["id"] for s in swallowed}]
        return (super().forward(kept) if kept else []) + swallowed


@pytest.fixture
def losing(world: World, request: pytest.FixtureRequest) -> Iterator[tuple[LosingProxy, AidLedger]]:
    upstream = world.ledger.client.w3.provider.endpoint_uri  # type: ignore[attr-defined]
    proxy = LosingProxy(upstream, lose=request.param)
    proxy.start()
    try:
        client = ChainClient(Web3(Web3.HTTPProvider(proxy.url)))
        yield proxy, AidLedger.attach(client, world.ledger.deployment)
    finally:
        proxy.stop()


@pytest.mark.parametrize("losing", [1], indirect=True)
def test_a_dropped_transaction_is_sent_again_with_the_same_nonce(
    world: World, losing: tuple[LosingProxy, AidLedger]
) -> None:
    proxy, ledger = losing
    nonce = world.ledger.client.w3.eth.get_transaction_count(world.intake.address)
    sender = Sender(ledger.client.w3, ledger.client.chain_id, resend_after=0.2)
    outcome = WriteService(ledger, sender).submit(world.intake, gift("bank:drop:1"))
    assert proxy.sends == 2 and not outcome.already_recorded
    tx = world.ledger.client.w3.eth.get_transaction(outcome.tx_hash)  # type: ignore[arg-type]
    assert tx["nonce"] == nonce


@pytest.mark.parametrize("losing", [1000], indirect=True)
def test_no_receipt_in_time_says_so_and_a_rerun_records_once(
    world: World, losing: tuple[LosingProxy, AidLedger]
) -> None:
    _, ledger = losing
    sender = Sender(ledger.client.w3, ledger.client.chain_id, receipt_timeout=0.5, resend_after=0.1)
    with pytest.raises(WriteTimeoutError, match="run the same write again"):
        WriteService(ledger, sender).submit(world.intake, gift("bank:drop:2"))
    head = world.ledger.ledger_head()
    first = WriteService(world.ledger).submit(world.intake, gift("bank:drop:2"))
    again = WriteService(world.ledger).submit(world.intake, gift("bank:drop:2"))
    assert first.seqs == (head[0] + 1,) and again.already_recorded


def test_two_senders_sharing_a_key_never_lose_a_write(world: World) -> None:
    """Two services with their own nonce books (two processes: a portal worker and a CLI) sign
    with one key, interleaved: the second finds its counted nonce taken, reads it again, sends."""
    first = WriteService(world.ledger, Sender(world.ledger.client.w3, world.ledger.client.chain_id))
    second = WriteService(
        world.ledger, Sender(world.ledger.client.w3, world.ledger.client.chain_id)
    )
    first.submit(world.intake, gift("bank:shared:0"))
    second.submit(world.intake, gift("bank:shared:1"))  # both books now hold a nonce
    outcomes = [
        first.submit(world.intake, gift("bank:shared:2")),
        second.submit(world.intake, gift("bank:shared:3")),  # its nonce was just taken
        first.submit(world.intake, gift("bank:shared:4")),
    ]
    assert all(not o.already_recorded for o in outcomes)
    nonces = [
        world.ledger.client.w3.eth.get_transaction(o.tx_hash)["nonce"]  # type: ignore[arg-type]
        for o in outcomes
    ]
    assert nonces == sorted(nonces) and len(set(nonces)) == 3
