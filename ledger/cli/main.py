"""Entry point of the `aidledger` command: one Typer app with a subcommand per concern."""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import UTC, datetime
from pathlib import Path

import typer

from devnet.cli import devnet_app
from ledger import __version__
from ledger.cli.auditor import auditor_app
from ledger.cli.demo import demo_app
from ledger.cli.deploy import deploy
from ledger.cli.funds import allocate, purchase, release
from ledger.cli.gifts import gift_app, inkind_app, pledge_app, trace
from ledger.cli.goods import adjust, handover, need_app, ship_app
from ledger.cli.index import db_app, index, verify
from ledger.cli.match import match
from ledger.cli.portal import portal
from ledger.cli.registry import item_app, org_app, site_app
from ledger.cli.report import attest, report_app
from ledger.cli.staff import staff_app
from ledger.cli.status import status
from ledger.errors import AidLedgerError

app = typer.Typer(
    name="aidledger",
    help="AidLedger: a public, verifiable ledger for relief donations and supplies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # click's plain help: wraps at any width, flags shown as --x/--no-x
)


@app.callback()
def _root() -> None:
    """AidLedger: a public, verifiable ledger for relief donations and supplies."""


app.add_typer(devnet_app, name="devnet")
app.command()(deploy)
app.command()(index)
app.command()(verify)
app.add_typer(db_app, name="db")
app.command()(status)
app.add_typer(staff_app, name="staff")
app.add_typer(org_app, name="org")
app.add_typer(site_app, name="site")
app.add_typer(item_app, name="item")
app.command()(allocate)
app.command()(release)
app.command()(purchase)
app.add_typer(need_app, name="need")
app.add_typer(ship_app, name="ship")
app.command()(handover)
app.command()(adjust)
app.command()(match)
app.add_typer(report_app, name="report")
app.command()(attest)
app.add_typer(auditor_app, name="auditor")
app.add_typer(gift_app, name="gift")
app.add_typer(inkind_app, name="inkind")
app.add_typer(pledge_app, name="pledge")
app.command()(trace)
app.command()(portal)
app.add_typer(demo_app, name="demo")


@app.command()
def version() -> None:
    """Print the AidLedger version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI: exit 0 done, 1 the work failed, 2 a usage error, 130 interrupted.

    Typer's standalone mode handles usage errors, `--help` and `typer.Exit(n)` itself (with the
    click it bundles) and turns Ctrl-C into exit 130. An AidLedgerError prints its message (what
    went wrong, what to do); anything else is a bug: one line on stderr, the traceback in a log.
    """
    try:
        app()
    except AidLedgerError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as exc:
        if exc.code == 130:  # Typer's answer to Ctrl-C inside a command
            _interrupted()
        raise
    except Exception as exc:
        log = write_crash_log(exc)
        first = (str(exc).strip().splitlines() or [""])[0]
        typer.secho(
            f"error: unexpected {type(exc).__name__}: {first} — the traceback is in {log}; "
            "please report it",
            err=True,
            fg="red",
        )
        raise SystemExit(1) from None


def _interrupted() -> None:
    typer.secho("interrupted", err=True, fg="yellow")
    raise SystemExit(130) from None


def write_crash_log(exc: BaseException) -> Path:
    """Write `exc`'s traceback under `<data dir>/logs` (a temp dir if that is unwritable)."""
    text = "".join(traceback.format_exception(exc))
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"crash-{stamp}-{os.getpid()}.log"
    header = f"aidledger {__version__}: {' '.join(sys.argv)}\n"
    for directory in (_data_dir() / "logs", Path(tempfile.gettempdir()) / "aidledger-logs"):
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / name
            path.write_text(header + text)
        except OSError:
            continue
        return path.resolve()
    return Path("(no writable directory for the log)")


def _data_dir() -> Path:
    try:
        from ledger.config import load_settings

        return load_settings().data_dir
    except Exception:  # a broken configuration must not hide the original error
        return Path(".aidledger")
