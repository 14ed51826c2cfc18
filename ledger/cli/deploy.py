"""`aidledger deploy`: deploy the contracts and write deployments/<chain-id>.json."""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ledger.config import DEV_CHAIN_IDS, DEV_MNEMONIC, load_settings
from ledger.errors import AidLedgerConfigError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


def deployer_account(chain_id: int, key_env: str) -> LocalAccount:
    """The key in `key_env`; on a dev chain (1337, 31337) the public dev mnemonic's account 0."""
    from eth_account import Account

    key = os.environ.get(key_env)
    if key:
        try:
            account: LocalAccount = Account.from_key(key.strip())
        except Exception:  # eth-keys raises ValueError, binascii.Error, ValidationError, ...
            raise AidLedgerConfigError(
                f"${key_env} is not a private key: it must be 64 hex digits (32 bytes), "
                "with or without 0x"
            ) from None
        return account
    if chain_id in DEV_CHAIN_IDS:
        Account.enable_unaudited_hdwallet_features()
        dev: LocalAccount = Account.from_mnemonic(DEV_MNEMONIC)
        return dev
    raise AidLedgerConfigError(
        f"chain {chain_id} is not a dev chain: put the deployer's private key in ${key_env}"
    )


def deploy(
    rpc: Annotated[str | None, typer.Option(help="Node URL (default: AIDLEDGER_RPC_URL).")] = None,
    key_env: Annotated[
        str, typer.Option(help="Environment variable holding the deployer's private key.")
    ] = "AIDLEDGER_DEPLOYER_KEY",
    deployments_dir: Annotated[
        Path | None,
        typer.Option(
            "--deployments-dir", help="Where to write <chain-id>.json (default: deployments)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the deployment as JSON.")] = False,
) -> None:
    """Deploy AidRegistry, FundLedger and SupplyLedger; the deployer becomes administrator.

    Everything that could fail is checked before the first transaction: the URL, the node, the
    key and that the deployment file can be written (it is written atomically).
    """
    from ledger.chain.client import ChainClient
    from ledger.chain.deployment import check_writable, deploy_system

    settings = load_settings()
    directory = deployments_dir or settings.deployments_dir
    client = ChainClient.connect(rpc or settings.rpc_url)  # checks the URL (config.check_rpc_url)
    deployer = deployer_account(client.chain_id, key_env)
    check_writable(directory)
    deployment = deploy_system(client, deployer)
    path = deployment.save(directory)
    if as_json:
        typer.echo(json.dumps(asdict(deployment), indent=2))
        return
    typer.echo(f"deployed on chain {deployment.chain_id} at block {deployment.deployment_block}")
    typer.echo(f"  AidRegistry   {deployment.registry}")
    typer.echo(f"  FundLedger    {deployment.fund_ledger}")
    typer.echo(f"  SupplyLedger  {deployment.supply_ledger}")
    typer.echo(f"written to {path}")
