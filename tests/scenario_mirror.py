"""The scenario the portal and report tests read: docs/attribution.md's worked example with HTML
payloads in its names, written through the write service on a devnet and indexed into SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.chain_backends import devnet_web3
from tests.contracts.world import World, build_world
from tests.ledger.queries.conftest import index
from tests.portal.scenario import Scenario, write


@dataclass(frozen=True)
class Indexed:
    """The scenario on a running devnet and its indexed SQLite mirror."""

    world: World
    scenario: Scenario
    database_url: str
    rpc_url: str


@contextmanager
def indexed_scenario(directory: Path) -> Iterator[Indexed]:
    """Deploy, write the scenario through the write service, index it into `directory`."""
    with devnet_web3() as w3:
        world = build_world(w3, "devnet")
        scenario = write(world)
        index(world, directory).dispose()
        endpoint = str(w3.provider.endpoint_uri)  # type: ignore[attr-defined]
        yield Indexed(world, scenario, f"sqlite:///{directory / 'mirror.sqlite3'}", endpoint)
