"""Identity and status methods: web3_*, net_*, eth_chainId, eth_blockNumber, ..."""

from __future__ import annotations

from typing import Any

from devnet import formatters as fmt
from devnet.node import Node
from devnet.rpc.types import Handler

CLIENT_VERSION = "aidledger-devnet/0.1.0/py-evm-0.12"


def client_version(node: Node, params: list[Any]) -> Any:
    """web3_clientVersion"""
    return CLIENT_VERSION


def net_version(node: Node, params: list[Any]) -> Any:
    """net_version: the chain id in decimal."""
    return str(node.config.chain_id)


def net_listening(node: Node, params: list[Any]) -> Any:
    """net_listening"""
    return True


def chain_id(node: Node, params: list[Any]) -> Any:
    """eth_chainId"""
    return fmt.qty(node.config.chain_id)


def block_number(node: Node, params: list[Any]) -> Any:
    """eth_blockNumber"""
    return fmt.qty(node.chain.head.block_number)


def syncing(node: Node, params: list[Any]) -> Any:
    """eth_syncing: a devnet is never syncing."""
    return False


def accounts(node: Node, params: list[Any]) -> Any:
    """eth_accounts: the dev accounts."""
    return [a.checksum for a in node.accounts]


METHODS: dict[str, Handler] = {
    "web3_clientVersion": client_version,
    "net_version": net_version,
    "net_listening": net_listening,
    "eth_chainId": chain_id,
    "eth_blockNumber": block_number,
    "eth_syncing": syncing,
    "eth_accounts": accounts,
}
