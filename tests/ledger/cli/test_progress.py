"""`aidledger index` progress: rich bar on a terminal, plain lines elsewhere, one number format."""

from __future__ import annotations

import io
import re

from ledger.cli.progress import IndexProgress, count, duration
from ledger.indexer.apply import Applied


def _batches(first: int, last: int, step: int) -> list[Applied]:
    return [
        Applied(first=b, last=min(b + step - 1, last), events=1_500, seq=b)
        for b in range(first, last + 1, step)
    ]


def test_terminal_shows_a_bar_with_percent_rate_and_eta() -> None:
    stream = io.StringIO()
    progress = IndexProgress(stream=stream, terminal=True)
    for applied in _batches(1, 20_000, 5_000)[:2]:
        progress(applied, 20_000)
    progress.close()
    shown = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", stream.getvalue())
    assert "block 10,000/20,000" in shown and "50%" in shown
    assert "3,000 events" in shown and "events/s" in shown
    assert re.search(r"about \d+ s left", shown)  # time remaining


def test_plain_lines_say_percent_and_when_following() -> None:
    stream = io.StringIO()
    progress = IndexProgress(follow=True, stream=stream, interval=3600, terminal=False)
    for applied in _batches(1_001, 3_000, 500):
        progress(applied, 3_000)
    progress(Applied(first=3_001, last=3_001, events=2, seq=9), 3_001)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("block 1,500/3,000 (25.0%), 1,500 events, ")
    assert "left" in lines[0]
    assert lines[1].startswith("block 3,000/3,000 (100.0%), 6,000 events")
    assert lines[2] == "caught up at block 3,000; following the head (Ctrl-C to stop)"
    assert len(lines) == 3  # following: at most one line per interval


def test_numbers_one_way() -> None:
    assert count(1234567) == "1,234,567" and count(12.6) == "13"
    assert duration(5) == "5 s" and duration(125) == "2:05" and duration(3725) == "1:02:05"
