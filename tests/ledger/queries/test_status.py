"""Where the mirror stands: the newest block's day, for forms whose periods must reach it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from ledger.queries.status import newest_block_day
from ledger.store.db import make_engine, upgrade

AHEAD = timedelta(days=40)  # how far a dev chain's clock runs ahead of ours here


@contextmanager
def mirror_with_blocks(directory: Path, *moments: datetime) -> Iterator[Session]:
    """A session on a new mirror holding one block at each of `moments`."""
    url = f"sqlite:///{directory / 'mirror.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            for number, moment in enumerate(moments, start=1):
                session.connection().execute(
                    text(
                        "INSERT INTO blocks (number, hash, parent_hash, timestamp, seq, head)"
                        " VALUES (:n, :h, '0x', :t, 0, '0x')"
                    ),
                    {"n": number, "h": f"0x{number:064x}", "t": int(moment.timestamp())},
                )
            yield session
    finally:
        engine.dispose()


def test_the_newest_block_day_is_the_latest_blocks_utc_date(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with mirror_with_blocks(tmp_path / "empty") as session:
        assert newest_block_day(session) is None
    ahead = datetime.now(UTC) + AHEAD
    (tmp_path / "held").mkdir()
    with mirror_with_blocks(tmp_path / "held", datetime(2026, 1, 2, tzinfo=UTC), ahead) as session:
        assert newest_block_day(session) == ahead.date()
