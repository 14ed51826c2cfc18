"""Entry point of the `aidledger` command: one Typer app with a subcommand per concern."""

from __future__ import annotations

import typer

from devnet.cli import devnet_app
from ledger import __version__
from ledger.cli.deploy import deploy
from ledger.cli.index import db_app, index, verify
from ledger.errors import AidLedgerError

app = typer.Typer(
    name="aidledger",
    help="AidLedger: a public, verifiable ledger for relief donations and supplies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root() -> None:
    """AidLedger: a public, verifiable ledger for relief donations and supplies."""


app.add_typer(devnet_app, name="devnet")
app.command()(deploy)
app.command()(index)
app.command()(verify)
app.add_typer(db_app, name="db")


@app.command()
def version() -> None:
    """Print the AidLedger version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI; an AidLedgerError prints its message (what went wrong, what to do), exit 1.

    Typer's standalone mode handles usage errors, `--help` and `typer.Exit(n)` itself (with the
    click it bundles); only our own errors come out of it.
    """
    try:
        app()
    except AidLedgerError as exc:
        typer.secho(f"error: {exc}", err=True, fg="red")
        raise SystemExit(1) from None
