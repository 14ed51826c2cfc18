"""The journal columns of a mirror two ways: as the indexer stored them, and as the reports
derive them from the same events (`journal.row` over their own fold)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from ledger.indexer.journal_values import COLUMNS
from ledger.reports.build import Period, Report, resolve
from ledger.reports.events import mirror_events
from tests.ledger.reports.conftest import EVERYTHING


def stored_and_derived(
    engine: Engine, period: Period = EVERYTHING
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], set[str]]:
    """(seq + stored columns, seq + the reports' columns, the event names) for every event."""
    with engine.connect() as conn:
        context = resolve(conn, period)
        rows = list(Report(context, mirror_events(conn, context.last_seq)).journal())
        stored = conn.execute(
            text(f"SELECT seq, {', '.join(COLUMNS)} FROM raw_events ORDER BY seq")
        ).all()
    derived = [(r[0], *(str(v) for v in r[7:15])) for r in rows]
    return [tuple(s) for s in stored], derived, {str(r[6]) for r in rows}
