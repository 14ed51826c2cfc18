"""The Charity Law's periodic disclosures: due every three months once a campaign runs past six,
published when an auditor attested a report in the three months up to the due date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from ledger.queries.disclosures import DueStatus, add_months, disclosure_schedule, due_dates
from ledger.store.db import make_engine, upgrade


def test_due_dates_start_after_six_months_and_end_with_the_next() -> None:
    start = date(2026, 1, 31)
    assert due_dates(start, date(2026, 7, 30)) == []
    assert due_dates(start, date(2026, 8, 1)) == [
        date(2026, 4, 30),
        date(2026, 7, 31),
        date(2026, 10, 31),
    ]
    assert due_dates(None, date(2030, 1, 1)) == []
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2026, 5, 31), -3) == date(2026, 2, 28)


def _ts(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp())


def test_published_overdue_and_next_from_the_mirror(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    rows = [  # (seq, block, day, event)
        (1, 10, date(2026, 1, 10), "ItemRegistered"),
        (2, 11, date(2026, 1, 15), "GiftRecorded"),  # the campaign starts
        (3, 12, date(2026, 4, 1), "AttestationPosted"),  # publishes the one due 2026-04-15
        (4, 13, date(2026, 10, 14), "AttestationPosted"),  # publishes the one due 10-15
    ]
    with engine.begin() as conn:
        for seq, block, day, name in rows:
            conn.execute(
                text("INSERT INTO blocks VALUES (:n, :h, :p, :t, :s, :h)"),
                {"n": block, "h": f"0x{block:064x}", "p": "0x", "t": _ts(day), "s": seq},
            )
            conn.execute(
                text(
                    "INSERT INTO raw_events (chain_id, tx_hash, log_index, block_number, seq,"
                    " head, emitter, name, args) VALUES (1, :tx, 0, :b, :s, '0x', '0x', :n, '{}')"
                ),
                {"tx": f"0x{seq:064x}", "b": block, "s": seq, "n": name},
            )
            if name == "AttestationPosted":
                conn.execute(
                    text("INSERT INTO attestations VALUES (:i, '0x', 0, 0, 0, '0x', '0xA', :s)"),
                    {"i": f"0x{seq:064x}", "s": seq},
                )
    with Session(engine) as session:
        schedule = disclosure_schedule(session, date(2026, 11, 1))
    engine.dispose()
    assert schedule.campaign_start == date(2026, 1, 15)
    assert [(d.due, d.status) for d in schedule.disclosures] == [
        (date(2026, 4, 15), DueStatus.PUBLISHED),
        (date(2026, 7, 15), DueStatus.OVERDUE),
        (date(2026, 10, 15), DueStatus.PUBLISHED),
        (date(2027, 1, 15), DueStatus.NEXT),
    ]
