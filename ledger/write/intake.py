"""Bank-statement intake: a validated statement becomes money gifts, in batches, with codes.

The order of work makes a re-run after any crash (kill -9 included) record each row exactly once
and hand out the same receipt code for it:

1. read and validate the whole statement (`ledger.write.statement`); a bad row writes nothing;
2. ask the chain which rows' gifts exist already (`FundLedger.giftExists`; a row's gift id comes
   from its bank reference, so it is the same on every run);
3. read the codes file if there is one: it is the source of truth for codes, a row keeps the
   code it was given; rows without one get a new code;
4. check the first batch against the chain (role, pause) without sending it;
5. write the whole codes file atomically (temporary file, fsync, rename) before the first
   transaction, so no gift is ever recorded with a code that is not on disk;
6. send the rows not on chain in `RecordGifts` batches sized from the gas of the first batch and
   the block gas limit (and a calldata cap), then ask the chain again and send what is missing;
7. write the codes file again with each row's transaction.

Payer names are in the codes file only (the donor-mail list); they never go on chain.
"""

from __future__ import annotations

import csv
import fcntl
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import cast

from eth_abi import encode
from eth_account.signers.local import LocalAccount
from eth_utils import keccak
from hexbytes import HexBytes
from web3 import Web3
from web3._utils.transactions import fill_transaction_defaults
from web3.contract.contract import ContractFunction
from web3.types import RPCEndpoint, TxParams

from ledger.chain.bindings import INTAKE_ROLE, AidLedger
from ledger.chain.events import decode_log, event_specs
from ledger.chain.ids import ZERO32, currency_code
from ledger.chain.types import EarmarkKind
from ledger.errors import (
    AidLedgerConfigError,
    AidLedgerConnectionError,
    AidLedgerError,
    AidLedgerValueError,
    ContractRevertError,
)
from ledger.files import write_atomically
from ledger.write.commands import RecordGift, RecordGifts
from ledger.write.messages import WriteRefusedError, explain
from ledger.write.money import exponent
from ledger.write.receipts import ReceiptCode, ReceiptCodeError
from ledger.write.service import Outcome, WriteService
from ledger.write.statement import Statement, StatementRow

FIRST_BATCH = 25  # rows whose gas estimate sizes the later batches
MAX_BATCH = 300  # ~350 bytes of calldata a gift: stays under the 128 KiB transactions nodes relay
GAS_FILL = 0.5  # a batch uses at most half the block gas limit
GAS_MARGIN = 1.25  # gas given to a batch: its estimate per gift, a quarter more
EXISTS_CHUNK = 500  # giftExists calls per JSON-RPC batch
CODES_HEADER = (
    "row",
    "date",
    "amount",
    "currency",
    "reference",
    "payer",
    "receipt_code",
    "gift_id",
    "status",
    "tx_hash",
)

Progress = Callable[[int, int], None]


class ImportBusyError(AidLedgerError):
    """Another import holds the codes file; nothing was sent."""


class NotIntakeError(AidLedgerError, PermissionError):
    """The signer cannot record gifts; checked before anything is written."""


@dataclass(frozen=True)
class CodedRow:
    """A statement row with its gift id, receipt code and what became of it."""

    row: StatementRow
    gift_id: bytes
    code: ReceiptCode | None  # None: on chain from an earlier run whose codes file is gone
    status: str  # 'to record', 'recorded', 'already on chain'
    tx_hash: str = ""


@dataclass
class ImportReport:
    """What an import did."""

    rows: list[CodedRow]
    duplicates: list[tuple[int, int]]
    batches: list[Outcome] = field(default_factory=list)
    gas_per_gift: int | None = None
    codes_path: Path | None = None

    @property
    def recorded(self) -> list[CodedRow]:
        """Rows recorded by this run."""
        return [r for r in self.rows if r.status == "recorded"]

    @property
    def already(self) -> list[CodedRow]:
        """Rows that were on chain before this run."""
        return [r for r in self.rows if r.status == "already on chain"]

    @property
    def codes_missing(self) -> list[CodedRow]:
        """Rows on chain whose code is not in the codes file (it was replaced or deleted)."""
        return [r for r in self.rows if r.code is None]


@dataclass(frozen=True)
class IntakeOptions:
    """How rows become gifts: the source prefix (e.g. the bank account) and an earmark."""

    source_prefix: str = ""
    earmark_kind: EarmarkKind = EarmarkKind.NONE
    earmark: bytes = ZERO32
    max_batch: int = MAX_BATCH

    def gift(self, row: StatementRow, code: ReceiptCode | None) -> RecordGift:
        """The RecordGift of a row (its id depends on the reference alone)."""
        return RecordGift(
            source=self.source_prefix + row.reference,
            currency=currency_code(row.currency),
            amount=row.amount,
            donor_commitment=code.commitment if code else ZERO32,
            evidence_hash=row.evidence_hash,
            earmark_kind=self.earmark_kind,
            earmark=self.earmark,
        )


def import_statement(
    service: WriteService,
    signer: LocalAccount,
    statement: Statement,
    codes_path: Path,
    options: IntakeOptions | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Record every row of `statement` not on chain yet; codes kept in `codes_path` first."""
    options = options or IntakeOptions()
    check_signer(service, signer)
    with codes_lock(codes_path):
        return _import(service, signer, statement, codes_path, options, progress)


def _import(
    service: WriteService,
    signer: LocalAccount,
    statement: Statement,
    codes_path: Path,
    options: IntakeOptions,
    progress: Progress | None,
) -> ImportReport:
    known = read_codes(codes_path)
    txs = recorded_txs(codes_path)
    rows = [
        replace(r, tx_hash=txs.get(r.row.reference, "")) if r.status == "already on chain" else r
        for r in code_rows(service, statement.rows, known, options)
    ]
    report = ImportReport(rows, statement.duplicates, codes_path=codes_path)
    pending = [r for r in rows if r.status == "to record"]
    if pending:
        first = [options.gift(r.row, r.code) for r in pending[:FIRST_BATCH]]
        report.gas_per_gift = preflight(service, signer, first)
    carried = other_lines(codes_path, statement)
    write_codes(codes_path, rows, carried)
    if pending:
        assert report.gas_per_gift is not None
        done = send(service, signer, pending, options, report.gas_per_gift, report, progress)
        report.rows = [done.get(r.row.row, r) for r in rows]
        write_codes(codes_path, report.rows, carried)
    return report


@contextmanager
def codes_lock(codes_path: Path) -> Iterator[None]:
    """One import at a time per codes file (two would hand out two codes for one line)."""
    path = codes_path.with_name(f".{codes_path.name}.lock")
    try:
        handle = path.open("w")
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot write beside the codes file {codes_path} ({exc.strerror}); nothing was "
            "sent: choose another place with --codes"
        ) from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusyError(
                f"another import is using the codes file {codes_path}; wait for it to finish, "
                "then run this one again (it records only what is missing)"
            ) from None
        yield


def check_signer(service: WriteService, signer: LocalAccount) -> None:
    """Refuse before anything is written when the signer cannot record gifts."""
    registry = service.ledger.registry
    if not registry.functions.hasRole(INTAKE_ROLE, signer.address).call():
        raise NotIntakeError(
            f"{signer.address} does not hold the intake role, so it cannot record gifts "
            f"(没有登记捐赠的权限); nothing was written: sign as an intake clerk (--as NAME)"
        )


def code_rows(
    service: WriteService,
    rows: list[StatementRow],
    known: dict[str, ReceiptCode],
    options: IntakeOptions,
) -> list[CodedRow]:
    """Each row with its gift id, its code (kept, else new) and whether it is on chain."""
    ids = [options.gift(r, None).record_id for r in rows]
    exists = gifts_exist(service, ids)
    coded = []
    for row, gift_id, on_chain in zip(rows, ids, exists, strict=True):
        code = known.get(row.reference)
        if code is None and not on_chain:
            code = ReceiptCode.new()
        status = "already on chain" if on_chain else "to record"
        coded.append(CodedRow(row, gift_id, code, status))
    return coded


def gifts_exist(service: WriteService, ids: list[bytes]) -> list[bool]:
    """FundLedger.giftExists for each id, asked as raw eth_calls in JSON-RPC batches.

    Raw: web3.py's contract-call machinery costs ~7 ms a call, the call itself ~0.5 ms.
    """
    fund = service.ledger.fund.address
    provider = service.ledger.client.w3.provider
    found: list[bool] = []
    for start in range(0, len(ids), EXISTS_CHUNK):
        calls = [
            (RPCEndpoint("eth_call"), [{"to": fund, "data": "0x" + (_EXISTS + i).hex()}, "latest"])
            for i in ids[start : start + EXISTS_CHUNK]
        ]
        answers = provider.make_batch_request(calls)  # type: ignore[attr-defined]
        if not isinstance(answers, list) or any("result" not in a for a in answers):
            raise AidLedgerConnectionError(
                f"the node did not answer FundLedger.giftExists ({answers!r:.200}); "
                "check the node and run the import again"
            )
        found.extend(int(a["result"], 16) != 0 for a in answers)
    return found


def donor_commitments(service: WriteService, ids: list[bytes]) -> dict[bytes, bytes]:
    """Gift id -> the donor commitment it was recorded with (GiftRecorded logs by id)."""
    topic0 = next(t for t, spec in event_specs().items() if spec.name == "GiftRecorded")
    found: dict[bytes, bytes] = {}
    w3 = service.ledger.client.w3
    for start in range(0, len(ids), EXISTS_CHUNK):
        wanted = ["0x" + i.hex() for i in ids[start : start + EXISTS_CHUNK]]
        logs = w3.eth.get_logs(
            {
                "address": service.ledger.fund.address,
                "topics": ["0x" + topic0.hex(), wanted],
                "fromBlock": service.ledger.deployment.deployment_block,
                "toBlock": "latest",
            }
        )
        for log in logs:
            event = decode_log(log)
            if event is not None:
                found[bytes(event.args["giftId"])] = bytes(event.args["donorCommitment"])
    return found


_EXISTS = keccak(text="giftExists(bytes32)")[:4]
_GIFT_INPUT = "(bytes32,bytes3,uint128,uint8,bytes32,bytes32,bytes32,bytes32,string)"
_RECORD_GIFTS = f"recordGifts({_GIFT_INPUT}[])"


@dataclass(frozen=True)
class _EncodedCall:
    """A contract call encoded with eth-abi directly, with its gas given when known.

    web3.py's argument normalisers cost ~5 ms a gift, and a node's gas estimate executes the
    whole batch once more; the gas of a batch of same-shaped gifts is known from the first
    estimate. Fees come from the node as in web3.py's own `build_transaction`.
    """

    w3: Web3
    to: str
    data: bytes
    gas: int | None

    def build_transaction(self, params: TxParams) -> TxParams:
        """The transaction; estimated by the node only when no gas was given."""
        tx = cast(TxParams, {**params, "to": self.to, "data": HexBytes(self.data)})
        if self.gas is not None:
            tx["gas"] = self.gas
        return cast(TxParams, fill_transaction_defaults(self.w3, tx))


@dataclass(frozen=True)
class EncodedGifts(RecordGifts):
    """RecordGifts sent through `_EncodedCall`; `gas` None lets the node estimate it."""

    gas: int | None = None

    def call(self, ledger: AidLedger) -> ContractFunction:
        """recordGifts, encoded here."""
        gifts = [g.as_input().as_abi() for g in self.gifts]
        selector = keccak(text=_RECORD_GIFTS)[:4]
        data = selector + encode([f"{_GIFT_INPUT}[]"], [gifts])
        call = _EncodedCall(ledger.client.w3, ledger.fund.address, data, self.gas)
        return cast(ContractFunction, call)


def preflight(service: WriteService, signer: LocalAccount, gifts: list[RecordGift]) -> int:
    """Estimate the first batch (a refusal is explained, nothing sent); its gas per gift."""
    command = EncodedGifts(gifts[0].source, tuple(gifts))
    try:
        tx = service.sender.build(signer, command.call(service.ledger))
    except ContractRevertError as error:
        raise WriteRefusedError(explain(error, service.namer)) from None
    return -(-int(tx["gas"]) // len(gifts))


def block_gas_limit(service: WriteService) -> int:
    """The latest block's gas limit."""
    return int(service.ledger.client.w3.eth.get_block("latest")["gasLimit"])


def batch_size(gas_per_gift: int, gas_limit: int, cap: int) -> int:
    """Rows per transaction: half the block gas limit, at most `cap`."""
    return max(1, min(cap, int(gas_limit * GAS_FILL) // gas_per_gift))


def batch_gas(gas_per_gift: int, rows: int, gas_limit: int) -> int:
    """Gas to give a batch: the first estimate per gift, a quarter more, within the block."""
    return min(gas_limit, int(gas_per_gift * rows * GAS_MARGIN) + 100_000)


def send(
    service: WriteService,
    signer: LocalAccount,
    pending: list[CodedRow],
    options: IntakeOptions,
    gas_per_gift: int,
    report: ImportReport,
    progress: Progress | None,
) -> dict[int, CodedRow]:
    """Send `pending` in batches; a batch answered "already recorded" (its first gift was on
    chain) may hold rows that are not: those are asked again and sent once more."""
    gas_limit = block_gas_limit(service)
    size = batch_size(gas_per_gift, gas_limit, options.max_batch)
    done: dict[int, CodedRow] = {}
    total = len(pending)
    for _attempt in range(2):
        unsure: list[CodedRow] = []
        for chunk in _chunks(pending, size):
            command = EncodedGifts(
                options.source_prefix + chunk[0].row.reference,
                tuple(options.gift(r.row, r.code) for r in chunk),
                gas=batch_gas(gas_per_gift, len(chunk), gas_limit),
            )
            outcome = service.submit(signer, command)
            report.batches.append(outcome)
            if outcome.already_recorded:
                unsure.extend(chunk)
            else:
                for row in chunk:
                    done[row.row.row] = replace(row, status="recorded", tx_hash=outcome.tx_hash)
            if progress is not None:
                progress(len(done) + len(unsure), total)
        exists = gifts_exist(service, [r.gift_id for r in unsure])
        raced = [r for r, on_chain in zip(unsure, exists, strict=True) if on_chain]
        theirs = donor_commitments(service, [r.gift_id for r in raced])
        for row in raced:  # recorded by another writer: our code is the donor's only if it matches
            same = row.code is not None and theirs.get(row.gift_id) == row.code.commitment
            kept = row.code if same else None
            done[row.row.row] = replace(row, status="already on chain", code=kept)
        pending = [r for r, there in zip(unsure, exists, strict=True) if not there]
        if not pending:
            return done
    raise AidLedgerConfigError(
        f"{len(pending)} rows are still not on chain after sending them twice (first: row "
        f"{pending[0].row.row}); run the import again: recorded rows are skipped"
    )


def _chunks(rows: list[CodedRow], size: int) -> Iterable[list[CodedRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def plain_amount(minor: int, currency: str) -> str:
    """Minor units as a plain decimal for the mail merge, e.g. '1234.56'."""
    return f"{Decimal(minor).scaleb(-exponent(currency)):f}"


def default_codes_path(statement: Path) -> Path:
    """`march.csv` -> `march.codes.csv` beside it."""
    return statement.with_name(statement.stem + ".codes.csv")


def _codes_lines(path: Path) -> list[dict[str, str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise AidLedgerConfigError(f"cannot read the codes file {path}: {exc.strerror}") from None
    return list(csv.DictReader(io.StringIO(text, newline="")))


def recorded_txs(path: Path) -> dict[str, str]:
    """Reference -> the transaction that recorded it, from a codes file of an earlier run."""
    return {
        line["reference"]: line["tx_hash"]
        for line in _codes_lines(path)
        if line.get("tx_hash") and line.get("reference")
    }


def read_codes(path: Path) -> dict[str, ReceiptCode]:
    """Reference -> receipt code from a codes file of an earlier run (none if there is none)."""
    codes: dict[str, ReceiptCode] = {}
    for number, line in enumerate(_codes_lines(path), start=2):
        if not line.get("receipt_code"):
            continue
        try:
            codes[line["reference"]] = ReceiptCode.parse(line["receipt_code"])
        except (ReceiptCodeError, KeyError) as exc:
            raise AidLedgerValueError(
                f"{path} row {number} is not a codes file row ({exc}); it is the source of the "
                "receipt codes of recorded gifts: restore it rather than edit it"
            ) from None
    return codes


def _status(row: CodedRow) -> str:
    """The codes file's status: 'recorded' (with its tx), 'to record', or on chain otherwise."""
    if row.code is None:
        return "on chain; its code is not in this file"
    return "recorded" if row.tx_hash else row.status


def other_lines(path: Path, statement: Statement) -> list[dict[str, str]]:
    """Lines of the codes file that are not this statement's (a file shared by several
    statements): they are written back unchanged, first, so no code is ever dropped."""
    mine = {r.reference for r in statement.rows}
    return [line for line in _codes_lines(path) if line.get("reference") not in mine]


def write_codes(
    path: Path, rows: list[CodedRow], carried: Sequence[Mapping[str, str]] = ()
) -> None:
    """Write the codes file atomically and durably (UTF-8 with BOM, for spreadsheets)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CODES_HEADER)
    for line in carried:
        writer.writerow(line.get(column, "") for column in CODES_HEADER)
    for r in rows:
        s = r.row
        writer.writerow(
            (
                s.row,
                s.date.isoformat(),
                plain_amount(s.amount, s.currency),
                s.currency,
                s.reference,
                s.payer,
                str(r.code) if r.code else "",
                "0x" + r.gift_id.hex(),
                _status(r),
                r.tx_hash,
            )
        )
    try:
        # owner-only (payer names, codes); a BOM so spreadsheets read it as UTF-8
        write_atomically(path, "\ufeff" + out.getvalue(), mode=0o600)
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot write the codes file {path}: {exc.strerror}; nothing was sent: "
            "choose another place with --codes"
        ) from None
