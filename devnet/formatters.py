"""py-evm objects to the JSON shapes of the Ethereum execution API."""

from __future__ import annotations

from typing import Any

from eth._utils.address import generate_contract_address

from devnet._types import Computation, Header, Receipt, Tx

Json = dict[str, Any]


def qty(value: int) -> str:
    """A QUANTITY: hex without leading zeros."""
    return hex(value)


def data(value: bytes) -> str:
    """DATA: 0x-prefixed hex."""
    return "0x" + value.hex()


def address_or_none(value: bytes) -> str | None:
    """A 20-byte address, or None for contract creation's empty `to`."""
    return data(value) if value else None


def effective_gas_price(tx: Tx, base_fee: int) -> int:
    """What the sender paid per gas in a block with `base_fee`."""
    if tx.type_id is None or tx.type_id == 1:
        return int(tx.gas_price)
    return min(int(tx.max_fee_per_gas), base_fee + int(tx.max_priority_fee_per_gas))


def transaction(tx: Tx, header: Header | None, index: int | None) -> Json:
    """A transaction object; `header` None means pending."""
    out: Json = {
        "type": qty(tx.type_id or 0),
        "hash": data(tx.hash),
        "nonce": qty(tx.nonce),
        "blockHash": data(header.hash) if header else None,
        "blockNumber": qty(header.block_number) if header else None,
        "blockTimestamp": qty(header.timestamp) if header else None,
        "transactionIndex": qty(index) if index is not None else None,
        "from": data(tx.sender),
        "to": address_or_none(tx.to),
        "value": qty(tx.value),
        "gas": qty(tx.gas),
        "input": data(tx.data),
        "r": qty(tx.r),
        "s": qty(tx.s),
    }
    if tx.type_id is None:
        out["gasPrice"] = qty(tx.gas_price)
        out["v"] = qty(tx.v)
        if tx.chain_id is not None:
            out["chainId"] = qty(tx.chain_id)
        return out
    out["chainId"] = qty(tx.chain_id)
    out["v"] = qty(tx.y_parity)
    out["yParity"] = qty(tx.y_parity)
    out["accessList"] = [
        {"address": data(a), "storageKeys": [data(k.to_bytes(32, "big")) for k in keys]}
        for a, keys in tx.access_list
    ]
    if tx.type_id == 1:
        out["gasPrice"] = qty(tx.gas_price)
    else:
        out["maxFeePerGas"] = qty(tx.max_fee_per_gas)
        out["maxPriorityFeePerGas"] = qty(tx.max_priority_fee_per_gas)
        base = header.base_fee_per_gas if header else int(tx.max_fee_per_gas)
        out["gasPrice"] = qty(effective_gas_price(tx, base))
    return out


def logs(receipt: Receipt, tx: Tx, header: Header, index: int, first: int) -> list[Json]:
    """The log objects of one receipt; `first` is the block-wide index of its first log."""
    common = {
        "blockHash": data(header.hash),
        "blockNumber": qty(header.block_number),
        "blockTimestamp": qty(header.timestamp),
        "transactionHash": data(tx.hash),
        "transactionIndex": qty(index),
        "removed": False,
    }
    return [
        {
            "address": data(log.address),
            "topics": [data(t.to_bytes(32, "big")) for t in log.topics],
            "data": data(log.data),
            "logIndex": qty(first + i),
            **common,
        }
        for i, log in enumerate(receipt.logs)
    ]


def receipt(
    rcpt: Receipt,
    tx: Tx,
    header: Header,
    index: int,
    previous_cumulative: int,
    tx_logs: list[Json],
    computation: Computation | None = None,
) -> Json:
    """A receipt object."""
    created = None
    if not tx.to:
        created = data(generate_contract_address(tx.sender, tx.nonce))
    return {
        "type": qty(tx.type_id or 0),
        "transactionHash": data(tx.hash),
        "transactionIndex": qty(index),
        "blockHash": data(header.hash),
        "blockNumber": qty(header.block_number),
        "from": data(tx.sender),
        "to": address_or_none(tx.to),
        "cumulativeGasUsed": qty(rcpt.gas_used),
        "gasUsed": qty(rcpt.gas_used - previous_cumulative),
        "effectiveGasPrice": qty(effective_gas_price(tx, header.base_fee_per_gas)),
        "contractAddress": created,
        "logs": tx_logs,
        "logsBloom": data(rcpt.bloom.to_bytes(256, "big")),
        "status": qty(1 if rcpt.state_root == b"\x01" else 0),
    }


def block(header: Header, txs: list[Any], size: int) -> Json:
    """A block object; `txs` holds hashes or transaction objects."""
    return {
        "number": qty(header.block_number),
        "hash": data(header.hash),
        "parentHash": data(header.parent_hash),
        "nonce": data(header.nonce),
        "mixHash": data(header.mix_hash),
        "sha3Uncles": data(header.uncles_hash),
        "logsBloom": data(header.bloom.to_bytes(256, "big")),
        "transactionsRoot": data(header.transaction_root),
        "stateRoot": data(header.state_root),
        "receiptsRoot": data(header.receipt_root),
        "miner": data(header.coinbase),
        "difficulty": qty(header.difficulty),
        "totalDifficulty": qty(0),
        "extraData": data(header.extra_data),
        "size": qty(size),
        "gasLimit": qty(header.gas_limit),
        "gasUsed": qty(header.gas_used),
        "timestamp": qty(header.timestamp),
        "baseFeePerGas": qty(header.base_fee_per_gas),
        "withdrawalsRoot": data(header.withdrawals_root),
        "withdrawals": [],
        "blobGasUsed": qty(header.blob_gas_used),
        "excessBlobGas": qty(header.excess_blob_gas),
        "parentBeaconBlockRoot": data(header.parent_beacon_block_root),
        "requestsHash": data(header.requests_hash),
        "transactions": txs,
        "uncles": [],
    }
