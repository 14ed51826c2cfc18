"""`aidledger status`: the chain, the deployment, the mirror and how far behind it is."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Annotated, Any

import typer

from ledger.cli.context import JsonOpt, RpcOpt
from ledger.config import check_rpc_url, load_settings


def status(
    rpc: RpcOpt = None,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Mirror URL (default: AIDLEDGER_DATABASE_URL)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Show the chain head, the deployment, the mirror's position, its lag and the last verify.

    Exit 1 when the mirror is missing, belongs to another chain or the last verify found
    differences.
    """
    from sqlmodel import Session

    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import Deployment
    from ledger.queries.status import mirror_status
    from ledger.store.db import make_engine, upgrade

    settings = load_settings()
    client = ChainClient.connect(check_rpc_url(rpc or settings.rpc_url))
    head = int(client.w3.eth.block_number)
    deployment = Deployment.load(settings.deployments_dir, client.chain_id)
    url = database_url or settings.database_url
    upgrade(url, data_dir=settings.data_dir)
    with Session(make_engine(url, settings.data_dir)) as session:
        mirror = mirror_status(session)
    problems = []
    if mirror.last_block is None:
        problems.append("the mirror is empty: run `aidledger index`")
    elif mirror.chain_id != client.chain_id:
        problems.append(f"the mirror is of chain {mirror.chain_id}, the node of {client.chain_id}")
    if mirror.last_verify is not None and mirror.last_verify.differences:
        problems.append("the last verify found differences: run `aidledger verify`")
    lag = None if mirror.last_block is None else head - mirror.last_block
    report: dict[str, Any] = {
        "chain_id": client.chain_id,
        "head_block": head,
        "deployment": asdict(deployment),
        "mirror": asdict(mirror),
        "lag_blocks": lag,
        "problems": problems,
    }
    if as_json:
        typer.echo(json.dumps(report))
    else:
        _print(report, mirror.last_block, mirror.seq)
    if problems:
        raise typer.Exit(1)


def _print(report: dict[str, Any], last_block: int | None, seq: int | None) -> None:
    deployment = report["deployment"]
    typer.echo(f"chain     {report['chain_id']}, head block {report['head_block']:,}")
    typer.echo(
        f"deployed  at block {deployment['deployment_block']:,}: registry {deployment['registry']}"
    )
    if last_block is None:
        typer.echo("mirror    empty")
    else:
        typer.echo(f"mirror    block {last_block:,}, seq {seq:,}, {report['lag_blocks']:,} behind")
    verify = report["mirror"]["last_verify"]
    if verify is not None:
        typer.echo(
            f"verify    block {verify['checked_block']:,}: {verify['differences']} differences"
        )
    for problem in report["problems"]:
        typer.secho(f"warning: {problem}", err=True, fg="yellow")
