"""Deploy the three contracts and read/write `deployments/<chain-id>.json`."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.errors import AidLedgerConfigError

if TYPE_CHECKING:  # web3 and eth-account cost a second to import; readers of the file need neither
    from eth_account.signers.local import LocalAccount

    from ledger.chain.client import ChainClient


@dataclass(frozen=True)
class Deployment:
    """Where an AidLedger system lives on one chain, and what built it."""

    chain_id: int
    registry: str
    fund_ledger: str
    supply_ledger: str
    deployment_block: int
    compiler: str
    artifact_hashes: dict[str, str]

    def save(self, directory: Path) -> Path:
        """Write `<directory>/<chain-id>.json` and return its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.chain_id}.json"
        path.write_text(json.dumps(asdict(self), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path, chain_id: int) -> Deployment:
        """Read the deployment of `chain_id`; a missing file says to deploy first."""
        path = directory / f"{chain_id}.json"
        try:
            return cls(**json.loads(path.read_text()))
        except FileNotFoundError:
            raise AidLedgerConfigError(
                f"no deployment for chain {chain_id} at {path}; run `aidledger deploy` first"
            ) from None


def _deploy_one(
    client: ChainClient, deployer: LocalAccount, name: str, *args: object
) -> tuple[str, int]:
    artifact = load_artifact(name)
    factory = client.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    receipt = client.send(deployer, factory.constructor(*args))
    return str(receipt["contractAddress"]), int(receipt["blockNumber"])


def deploy_system(client: ChainClient, deployer: LocalAccount) -> Deployment:
    """Deploy registry and ledgers, bind them, and return the deployment record.

    The deployer becomes the first administrator; it can hand the role on with `grantRole`.
    """
    registry, first_block = _deploy_one(client, deployer, "AidRegistry", deployer.address)
    fund, _ = _deploy_one(client, deployer, "FundLedger", registry)
    supply, _ = _deploy_one(client, deployer, "SupplyLedger", registry)
    contract = client.w3.eth.contract(address=registry, abi=load_artifact("AidRegistry").abi)  # type: ignore[call-overload]
    client.send(deployer, contract.functions.bindLedgers(fund, supply))
    return Deployment(
        chain_id=client.chain_id,
        registry=registry,
        fund_ledger=fund,
        supply_ledger=supply,
        deployment_block=first_block,
        compiler=load_artifact("AidRegistry").compiler,
        artifact_hashes={name: load_artifact(name).sha256 for name in CONTRACT_NAMES},
    )
