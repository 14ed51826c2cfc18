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
   the block gas limit (and a calldata cap); rows of a batch answered "already recorded" (a
   concurrent writer) are asked again and the missing ones sent once more;
7. write the codes file again with each row's transaction.

The codes file is `ledger.write.codes_file`; the chain side of batches `ledger.write.gift_batches`.

Payer names are in the codes file only (the donor-mail list); they never go on chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from eth_account.signers.local import LocalAccount

from ledger.chain.bindings import INTAKE_ROLE
from ledger.chain.ids import ZERO32, currency_code
from ledger.chain.types import EarmarkKind
from ledger.errors import (
    AidLedgerConfigError,
    AidLedgerError,
    ContractRevertError,
)
from ledger.write.codes_file import (
    CodedRow,
    codes_lock,
    other_lines,
    read_codes,
    recorded_txs,
    write_codes,
)
from ledger.write.commands import RecordGift
from ledger.write.gift_batches import (
    EncodedGifts,
    batch_gas,
    batch_size,
    block_gas_limit,
    donor_commitments,
    gifts_exist,
)
from ledger.write.messages import WriteRefusedError, explain
from ledger.write.receipts import ReceiptCode
from ledger.write.service import Outcome, WriteService
from ledger.write.statement import Statement, StatementRow

FIRST_BATCH = 25  # rows whose gas estimate sizes the later batches
MAX_BATCH = 300  # ~350 bytes of calldata a gift: stays under the 128 KiB transactions nodes relay
Progress = Callable[[int, int], None]


class NotIntakeError(AidLedgerError, PermissionError):
    """The signer cannot record gifts; checked before anything is written."""


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


def preflight(service: WriteService, signer: LocalAccount, gifts: list[RecordGift]) -> int:
    """Estimate the first batch (a refusal is explained, nothing sent); its gas per gift."""
    command = EncodedGifts(gifts[0].source, tuple(gifts))
    try:
        tx = service.sender.build(signer, command.call(service.ledger))
    except ContractRevertError as error:
        raise WriteRefusedError(explain(error, service.namer)) from None
    return -(-int(tx["gas"]) // len(gifts))


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
