"""The node: chain, pool, clock, filters and snapshots behind the JSON-RPC methods.

All methods are synchronous and run on the server's event loop, one at a time, so the
chain never sees two writers.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from eth_keys.exceptions import BadSignature
from eth_utils.exceptions import ValidationError

from devnet._types import Header, State, Tx
from devnet.accounts import DevAccount, derive_accounts
from devnet.chain import DevChain, MinedBlock, Mining, finish
from devnet.clock import Clock
from devnet.config import DevnetConfig
from devnet.errors import INVALID_INPUT, RpcError, rejected
from devnet.filters import Filters
from devnet.pool import TxPool
from devnet.signatures import recover_sender

log = logging.getLogger("devnet")
SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
Listener = Callable[[MinedBlock | None, list[dict[str, Any]]], None]


@dataclass(frozen=True)
class Snapshot:
    """What evm_revert restores."""

    number: int
    offset: int


class Node:
    """One devnet node; the RPC layer calls only this."""

    def __init__(self, config: DevnetConfig) -> None:
        self.config = config
        self.accounts: list[DevAccount] = derive_accounts(config.mnemonic, config.accounts)
        self.keys: dict[bytes, DevAccount] = {a.address: a for a in self.accounts}
        self.chain = DevChain(config, self.accounts)
        self.pool = TxPool()
        self.clock = Clock()
        self.filters = Filters()
        self.listeners: list[Listener] = []
        self._snapshots: dict[int, Snapshot] = {}
        self._snapshot_ids = itertools.count(0)
        self._due: list[Tx] = []
        self._block: Mining[MinedBlock] | None = None  # an instamine block between phases
        self._touched: set[bytes] = set()  # senders and recipients of the last block

    def close(self) -> None:
        """Mine what was accepted, flush and close the store."""
        self.settle()
        self.chain.close()

    @property
    def instamine(self) -> bool:
        """Whether each transaction gets its own block at once."""
        return self.config.block_time <= 0

    # ------------------------------------------------------------ submission

    def head_state(self) -> State:
        """The state after the head block (kept per head by the chain)."""
        return self.chain.state(self.chain.head)

    def pending_nonce(self, sender: bytes) -> int:
        """The nonce the sender's next transaction must carry."""
        queued = self.pool.next_nonce(sender)
        return queued if queued is not None else int(self.head_state().get_nonce(sender))

    def submit(self, tx: Tx, sender: bytes | None = None) -> bytes:
        """Validate `tx` and accept it; return its hash.

        Instamine: the transaction's block is mined by :meth:`settle`, which the server calls
        right after it has sent this answer and which runs before any later request that
        reads the chain, so no caller sees the chain without it (geth and anvil also answer
        before mining). Interval mining: the pool keeps it. `sender` is given for
        transactions the node signed itself (no recovery needed).
        """
        self.settle()
        self._validate(tx, sender)
        if self.instamine:
            self._due.append(tx)
        else:
            self.pool.add(tx)
        return bytes(tx.hash)

    @property
    def due(self) -> bool:
        """Whether accepted instamine transactions wait for :meth:`settle`."""
        return bool(self._due) or self._block is not None

    def step(self) -> None:
        """One phase of mining the accepted instamine transactions, one block each."""
        if self._block is None:
            if not self._due:
                return
            self._block = self._mining([self._due.pop(0)], None)
        try:
            next(self._block)
        except StopIteration:
            self._block = None
        except RpcError:  # logged by _mining(); the block is dropped
            self._block = None

    def settle(self) -> None:
        """Mine the accepted instamine transactions to the end (before reading the chain)."""
        while self.due:
            self.step()

    @property
    def unprepared(self) -> bool:
        """Whether a block was mined since the last :meth:`preparation`."""
        return bool(self._touched)

    def preparation(self) -> list[Callable[[], None]]:
        """Steps that get the next block and calls ready, run by the settler between
        blocks: the next block's VM, then the head's gas-free state, each with the last
        block's accounts read. Empty when nothing was mined since the last call."""
        touched, self._touched = self._touched, set()
        if not touched:
            return []

        def block() -> None:
            self.chain.prepare_block(self.clock.peek(self.chain.head.timestamp), touched)

        return [block, lambda: self.chain.prepare_calls(touched)]

    def _validate(self, tx: Tx, known_sender: bytes | None) -> None:
        if not (0 < tx.r < SECP256K1_N and 0 < tx.s <= SECP256K1_N // 2):
            raise rejected("invalid transaction signature: r or s out of range (EIP-2)")
        try:
            sender = known_sender or recover_sender(tx)  # one recovery, cached for py-evm
        except (ValidationError, ValueError, BadSignature) as exc:
            raise rejected(f"invalid transaction signature: {exc}") from exc
        if tx.hash in self.pool or self.chain.tx_json(tx.hash) is not None:
            raise rejected("already known")
        chain_id = getattr(tx, "chain_id", None)
        if chain_id is not None and chain_id != self.config.chain_id:
            raise rejected(f"invalid chain id {chain_id}; this chain is {self.config.chain_id}")
        expected = self.pending_nonce(sender)
        if tx.nonce < expected:
            raise rejected(f"nonce too low: next nonce {expected}, tx nonce {tx.nonce}")
        if tx.nonce > expected:
            raise rejected(f"nonce too high: next nonce {expected}, tx nonce {tx.nonce}")
        self._validate_gas(tx, sender)

    def _validate_gas(self, tx: Tx, sender: bytes) -> None:
        if tx.gas < tx.intrinsic_gas:
            raise rejected(f"intrinsic gas too low: need {tx.intrinsic_gas}, have {tx.gas}")
        if tx.gas > self.config.gas_limit:
            raise rejected(f"exceeds block gas limit {self.config.gas_limit}")
        base_fee = self.chain.next_base_fee()
        max_fee = int(tx.max_fee_per_gas)
        if max_fee < base_fee:
            raise rejected(f"max fee per gas {max_fee} less than block base fee {base_fee}")
        cost = tx.gas * max_fee + tx.value
        balance = int(self.head_state().get_balance(sender))
        if balance < cost:
            raise rejected(
                f"insufficient funds for gas * price + value: balance {balance}, tx cost {cost}"
            )

    # ---------------------------------------------------------------- mining

    def mine(self, txs: list[Tx] | None = None, timestamp: int | None = None) -> MinedBlock:
        """Mine one block of `txs` (default: the pool, as much as fits) and tell listeners."""
        self.settle()
        return finish(self._mining(txs, timestamp))

    def _mining(self, txs: list[Tx] | None, timestamp: int | None) -> Mining[MinedBlock]:
        from_pool = txs is None
        candidates = self.pool.take() if txs is None else txs
        parent = self.chain.head.timestamp
        when = self.clock.next_timestamp(parent) if timestamp is None else timestamp
        try:
            mined, rest = yield from self.chain.mining(candidates, when)
        except Exception as exc:
            log.exception("block failed; its transactions were dropped")
            raise RpcError(INVALID_INPUT, f"block failed: {exc}") from exc
        if from_pool:
            self.pool.put_back(rest)
        self._touched = {bytes(tx.sender) for tx in candidates} | {
            tx.to for tx in candidates if tx.to
        }
        self.filters.on_block("0x" + mined.header.hash.hex(), mined.logs)
        for listener in self.listeners:
            listener(mined, [])
        return mined

    def rewind(self, number: int) -> None:
        """Drop blocks above `number`, telling filters and subscribers of removed logs."""
        removed = self.chain.rewind(number)
        self.filters.on_block("", removed)
        for listener in self.listeners:
            listener(None, removed)

    # --------------------------------------------------------------- testing

    def snapshot(self) -> int:
        """Remember the head and clock; return the snapshot id."""
        snap_id = next(self._snapshot_ids)
        self._snapshots[snap_id] = Snapshot(self.chain.head.block_number, self.clock.offset)
        return snap_id

    def revert(self, snap_id: int) -> bool:
        """Return to snapshot `snap_id` (dropping it and later ones); False if unknown."""
        snap = self._snapshots.get(snap_id)
        if snap is None:
            return False
        for later in [s for s in self._snapshots if s >= snap_id]:
            del self._snapshots[later]
        self.pool.clear()
        self.rewind(snap.number)
        self.clock.offset = snap.offset
        return True

    def check_reorg(self, depth: int, offsets: list[int]) -> None:
        """-32000 unless `depth` blocks can be replaced and every offset is below it."""
        head = self.chain.head.block_number
        if depth <= 0 or depth > head:
            raise RpcError(INVALID_INPUT, f"reorg depth must be 1..{head}, got {depth}")
        for offset in offsets:
            if offset >= depth:
                raise RpcError(INVALID_INPUT, f"block offset {offset} must be below {depth}")

    def header_for(self, number: int) -> Header:
        """The canonical header `number`, or -32001 when the chain is shorter."""
        header = self.chain.header_by_number(number)
        if header is None:
            raise RpcError(-32001, f"block {number} not found")
        return header
