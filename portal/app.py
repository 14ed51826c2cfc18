"""The portal's FastAPI application: `create_app(database_url)`.

Server-rendered pages (work without JavaScript) and a JSON API, both reading the SQL mirror
through `ledger.queries` only. Every response carries the security headers; no CORS.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import ledger.store  # noqa: F401  (registers the mirror's tables)
from ledger.store.db import make_engine
from portal import errors
from portal.auth import Auth
from portal.chain_head import ChainHead
from portal.head import HeadAsGet
from portal.ratelimit import RateLimit
from portal.responses import CachedResponses
from portal.routes import (
    about,
    api,
    apidocs,
    attestations,
    auditor,
    flows,
    gifts,
    lang,
    needs,
    overview,
    pledges,
    receipt,
    reports,
    shipments,
    sites,
    trace,
    tx,
    verify,
)
from portal.security import SecurityHeaders
from portal.settings import Settings
from portal.state import PortalState
from portal.templating import Renderer

STATIC = Path(__file__).with_name("static")


def create_app(database_url: str, settings: Settings | None = None) -> FastAPI:
    """The portal over the mirror at `database_url` (settings beyond the URL optional)."""
    settings = settings or Settings(database_url)
    app = FastAPI(
        title="AidLedger public API",
        version="1",
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    # as many SQLite connections as worker threads (anyio's 40), each with a small page cache
    # (2 MiB: 294 MB per worker under load, as fast as 8 MiB at 452 MB; docs/benchmarks.md)
    engine = make_engine(database_url, cache_mib=2, readers=40)
    if engine.dialect.name == "postgresql":  # one snapshot per request, as on SQLite
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    app.state.portal = PortalState(
        settings=settings,
        engine=engine,
        renderer=Renderer.create(),
        chain_head=ChainHead(settings.rpc_url),
        trace_limit=RateLimit(settings.trace_per_minute),
        report_limit=RateLimit(settings.reports_per_minute),
        auth=Auth.load(settings),
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        overview,
        flows,
        trace,
        receipt,
        gifts,
        sites,
        needs,
        shipments,
        pledges,
        reports,
        auditor,
        attestations,
        tx,
        verify,
        about,
        lang,
        api,
        apidocs,
    ):
        app.include_router(module.router)
    app.add_middleware(CachedResponses, state=app.state.portal)  # inside HeadAsGet: GET only
    app.add_middleware(HeadAsGet)
    app.add_middleware(SecurityHeaders)
    return app
