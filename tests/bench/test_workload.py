"""The benchmark workload generator, on anvil: exact event count, an unbroken hash chain."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import cast

from web3 import Web3
from web3.providers import HTTPProvider

from bench.workload import generate
from ledger.chain.deployment import Deployment
from ledger.chain.events import DecodedEvent, decode_log, verify_sequence
from tests.chain_backends import anvil_web3


def _events(w3: Web3, deployment: Deployment) -> list[DecodedEvent]:
    logs = w3.eth.get_logs(
        {
            "fromBlock": deployment.deployment_block,
            "toBlock": "latest",
            "address": [
                Web3.to_checksum_address(a)
                for a in (deployment.registry, deployment.fund_ledger, deployment.supply_ledger)
            ],
        }
    )
    decoded = (decode_log(dict(log)) for log in logs)
    return [e for e in decoded if e is not None]


def test_generate_emits_exactly_n_chained_events_of_every_kind(tmp_path: Path) -> None:
    with anvil_web3() as w3:
        url = cast(HTTPProvider, w3.provider).endpoint_uri
        deployment = generate(str(url), 600, tmp_path)
        events = _events(w3, deployment)
    assert (tmp_path / f"{deployment.chain_id}.json").exists()
    assert [e.seq for e in verify_sequence(events)] == list(range(1, 601))
    kinds = Counter(e.name for e in events)
    for name in (
        "GiftRecorded",
        "InKindGiftRecorded",
        "FundsAllocated",
        "PurchaseRecorded",
        "ShipmentLineDispatched",
        "ShipmentLineReceived",
        "HandedOver",
    ):
        assert kinds[name] > 0, name


def test_generate_is_deterministic(tmp_path: Path) -> None:
    heads = []
    for run in range(2):
        with anvil_web3() as w3:
            url = cast(HTTPProvider, w3.provider).endpoint_uri
            deployment = generate(str(url), 300, tmp_path / str(run))
            heads.append(_events(w3, deployment)[-1].head)
    assert heads[0] == heads[1]
