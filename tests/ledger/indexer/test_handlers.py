"""Every sequenced event has one handler, keyed by the contract that emits it."""

from __future__ import annotations

from sqlmodel import SQLModel

from ledger.chain.artifacts import CONTRACT_NAMES, load_artifact
from ledger.indexer.handlers import HANDLERS, READS, REGISTERED
from ledger.indexer.handlers.gen_args import TARGET, render
from ledger.store import models  # noqa: F401  (fills SQLModel.metadata)


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
