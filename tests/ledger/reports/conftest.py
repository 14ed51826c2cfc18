"""One indexed scenario for the report tests (read-only), on a devnet that stays up for
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
from tests.chain_backends import devnet_web3
from tests.contracts.world import World, build_world
from tests.ledger.queries.conftest import index
from tests.portal.scenario import Scenario, write

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
def reported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reported]:
    """Deploy, write the portal's scenario through the write service, index it (once)."""
    directory = tmp_path_factory.mktemp("report-mirror")
    with devnet_web3() as w3:
        world = build_world(w3, "devnet")
        scenario = write(world)
        index(world, directory).dispose()
        url = f"sqlite:///{directory / 'mirror.sqlite3'}"
        engine = make_engine(url)
        endpoint = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        yield Reported(world, scenario, engine, url, endpoint)
        engine.dispose()
