"""`aidledger gift add | import`, `inkind add`, `trace CODE`: gifts in, receipt codes out.

Every gift gets a receipt code (docs/intake.md). `gift add` and `inkind add` keep their codes in
`<data dir>/receipt-codes.csv` before sending, so a retry hands back the same code; `gift
import` keeps them in a codes CSV beside the statement (the mail-merge list). `trace` reads
the mirror only.
"""

from __future__ import annotations

import json
import os
import sys
import time
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, Writer, writer
from ledger.cli.options import REF_HELP, day, earmark
from ledger.errors import AidLedgerConfigError, AidLedgerValueError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

    from ledger.queries.trace import Trace
    from ledger.write.commands import Command
    from ledger.write.intake import ImportReport
    from ledger.write.receipts import ReceiptCode
    from ledger.write.service import Outcome
    from ledger.write.statement import Columns

gift_app = typer.Typer(help="Money gifts: one by one, or a bank statement.", no_args_is_help=True)
inkind_app = typer.Typer(help="Gifts of goods into a warehouse.", no_args_is_help=True)
pledge_app = typer.Typer(help="Pledges: money promised, paid later by gifts.", no_args_is_help=True)

Ref = Annotated[str, typer.Option("--reference", "--ref", help=REF_HELP)]
PublicName = Annotated[
    str,
    typer.Option(
        "--public-name", help="The donor's name, shown publicly: only if they asked for it."
    ),
]
QrOpt = Annotated[
    Path | None,
    typer.Option("--qr", help="Also write the receipt code as a QR code (.svg or .png)."),
]
EarmarkOpt = Annotated[
    str | None,
    typer.Option("--earmark", help="purpose:TEXT, region:CODE or category:TEXT (none: any use)."),
]
KeyEnvOpt = Annotated[
    str | None,
    typer.Option(
        "--key-env",
        help="Sign with the private key in this environment variable instead of --as "
        "(an import run by a machine); the key is never printed.",
    ),
]
BOOK = "receipt-codes.csv"


def _signer(w: Writer, name: str | None, key_env: str | None) -> LocalAccount:
    """The staff member's key (--as), or the key held in the variable named by --key-env."""
    if not key_env:
        return w.signer(name)
    from eth_account import Account

    key = os.environ.get(key_env, "").strip()
    if not key:
        raise AidLedgerConfigError(f"--key-env {key_env}: that environment variable is not set")
    try:
        account: LocalAccount = Account.from_key(key)
    except Exception:  # eth-keys raises ValueError, binascii.Error, ValidationError, ...
        raise AidLedgerConfigError(
            f"${key_env} is not a private key: it must be 64 hex digits, with or without 0x"
        ) from None
    return account


def _hand_back(
    outcome: Outcome, code: ReceiptCode, qr: Path | None, as_json: bool, book: Path
) -> None:
    """Print the outcome and the receipt code (and write the QR code)."""
    from ledger.cli.context import show

    if qr is not None:
        _write_qr(code, qr)
    if as_json:
        typer.echo(json.dumps({**asdict(outcome), "receipt_code": str(code)}))
        return
    show(outcome, False)
    typer.echo(f"receipt code: {code}   (kept in {book}; give it to the donor)")


def _write_qr(code: ReceiptCode, path: Path) -> None:
    if path.suffix.lower() not in (".svg", ".png"):
        raise AidLedgerValueError(f"--qr {path}: name a .svg or .png file")
    data = code.qr_svg().encode() if path.suffix.lower() == ".svg" else code.qr_png()
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise AidLedgerConfigError(f"cannot write the QR code to {path}: {exc.strerror}") from None


def _book(w: Writer) -> Path:
    return w.settings.data_dir / BOOK


def _code(w: Writer, book: Path, probe: Command, kind: str) -> ReceiptCode:
    """The gift's code from the book, else a new one (kept before sending); but a gift on chain
    whose code is not in the book cannot be given a new one: its donor has the real one."""
    from ledger.write.receipts import ReceiptBook

    codes = ReceiptBook(book)
    if (kind, probe.source) not in codes.codes() and w.service.find(probe) is not None:
        raise AidLedgerValueError(
            f"the gift of reference {probe.source!r} is already recorded and its receipt code "
            f"is not in {book} (it was handed out by a statement import or on another "
            "machine); nothing was written"
        )
    return codes.code_for(kind, probe.source)


@gift_app.command("add")
def gift_add(
    amount: Annotated[str, typer.Option(help="Amount as written, e.g. 1,234.56 or 1.234,56.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code: CNY, USD, EUR, HKD, JPY, ...")],
    reference: Ref,
    earmark_text: EarmarkOpt = None,
    pledge: Annotated[str | None, typer.Option(help="The pledge this gift pays (0x id).")] = None,
    public_name: PublicName = "",
    evidence: Annotated[
        str | None,
        typer.Option(help="The evidence (bank line, receipt number); its hash goes on chain."),
    ] = None,
    qr: QrOpt = None,
    signer: AsOpt = None,
    key_env: KeyEnvOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one money gift and hand back its receipt code (intake)."""
    from eth_utils import keccak

    from ledger.chain.ids import ZERO32, currency_code
    from ledger.write.commands import RecordGift
    from ledger.write.money import parse_amount

    currency = currency.strip().upper()
    minor = parse_amount(amount, currency)
    kind, value = earmark(earmark_text)
    pledge_id = _hex32(pledge, "--pledge") if pledge else ZERO32
    with writer(rpc) as w:
        key = _signer(w, signer, key_env)
        book = _book(w)
        code = _code(w, book, RecordGift(reference, b"CNY", 1, ZERO32, ZERO32), "money")
        proof = evidence or f"aidledger-gift\x1f{currency}\x1f{minor}\x1f{reference}"
        command = RecordGift(
            reference,
            currency_code(currency),
            minor,
            code.commitment,
            keccak(text=proof),
            kind,
            value,
            pledge_id,
            public_name,
        )
        _hand_back(w.service.submit(key, command), code, qr, as_json, book)


@inkind_app.command("add")
def inkind_add(
    item: Annotated[str, typer.Option(help="What was given (item name or 0x id).")],
    site: Annotated[str, typer.Option(help="The warehouse it came into (name or 0x id).")],
    quantity: Annotated[int, typer.Option(min=1, help="How many units.")],
    reference: Ref,
    batch: Annotated[str | None, typer.Option(help="The manufacturer's batch code.")] = None,
    expiry: Annotated[str | None, typer.Option(help="Expiry date, e.g. 2021-06-30.")] = None,
    public_name: PublicName = "",
    evidence: Annotated[
        str | None, typer.Option(help="The delivery note; its hash goes on chain.")
    ] = None,
    qr: QrOpt = None,
    signer: AsOpt = None,
    key_env: KeyEnvOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record goods given into a warehouse (a new lot) and hand back the receipt code (intake)."""
    from ledger.chain.ids import ZERO32, label
    from ledger.write.commands import RecordInKindGift

    with writer(rpc) as w:
        item_id = w.resolve("item", item)
        site_id = w.resolve("site", site)
        key = _signer(w, signer, key_env)
        book = _book(w)
        probe = RecordInKindGift(reference, item_id, site_id, 1, ZERO32, ZERO32)
        code = _code(w, book, probe, "in_kind")
        command = RecordInKindGift(
            reference,
            item_id,
            site_id,
            quantity,
            code.commitment,
            label(evidence or f"aidledger-inkind\x1f{reference}"),
            label(batch) if batch else ZERO32,
            day(expiry),
            public_name,
        )
        _hand_back(w.service.submit(key, command), code, qr, as_json, book)


@pledge_app.command("add")
def pledge_add(
    amount: Annotated[str, typer.Option(help="Amount promised, e.g. 100,000.00.")],
    currency: Annotated[str, typer.Option(help="ISO 4217 code: CNY, USD, EUR, HKD, JPY, ...")],
    reference: Ref,
    due: Annotated[str | None, typer.Option(help="When it is due, e.g. 2020-03-01.")] = None,
    earmark_text: EarmarkOpt = None,
    signer: AsOpt = None,
    key_env: KeyEnvOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a pledge and hand back its receipt code; gifts that pay it name its id (intake)."""
    from ledger.chain.ids import ZERO32, currency_code
    from ledger.write.commands import RecordPledge
    from ledger.write.money import parse_amount

    currency = currency.strip().upper()
    minor = parse_amount(amount, currency)
    kind, value = earmark(earmark_text)
    when = day(due)
    with writer(rpc) as w:
        key = _signer(w, signer, key_env)
        book = _book(w)
        code = _code(w, book, RecordPledge(reference, b"CNY", 1, ZERO32, 0), "pledge")
        command = RecordPledge(
            reference, currency_code(currency), minor, code.commitment, when, kind, value
        )
        _hand_back(w.service.submit(key, command), code, None, as_json, book)


@gift_app.command("import")
def gift_import(
    file: Annotated[Path, typer.Argument(help="The bank statement, CSV.", dir_okay=False)],
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--column",
            help="FIELD=HEADER: which column holds date, amount, currency, reference or payer "
            "(repeat; also [intake.columns] in aidledger.toml).",
        ),
    ] = None,
    currency: Annotated[
        str | None, typer.Option(help="Currency of a statement without a currency column.")
    ] = None,
    codes: Annotated[
        Path | None,
        typer.Option(help="The codes CSV to keep and re-use (default: FILE.codes.csv beside it)."),
    ] = None,
    source_prefix: Annotated[
        str,
        typer.Option(
            help="Put before each bank reference to make the gift's source record, e.g. the "
            "account ('ICBC-1234:'), when references of two accounts could collide."
        ),
    ] = "",
    earmark_text: EarmarkOpt = None,
    batch_size: Annotated[
        int, typer.Option(min=1, help="At most this many gifts a transaction.")
    ] = 300,
    signer: AsOpt = None,
    key_env: KeyEnvOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a bank statement's lines as money gifts, each with a receipt code (intake).

    The whole file is checked first: a bad row writes nothing. Lines already on chain and lines
    repeated in the file are skipped and listed; a re-run records only what is missing.
    """
    from ledger.write.codes_file import default_codes_path
    from ledger.write.intake import IntakeOptions, import_statement
    from ledger.write.statement import read_statement

    statement = read_statement(file, columns(column or []), currency)
    kind, value = earmark(earmark_text)
    options = IntakeOptions(source_prefix, kind, value, batch_size)
    codes_path = codes or default_codes_path(file)
    with writer(rpc) as w:
        key = _signer(w, signer, key_env)
        progress = ImportProgress(len(statement.rows))
        try:
            report = import_statement(w.service, key, statement, codes_path, options, progress)
        finally:
            progress.close()
    _report(report, as_json)


def columns(pairs: list[str], config: Path = Path("aidledger.toml")) -> Columns:
    """Column headers: defaults, then [intake.columns] of aidledger.toml, then --column."""
    from ledger.write.statement import FIELDS, Columns

    mapping: dict[str, str] = {}
    if config.exists():
        try:
            data = tomllib.loads(config.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise AidLedgerConfigError(f"{config} is not valid TOML ({exc})") from None
        mapping.update(
            {str(k): str(v) for k, v in data.get("intake", {}).get("columns", {}).items()}
        )
    for pair in pairs:
        field, sep, header = pair.partition("=")
        if not sep or not header.strip():
            raise AidLedgerValueError(f"--column {pair!r} must look like reference=流水号")
        mapping[field.strip()] = header.strip()
    unknown = sorted(set(mapping) - set(FIELDS))
    if unknown:
        raise AidLedgerValueError(
            f"unknown column field {', '.join(unknown)}; the fields are {', '.join(FIELDS)}"
        )
    return Columns(**mapping)


class ImportProgress:
    """Rows sent so far: a rich bar on a terminal, a plain line every few seconds otherwise."""

    def __init__(self, total: int, interval: float = 5.0) -> None:
        self.total = total
        self.interval = interval
        self.started = self.last = time.monotonic()
        self.terminal = sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __call__(self, done: int, pending: int) -> None:
        if self.terminal:
            self._update_bar(done, pending)
            return
        now = time.monotonic()
        if now - self.last >= self.interval or done == pending:
            self.last = now
            rate = done / max(now - self.started, 1e-9)
            typer.echo(f"{done:,}/{pending:,} gifts recorded, {rate:,.0f}/s", err=True)

    def _update_bar(self, done: int, pending: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        if self._bar is None:
            self._bar = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=Console(file=sys.stderr),
            )
            self._bar.start()
            self._task = self._bar.add_task("gifts", total=pending)
        self._bar.update(self._task, completed=done, total=pending)

    def close(self) -> None:
        """Stop the bar."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None


def _report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "recorded": len(report.recorded),
                    "already_on_chain": [r.row.row for r in report.already],
                    "duplicates": [list(pair) for pair in report.duplicates],
                    "codes_missing": [r.row.row for r in report.codes_missing],
                    "codes": str(report.codes_path),
                    "gas_per_gift": report.gas_per_gift,
                    "batches": [asdict(b) for b in report.batches],
                }
            )
        )
        return
    txs, gifts = len(report.batches), len(report.recorded)
    typer.echo(
        f"recorded {gifts:,} gift{'s' * (gifts != 1)} in {txs:,} transaction{'s' * (txs != 1)}"
    )
    if report.already:
        typer.echo(f"already on chain, skipped: rows {_rows(r.row.row for r in report.already)}")
    if report.duplicates:
        pairs = ", ".join(f"{row} (= row {first})" for row, first in report.duplicates)
        typer.echo(f"repeated in the file, skipped: rows {pairs}")
    if report.codes_missing:
        typer.echo(
            "on chain from an earlier import whose codes file is not this one: rows "
            f"{_rows(r.row.row for r in report.codes_missing)} (their codes are in that file)"
        )
    typer.echo(f"receipt codes for the donor letters: {report.codes_path}")


def _rows(rows: Any) -> str:
    listed = list(rows)
    shown = ", ".join(str(r) for r in listed[:20])
    return shown + (f" and {len(listed) - 20:,} more" if len(listed) > 20 else "")


def _hex32(text: str, option: str) -> bytes:
    raw = text.strip().removeprefix("0x")
    try:
        value = bytes.fromhex(raw)
    except ValueError:
        value = b""
    if len(value) != 32:
        raise AidLedgerValueError(f"{option} {text!r} must be a 0x id of 64 hex digits")
    return value


def trace(
    code: Annotated[
        list[str],
        typer.Argument(
            help="The receipt code, as printed (any case; groups may be separate words)."
        ),
    ],
    as_json: JsonOpt = False,
) -> None:
    """Show what a gift became, from its receipt code (reads the mirror only)."""
    from sqlalchemy.exc import DBAPIError
    from sqlmodel import Session

    from ledger.config import load_settings
    from ledger.queries.trace import trace as trace_gift
    from ledger.store.db import check_reachable, make_engine
    from ledger.write.receipts import ReceiptCode

    commitment = ReceiptCode.parse(" ".join(code)).commitment
    settings = load_settings()
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise AidLedgerConfigError(
            f"there is no mirror at {url}: run `aidledger index` first, or set "
            "AIDLEDGER_DATABASE_URL to the mirror"
        )
    engine = make_engine(url, settings.data_dir)
    check_reachable(engine)
    try:
        with Session(engine) as session:
            found = trace_gift(session, commitment)
    except DBAPIError:
        raise AidLedgerConfigError(
            f"the database at {engine.url.render_as_string()} is not a mirror (yet): run "
            "`aidledger index` first"
        ) from None
    if as_json:
        typer.echo(json.dumps(asdict(found)))
    else:
        for line in trace_lines(found):
            typer.echo(line)


def trace_lines(found: Trace) -> list[str]:
    """The trace as lines of text, the gift first, then each step in ledger order."""
    from datetime import UTC, datetime

    from ledger.queries.sentences import Code, english, english_value
    from ledger.write.money import format_amount

    def when(at: Any) -> str:
        stamp = datetime.fromtimestamp(at.timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"[{stamp}, block {at.block_number:,}, tx {at.tx_hash}]"

    gift = found.gift
    currency = gift.currency or ""
    money = (lambda n: format_amount(n, currency)) if currency else str
    what = money(gift.amount) if currency else f"{gift.amount:,} units as lot {gift.lot}"
    name = f" from {gift.public_name}" if gift.public_name else ""
    lines = [f"gift {gift.gift_id[:10]}…{name}: {what} {when(gift.at)}"]
    if currency:
        lines.append(f"  not yet allocated: {money(gift.unallocated)}")
    for a in found.allocations:
        need = f" for need {a.need}" if a.need else ""
        lines.append(
            f"  allocation {a.label}{need}: {money(a.share)} of {money(a.amount)} from this gift,"
            f" {money(a.unspent)} of it unspent {when(a.at)}"
        )
    for p in found.purchases:
        lines.append(
            f"  purchase {p.label}: paid {money(p.share)} of {money(p.amount)} -> lot {p.lot} "
            f"{when(p.at)}"
        )
    for lot in found.lots:
        origin = english_value(Code("lot_origin", lot.origin))
        lines.append(
            f"  lot {lot.label} ({origin}) at {lot.site}: {lot.units:,} of {lot.created:,} "
            f"{lot.unit} of {lot.item} from this gift, {lot.remaining:,} still there {when(lot.at)}"
        )
    for f in found.flows:
        lines.append(
            f"  {f.kind} {f.label}: {f.units:,} units of lot {f.lot} from this gift, "
            f"{english(f.detail)} {when(f.at)}"
        )
    lines.append(f"(the mirror is at block {found.mirror_block:,})")
    return lines
