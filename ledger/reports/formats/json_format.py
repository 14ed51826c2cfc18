"""JSON: one document, streamed: the context, the journal (columns and rows), every table."""

from __future__ import annotations

from pathlib import Path

import orjson

from ledger.reports.build import Report
from ledger.reports.formats.types import Manifest
from ledger.reports.tables import dump_row


def write(report: Report, out: Path, manifest: Manifest) -> list[Path]:
    """Write `report` to `out` as JSON (rows as arrays, amounts as integers of minor units)."""
    dumps = orjson.dumps
    with out.open("wb") as f:
        f.write(b'{"context":' + dumps(report.context.as_json(), option=orjson.OPT_SORT_KEYS))
        f.write(b',\n"journal":{"columns":' + dumps(list(report.journal_columns)))
        f.write(b',"rows":[')
        first = True
        for r in report.journal():
            f.write((b"\n" if first else b",\n") + dump_row(r))
            first = False
        f.write(b']},\n"tables":{')
        for i, t in enumerate(report.tables):
            body = {
                "title_en": t.title_en,
                "title_zh": t.title_zh,
                "columns": list(t.columns),
                "rows": [orjson.Fragment(dump_row(r)) for r in t.rows],
            }
            f.write((b"" if i == 0 else b",\n") + dumps(t.name) + b":" + dumps(body))
        f.write(b"}}\n")
    return [out]
