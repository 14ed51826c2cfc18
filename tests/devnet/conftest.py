"""Fixtures starting a devnet (tmp data dir, free port) and an anvil for the devnet tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.devnet.nodes import NodeProcess, start_anvil, start_devnet


@pytest.fixture(scope="class")
def devnet_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    """A devnet on a free port and a fresh data dir, for one test class."""
    data_dir: Path = tmp_path_factory.mktemp("devnet") / "chain"
    node = start_devnet(data_dir)
    yield node
    node.stop()


@pytest.fixture(scope="class")
def anvil_node() -> Iterator[NodeProcess]:
    """An anvil on a free port, for one test class."""
    node = start_anvil()
    yield node
    node.stop()
