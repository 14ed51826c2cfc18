"""Tampering with the mirror is always found: `diff_mirrors`, `verify()` and `aidledger verify`.

A reference mirror is built once per module (per node); the tampered mirrors are a SQLite file
and a PostgreSQL schema indexed from the same chain. Each seeded case changes, deletes or inserts
one row of a mirrored table, checks that the difference is reported exactly there, then restores
the row and checks the mirror is clean again. 130 cases per database and node: 520 in all.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Engine,
    Integer,
    Table,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert
from sqlmodel import SQLModel

from ledger.chain.events import event_specs
from ledger.chain.ids import label
from ledger.chain.rpc import Rpc
from ledger.indexer.accounting import KEYS, account
from ledger.indexer.accounting_rules import RULES
from ledger.indexer.sync import sync
from ledger.indexer.verify import Difference, NotIndexedError, diff_mirrors, verify
from ledger.store import models  # noqa: F401  (fills SQLModel.metadata)
from ledger.store.db import make_engine, upgrade
from tests.contracts.helpers import events, fresh, gift_input, in_kind_input
from tests.contracts.world import World
from tests.ledger.conftest import pg_schema
from tests.ledger.indexer.conftest import rpc_url
from tests.ledger.indexer.scenario import populate

T = SQLModel.metadata.tables
# Not mirrored facts: the indexer's own bookkeeping, and rows verify() writes itself.
SKIPPED = {"journal", "alembic_version", "verifications"}
MIRRORED = sorted(set(T) - SKIPPED)
assert len(MIRRORED) >= 20, MIRRORED
CHUNKS, CASES_PER_CHUNK = 10, 13
SEED = int(os.environ.get("AIDLEDGER_TAMPER_SEED", "1337"))


@dataclass
class Mirrors:
    """The chain, its deployment on disk, an untouched reference and a mirror to tamper with."""

    world: World
    deployments: Path
    reference: Engine
    tampered: Engine
    url: str


@pytest.fixture(scope="module")
def indexed_world(
    chain_world: World, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[World, Path, Engine]]:
    """Every event kind (and an attestation) on the module's node, and a reference mirror."""
    populate(chain_world, rounds=2)
    seq, head = chain_world.ledger.ledger_head()
    block = chain_world.ledger.client.w3.eth.block_number
    chain_world.ledger.attest(
        chain_world.auditor, label("audit-1"), label("report"), 0, block, seq, head
    )
    tmp = tmp_path_factory.mktemp("verify")
    deployments = tmp / "deployments"
    chain_world.ledger.deployment.save(deployments)
    reference = indexed(chain_world, f"sqlite:///{tmp / 'reference.sqlite3'}")
    yield chain_world, deployments, reference
    reference.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def mirrors(
    request: pytest.FixtureRequest,
    indexed_world: tuple[World, Path, Engine],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Mirrors]:
    """A second mirror of the same chain, on SQLite or in a PostgreSQL schema of its own."""
    world, deployments, reference = indexed_world
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('tampered') / 'mirror.sqlite3'}"
        yield Mirrors(world, deployments, reference, indexed(world, url), url)
        return
    with pg_schema() as url:
        tampered = indexed(world, url)
        yield Mirrors(world, deployments, reference, tampered, url)
        tampered.dispose()


def indexed(world: World, url: str) -> Engine:
    upgrade(url)
    engine = make_engine(url)
    sync(engine, Rpc(rpc_url(world), timeout=30), world.ledger.deployment)
    return engine


# ----------------------------------------------------------------------------- tampering


@dataclass(frozen=True)
class Tamper:
    """One change made to the mirror, and how to undo it."""

    table: str
    kind: str  # "change", "delete" or "insert"
    column: str | None
    undo: Callable[[], None]


def _altered(column: Column[Any], value: Any, rng: random.Random) -> Any:
    """A different value of the column's type."""
    if isinstance(column.type, Boolean):
        return not value
    if isinstance(column.type, Integer):  # BigInteger included
        return value + rng.choice([-1, 1]) * rng.randint(1, 999)
    if value is None:
        return "0x" + rng.randbytes(32).hex()
    if value.startswith("0x") and len(value) > 2:
        at = rng.randrange(2, len(value))
        return (
            value[:at]
            + rng.choice([c for c in "0123456789abcdef" if c != value[at]])
            + value[at + 1 :]
        )
    return value + rng.choice(["x", " ", "0", "é"])


def _synthetic(table: Table, rng: random.Random) -> dict[str, Any]:
    """A plausible row for an empty table."""
    row: dict[str, Any] = {}
    for column in table.columns:
        if isinstance(column.type, Boolean):
            row[column.name] = rng.random() < 0.5
        elif isinstance(column.type, Integer):
            row[column.name] = rng.randint(1, 10_000)
        else:
            row[column.name] = "0x" + rng.randbytes(32).hex()
    return row


def _where(table: Table, row: dict[str, Any]) -> Any:
    pk = [c for c in table.primary_key.columns]
    clause = pk[0] == row[pk[0].name]
    for c in pk[1:]:
        clause = clause & (c == row[c.name])
    return clause


def _candidates(engine: Engine, table: Table, keep: set[int]) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(table)).mappings()]
    if table.name == "blocks":  # only blocks the diff compares (see verify._comparable)
        rows = [r for r in rows if r["number"] in keep]
    return rows


def tamper(engine: Engine, rng: random.Random, keep: set[int]) -> Tamper:
    """Change, delete or insert one row of a random mirrored table; retry on a key clash."""
    while True:
        table = T[rng.choice(MIRRORED)]
        rows = _candidates(engine, table, keep)
        kinds = ["change", "delete", "insert"] if rows else ["insert"]
        if table.name == "blocks":
            kinds = [k for k in kinds if k != "insert"]  # extra boundary blocks are allowed
        if not kinds:
            continue
        kind = rng.choice(kinds)
        try:
            return _apply(engine, table, kind, rows, rng)
        except IntegrityError:
            continue  # the altered key or unique value already exists: pick another case


def _apply(
    engine: Engine, table: Table, kind: str, rows: list[dict[str, Any]], rng: random.Random
) -> Tamper:
    if kind == "insert":
        new = dict(rng.choice(rows)) if rows else _synthetic(table, rng)
        for column in table.columns:
            if column.primary_key or column.unique:
                new[column.name] = _altered(column, new[column.name], rng)
        with engine.begin() as conn:
            conn.execute(insert(table).values(**new))
        return Tamper(
            table.name, kind, None, lambda: _run(engine, delete(table).where(_where(table, new)))
        )
    row = rng.choice(rows)
    if kind == "delete":
        with engine.begin() as conn:
            conn.execute(delete(table).where(_where(table, row)))
        return Tamper(table.name, kind, None, lambda: _run(engine, insert(table).values(**row)))
    columns = [
        c for c in table.columns if (table.name, c.name) != ("indexer_state", "unjournaled_through")
    ]
    column = rng.choice(columns)
    changed = {**row, column.name: _altered(column, row[column.name], rng)}
    with engine.begin() as conn:
        conn.execute(
            update(table).where(_where(table, row)).values({column.name: changed[column.name]})
        )
    return Tamper(
        table.name,
        kind,
        column.name,
        lambda: _run(engine, update(table).where(_where(table, changed)).values(**row)),
    )


def _run(engine: Engine, statement: Any) -> None:
    with engine.begin() as conn:
        result = conn.execute(statement)
        assert isinstance(statement, Insert) or result.rowcount == 1


def kept_blocks(reference: Engine) -> set[int]:
    with reference.connect() as conn:
        numbers = set(conn.execute(select(T["raw_events"].c.block_number)).scalars())
        last = conn.execute(select(T["indexer_state"].c.last_block)).scalar_one()
    return numbers | {last}


def assert_reported(differences: list[Difference], case: Tamper) -> None:
    assert differences, f"{case.kind} in {case.table} ({case.column}) went unnoticed"
    assert {d.table for d in differences} == {case.table}, differences
    if case.kind == "delete":
        assert [d.mirror for d in differences] == [None], differences
    elif case.kind == "insert":
        assert [d.chain for d in differences] == [None], differences
    elif case.column is not None and not T[case.table].c[case.column].primary_key:
        assert [d.key.rsplit(".", 1)[1] for d in differences] == [case.column], differences


# ----------------------------------------------------------------------------- tests


def test_untouched_mirrors_are_equal_and_hold_every_kind_of_row(mirrors: Mirrors) -> None:
    assert diff_mirrors(mirrors.tampered, mirrors.reference) == []
    with mirrors.reference.connect() as conn:
        empty = [n for n in MIRRORED if conn.execute(select(T[n])).first() is None]
    assert empty == []


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_every_tampered_row_is_reported_where_it_was_made(mirrors: Mirrors, chunk: int) -> None:
    rng = random.Random(f"{SEED}-{chunk}")
    keep = kept_blocks(mirrors.reference)
    for _ in range(CASES_PER_CHUNK):
        case = tamper(mirrors.tampered, rng, keep)
        try:
            assert_reported(diff_mirrors(mirrors.tampered, mirrors.reference), case)
        finally:
            case.undo()
        assert diff_mirrors(mirrors.tampered, mirrors.reference) == [], "restored"


def test_cases_cover_every_mirrored_table_and_kind(mirrors: Mirrors) -> None:
    seen: set[tuple[str, str]] = set()
    keep = kept_blocks(mirrors.reference)
    for chunk in range(CHUNKS):
        rng = random.Random(f"{SEED}-{chunk}")
        for _ in range(CASES_PER_CHUNK):
            case = tamper(mirrors.tampered, rng, keep)
            case.undo()
            seen.add((case.table, case.kind))
    assert {t for t, _ in seen} == set(MIRRORED)
    assert {k for _, k in seen} == {"change", "delete", "insert"}


@pytest.mark.parametrize("case_seed", range(3))
def test_full_verify_reports_tampering_and_passes_when_restored(
    mirrors: Mirrors, case_seed: int
) -> None:
    rng = random.Random(f"{SEED}-verify-{case_seed}")
    case = tamper(mirrors.tampered, rng, kept_blocks(mirrors.reference))
    rpc = Rpc(rpc_url(mirrors.world), timeout=30)
    try:
        differences = verify(mirrors.tampered, rpc, mirrors.world.ledger.deployment)
        assert any(d.table == case.table for d in differences), (case, differences)
    finally:
        case.undo()
    assert verify(mirrors.tampered, rpc, mirrors.world.ledger.deployment) == []


def aidledger_verify(mirrors: Mirrors) -> subprocess.CompletedProcess[str]:
    return run_verify(mirrors.world, mirrors.url, mirrors.deployments)


def run_verify(world: World, url: str, deployments: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "ledger", "verify", "--rpc", rpc_url(world)]
    command += ["--database-url", url, "--deployments-dir", str(deployments)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_cli_exits_1_and_prints_the_difference_then_0_when_clean(mirrors: Mirrors) -> None:
    rng = random.Random(f"{SEED}-cli")
    case = tamper(mirrors.tampered, rng, kept_blocks(mirrors.reference))
    try:
        tampered = aidledger_verify(mirrors)
    finally:
        case.undo()
    assert tampered.returncode == 1, tampered.stderr
    lines = tampered.stdout.splitlines()
    assert any(line.startswith(f"{case.table} ") for line in lines), (case, tampered.stdout)
    assert lines[-1].endswith("differences")
    clean = aidledger_verify(mirrors)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert clean.stdout.splitlines()[-1] == "the mirror equals the chain"


# ----------------------------------------------------------------------------- accounting


def test_accounting_finds_every_event_and_total_in_a_faithful_mirror(mirrors: Mirrors) -> None:
    rpc = Rpc(rpc_url(mirrors.world), timeout=30)
    with mirrors.tampered.connect() as conn:
        last = conn.execute(select(T["indexer_state"].c.last_block)).scalar_one()
    assert account(mirrors.tampered, rpc, mirrors.world.ledger.deployment, last) == []


def test_accounting_names_a_money_gift_that_an_in_kind_gift_of_its_id_replaced(
    world: World, tmp_path: Path
) -> None:
    """The old indexer keyed gifts by id alone: an in-kind gift reusing a money gift's id
    (another namespace on chain) silently replaced the money gift's row, and a rebuild with the
    same code agreed. Here the mirror is left as that bug left it."""
    gift_id = fresh("gift")
    money = world.ledger.record_gift(world.intake, gift_input(100_000, gift_id=gift_id))
    goods = in_kind_input(world, 50)
    world.ledger.record_in_kind_gift(world.intake, replace(goods, gift_id=gift_id))
    deployments = tmp_path / "deployments"
    world.ledger.deployment.save(deployments)
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    engine = indexed(world, url)
    gifts = T["gifts"]
    with engine.begin() as conn:
        conn.execute(
            delete(gifts).where(gifts.c.gift_id == "0x" + gift_id.hex(), gifts.c.kind == "money")
        )
    seq = next(e.seq for e in events(world, money) if e.name == "GiftRecorded")
    tx = "0x" + bytes(money["transactionHash"]).hex()
    named = f"FundLedger:GiftRecorded seq {seq} (block {money['blockNumber']}, tx {tx}"
    result = run_verify(world, url, deployments)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(
        line.startswith(named) and f"gifts (money, 0x{gift_id.hex()})" in line for line in lines
    ), lines
    assert "total GiftRecorded amount CNY: mirror=0 chain=100000" in lines, lines
    assert "Traceback" not in result.stderr


def test_verify_of_a_mirror_never_indexed_says_index_first(world: World, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'mirror.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    with pytest.raises(NotIndexedError, match="index` first"):
        verify(engine, Rpc(rpc_url(world), timeout=30), world.ledger.deployment)
    deployments = tmp_path / "deployments"
    world.ledger.deployment.save(deployments)
    result = run_verify(world, url, deployments)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"error: the mirror at {url} has never been indexed: run `aidledger index` first, "
        "then verify"
    ]


def test_accounting_has_a_rule_for_every_event_but_those_kept_raw_only() -> None:
    names = {spec.name for spec in event_specs().values()}
    assert set(RULES) == names - {"LedgersBound", "PauseChanged"}


# What the accounting must find on its own: a row of every accounted table gone, and a value
# that an event fixes, or that is a sum of events, changed.
CHANGED = [
    ("gifts", "amount"),
    ("gifts", "unallocated"),
    ("pools", "received"),
    ("pools", "allocated"),
    ("pledges", "paid"),
    ("allocations", "spent"),
    ("allocations", "released"),
    ("purchases", "amount"),
    ("lots", "created"),
    ("lots", "on_hand"),
    ("lots", "shipped"),
    ("lots", "adjusted_out"),
    ("needs", "fulfilled"),
    ("shipments", "open_lines"),
    ("shipment_lines", "received"),
    ("shipment_lines", "declared"),
    ("hand_overs", "quantity"),
    ("adjustments", "delta"),
    ("sites", "name"),
    ("role_members", "granted"),
    ("gift_allocations", "amount"),
    ("gift_purchases", "amount"),
    ("lot_sources", "remaining"),
    ("flow_sources", "quantity"),
]


def accounted(mirrors: Mirrors) -> list[Difference]:
    with mirrors.tampered.connect() as conn:
        last = conn.execute(select(T["indexer_state"].c.last_block)).scalar_one()
    rpc = Rpc(rpc_url(mirrors.world), timeout=30)
    return account(mirrors.tampered, rpc, mirrors.world.ledger.deployment, last)


def first_row(engine: Engine, table: Table) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(table).limit(1)).mappings().first()
    assert row is not None, table.name
    return dict(row)


@pytest.mark.parametrize("name", sorted(KEYS))
def test_accounting_alone_finds_a_row_gone_from_each_table(mirrors: Mirrors, name: str) -> None:
    table = T[name]
    row = first_row(mirrors.tampered, table)
    _run(mirrors.tampered, delete(table).where(_where(table, row)))
    try:
        found = accounted(mirrors)
    finally:
        _run(mirrors.tampered, insert(table).values(**row))
    assert any(d.table == name and d.mirror is None for d in found), found
    assert accounted(mirrors) == []


@pytest.mark.parametrize(("name", "column"), CHANGED)
def test_accounting_alone_finds_a_changed_value(mirrors: Mirrors, name: str, column: str) -> None:
    table = T[name]
    row = first_row(mirrors.tampered, table)
    value = row[column]
    changed = (
        (not value)
        if isinstance(value, bool)
        else value + 1
        if isinstance(value, int)
        else value + "x"
    )
    _run(mirrors.tampered, update(table).where(_where(table, row)).values({column: changed}))
    try:
        found = accounted(mirrors)
    finally:
        _run(
            mirrors.tampered,
            update(table).where(_where(table, {**row, column: changed})).values(**row),
        )
    assert found, f"{name}.{column} changed and the accounting saw nothing"
    assert accounted(mirrors) == []
