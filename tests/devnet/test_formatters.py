"""Transaction objects of pending transactions: block fields are null, blockTimestamp too."""

from __future__ import annotations

from eth.vm.forks.prague.transactions import PragueTransactionBuilder

from devnet import formatters as fmt
from tests.devnet.nodes import DEV_KEY, signed_transfer


def test_pending_transaction_has_null_block_fields() -> None:
    raw = bytes.fromhex(signed_transfer(DEV_KEY, 0)[2:])
    tx = PragueTransactionBuilder.decode(raw)
    out = fmt.transaction(tx, None, None)
    for field in ("blockHash", "blockNumber", "blockTimestamp", "transactionIndex"):
        assert out[field] is None, field
    assert out["gasPrice"] == out["maxFeePerGas"]  # the spec's rule before inclusion
