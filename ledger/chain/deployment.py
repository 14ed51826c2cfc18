"""Deploy the three contracts and read/write `deployments/<chain-id>.json`."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.errors import AidLedgerConfigError
from ledger.files import write_atomically

if TYPE_CHECKING:  # web3 and eth-account cost a second to import; readers of the file need neither
    from eth_account.signers.local import LocalAccount

    from ledger.chain.client import ChainClient


class RpcCaller(Protocol):
    """Anything with a JSON-RPC `call` (ledger.chain.rpc.Rpc)."""

    def call(self, method: str, params: Sequence[Any], retry_timeouts: bool = ...) -> Any:
        """One JSON-RPC call."""
        ...


def check_writable(directory: Path) -> None:
    """Create `directory` if needed and prove a file can be written there, or say what to do.

    `deploy` calls this before it sends anything: contracts on chain whose addresses could not be
    saved would be lost.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".write-check-"):
            pass
    except OSError as exc:
        raise AidLedgerConfigError(
            f"cannot write to {directory} ({exc.strerror or exc}); make it writable or choose "
            "another with --deployments-dir or AIDLEDGER_DEPLOYMENTS_DIR"
        ) from None


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
        """Write `<directory>/<chain-id>.json` atomically (temp file, then rename); its path."""
        text = json.dumps(asdict(self), indent=2) + "\n"
        return write_atomically(directory / f"{self.chain_id}.json", text)

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
        except (ValueError, TypeError) as exc:
            raise AidLedgerConfigError(
                f"{path} is not a deployment file ({exc}); run `aidledger deploy` to write it again"
            ) from None

    def contracts(self) -> dict[str, str]:
        """Contract name -> address."""
        return {
            "AidRegistry": self.registry,
            "FundLedger": self.fund_ledger,
            "SupplyLedger": self.supply_ledger,
        }


def load_live(directory: Path, rpc: RpcCaller) -> Deployment:
    """The deployment of the node's chain, checked to have code at each of its addresses.

    A chain started afresh (a new devnet, `make clean`) keeps no contracts, but an old
    `deployments/<chain-id>.json` still names them; indexing it would find nothing and verifying
    it would decode empty answers.
    """
    chain_id = int(rpc.call("eth_chainId", []), 16)
    deployment = Deployment.load(directory, chain_id)
    missing = [
        f"{name} at {address}"
        for name, address in deployment.contracts().items()
        if rpc.call("eth_getCode", [address, "latest"]) in ("0x", "", None)
    ]
    if missing:
        raise AidLedgerConfigError(
            f"{directory / f'{chain_id}.json'} names contracts that chain {chain_id} does not "
            f"have ({', '.join(missing)}): the chain was reset since; run `aidledger deploy` to "
            "deploy again and index into a fresh database"
        )
    return deployment


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
