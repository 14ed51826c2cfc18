"""The intake benchmark's statement: valid, unique references, thousands separators."""

from __future__ import annotations

from pathlib import Path

from bench.intake import statement
from ledger.write.statement import Columns, read_statement


def test_generated_statement_reads_whole_with_every_reference_unique(tmp_path: Path) -> None:
    path = statement(tmp_path / "s.csv", 2_000)
    read = read_statement(path, Columns())
    assert len(read.rows) == 2_000 and not read.duplicates
    assert len({r.reference for r in read.rows}) == 2_000
    assert any('"' in line and "," in line.split('"')[1] for line in path.read_text().splitlines())
    assert max(r.amount for r in read.rows) > 100_000  # thousands separators were read as such
