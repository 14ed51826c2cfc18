"""Open what the seed writes through: the node, its deployment (deployed first on a fresh dev
chain), the migrated mirror and the write service, from the settings."""

from __future__ import annotations

from eth_account import Account
from eth_account.signers.local import LocalAccount

from ledger.chain.bindings import AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment, check_writable, deploy_system, load_live
from ledger.chain.rpc import Rpc
from ledger.config import DEV_CHAIN_IDS, DEV_MNEMONIC, Settings
from ledger.demo import scenario as sc
from ledger.demo.seeder import Progress, Seeder
from ledger.errors import AidLedgerConfigError
from ledger.store.db import make_engine, upgrade
from ledger.write.service import WriteService


def dev_admin() -> LocalAccount:
    """The dev chain's administrator: account 0 of the public dev mnemonic (the deployer)."""
    Account.enable_unaudited_hdwallet_features()
    account: LocalAccount = Account.from_mnemonic(DEV_MNEMONIC)
    return account


def ensure_deployed(settings: Settings, client: ChainClient, rpc: Rpc) -> Deployment:
    """The live deployment; on a dev chain without one, deploy now and save it."""
    try:
        return load_live(settings.deployments_dir, rpc)
    except AidLedgerConfigError:
        if client.chain_id not in DEV_CHAIN_IDS:
            raise
    check_writable(settings.deployments_dir)
    deployment = deploy_system(client, dev_admin())
    deployment.save(settings.deployments_dir)
    return deployment


def open_seeder(settings: Settings, plan: sc.Scenario, progress: Progress | None = None) -> Seeder:
    """A seeder over the node and mirror the settings name (dev chains only: the demo's
    administrator is the dev mnemonic's first account)."""
    client = ChainClient.connect(settings.rpc_url)
    if client.chain_id not in DEV_CHAIN_IDS:
        raise AidLedgerConfigError(
            f"the demo seeds dev chains only (1337, 31337), and {settings.rpc_url} is chain "
            f"{client.chain_id}: point AIDLEDGER_RPC_URL at a devnet"
        )
    rpc = Rpc(settings.rpc_url)
    deployment = ensure_deployed(settings, client, rpc)
    upgrade(settings.database_url, data_dir=settings.data_dir)
    engine = make_engine(settings.database_url, settings.data_dir)
    service = WriteService(AidLedger.attach(client, deployment))
    seeder = Seeder(plan, service, rpc, deployment, engine, settings.data_dir, dev_admin())
    if progress is not None:
        seeder.progress = progress
    return seeder
