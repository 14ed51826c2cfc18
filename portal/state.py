"""What the app holds for its lifetime: settings, the mirror's engine, templates, chain head,
and results kept per mirror head."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from portal.auth import Auth
from portal.cache import HeadCache
from portal.chain_head import ChainHead
from portal.ratelimit import RateLimit
from portal.settings import Settings
from portal.templating import Renderer


@dataclass(frozen=True)
class PortalState:
    """Shared by every request of one app (read-only after start)."""

    settings: Settings
    engine: Engine
    renderer: Renderer
    chain_head: ChainHead
    trace_limit: RateLimit
    report_limit: RateLimit
    auth: Auth  # the forms' secret, sign-in nonces and limit
    cache: HeadCache = field(default_factory=HeadCache)  # whole-table sums per mirror head
