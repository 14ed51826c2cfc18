"""The session's indexed scenario for the report tests (read-only), its devnet up for
`report verify`; helpers to make a report of the whole history."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine

from ledger.chain.rpc import Rpc
from ledger.reports.build import Period
from ledger.reports.produce import Produced, produce
from ledger.store.db import make_engine
from tests.contracts.world import World
from tests.portal.scenario import Scenario
from tests.scenario_mirror import Indexed

EVERYTHING = Period(date(2000, 1, 1), date(2999, 12, 31))


@dataclass(frozen=True)
class Reported:
    """The scenario on a running devnet, its indexed SQLite mirror, and how to reach both."""

    world: World
    scenario: Scenario
    engine: Engine
    database_url: str
    rpc_url: str

    def rpc(self) -> Rpc:
        """A JSON-RPC client of the devnet."""
        return Rpc(self.rpc_url, timeout=30)

    def report(self, fmt: str, out: Path, period: Period = EVERYTHING) -> Produced:
        """Make a report of `period` (everything by default) in `fmt` at `out`."""
        return produce(self.engine, period, fmt, out)


@pytest.fixture(scope="session")
def reported(indexed: Indexed) -> Iterator[Reported]:
    """The session's indexed scenario (tests/conftest.py), with an engine on its mirror."""
    engine = make_engine(indexed.database_url)
    yield Reported(indexed.world, indexed.scenario, engine, indexed.database_url, indexed.rpc_url)
    engine.dispose()
