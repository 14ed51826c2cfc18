"""The one write service: every staff action, from the portal or the CLI, goes through `submit`.

`submit(signer, command)` derives the id from the command's source record, builds, signs, sends
and waits, and says what happened: the transaction, its block and the ledger `seq` numbers it
produced. A write that was recorded before (double submit, retry after a timeout, re-run after a
crash) is refused by the contract as a repeat; the service then finds the original transaction
on chain by its id and answers "already recorded" with it, so nothing is ever recorded twice.
Any other refusal becomes a `WriteRefusedError` that explains it in English and Chinese.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from eth_account.signers.local import LocalAccount
from web3.types import TxReceipt

from ledger.chain.bindings import AidLedger
from ledger.chain.events import decode_log, event_specs
from ledger.errors import ContractRevertError, DuplicateIdError
from ledger.write.commands import Command
from ledger.write.messages import Namer, WriteRefusedError, explain
from ledger.write.sender import Sender


@dataclass(frozen=True)
class Outcome:
    """What a write did: its transaction, block and the ledger sequence numbers it produced."""

    command: str
    record_id: str
    tx_hash: str
    block_number: int
    seqs: tuple[int, ...]
    already_recorded: bool = False


@cache
def _topic0(event: str) -> bytes:
    for topic0, spec in event_specs().items():
        if spec.name == event:
            return topic0
    raise KeyError(f"no sequenced event named {event}")


class WriteService:
    """Builds, signs, sends and waits for every AidLedger write; safe to share between threads."""

    def __init__(
        self, ledger: AidLedger, sender: Sender | None = None, namer: Namer | None = None
    ) -> None:
        self.ledger = ledger
        client = ledger.client
        self.sender = sender or Sender(client.w3, client.chain_id, client.receipt_timeout)
        self.namer = namer

    def submit(self, signer: LocalAccount, command: Command) -> Outcome:
        """Record `command` as `signer`; answer 'already recorded' for a repeat."""
        try:
            receipt = self.sender.send(signer, command.call(self.ledger))
        except ContractRevertError as error:
            if isinstance(error, DuplicateIdError) or error.error in command.repeat_errors:
                earlier = self.find(command)
                if earlier is not None:
                    return earlier
            raise WriteRefusedError(explain(error, self.namer, _currency(command))) from None
        return self._outcome(command, receipt, again=False)

    def find(self, command: Command) -> Outcome | None:
        """The transaction that recorded `command`'s id before, if any (searched by event)."""
        address = getattr(self.ledger, command.contract).address
        logs = self.ledger.client.w3.eth.get_logs(
            {
                "address": address,
                "topics": ["0x" + t.hex() for t in (_topic0(command.event), *command.topics)],
                "fromBlock": self.ledger.deployment.deployment_block,
                "toBlock": "latest",
            }
        )
        if not logs:
            return None
        receipt = self.ledger.client.w3.eth.get_transaction_receipt(logs[0]["transactionHash"])
        return self._outcome(command, receipt, again=True)

    def _outcome(self, command: Command, receipt: TxReceipt, *, again: bool) -> Outcome:
        events = [e for e in (decode_log(log) for log in receipt["logs"]) if e is not None]
        return Outcome(
            command=type(command).__name__,
            record_id="0x" + command.record_id.hex(),
            tx_hash="0x" + bytes(receipt["transactionHash"]).hex(),
            block_number=int(receipt["blockNumber"]),
            seqs=tuple(e.seq for e in events),
            already_recorded=again,
        )


def _currency(command: Command) -> str | None:
    """The ISO code a command's amounts are in, when the command names it."""
    code = getattr(command, "currency", None)
    return code.decode("ascii", "replace") if isinstance(code, bytes) else None
