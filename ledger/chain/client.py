"""A thin JSON-RPC client: build, sign, send and wait, turning reverts into our exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eth_account.signers.local import LocalAccount
from web3 import Web3
from web3.contract.contract import ContractConstructor, ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, Web3RPCError
from web3.types import TxParams, TxReceipt

from ledger.chain.reverts import decode_revert, revert_data_from
from ledger.config import check_rpc_url
from ledger.errors import AidLedgerConnectionError, ContractRevertError

_REVERT_EXCEPTIONS = (ContractCustomError, ContractLogicError, Web3RPCError)
Call = ContractFunction | ContractConstructor


@dataclass
class ChainClient:
    """One connection to a node. Every write goes through `send`."""

    w3: Web3
    receipt_timeout: float = 60.0
    _chain_id: int | None = field(default=None, repr=False)

    @classmethod
    def connect(cls, rpc_url: str, timeout: float = 30.0) -> ChainClient:
        """Connect over HTTP; a malformed URL or a silent node raises a clear error."""
        check_rpc_url(rpc_url)
        w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": timeout}))
        client = cls(w3)
        try:
            client.chain_id  # noqa: B018  (forces a round trip)
        except Exception as exc:
            raise AidLedgerConnectionError(
                f"no Ethereum node answered at {rpc_url} ({exc.__class__.__name__}); "
                "start one with `aidledger devnet start` or set AIDLEDGER_RPC_URL"
            ) from None
        return client

    @property
    def chain_id(self) -> int:
        """The node's chain id (cached)."""
        if self._chain_id is None:
            self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def send(self, signer: LocalAccount, call: Call, value: int = 0) -> TxReceipt:
        """Sign, send and wait for the receipt; a revert raises and changes nothing."""
        params: TxParams = {
            "from": signer.address,
            "nonce": self.w3.eth.get_transaction_count(signer.address, "pending"),
            "chainId": self.chain_id,
            "value": Web3.to_wei(value, "wei"),
        }
        try:
            tx = call.build_transaction(params)
        except _REVERT_EXCEPTIONS as exc:
            raise self._as_revert(exc) from None
        signed = signer.sign_transaction(tx)  # type: ignore[arg-type]
        tx_hash = self.w3.eth.send_raw_transaction(signed.raw_transaction)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout)
        if receipt["status"] != 1:
            raise self._replay_failure(dict(tx), receipt)
        return receipt

    def fund(self, to: str, wei: int) -> None:
        """Send ether from the node's first unlocked account (dev chains only)."""
        funder = self.w3.eth.accounts[0]
        tx_hash = self.w3.eth.send_transaction(
            {"from": funder, "to": to, "value": Web3.to_wei(wei, "wei")}
        )
        self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=self.receipt_timeout)

    def _as_revert(self, exc: BaseException) -> ContractRevertError | BaseException:
        data = revert_data_from(exc)
        if data is None:
            return exc
        return decode_revert(data)

    def _replay_failure(self, tx: dict[str, Any], receipt: TxReceipt) -> BaseException:
        call = {k: tx[k] for k in ("from", "to", "data", "value") if k in tx}
        try:
            self.w3.eth.call(call, receipt["blockNumber"] - 1)  # type: ignore[arg-type]
        except _REVERT_EXCEPTIONS as exc:
            return self._as_revert(exc)
        return AidLedgerConnectionError(
            f"transaction {receipt['transactionHash'].hex()} failed on chain "
            "without a revert reason"
        )
