"""Money gifts in bulk on chain: which exist, whose commitment they carry, batches encoded fast.

web3.py's contract-call machinery costs ~7 ms a `giftExists` call (the call itself ~0.5 ms on
the devnet) and its argument normalisers ~5 ms a gift in `recordGifts`; both are done here with
raw JSON-RPC and eth-abi. A node's gas estimate executes a batch once more, so a batch of
same-shaped gifts is given the gas of the first estimate per gift, plus a margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from eth_abi import encode
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.transactions import fill_transaction_defaults
from web3.contract.contract import ContractFunction
from web3.types import RPCEndpoint, TxParams

from ledger.chain.bindings import AidLedger
from ledger.chain.events import decode_log, event_specs
from ledger.errors import AidLedgerConnectionError
from ledger.write.commands import RecordGifts
from ledger.write.service import WriteService

GAS_FILL = 0.5  # a batch uses at most half the block gas limit
GAS_MARGIN = 1.25  # gas given to a batch: its estimate per gift, a quarter more
EXISTS_CHUNK = 500  # giftExists calls per JSON-RPC batch


def gifts_exist(service: WriteService, ids: list[bytes]) -> list[bool]:
    """FundLedger.giftExists for each id, asked as raw eth_calls in JSON-RPC batches.

    Raw: web3.py's contract-call machinery costs ~7 ms a call, the call itself ~0.5 ms.
    """
    fund = service.ledger.fund.address
    provider = service.ledger.client.w3.provider
    found: list[bool] = []
    for start in range(0, len(ids), EXISTS_CHUNK):
        calls = [
            (RPCEndpoint("eth_call"), [{"to": fund, "data": "0x" + (_EXISTS + i).hex()}, "latest"])
            for i in ids[start : start + EXISTS_CHUNK]
        ]
        answers = provider.make_batch_request(calls)  # type: ignore[attr-defined]
        if not isinstance(answers, list) or any("result" not in a for a in answers):
            raise AidLedgerConnectionError(
                f"the node did not answer FundLedger.giftExists ({answers!r:.200}); "
                "check the node and run the import again"
            )
        found.extend(int(a["result"], 16) != 0 for a in answers)
    return found


def donor_commitments(service: WriteService, ids: list[bytes]) -> dict[bytes, bytes]:
    """Gift id -> the donor commitment it was recorded with (GiftRecorded logs by id)."""
    topic0 = next(t for t, spec in event_specs().items() if spec.name == "GiftRecorded")
    found: dict[bytes, bytes] = {}
    w3 = service.ledger.client.w3
    for start in range(0, len(ids), EXISTS_CHUNK):
        wanted = ["0x" + i.hex() for i in ids[start : start + EXISTS_CHUNK]]
        logs = w3.eth.get_logs(
            {
                "address": service.ledger.fund.address,
                "topics": ["0x" + topic0.hex(), wanted],
                "fromBlock": service.ledger.deployment.deployment_block,
                "toBlock": "latest",
            }
        )
        for log in logs:
            event = decode_log(log)
            if event is not None:
                found[bytes(event.args["giftId"])] = bytes(event.args["donorCommitment"])
    return found


_EXISTS = keccak(text="giftExists(bytes32)")[:4]
_GIFT_INPUT = "(bytes32,bytes3,uint128,uint8,bytes32,bytes32,bytes32,bytes32,string)"
_RECORD_GIFTS = f"recordGifts({_GIFT_INPUT}[])"


@dataclass(frozen=True)
class _EncodedCall:
    """A contract call encoded with eth-abi directly, with its gas given when known.

    web3.py's argument normalisers cost ~5 ms a gift, and a node's gas estimate executes the
    whole batch once more; the gas of a batch of same-shaped gifts is known from the first
    estimate. Fees come from the node as in web3.py's own `build_transaction`.
    """

    w3: Web3
    to: str
    data: bytes
    gas: int | None

    def build_transaction(self, params: TxParams) -> TxParams:
        """The transaction; estimated by the node only when no gas was given."""
        tx = cast(TxParams, {**params, "to": self.to, "data": HexBytes(self.data)})
        if self.gas is not None:
            tx["gas"] = self.gas
        return cast(TxParams, fill_transaction_defaults(self.w3, tx))


@dataclass(frozen=True)
class EncodedGifts(RecordGifts):
    """RecordGifts sent through `_EncodedCall`; `gas` None lets the node estimate it."""

    gas: int | None = None

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordGifts, encoded here."""
        gifts = [g.as_input().as_abi() for g in self.gifts]
        selector = keccak(text=_RECORD_GIFTS)[:4]
        data = selector + encode([f"{_GIFT_INPUT}[]"], [gifts])
        call = _EncodedCall(ledger.client.w3, ledger.fund.address, data, self.gas)
        return cast(ContractFunction, call)


def block_gas_limit(service: WriteService) -> int:
    """The latest block's gas limit."""
    return int(service.ledger.client.w3.eth.get_block("latest")["gasLimit"])


def batch_size(gas_per_gift: int, gas_limit: int, cap: int) -> int:
    """Rows per transaction: half the block gas limit, at most `cap`."""
    return max(1, min(cap, int(gas_limit * GAS_FILL) // gas_per_gift))


def batch_gas(gas_per_gift: int, rows: int, gas_limit: int) -> int:
    """Gas to give a batch: the first estimate per gift, a quarter more, within the block."""
    return min(gas_limit, int(gas_per_gift * rows * GAS_MARGIN) + 100_000)
