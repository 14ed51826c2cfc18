"""Stages of py-spy stacks in bench/_profile.py."""

from __future__ import annotations

from pathlib import Path

from bench._profile import RATE, breakdown, stage_of

ROOT = 'process 1:"aidledger index"'
APPLY = "apply_batch (ledger/indexer/apply.py:60)"
HANDLER = "_gift (ledger/indexer/handlers/money.py:31)"
EXECUTE = "Connection.execute (sqlalchemy/engine/base.py:1416)"


def test_innermost_named_frame_decides_the_stage() -> None:
    assert stage_of(";".join([ROOT, APPLY, HANDLER])) == "handlers, rows, attribution (Python)"
    assert stage_of(";".join([ROOT, APPLY, HANDLER, EXECUTE])).startswith("SQL")
    bulk = "_executemany (ledger/indexer/bulk.py:160)"  # the driver's C code below it
    assert stage_of(";".join([ROOT, APPLY, "flush (ledger/indexer/rows.py:220)", bulk])).startswith(
        "SQL"
    )


def test_setup_claims_the_whole_stack() -> None:
    upgrade = "upgrade (alembic/command.py:403)"
    assert stage_of(";".join([ROOT, upgrade, EXECUTE])) == "schema migration (Alembic)"


def test_a_stack_without_python_frames_is_native() -> None:
    assert stage_of(ROOT) == "no Python frame (native code)"


def test_breakdown_turns_samples_into_seconds(tmp_path: Path) -> None:
    samples = tmp_path / "raw.txt"
    samples.write_text(
        f"{ROOT};{APPLY};{HANDLER};{EXECUTE} {3 * RATE}\n{ROOT};{APPLY};{HANDLER} {RATE}\n"
    )
    report = breakdown(samples, 4.0, 1_000).splitlines()
    assert "4.0 s busy" in report[0]
    assert report[1].split()[0] == "SQL" and "3.00 s" in report[1] and "75.0%" in report[1]
