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

    def take(self, gas_limit: int) -> list[Tx]:
        """Remove and return the oldest transactions whose gas fits `gas_limit`."""
        taken: list[Tx] = []
        skipped: set[bytes] = set()
        budget = gas_limit
        for tx in self._txs.values():
            if tx.sender in skipped or tx.gas > budget:
                skipped.add(tx.sender)  # keep this sender's later nonces queued too
                continue
            budget -= tx.gas
            taken.append(tx)
        for tx in taken:
            del self._txs[tx.hash]
        self._next_nonce = {}
        for tx in self._txs.values():
            self._next_nonce[tx.sender] = tx.nonce + 1
        return taken

    def clear(self) -> list[Tx]:
        """Drop everything; return what was pending."""
        dropped = list(self._txs.values())
        self._txs.clear()
        self._next_nonce.clear()
        return dropped
