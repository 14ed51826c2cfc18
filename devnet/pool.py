"""Pending transactions for interval mining, in arrival order (per sender: nonce order)."""

from __future__ import annotations

from devnet._types import Tx


class TxPool:
    """Transactions accepted but not yet mined; nonces per sender are gap-free."""

    def __init__(self) -> None:
        self._txs: dict[bytes, Tx] = {}
        self._next_nonce: dict[bytes, int] = {}

    def __len__(self) -> int:
        return len(self._txs)

    def __contains__(self, tx_hash: bytes) -> bool:
        return tx_hash in self._txs

    def get(self, tx_hash: bytes) -> Tx | None:
        """A pending transaction by hash."""
        return self._txs.get(tx_hash)

    def next_nonce(self, sender: bytes) -> int | None:
        """The nonce after the sender's last pending transaction, if any."""
        return self._next_nonce.get(sender)

    def add(self, tx: Tx) -> None:
        """Queue `tx` (already validated against state and pool)."""
        self._txs[tx.hash] = tx
        self._next_nonce[tx.sender] = tx.nonce + 1

    def take(self) -> list[Tx]:
        """Remove and return every pending transaction, oldest first."""
        taken = list(self._txs.values())
        self._txs.clear()
        self._next_nonce.clear()
        return taken

    def put_back(self, txs: list[Tx]) -> None:
        """Return transactions that did not fit in a block to the front of the queue."""
        if not txs:
            return
        queued = {tx.hash: tx for tx in txs}
        queued.update(self._txs)
        self._txs = queued
        self._next_nonce = {}
        for tx in self._txs.values():
            self._next_nonce[tx.sender] = tx.nonce + 1

    def clear(self) -> list[Tx]:
        """Drop everything; return what was pending."""
        dropped = list(self._txs.values())
        self._txs.clear()
        self._next_nonce.clear()
        return dropped
