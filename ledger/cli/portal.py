"""`aidledger portal`: serve the public portal and its JSON API with uvicorn.

The portal only reads the mirror: it starts on an empty, lagging or not-yet-created mirror and
says so on every page. Everything is checked before the server starts (the database URL, the
time zone, that the port is free), each problem in one line.
"""

from __future__ import annotations

import errno
import os
import socket
from typing import Annotated

import typer

from ledger.cli.context import RpcOpt
from ledger.errors import AidLedgerConfigError


def _check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = (
                "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be used ({exc.strerror})"
            )
            raise AidLedgerConfigError(
                f"port {port} on {host} {why}: choose another with --port"
            ) from None


def portal(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[
        int, typer.Option(help="Worker processes (each serves requests on its own).", min=1)
    ] = 1,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", help="Mirror URL (default: AIDLEDGER_DATABASE_URL)."),
    ] = None,
    rpc: RpcOpt = None,
    no_chain: Annotated[
        bool, typer.Option("--no-chain", help="Do not ask a node for the chain head.")
    ] = False,
    timezone: Annotated[
        str, typer.Option(help="Time zone the pages show times in (IANA name).")
    ] = "UTC",
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Behind a reverse proxy: the proxy's address(es), comma separated, whose "
            "X-Forwarded-For / X-Forwarded-Proto are trusted (rate limits per visitor, secure "
            "cookies). Off by default: never trust those headers from anyone else.",
        ),
    ] = None,
) -> None:
    """Serve the public portal (pages, /api/v1, /api/docs) over the SQL mirror."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    import uvicorn

    from ledger.config import check_rpc_url, load_settings
    from ledger.store.db import check_database_url
    from portal.secret import load_secret
    from portal.serve import NO_CHAIN, TIMEZONE

    settings = load_settings()
    load_secret(settings.data_dir)  # made (0600) or checked now, before any worker starts
    url = check_database_url(database_url or settings.database_url, settings.data_dir)
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise AidLedgerConfigError(
            f"time zone {timezone!r} is unknown: use an IANA name such as Asia/Shanghai or UTC"
        ) from None
    _check_port(host, port)
    os.environ["AIDLEDGER_DATABASE_URL"] = url
    os.environ[TIMEZONE] = timezone
    if no_chain:
        os.environ[NO_CHAIN] = "1"
    else:
        os.environ["AIDLEDGER_RPC_URL"] = check_rpc_url(rpc or settings.rpc_url)
    typer.echo(f"portal on http://{host}:{port} ({workers} worker(s)); Ctrl-C stops it", err=True)
    uvicorn.run(
        "portal.serve:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
    )
