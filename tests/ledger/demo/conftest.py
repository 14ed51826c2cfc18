"""A devnet seeded with the demo at a small size, once for the package's tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from ledger.config import Settings
from ledger.demo import scenario as sc
from ledger.demo.connect import open_seeder
from ledger.demo.seed import seed
from ledger.demo.seeder import Seeder, Tally
from tests.devnet.nodes import NodeProcess, running, start_devnet

SIZE = 0.02
SEED = 2020


@dataclass(frozen=True)
class Seeded:
    """The node, the settings the seed ran with, its seeder and what it wrote."""

    node: NodeProcess
    settings: Settings
    seeder: Seeder
    tally: Tally


def settings_for(root: Path, url: str) -> Settings:
    """Settings with everything under `root`."""
    data = root / "data"
    return Settings(url, f"sqlite:///{data / 'mirror.sqlite3'}", data, root / "deployments")


@pytest.fixture(scope="package")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The demo seeded at size 0.02 on a fresh devnet (deployed by the seed itself)."""
    root = tmp_path_factory.mktemp("demo")
    with running(start_devnet(root / "chain")) as node:
        settings = settings_for(root, node.url)
        seeder = open_seeder(settings, sc.build(SEED, SIZE))
        tally = seed(seeder)
        yield Seeded(node, settings, seeder, tally)
