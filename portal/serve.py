"""The app as uvicorn's worker processes build it: settings from the environment.

`aidledger portal` checks its options, puts them in the environment and starts uvicorn with
`app_from_environment` as a factory, so every worker process builds the same app.
"""

from __future__ import annotations

import os

from fastapi import FastAPI

from ledger.config import load_settings
from ledger.store.db import check_database_url
from portal.app import create_app
from portal.settings import Settings

TIMEZONE = "AIDLEDGER_PORTAL_TIMEZONE"
NO_CHAIN = "AIDLEDGER_PORTAL_NO_CHAIN"


def settings_from_environment() -> Settings:
    """The portal's settings: AIDLEDGER_* variables (or aidledger.toml, or the defaults)."""
    base = load_settings()
    url = check_database_url(base.database_url, base.data_dir)
    rpc = None if os.environ.get(NO_CHAIN) else base.rpc_url
    return Settings(
        url, rpc_url=rpc, timezone=os.environ.get(TIMEZONE, "UTC"), data_dir=base.data_dir
    )


def app_from_environment() -> FastAPI:
    """The app for one worker process."""
    settings = settings_from_environment()
    return create_app(settings.database_url, settings)
