"""Entry point of the `aidledger` command: one Typer app with a subcommand per concern."""

from __future__ import annotations

import typer

from ledger import __version__
from ledger.cli.devnet import devnet_app

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


@app.command()
def version() -> None:
    """Print the AidLedger version."""
    typer.echo(__version__)


def main() -> None:
    """Run the CLI (used by `python -m ledger`)."""
    app()
