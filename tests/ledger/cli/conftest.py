"""A devnet with the system deployed by `aidledger deploy`, shared by a test module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.devnet.nodes import NodeProcess, running, start_devnet
from tests.ledger.cli.cli import run_cli


@dataclass(frozen=True)
class DeployedChain:
    """A running devnet and the directory holding its deployments/1337.json."""

    node: NodeProcess
    deployments: Path

    @property
    def url(self) -> str:
        """The node's HTTP URL."""
        return self.node.url


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeployedChain]:
    """A devnet with AidRegistry, FundLedger and SupplyLedger deployed through the CLI."""
    root = tmp_path_factory.mktemp("deployed")
    with running(start_devnet(root / "chain")) as node:
        deployments = root / "deployments"
        result = run_cli(
            "deploy", "--rpc", node.url, "--deployments-dir", str(deployments), cwd=root
        )
        assert result.returncode == 0, result.stderr
        yield DeployedChain(node, deployments)
