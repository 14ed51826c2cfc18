"""Devnet vs anvil, side by side in one run: `python -m bench.devnet` (results by hand into
docs/benchmarks.md). Each workload alternates devnet and anvil `--rounds` times and reports
the best run of each, so load from other work on the machine biases neither side.

(a) web3.py sends Counter.increment one by one and waits for each receipt (instamine);
(b) pre-signed raw transactions in JSON-RPC batches of 100, interval mining (1 s blocks);
(c) eth_getLogs through web3.py over a range holding 10,000 Counter events.
`--stores` also times the three candidate stores of devnet/db.py on block-sized commits.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from eth_account import Account
from web3 import Web3

from devnet.accounts import derive_accounts
from devnet.config import DEFAULT_MNEMONIC
from devnet.db import open_store
from tests.devnet.nodes import (
    NodeProcess,
    counter_artifact,
    post,
    rpc,
    running,
    start_anvil,
    start_devnet,
)

W3 = Any
SENDERS = 10  # (b) spreads load over the ten dev accounts


def _w3(node: NodeProcess) -> W3:
    return Web3(Web3.HTTPProvider(node.url, request_kwargs={"timeout": 120}))


def _deploy(w3: W3) -> Any:
    artifact = counter_artifact()
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx = factory.constructor().transact({"from": w3.eth.accounts[0]})
    address = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
    return w3.eth.contract(address=address, abi=artifact["abi"])


def one_by_one(node: NodeProcess, count: int) -> float:
    """(a) transactions per second, web3.py transact + wait_for_transaction_receipt."""
    w3 = _w3(node)
    counter = _deploy(w3)
    sender = w3.eth.accounts[0]
    start = time.perf_counter()
    for _ in range(count):
        tx = counter.functions.increment(1).transact({"from": sender})
        w3.eth.wait_for_transaction_receipt(tx)
    return count / (time.perf_counter() - start)


def batched(node: NodeProcess, count: int) -> float:
    """(b) transactions per second from first batch sent to last receipt."""
    w3 = _w3(node)
    counter = _deploy(w3)
    data = counter.encode_abi("increment", [1])
    keys = [a.key.to_bytes() for a in derive_accounts(DEFAULT_MNEMONIC, SENDERS)]
    nonces = [w3.eth.get_transaction_count(Account.from_key(k).address) for k in keys]
    raws = []
    for i in range(count):
        sender = i % SENDERS
        tx = {
            "to": counter.address,
            "data": data,
            "gas": 60_000,
            "chainId": 1337,
            "value": 0,
            "nonce": nonces[sender] + i // SENDERS,
            "maxFeePerGas": 10**11,
            "maxPriorityFeePerGas": 10**9,
        }
        raws.append("0x" + bytes(Account.sign_transaction(tx, keys[sender]).raw_transaction).hex())
    start = time.perf_counter()
    hashes: list[str] = []
    for first in range(0, count, 100):
        batch = [
            {"jsonrpc": "2.0", "id": first + j, "method": "eth_sendRawTransaction", "params": [raw]}
            for j, raw in enumerate(raws[first : first + 100])
        ]
        _, answers = post(node.url, json.dumps(batch).encode(), timeout=120)
        hashes.extend(a["result"] for a in answers)
    while rpc(node.url, "eth_getTransactionReceipt", [hashes[-1]])["result"] is None:
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    assert all(rpc(node.url, "eth_getTransactionReceipt", [h])["result"] for h in hashes[::97])
    return count / elapsed


def logs(node: NodeProcess, events: int, rounds: int = 3) -> float:
    """(c) logs per second returned by web3.py get_logs over a range of `events` events."""
    w3 = _w3(node)
    counter = _deploy(w3)
    first = w3.eth.block_number + 1
    for _ in range(events // 500):
        tx = counter.functions.burst(500).transact({"from": w3.eth.accounts[0], "gas": 5_000_000})
        w3.eth.wait_for_transaction_receipt(tx)
    query = {"fromBlock": first, "toBlock": "latest", "address": counter.address}
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        found = w3.eth.get_logs(query)
        best = max(best, len(found) / (time.perf_counter() - start))
        assert len(found) == events
    return best


def stores(blocks: int = 300) -> dict[str, float]:
    """Durable block-sized commits (60 keys of 32 + 110 bytes) per second, per store."""
    out = {}
    for kind in ("lmdb", "leveldb", "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            store = open_store(Path(tmp) / kind, kind)
            start = time.perf_counter()
            for b in range(blocks):
                store.commit({os.urandom(32): os.urandom(110) for _ in range(60)})
                store.get(b.to_bytes(32, "big"))
            out[kind] = blocks / (time.perf_counter() - start)
            store.close()
    return out


def _side_by_side(
    name: str,
    measure: Callable[[NodeProcess], float],
    devnet_args: tuple[str, ...] = (),
    anvil_args: tuple[str, ...] = (),
    rounds: int = 1,
) -> tuple[float, float]:
    """Best of `rounds` alternating runs on each node (other load on the cores only slows)."""
    ours: list[float] = []
    theirs: list[float] = []
    for _ in range(rounds):
        with (
            tempfile.TemporaryDirectory() as tmp,
            running(start_devnet(Path(tmp) / "chain", *devnet_args)) as node,
        ):
            ours.append(measure(node))
        with running(start_anvil(*anvil_args)) as node:
            theirs.append(measure(node))
    best, reference = max(ours), max(theirs)
    runs = ", ".join(f"{a:,.0f}/{b:,.0f}" for a, b in zip(ours, theirs, strict=True))
    print(
        f"{name}: devnet {best:,.0f}/s, anvil {reference:,.0f}/s, ratio {best / reference:.2f}x"
        f" (best of {rounds}; runs devnet/anvil: {runs})",
        flush=True,
    )
    return best, reference


def main() -> None:
    """Run the three workloads on both nodes and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--txs", type=int, default=300, help="(a) transactions")
    parser.add_argument("--batch-txs", type=int, default=5000, help="(b) transactions")
    parser.add_argument("--events", type=int, default=10_000, help="(c) events")
    parser.add_argument("--stores", action="store_true", help="also time the stores")
    parser.add_argument("--only", default="abc", help="workloads to run, e.g. ab")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per workload")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
    if args.stores:
        for kind, rate in stores().items():
            print(f"store {kind}: {rate:,.0f} durable block commits/s")
    if "a" in args.only:
        _side_by_side(
            "(a) web3.py one-by-one tx", lambda n: one_by_one(n, args.txs), rounds=args.rounds
        )
    if "b" in args.only:
        _side_by_side(
            "(b) batched raw tx, 1 s blocks",
            lambda n: batched(n, args.batch_txs),
            ("--block-time", "1"),
            ("--block-time", "1"),
            rounds=args.rounds,
        )
    if "c" in args.only:
        _side_by_side(
            "(c) eth_getLogs logs",
            lambda n: logs(n, args.events),
            ("--max-logs", str(args.events)),
            rounds=args.rounds,
        )


if __name__ == "__main__":
    main()
