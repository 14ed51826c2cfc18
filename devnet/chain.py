"""The devnet chain: py-evm's EvmChain on a DiskDB, plus JSON indexes of its blocks.

Every block is mined, indexed (transactions, receipts, logs as JSON) and flushed in one
store transaction; see :mod:`devnet.db`. Rewinding (snapshots, reorgs) removes blocks
above a height from the canonical chain and from the indexes in one flush as well.
"""

from __future__ import annotations

import functools
import itertools
import logging
import os
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson
import rlp  # type: ignore[import-untyped]
from eth.db.chain import ChainDB
from eth.db.schema import SchemaV1
from eth.exceptions import HeaderNotFound, Revert
from eth.vm.forks.cancun.state import get_total_blob_gas
from eth.vm.spoof import SpoofTransaction
from eth_typing import Hash32
from eth_utils.exceptions import ValidationError

from devnet import formatters as fmt
from devnet import logindex, ordered_trie, trie_cache
from devnet._types import Block, Computation, EvmChain, Header, State, Tx
from devnet.accounts import DevAccount
from devnet.config import DevnetConfig
from devnet.db import DiskDB, open_store
from devnet.errors import INVALID_INPUT, RpcError, reverted
from devnet.genesis import chain_class, open_chain

ordered_trie.install()
trie_cache.install()
log = logging.getLogger("devnet.chain")

TX_PREFIX = b"devnet:tx:"
RECEIPT_PREFIX = b"devnet:receipt:"
BLOCK_PREFIX = b"devnet:block:"
Json = dict[str, Any]
T = TypeVar("T")
Mining = Generator[None, None, T]  # a job in phases; see DevChain.mining
GAS_OPCODE, PUSH1, PUSH32 = 0x5A, 0x60, 0x7F


@dataclass
class CallMessage:
    """A transaction to execute without signing it (eth_call, eth_estimateGas)."""

    sender: bytes = b"\x00" * 20
    to: bytes = b""
    gas: int | None = None
    value: int = 0
    data: bytes = b""


@dataclass
class StateOverride:
    """eth_call state overrides for one account."""

    balance: int | None = None
    nonce: int | None = None
    code: bytes | None = None
    state: dict[int, int] | None = None
    state_diff: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class MinedBlock:
    """What subscribers and filters learn about a new block."""

    header: Header
    block: Json
    logs: list[Json]
    tx_hashes: list[bytes]


class DevChain:
    """One persistent chain: reads, execution and mining, all synchronous."""

    def __init__(self, config: DevnetConfig, accounts: list[DevAccount]) -> None:
        self.config = config
        self.db = DiskDB(open_store(config.data_dir / "chain", config.store, config.fsync))
        self.chain: EvmChain = open_chain(self.db, config, accounts)
        self._cls = chain_class(config.chain_id)
        self._head: Header | None = None  # read once per head, not per request
        self._call_state: tuple[bytes, Any, State] | None = None
        self._template_stale = False  # py-evm's chain.header (next block) not yet made
        self._next_vm: tuple[Header, int, Header, Any] | None = None  # see prepare_block
        genesis = self.chain.get_canonical_block_by_number(0)
        if not self.db.exists(BLOCK_PREFIX + genesis.hash):
            self._index(genesis, (), ())
            self.db.flush()

    def close(self) -> None:
        """Flush and close the store."""
        self.db.flush()
        self.db.close()

    # ------------------------------------------------------------------ reads

    @property
    def head(self) -> Header:
        """The canonical head header."""
        if self._head is None:
            self._head = self.chain.chaindb.get_canonical_head()
        return self._head

    def header_by_number(self, number: int) -> Header | None:
        """The canonical header at `number`, or None past the head.

        Rewinds leave number lookups above the head in place (py-evm's gap tracking
        expects them; the next block at that height overwrites them), so check the head.
        """
        head = self.head
        if number >= head.block_number:
            return head if number == head.block_number else None
        try:
            return self.chain.chaindb.get_canonical_block_header_by_number(number)
        except HeaderNotFound:
            return None

    def header_by_hash(self, block_hash: bytes) -> Header | None:
        """A stored header by hash (canonical or not), or None."""
        try:
            return self.chain.chaindb.get_block_header_by_hash(block_hash)
        except HeaderNotFound:
            return None

    def is_canonical(self, header: Header) -> bool:
        """Whether `header` is on the canonical chain."""
        found = self.header_by_number(header.block_number)
        return found is not None and found.hash == header.hash

    def state(self, header: Header) -> State:
        """Read-only account state after block `header` (the calls' state, kept per head)."""
        return self._costless(header)[1]

    def block_json(self, header: Header, full: bool) -> Json:
        """The block object; `full` puts transaction objects in place of hashes."""
        out: Json = orjson.loads(self.db[BLOCK_PREFIX + header.hash])
        if full:
            canonical = self.is_canonical(header)
            txs = [self.tx_json(bytes.fromhex(h[2:])) for h in out["transactions"]]
            out["transactions"] = txs if canonical else []
        return out

    def tx_json(self, tx_hash: bytes) -> Json | None:
        """A mined canonical transaction object, or None."""
        raw = self.db.get(TX_PREFIX + tx_hash)
        if raw is None:
            return None
        out: Json = orjson.loads(raw)
        if "blockTimestamp" not in out:  # indexed before the field was added
            header = self.header_by_hash(bytes.fromhex(out["blockHash"][2:]))
            out["blockTimestamp"] = None if header is None else fmt.qty(header.timestamp)
        return out

    def block_tx_hashes(self, header: Header) -> list[bytes]:
        """The hashes of a stored block's transactions, in order."""
        stored = orjson.loads(self.db[BLOCK_PREFIX + header.hash])
        return [bytes.fromhex(h[2:]) for h in stored["transactions"]]

    def receipt_json(self, tx_hash: bytes) -> Json | None:
        """A canonical receipt object, or None."""
        raw = self.db.get(RECEIPT_PREFIX + tx_hash)
        return None if raw is None else dict(orjson.loads(raw))

    def next_base_fee(self) -> int:
        """The base fee per gas of the next block."""
        return int(self._template().base_fee_per_gas)

    def _template(self) -> Header:
        """The next block's header template (py-evm's `chain.header`), made when needed."""
        if self._template_stale:
            self.chain.header = self.chain.create_header_from_parent(self.head)
            self._template_stale = False
        return self.chain.header

    # -------------------------------------------------------------- execution

    def call(
        self,
        msg: CallMessage,
        header: Header,
        overrides: dict[bytes, StateOverride] | None = None,
    ) -> Computation:
        """Execute `msg` on the state after `header`, discarding every change."""
        if overrides:
            vm = self.chain.get_vm(header)
            with vm.in_costless_state() as state:
                for address, override in overrides.items():
                    _apply_override(state, address, override)
                return self._execute(vm, state, msg, header)
        vm, state = self._costless(header)
        snapshot = state.snapshot()
        try:
            return self._execute(vm, state, msg, header)
        finally:
            state.revert(snapshot)

    def _costless(self, header: Header) -> tuple[Any, State]:
        """A VM and gas-free state on top of `header`, kept while `header` is asked for.

        Built the way py-evm's `in_costless_state` builds one per call (on the head: from
        the next block's header, so calls see the gas limit blocks get); every call runs
        between a snapshot and its revert, as there.
        """
        if self._call_state is None or self._call_state[0] != header.hash:
            vm = self.chain.get_vm(header)
            if header.hash == self.head.hash:  # the next block's header, made once
                free = self._template().copy(base_fee_per_gas=0)
            else:
                child = vm.generate_block_from_parent_header_and_coinbase(header, header.coinbase)
                free = child.header.copy(base_fee_per_gas=0)
            hashes = itertools.chain((header.hash,), vm.previous_hashes)
            state = vm.build_state(vm.chaindb.db, free, vm.chain_context, hashes)
            self._call_state = (header.hash, vm, state)
        return self._call_state[1], self._call_state[2]

    def prepare_calls(self, addresses: set[bytes]) -> None:
        """Build the head's gas-free state and read `addresses` into its caches."""
        _, state = self._costless(self.head)
        for address in addresses:
            state.get_nonce(address)
            state.get_code(address)

    @staticmethod
    def _execute(vm: Any, state: State, msg: CallMessage, header: Header) -> Computation:
        tx = vm.create_unsigned_transaction(
            nonce=state.get_nonce(msg.sender),
            gas_price=0,
            gas=msg.gas if msg.gas is not None else header.gas_limit,
            to=msg.to,
            value=msg.value,
            data=msg.data,
        )
        try:  # gas price 0 already: py-evm's costless_execute_transaction adds two copies
            return state.apply_transaction(SpoofTransaction(tx, from_=msg.sender))
        except Exception as exc:  # py-evm validation: funds, gas, nonce
            raise RpcError(INVALID_INPUT, str(exc)) from exc

    def estimate_gas(self, msg: CallMessage, header: Header) -> int:
        """Gas that makes `msg` succeed: used gas plus the 63/64 margin, searched if short."""
        cap = msg.gas if msg.gas is not None else header.gas_limit
        msg.gas = cap
        first = self.call(msg, header)
        raise_for_error(first)
        used = cap - int(first.get_gas_remaining())
        if not first.msg.code:  # a plain transfer: exactly the intrinsic gas
            return used
        optimistic = min(cap, (used + 2300) * 64 // 63)
        if not first.children and not reads_gas(first.msg.code):
            return optimistic  # no sub-call keeps 1/64 back, no GAS opcode can branch on it
        high = cap
        if self._succeeds(msg, header, optimistic):
            return optimistic
        low = optimistic
        while high - low > max(1, high // 100):
            middle = (low + high) // 2
            if self._succeeds(msg, header, middle):
                high = middle
            else:
                low = middle
        return high

    def _succeeds(self, msg: CallMessage, header: Header, gas: int) -> bool:
        msg.gas = gas
        return not self.call(msg, header).is_error

    # ----------------------------------------------------------------- mining

    def decode(self, raw: bytes) -> Tx:
        """A signed transaction from its EIP-2718 encoding."""
        builder = self.chain.get_vm().get_transaction_builder()
        tx: Tx = builder.decode(raw)
        return tx

    def mine(self, txs: list[Tx], timestamp: int) -> tuple[MinedBlock, list[Tx]]:
        """Mine one block at `timestamp` (at least parent + 1) and make it durable.

        Transactions are applied in order while the block has gas left for the next one's
        limit (as geth and anvil pack); the rest come back as the second value. A
        transaction that fails validation at execution time is dropped, not the block.
        """
        return finish(self.mining(txs, timestamp))

    def mining(self, txs: list[Tx], timestamp: int) -> Mining[tuple[MinedBlock, list[Tx]]]:
        """:meth:`mine` in phases: execute, state root, seal, index and flush.

        Between phases (each ``yield``) the caller may do work that does not touch the chain,
        such as answering `eth_chainId`; anything else must run the phases to the end first.
        """
        template, timestamp = self._template(), max(timestamp, self.head.timestamp + 1)
        prepared, self._next_vm = self._next_vm, None
        if prepared is not None and prepared[0] is template and prepared[1] == timestamp:
            header, vm = prepared[2], prepared[3]
        else:
            header = template.copy(timestamp=timestamp)
            vm = self.chain.get_vm(header)
        try:
            header, applied, receipts, computations, rest = self._apply(vm, header, txs)
            yield
            # py-evm's pack_block + finalize_block, minus two deep copies of every
            # transaction and the re-validation of a block built right here (no rewards).
            vm.state.persist()
            yield
            block = self._seal(vm, header, applied, receipts)
            yield
            mined = self._index(block, receipts, computations)
            self.db.flush()
        except BaseException:
            self.db.discard()
            self._reopen()
            raise
        self._head = block.header
        self._template_stale = True
        return mined, rest

    def prepare_block(self, timestamp: int, addresses: set[bytes]) -> None:
        """Build the VM of a next block at `timestamp` ahead of time, with `addresses` and
        the coinbase read into its state; :meth:`mine` uses it for a block on the same
        parent at the same timestamp (nothing else in the header can differ)."""
        template, timestamp = self._template(), max(timestamp, self.head.timestamp + 1)
        header = template.copy(timestamp=timestamp)
        vm = self.chain.get_vm(header)
        for address in {*addresses, header.coinbase}:
            vm.state.get_balance(address)
            vm.state.get_code(address)
        self._next_vm = (template, timestamp, header, vm)

    def _reopen(self) -> None:
        """Forget everything derived from the chain object; reopen it from the store."""
        self.chain = self._cls(self.db)
        self._head = self._call_state = self._next_vm = None
        self._template_stale = False

    def _apply(
        self, vm: Any, header: Header, txs: list[Tx]
    ) -> tuple[Header, list[Tx], list[Any], list[Any], list[Tx]]:
        applied: list[Tx] = []
        receipts: list[Any] = []
        computations: list[Any] = []
        running = _RunningHeader(header)
        rest: list[Tx] = []
        for position, tx in enumerate(txs):
            if running.gas_used + tx.gas > header.gas_limit:
                rest = txs[position:]
                break
            snapshot = vm.state.snapshot()
            try:
                receipt, computation = vm.apply_transaction(running, tx)
            except ValidationError:
                vm.state.revert(snapshot)
                log.warning("dropped invalid transaction 0x%s", tx.hash.hex())
                continue
            running.add(receipt, tx)
            applied.append(tx)
            receipts.append(receipt)
            computations.append(computation)
        final = header.copy(
            gas_used=running.gas_used, bloom=running.bloom, blob_gas_used=running.blob_gas_used
        )
        return final, applied, receipts, computations, rest

    def _seal(self, vm: Any, header: Header, txs: list[Tx], receipts: list[Any]) -> Block:
        """The block with its tries and state root (state persisted), stored as canonical."""
        filled = vm.set_block_transactions_and_withdrawals(vm.get_block(), header, txs, receipts)
        sealed = filled.header.copy(mix_hash=os.urandom(32), state_root=vm.state.state_root)
        fields = {name: getattr(filled, name) for name in filled._meta.field_names}
        block = type(filled)(**{**fields, "header": sealed})
        self.chain.chaindb.persist_block(block)
        return block

    def _index(self, block: Block, receipts: Any, computations: Any) -> MinedBlock:
        header = block.header
        all_logs: list[Json] = []
        previous = 0
        for index, (tx, rcpt, comp) in enumerate(
            zip(block.transactions, receipts, computations, strict=True)
        ):
            tx_logs = fmt.logs(rcpt, tx, header, index, len(all_logs))
            all_logs.extend(tx_logs)
            out = fmt.receipt(rcpt, tx, header, index, previous, tx_logs, comp)
            previous = rcpt.gas_used
            self.db[RECEIPT_PREFIX + tx.hash] = _dump(out)
            self.db[TX_PREFIX + tx.hash] = _dump(fmt.transaction(tx, header, index))
        logindex.write(self.db, header.block_number, all_logs)
        hashes = [tx.hash for tx in block.transactions]
        size = len(rlp.encode(block))
        block_json = fmt.block(header, [fmt.data(h) for h in hashes], size)
        self.db[BLOCK_PREFIX + header.hash] = _dump(block_json)
        return MinedBlock(header, block_json, all_logs, hashes)

    # ---------------------------------------------------------------- rewinds

    def rewind(self, number: int) -> list[Json]:
        """Make block `number` the head; return the logs of the dropped blocks."""
        target = self.header_by_number(number)
        if target is None:
            raise RpcError(INVALID_INPUT, f"block {number} is not on the chain")
        removed: list[Json] = []
        for n in range(self.head.block_number, number, -1):
            removed = self._drop(n) + removed
        self.db[SchemaV1.make_canonical_head_hash_lookup_key()] = target.hash
        self.db.flush()
        self._reopen()
        return removed

    def _drop(self, number: int) -> list[Json]:
        block_hash = self.chain.chaindb.get_canonical_block_hash(number)
        stored = orjson.loads(self.db[BLOCK_PREFIX + block_hash])
        for tx_hex in stored["transactions"]:
            tx_hash = bytes.fromhex(tx_hex[2:])
            ChainDB._remove_transaction_from_canonical_chain(self.db, Hash32(tx_hash))
            del self.db[TX_PREFIX + tx_hash]
            del self.db[RECEIPT_PREFIX + tx_hash]
        removed = logindex.remove(self.db, number)
        for log in removed:
            log["removed"] = True
        return removed

    def stored_transactions(self, number: int) -> list[Tx]:
        """The transactions of canonical block `number` (for replay and reorgs)."""
        block = self.chain.get_canonical_block_by_number(number)
        return list(block.transactions)


class _RunningHeader:
    """The block header while transactions are applied: gas used, bloom and blob gas
    change per transaction, and copying py-evm's header twice per transaction (as
    py-evm's own loop does) cost 7% of mining a full block."""

    def __init__(self, base: Header) -> None:
        self._base = base
        self.gas_used: int = base.gas_used
        self.bloom: int = base.bloom
        self.blob_gas_used: int = base.blob_gas_used

    def __getattr__(self, name: str) -> Any:
        return getattr(self._base, name)

    def add(self, receipt: Any, tx: Tx) -> None:
        """Account for one applied transaction."""
        self.gas_used = receipt.gas_used
        self.bloom |= int(receipt.bloom)
        self.blob_gas_used += get_total_blob_gas(tx)


@functools.lru_cache(maxsize=256)
def reads_gas(code: bytes) -> bool:
    """Whether `code` contains the GAS opcode (0x5a) outside PUSH data."""
    if GAS_OPCODE not in code:
        return False
    position = 0
    while position < len(code):
        opcode = code[position]
        if opcode == GAS_OPCODE:
            return True
        position += 1 + (opcode - PUSH1 + 1 if PUSH1 <= opcode <= PUSH32 else 0)
    return False


def finish(steps: Mining[T]) -> T:
    """Run a phased job (:meth:`DevChain.mining`) to its end; its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            result: T = done.value
            return result


def raise_for_error(computation: Computation) -> None:
    """Turn a failed execution into the JSON-RPC error clients expect."""
    if not computation.is_error:
        return
    if isinstance(computation.error, Revert):
        raise reverted(computation.output)
    raise RpcError(INVALID_INPUT, f"execution failed: {type(computation.error).__name__}")


def _apply_override(state: State, address: bytes, override: StateOverride) -> None:
    if override.balance is not None:
        state.set_balance(address, override.balance)
    if override.nonce is not None:
        state.set_nonce(address, override.nonce)
    if override.code is not None:
        state.set_code(address, override.code)
    if override.state is not None:
        state.delete_storage(address)
        for slot, value in override.state.items():
            state.set_storage(address, slot, value)
    for slot, value in override.state_diff.items():
        state.set_storage(address, slot, value)


def _dump(value: Json) -> bytes:
    return orjson.dumps(value)
