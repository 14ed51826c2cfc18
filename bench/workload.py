"""Generate N AidLedger events on any JSON-RPC node, fast and deterministically.

    python -m bench.workload --rpc http://127.0.0.1:8545 --events 100000 --out DIR

Deploys the system (ledger.chain.deployment), seeds roles, organisations, sites and items through
the ordinary bindings, then plays the rounds of bench.workload_plan: money gifts in batches, in-kind
lots, pledges, allocations, purchases, needs, multi-line shipments and their receipts, hand-overs,
adjustments and releases. Every transaction is signed here and sent raw in one JSON-RPC batch per
round; on a node that accepts `evm_setAutomine false` (anvil) a round is mined as one block with
`evm_mine`, elsewhere the node mines as it likes. The run stops at exactly N sequenced events,
counting the seeding ones, and writes `<out>/<chain-id>.json`.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import function_abi_to_4byte_selector, get_abi_input_types, keccak

from bench._rpc import Rpc, RpcError
from bench.workload_plan import ITEMS, RECIPIENTS, WAREHOUSES, Op, Plan, item_id, site_id
from ledger.chain.artifacts import load_artifact
from ledger.chain.bindings import COORDINATOR_ROLE, INTAKE_ROLE, AidLedger
from ledger.chain.client import ChainClient
from ledger.chain.deployment import Deployment, deploy_system
from ledger.chain.ids import derive_id, label, region_code
from ledger.chain.types import OrgKind, SiteKind

STAFF = ("admin", "intake", "coordinator", *WAREHOUSES, *RECIPIENTS)
ORGS = {
    "relief": OrgKind.RELIEF_AGENCY,
    "health": OrgKind.HOSPITAL,
    "community": OrgKind.COMMUNITY,
    "supplier": OrgKind.SUPPLIER,
}
STAFF_FUNDS = 10**20  # wei each; a 100,000-event run spends a few ether in all
GWEI = 10**9


@dataclass(frozen=True)
class Workload:
    """What a run made and how long each stage took."""

    deployment: Deployment
    events: int
    blocks: int
    transactions: int
    setup_seconds: float
    plan_seconds: float
    sign_seconds: float
    send_seconds: float

    @property
    def seconds(self) -> float:
        """Wall time of the whole run."""
        return self.setup_seconds + self.plan_seconds + self.sign_seconds + self.send_seconds


def staff_keys(seed: int) -> dict[str, LocalAccount]:
    """One deterministic key per staff member; site operators are named after their site."""
    return {name: Account.from_key(keccak(text=f"aidledger-bench-{seed}-{name}")) for name in STAFF}


def generate(rpc_url: str, n_events: int, deployments_dir: Path, seed: int = 1) -> Deployment:
    """Deploy, seed and emit exactly `n_events` sequenced events; save and return the deployment."""
    return run(rpc_url, n_events, deployments_dir, seed).deployment


def run(
    rpc_url: str, n_events: int, deployments_dir: Path, seed: int = 1, scale: int = 1
) -> Workload:
    """`generate` with the timing of each stage; `scale` multiplies the operations per block."""
    start = time.perf_counter()
    client = ChainClient.connect(rpc_url)
    staff = staff_keys(seed)
    ledger = _deploy_and_seed(client, staff)
    seeded, _ = ledger.ledger_head()
    if n_events < seeded:
        raise ValueError(f"{n_events} events is fewer than the {seeded} that seeding emits")
    setup = time.perf_counter()
    rounds = _plan(Plan(seed, scale), n_events - seeded)
    planned = time.perf_counter()
    raws = _sign(rpc_url, client, staff, ledger.deployment, rounds)
    signed = time.perf_counter()
    rpc = Rpc(rpc_url)
    blocks = _send(rpc, raws, rounds)
    rpc.close()
    sent = time.perf_counter()
    final, _ = ledger.ledger_head()
    if final != n_events:
        raise RuntimeError(f"the chain holds {final} events, the plan promised {n_events}")
    ledger.deployment.save(deployments_dir)
    return Workload(
        ledger.deployment,
        final,
        blocks,
        sum(len(r) for r in rounds),
        setup - start,
        planned - setup,
        signed - planned,
        sent - signed,
    )


# --------------------------------------------------------------------- setup


def _deploy_and_seed(client: ChainClient, staff: dict[str, LocalAccount]) -> AidLedger:
    for account in staff.values():
        client.fund(account.address, STAFF_FUNDS)
    admin = staff["admin"]
    ledger = AidLedger.attach(client, deploy_system(client, admin))
    ledger.grant_role(admin, INTAKE_ROLE, staff["intake"].address)
    ledger.grant_role(admin, COORDINATOR_ROLE, staff["coordinator"].address)
    for key, org_kind in ORGS.items():
        ledger.register_organisation(admin, derive_id("bench-org", key), org_kind, key)
    sites = [(k, r, "relief", SiteKind.WAREHOUSE) for k, r in WAREHOUSES.items()]
    sites += [
        (k, r, "community" if "community" in k else "health", SiteKind.RECIPIENT)
        for k, r in RECIPIENTS.items()
    ]
    for key, region, org, kind in sites:
        org_id = derive_id("bench-org", org)
        ledger.register_site(admin, site_id(key), org_id, kind, region_code(region), key)
        ledger.grant_site_operator(admin, site_id(key), staff[key].address)
    for key, (category, unit) in ITEMS.items():
        ledger.register_item(staff["coordinator"], item_id(key), label(category), unit, key)
    return ledger


def _plan(plan: Plan, n_events: int) -> list[list[Op]]:
    rounds = []
    left = n_events
    while left > 0:
        ops = plan.next_round(left)
        left -= sum(op.events for op in ops)
        rounds.append(ops)
    return rounds


# --------------------------------------------------------------------- signing


@cache
def _encoders(contract: str) -> dict[str, tuple[bytes, list[str]]]:
    """function name -> (selector, input types) for FundLedger or SupplyLedger."""
    return {
        entry["name"]: (bytes(function_abi_to_4byte_selector(entry)), get_abi_input_types(entry))  # type: ignore[arg-type]
        for entry in load_artifact(contract).abi
        if entry["type"] == "function"
    }


def calldata(contract: str, function: str, args: tuple[object, ...]) -> bytes:
    """ABI-encoded call of `function` of "FundLedger" or "SupplyLedger"."""
    selector, types = _encoders(contract)[function]
    return selector + encode(types, list(args))


def _sign(
    rpc_url: str,
    client: ChainClient,
    staff: dict[str, LocalAccount],
    deployment: Deployment,
    rounds: list[list[Op]],
) -> list[list[str]]:
    rpc = Rpc(rpc_url)
    names = list(staff)
    counts = rpc.batch([("eth_getTransactionCount", [staff[n].address, "pending"]) for n in names])
    rpc.close()
    nonces = {n: int(c, 16) for n, c in zip(names, counts, strict=True)}
    base_fee = int(client.w3.eth.get_block("latest").get("baseFeePerGas", GWEI))
    targets = {"fund": deployment.fund_ledger, "supply": deployment.supply_ledger}
    contracts = {"fund": "FundLedger", "supply": "SupplyLedger"}
    raws = []
    for ops in rounds:
        signed = []
        for op in ops:
            tx: dict[str, Any] = {
                "type": 2,
                "chainId": deployment.chain_id,
                "nonce": nonces[op.sender],
                "to": targets[op.contract],
                "data": calldata(contracts[op.contract], op.function, op.args),
                "gas": op.gas,
                "maxFeePerGas": 4 * base_fee + GWEI,
                "maxPriorityFeePerGas": GWEI,
                "value": 0,
            }
            nonces[op.sender] += 1
            raw = staff[op.sender].sign_transaction(tx).raw_transaction
            signed.append("0x" + bytes(raw).hex())
        raws.append(signed)
    return raws


# --------------------------------------------------------------------- sending


def _send(rpc: Rpc, raws: list[list[str]], rounds: list[list[Op]]) -> int:
    """Send round by round; return how many blocks the workload took."""
    first = int(rpc.call("eth_blockNumber"), 16)
    manual = _try_manual_mining(rpc)
    try:
        for signed, ops in zip(raws, rounds, strict=True):
            hashes = rpc.batch([("eth_sendRawTransaction", [raw]) for raw in signed])
            _wait_mined(rpc, hashes, ops, manual)
    finally:
        if manual:
            rpc.call("evm_setAutomine", [True])
    return int(rpc.call("eth_blockNumber"), 16) - first


def _try_manual_mining(rpc: Rpc) -> bool:
    try:
        rpc.call("evm_setAutomine", [False])
    except RpcError:  # a node without the method mines on its own
        return False
    return True


def _wait_mined(rpc: Rpc, hashes: list[str], ops: list[Op], manual: bool) -> None:
    while True:
        if manual:
            rpc.call("evm_mine")
        receipts = rpc.batch([("eth_getTransactionReceipt", [h]) for h in hashes])
        if all(r is not None for r in receipts):
            break
        if not manual:
            time.sleep(0.01)
    for receipt, op in zip(receipts, ops, strict=True):
        if receipt["status"] != "0x1":
            raise RuntimeError(
                f"{op.function} by {op.sender} reverted in block {int(receipt['blockNumber'], 16)}"
                f" (tx {receipt['transactionHash']}); the plan and the contracts disagree"
            )


def main() -> None:
    """CLI: generate the workload and print the timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rpc", default="http://127.0.0.1:8545", help="JSON-RPC URL")
    parser.add_argument("--events", type=int, default=100_000, help="sequenced events in all")
    parser.add_argument("--out", type=Path, required=True, help="deployments directory")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=1, help="operations per block, x ~70 events")
    args = parser.parse_args()
    work = run(args.rpc, args.events, args.out, args.seed, args.scale)
    print(
        f"{work.events:,} events in {work.transactions:,} transactions, {work.blocks:,} blocks: "
        f"{work.seconds:.1f} s ({work.events / work.seconds:,.0f} events/s; setup "
        f"{work.setup_seconds:.1f} s, plan {work.plan_seconds:.1f} s, sign "
        f"{work.sign_seconds:.1f} s, send and mine {work.send_seconds:.1f} s); "
        f"deployment in {args.out}/{work.deployment.chain_id}.json"
    )


if __name__ == "__main__":
    main()
