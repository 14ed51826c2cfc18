"""Every sequenced event has one handler, keyed by the contract that emits it, reading only rows
it declares."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import SQLModel

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.chain.rpc import Rpc
from ledger.indexer import handlers
from ledger.indexer.handlers import HANDLERS, READS, REGISTERED
from ledger.indexer.handlers.gen_args import TARGET, render
from ledger.indexer.sync import SyncOptions, sync
from ledger.store import models  # noqa: F401  (fills SQLModel.metadata)
from tests.contracts.world import World
from tests.ledger.indexer.conftest import mirror
from tests.ledger.indexer.scenario import populate


def sequenced_events() -> set[str]:
    """'Contract:Event' for each event of the three ABIs that ends with (seq, head)."""
    return {
        f"{contract}:{entry['name']}"
        for contract in CONTRACT_NAMES
        for entry in load_artifact(contract).abi
        if entry["type"] == "event" and entry["inputs"][-1]["name"] == "head"
    }


def test_each_sequenced_event_has_one_handler_under_its_contract() -> None:
    assert set(REGISTERED) == sequenced_events()
    assert set(HANDLERS) == {key.split(":")[1] for key in REGISTERED}


def test_declared_reads_name_real_tables_columns_and_arguments() -> None:
    abi_args = {
        entry["name"]: {i["name"] for i in entry["inputs"]}
        for contract in CONTRACT_NAMES
        for entry in load_artifact(contract).abi
        if entry["type"] == "event"
    }
    for name, reads in READS.items():
        for read in reads:
            table = SQLModel.metadata.tables[read.table]
            if hasattr(read, "arg"):
                assert read.arg in abi_args[name], (name, read)
                assert len(table.primary_key.columns) == 1, (name, read)
            else:
                assert read.column in table.columns, (name, read)
                if isinstance(read.value, str):
                    assert read.value in abi_args[name], (name, read)


def test_typed_event_arguments_are_generated_from_the_current_abis() -> None:
    """Stale after an event changed: run `python -m ledger.indexer.handlers.gen_args`."""
    assert TARGET.read_text() == render()


def _bare_code(node: ast.expr) -> bool:
    """A number other than 0, or a tuple, list or set of numbers: a code that needs a name."""
    if isinstance(node, ast.Constant):
        return type(node.value) is int and node.value != 0
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_bare_code(e) for e in node.elts)
    return False


def test_event_codes_are_compared_with_enums_not_numbers() -> None:
    """`a["origin"] == LotOrigin.PURCHASE`, never `a["origin"] == 1` (ledger.chain.types names
    every code), in every module of the indexer."""
    found = []
    for path in sorted(Path(handlers.__file__).parents[1].rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                if any(isinstance(s, ast.Subscript) for s in sides) and any(map(_bare_code, sides)):
                    found.append(f"{path.name}:{node.lineno}: {ast.unparse(node)}")
    assert found == []


_ONE_ROW = re.compile(r"^SELECT .+ FROM (\w+) WHERE \w+ = \S+( AND \w+ = \S+)*$")


def test_handlers_read_no_row_they_did_not_declare(world: World, rpc: Rpc, tmp_path: Path) -> None:
    """Indexed in many small batches (each reading rows of earlier ones), no handler looks up a
    single row by key that prefetch did not load: SQLite's own trace of every statement shows
    no such lookup. A release reads its gifts back by key (their ids are known only from the
    allocation's rows, so they cannot be declared); nothing else may."""
    populate(world, rounds=2)
    engine = mirror(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    statements: list[str] = []

    @event.listens_for(engine, "connect")
    def _trace(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    engine.dispose()  # connections opened from here on are traced
    report = sync(engine, rpc, world.ledger.deployment, SyncOptions(max_span=2, parallel=False))
    engine.dispose()
    assert report.batches > 20
    looked_up = {m.group(1) for s in statements if (m := _ONE_ROW.match(s))}
    assert looked_up <= {"gifts", "indexer_state"}, looked_up
