"""`aidledger report` (period exports), `report verify FILE` and `attest FILE`."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from ledger.cli.context import AsOpt, JsonOpt, RpcOpt, writer
from ledger.errors import AidLedgerConfigError

report_app = typer.Typer(
    help="Auditor reports: export a period, verify a report against the chain.",
    invoke_without_command=True,
    no_args_is_help=False,
)

RatesOpt = Annotated[
    Path | None,
    typer.Option(
        "--rates",
        help="CSV of date,currency,rate (the auditor's rates): adds a converted amount column.",
    ),
]
RatesCurrencyOpt = Annotated[
    str, typer.Option("--rates-currency", help="The currency the rates convert into.")
]


def _engine() -> object:
    from ledger.config import load_settings
    from ledger.store.db import make_engine

    settings = load_settings()
    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        raise AidLedgerConfigError(
            f"no mirror at {url.removeprefix('sqlite:///')}: run `aidledger index` first "
            "(or set AIDLEDGER_DATABASE_URL)"
        )
    return make_engine(url, settings.data_dir)


@report_app.callback()
def report(
    ctx: typer.Context,
    date_from: Annotated[
        str | None, typer.Option("--from", help="First day of the period, YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Last day of the period (inclusive), YYYY-MM-DD.")
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="csv, xlsx, pdf, json, iati, fts or disclosure (docs/reports.md)."
        ),
    ] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="The report file to write.")] = None,
    site: Annotated[
        str | None, typer.Option("--site", help="Only what concerns this site (name or 0x id).")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="Only money in this currency, e.g. CNY.")
    ] = None,
    rates: RatesOpt = None,
    rates_currency: RatesCurrencyOpt = "CNY",
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone of the period's days, e.g. Asia/Shanghai.")
    ] = "UTC",
    as_json: JsonOpt = False,
) -> None:
    """Export the ledger of a period (journal, balances, reconciliation, ...) with a manifest.

    Example: aidledger report --from 2026-01-01 --to 2026-03-31 --format xlsx --out q1.xlsx
    """
    if ctx.invoked_subcommand is not None:
        return
    from sqlalchemy import Engine
    from sqlmodel import Session

    from ledger.cli.report_progress import ReportProgress
    from ledger.queries.names import resolve
    from ledger.reports.build import Period, parse_day
    from ledger.reports.formats import FORMATS
    from ledger.reports.produce import check_format, check_out, produce
    from ledger.reports.rates import load_rates

    if date_from is None or date_to is None or out is None:
        raise AidLedgerConfigError(
            "say which period and where: --from YYYY-MM-DD --to YYYY-MM-DD --out FILE "
            "(see `aidledger report --help`)"
        )
    check_format(fmt)
    period = Period(parse_day(date_from, "--from"), parse_day(date_to, "--to"), tz)
    check_out(out)
    suffix = FORMATS[fmt][1]
    if out.suffix.lower() != suffix:
        typer.echo(f"note: a {fmt} report usually ends in {suffix}", err=True)
    table = load_rates(rates, rates_currency) if rates is not None else None
    engine = _engine()
    assert isinstance(engine, Engine)
    filters: dict[str, str] = {}
    if currency:
        code = currency.strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise AidLedgerConfigError(
                f"--currency {currency!r} is not a currency code; give three letters such as CNY"
            )
        filters["currency"] = code
    if site:
        with Session(engine) as session:
            filters["site"] = "0x" + resolve(session, "site", site).hex()
    with ReportProgress() as progress:
        produced = produce(engine, period, fmt, out, filters, table, progress.update)
    m = produced.manifest
    if as_json:
        typer.echo(json.dumps({"files": [str(f) for f in produced.files], "manifest": m}))
        return
    rows = m["tables"]["journal"]["rows"]
    typer.echo(
        f"wrote {out} ({rows:,} journal rows, seq {m['first_seq']}..{m['last_seq']}, "
        f"blocks {m['first_block']['number']}..{m['last_block']['number']})"
    )
    for f in produced.files[1:]:
        typer.echo(f"  and {f}")
    typer.echo(f"manifest {produced.manifest_path}")
    if not m["complete"]:
        typer.echo(
            "note: the mirror has not reached the end of the period yet; "
            "the report covers what it holds",
            err=True,
        )


@report_app.command("verify")
def report_verify(
    file: Annotated[Path, typer.Argument(help="The report file (its manifest beside it).")],
    rpc: RpcOpt = None,
    rates: RatesOpt = None,
    rates_currency: RatesCurrencyOpt = "CNY",
    as_json: JsonOpt = False,
) -> None:
    """Check a report against the chain: file hashes, blocks, every table, attestations.

    Exits 1 when anything differs. Example: aidledger report verify q1.xlsx --rpc URL
    """
    from ledger.chain.rpc import Rpc
    from ledger.config import check_rpc_url, load_settings
    from ledger.reports.rates import load_rates
    from ledger.reports.verify import verify_report

    url = check_rpc_url(rpc or load_settings().rpc_url)
    table = load_rates(rates, rates_currency) if rates is not None else None
    findings = verify_report(file, Rpc(url, timeout=60), table)
    bad = [f for f in findings if not f.ok]
    if as_json:
        typer.echo(json.dumps([f.__dict__ for f in findings]))
    else:
        for f in findings:
            typer.echo(str(f))
        typer.echo(
            "the report equals the chain" if not bad else f"{len(bad)} check(s) differ",
            file=sys.stdout,
        )
    if bad:
        raise typer.Exit(1)


def attest(
    file: Annotated[Path, typer.Argument(help="The report file (its manifest beside it).")],
    signer: AsOpt = None,
    rpc: RpcOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record a report's manifest hash on chain, with the range it covers (auditor).

    Example: aidledger attest q1.xlsx --as auditor-wang
    """
    from ledger.reports.manifest import load, manifest_hash
    from ledger.write.commands import Attest

    m, data = load(file)
    digest = manifest_hash(data)
    with writer(rpc) as w:
        if w.ledger.client.chain_id != int(m["chain_id"]):
            raise AidLedgerConfigError(
                f"the report is from chain {m['chain_id']}, the node serves chain "
                f"{w.ledger.client.chain_id}: attest it on the chain it reports"
            )
        command = Attest(
            digest,
            bytes.fromhex(digest[2:]),
            int(m["first_block"]["number"]),
            int(m["last_block"]["number"]),
            int(m["last_seq"]),
            bytes.fromhex(str(m["ledger_head"])[2:]),
        )
        w.submit(w.signer(signer), command, as_json)
