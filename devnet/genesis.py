"""The py-evm chain class of the devnet and its genesis block."""

from __future__ import annotations

import json
import time
from typing import Any

from eth.abc import BlockHeaderAPI
from eth.chains.base import MiningChain
from eth.constants import BLANK_ROOT_HASH, ZERO_ADDRESS
from eth.exceptions import CanonicalHeadNotFound, HeaderNotFound
from eth.vm.forks.prague import PragueVM

from devnet.accounts import DevAccount
from devnet.config import DevnetConfig
from devnet.db import DiskDB

META_KEY = b"devnet:meta"


class DevnetChainError(RuntimeError):
    """The data directory holds a chain that does not fit the configuration."""


class _DevnetChain(MiningChain):
    """Prague from genesis, post-merge, a constant gas limit."""

    vm_configuration = ((0, PragueVM),)  # type: ignore[assignment]

    def create_header_from_parent(
        self, parent_header: BlockHeaderAPI, **header_params: Any
    ) -> BlockHeaderAPI:
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)


def chain_class(chain_id: int) -> Any:
    """The chain class for `chain_id` (py-evm keeps the id on the class)."""
    return type("DevnetChain", (_DevnetChain,), {"chain_id": chain_id})


def open_chain(db: DiskDB, config: DevnetConfig, accounts: list[DevAccount]) -> Any:
    """Open the chain stored in `db`, creating genesis on first use."""
    cls = chain_class(config.chain_id)
    store = config.data_dir / "chain"
    try:
        cls(db).chaindb.get_canonical_head()
    except CanonicalHeadNotFound:
        if next(iter(db.iterate(b"", b"\xff" * 64)), None) is not None:
            raise DevnetChainError(
                f"{store} holds data that is not a devnet chain; pass another --data-dir, "
                "or move it away to start a new chain"
            ) from None
        return _create(cls, db, config, accounts)
    except HeaderNotFound:
        raise DevnetChainError(
            f"{store} is damaged: its head block is missing; restore it from a copy, "
            "or move the data dir away to start a new chain"
        ) from None
    if not db.exists(META_KEY):
        raise DevnetChainError(
            f"{store} holds a chain the devnet did not make; pass another --data-dir"
        )
    meta = json.loads(db[META_KEY])
    if meta["chainId"] != config.chain_id:
        raise DevnetChainError(
            f"{config.data_dir} holds chain id {meta['chainId']}, not {config.chain_id}; "
            "use another --data-dir or the stored chain id"
        )
    return cls(db)


def _create(cls: Any, db: DiskDB, config: DevnetConfig, accounts: list[DevAccount]) -> Any:
    params: dict[str, Any] = {
        "coinbase": ZERO_ADDRESS,
        "difficulty": 0,
        "extra_data": b"aidledger devnet",
        "gas_limit": config.gas_limit,
        "mix_hash": b"\x00" * 32,
        "nonce": b"\x00" * 8,
        "receipt_root": BLANK_ROOT_HASH,
        "timestamp": int(time.time()),
        "transaction_root": BLANK_ROOT_HASH,
    }
    state = {
        a.address: {"balance": config.balance_wei, "nonce": 0, "code": b"", "storage": {}}
        for a in accounts
    }
    chain = cls.from_genesis(db, params, state)
    meta = {"chainId": config.chain_id, "genesis": "0x" + chain.get_canonical_head().hash.hex()}
    db[META_KEY] = json.dumps(meta).encode()
    db.flush()
    return chain
