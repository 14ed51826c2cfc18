"""Sign and send: one nonce sequence per key, fees from the node, receipts awaited, drops re-sent.

Any EVM node by URL: the transaction is estimated first (a revert is decoded and nothing is
sent), fees are EIP-1559 fields that web3.py fills from the node, the nonce is taken under a
per-key lock so that concurrent writers (portal requests, a CLI import) never collide, and a
transaction the node forgot while we waited is sent again, byte for byte, with the same nonce.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import (
    ContractCustomError,
    ContractLogicError,
    TransactionNotFound,
    Web3RPCError,
)
from web3.types import Nonce, TxParams, TxReceipt, Wei

from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.errors import AidLedgerConnectionError, ContractRevertError

_REVERTS = (ContractCustomError, ContractLogicError, Web3RPCError)
_ALREADY_KNOWN = ("already known", "known transaction", "already imported", "alreadyknown")
# Another process with the same key took the nonce we counted on (geth, anvil, our devnet).
_NONCE_USED = ("nonce too low", "nonce has already been used", "oldnonce", "nonce is too low")
NONCE_RETRIES = 5


class NonceTakenError(AidLedgerConnectionError):
    """The node says the nonce we counted on is used: another sender shares this key."""


class WriteTimeoutError(AidLedgerConnectionError):
    """No receipt within the timeout; the transaction may still be mined."""

    def __init__(self, tx_hash: str, timeout: float) -> None:
        super().__init__(
            f"transaction {tx_hash} got no receipt within {timeout:.0f} s; it may still be "
            "mined: run the same write again, it will be recognised and not recorded twice"
        )
        self.tx_hash = tx_hash


class NonceBook:
    """The next nonce of each key, read from the node once and then counted locally."""

    def __init__(self, w3: Web3) -> None:
        self._w3 = w3
        self._next: dict[ChecksumAddress, int] = {}
        self._locks: dict[ChecksumAddress, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def take(self, address: ChecksumAddress) -> Iterator[int]:
        """Hold `address`'s next nonce while sending; it counts only if the block succeeds."""
        with self._guard:
            lock = self._locks.setdefault(address, threading.Lock())
        with lock:
            nonce = self._next.get(address)
            if nonce is None:
                nonce = int(self._w3.eth.get_transaction_count(address, "pending"))
            try:
                yield nonce
            except BaseException:
                self._next.pop(address, None)  # read it again from the node next time
                raise
            self._next[address] = nonce + 1


def revert_of(exc: BaseException) -> ContractRevertError | None:
    """The decoded custom error a web3.py exception carries, if any."""
    data = revert_data_from(exc)
    return None if data is None else decode_revert(data)


@dataclass
class Sender:
    """Builds, signs and sends transactions and waits for their receipts."""

    w3: Web3
    chain_id: int
    receipt_timeout: float = 60.0
    resend_after: float = 5.0
    poll_interval: float = 0.05
    clock: Callable[[], float] = time.monotonic
    nonces: NonceBook = field(init=False)

    def __post_init__(self) -> None:
        self.nonces = NonceBook(self.w3)

    def build(self, signer: LocalAccount, call: ContractFunction) -> TxParams:
        """Estimate gas and fill fees; a revert raises its decoded error and nothing is sent."""
        params: TxParams = {"from": signer.address, "chainId": self.chain_id, "value": Wei(0)}
        try:
            return call.build_transaction(params)
        except _REVERTS as exc:
            raise (revert_of(exc) or exc) from None

    def send(self, signer: LocalAccount, call: ContractFunction) -> TxReceipt:
        """Build, sign, send with the key's next nonce and wait for a successful receipt.

        When another process signs with the same key (a portal worker and a CLI import), the
        nonce counted here may be taken: the node says so, and the nonce is read again from the
        node and the same transaction signed with it, a few times at most."""
        tx = self.build(signer, call)
        for attempt in range(NONCE_RETRIES + 1):
            try:
                with self.nonces.take(signer.address) as nonce:
                    tx["nonce"] = Nonce(nonce)
                    raw = bytes(signer.sign_transaction(tx).raw_transaction)  # type: ignore[arg-type]
                    tx_hash = self._submit(raw)
                break
            except NonceTakenError:
                if attempt == NONCE_RETRIES:
                    raise
        receipt = self._wait(tx_hash, raw)
        if receipt["status"] != 1:
            raise self._failure(tx, receipt)
        return receipt

    def _submit(self, raw: bytes) -> HexBytes:
        try:
            return self.w3.eth.send_raw_transaction(raw)
        except Web3RPCError as exc:
            said = str(exc).lower()
            if any(text in said for text in _ALREADY_KNOWN):
                return HexBytes(Web3.keccak(raw))
            if any(text in said for text in _NONCE_USED):
                raise NonceTakenError(f"the node refused the nonce: {exc}") from None
            raise

    def _wait(self, tx_hash: HexBytes, raw: bytes) -> TxReceipt:
        start = last_sent = self.clock()
        while True:
            try:
                return self.w3.eth.get_transaction_receipt(tx_hash)
            except TransactionNotFound:
                pass
            now = self.clock()
            if now - start > self.receipt_timeout:
                raise WriteTimeoutError("0x" + bytes(tx_hash).hex(), self.receipt_timeout)
            if now - last_sent > self.resend_after and not self._known(tx_hash):
                self._submit(raw)  # dropped from the pool: same bytes, same nonce
                last_sent = now
            time.sleep(self.poll_interval)

    def _known(self, tx_hash: HexBytes) -> bool:
        try:
            self.w3.eth.get_transaction(tx_hash)
        except TransactionNotFound:
            return False
        return True

    def _failure(self, tx: TxParams, receipt: TxReceipt) -> BaseException:
        """Replay a failed transaction as a call at its block's parent to learn why."""
        call: dict[str, Any] = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        try:
            self.w3.eth.call(call, receipt["blockNumber"] - 1)  # type: ignore[arg-type]
        except _REVERTS as exc:
            return revert_of(exc) or exc
        return AidLedgerConnectionError(
            f"transaction 0x{bytes(receipt['transactionHash']).hex()} failed on chain "
            "without a revert reason"
        )
