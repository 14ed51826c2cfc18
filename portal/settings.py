"""What a running portal is configured with (from `aidledger portal` or a test)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """The mirror to read, the optional chain to compare it with, and display choices.

    `rpc_url` lets /verify and the banner show the chain head; without it the portal judges the
    mirror by itself only. `lag_blocks` is how far behind the chain head counts as lagging;
    `trace_per_minute` limits receipt-code lookups per client address (per worker process),
    `reports_per_minute` report downloads per client address (each reads the whole ledger).
    `data_dir` holds the portal's secret and its used sign-in nonces (portal/auth.py); without
    one (tests) they live in memory. Sign-in tries are limited like receipt-code lookups.
    """

    database_url: str
    rpc_url: str | None = None
    lag_blocks: int = 12
    timezone: str = "UTC"
    trace_per_minute: int = 10  # receipt-code lookups per client address and minute
    reports_per_minute: int = 4  # report downloads per client address and minute
    data_dir: Path | None = None  # the portal's secret and sign-in nonces
