"""`aidledger index` and `aidledger db upgrade`: keep the SQL mirror in step with the chain."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.config import load_settings
from ledger.errors import AidLedgerConnectionError

if TYPE_CHECKING:  # the machinery is imported when a command runs, so `aidledger` starts fast
    from sqlalchemy import Engine

    from ledger.chain.deployment import Deployment
    from ledger.chain.rpc import Rpc

db_app = typer.Typer(help="The SQL mirror's schema.", no_args_is_help=True)

RpcOpt = Annotated[str | None, typer.Option("--rpc", help="Node URL (default: AIDLEDGER_RPC_URL).")]
DbOpt = Annotated[
    str | None, typer.Option("--database-url", help="Mirror URL (default: AIDLEDGER_DATABASE_URL).")
]
DeploymentsOpt = Annotated[
    Path | None, typer.Option("--deployments-dir", help="Where <chain-id>.json lives.")
]


@db_app.command("upgrade")
def db_upgrade(database_url: DbOpt = None) -> None:
    """Create or migrate the mirror's tables to the newest schema."""
    from sqlalchemy.engine import make_url

    from ledger.store.db import upgrade

    settings = load_settings()
    url = database_url or settings.database_url
    upgrade(url, data_dir=settings.data_dir)
    typer.echo(f"schema up to date at {make_url(url).render_as_string(hide_password=True)}")


def _open(
    rpc: str | None, database_url: str | None, deployments_dir: Path | None
) -> tuple[Rpc, Deployment, Engine]:
    """The node, its deployment (checked live) and the migrated mirror, from options or settings.

    Both URLs are checked before anything is reached, so a typo is named at once.
    """
    from ledger.chain.deployment import load_live
    from ledger.chain.rpc import Rpc, RpcError
    from ledger.store.db import check_database_url, make_engine, upgrade

    settings = load_settings()
    url = database_url or settings.database_url
    check_database_url(url, settings.data_dir)
    client = Rpc(rpc or settings.rpc_url)
    patient, client.retries = client.retries, 2  # a node that is not there: said in seconds
    try:
        deployment = load_live(deployments_dir or settings.deployments_dir, client)
    except RpcError as exc:
        if exc.code is not None:  # the node answered, with an error
            raise AidLedgerConnectionError(f"the node at {client.url} refused: {exc}") from None
        raise AidLedgerConnectionError(
            f"no Ethereum node answered at {client.url}; start one with "
            "`aidledger devnet start` or set AIDLEDGER_RPC_URL"
        ) from None
    client.retries = patient
    upgrade(url, data_dir=settings.data_dir)
    return client, deployment, make_engine(url, settings.data_dir)


def index(
    rpc: RpcOpt = None,
    database_url: DbOpt = None,
    deployments_dir: DeploymentsOpt = None,
    follow: Annotated[
        bool, typer.Option(help="Keep following the head after catching up.")
    ] = False,
    confirmations: Annotated[int, typer.Option(min=0, help="Blocks to stay behind the head.")] = 0,
    finality: Annotated[int, typer.Option(min=1, help="Reorg depth the mirror can undo.")] = 64,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    parallel: Annotated[
        bool | None,
        typer.Option(
            "--parallel/--no-parallel",
            help="Fetch and decode in a worker process (default: when far behind the head).",
        ),
    ] = None,
    max_span: Annotated[
        int, typer.Option(min=1, hidden=True, help="Most blocks per log query (for tests).")
    ] = 200_000,
) -> None:
    """Mirror every AidLedger event into SQL: catch up and exit, or --follow the head."""
    from ledger.cli.progress import IndexProgress, count
    from ledger.indexer.sync import SyncOptions, sync

    client, deployment, engine = _open(rpc, database_url, deployments_dir)
    progress = None if as_json else IndexProgress(follow=follow)
    options = SyncOptions(
        confirmations=confirmations,
        finality=finality,
        follow=follow,
        max_span=max_span,
        parallel=parallel,
    )
    if progress is not None:
        options.stop = progress.poll
    try:
        report = sync(engine, client, deployment, options, on_batch=progress)
    finally:
        if progress is not None:
            progress.close()
    if as_json:
        summary = asdict(report)
        summary.pop("progress")
        typer.echo(json.dumps(summary))
    else:
        rate = report.events / report.seconds if report.seconds else 0.0
        typer.echo(
            f"indexed {count(report.events)} events in {count(report.batches)} batches up to "
            f"block {count(report.last_block)} (seq {count(report.seq)}) in "
            f"{report.seconds:.1f} s, {count(rate)} events/s"
        )


def verify(
    rpc: RpcOpt = None,
    database_url: DbOpt = None,
    deployments_dir: DeploymentsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
) -> None:
    """Rebuild the mirror from the chain, compare every table and balance; exit 1 if any differ."""
    from ledger.indexer.verify import record
    from ledger.indexer.verify import verify as run_verify

    client, deployment, mirror = _open(rpc, database_url, deployments_dir)
    differences = run_verify(mirror, client, deployment)
    record(mirror, differences)
    if as_json:
        typer.echo(json.dumps([asdict(d) for d in differences], default=str))
    else:
        for difference in differences:
            typer.echo(str(difference))
        verdict = (
            "the mirror equals the chain" if not differences else f"{len(differences)} differences"
        )
        typer.echo(verdict)
    if differences:
        raise typer.Exit(1)
