"""Where `aidledger index` spends its time, from py-spy samples of one run.

py-spy (`pip install py-spy` into any environment, on PATH) samples every thread of the
indexer and of its worker process, so work moved off the main thread (fetching, preparing
batches) is seen too. Each sample is put in the stage of its innermost frame that names one;
idle threads are not sampled, so the stages add up to busy time, which can exceed wall time when
threads or processes overlap.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

RATE = 200  # samples per second per thread
# Stages that claim a whole stack when any frame matches (setup, whatever it calls).
SETUP: list[tuple[str, re.Pattern[str]]] = [
    ("startup (imports)", re.compile(r"importlib")),
    ("schema migration (Alembic)", re.compile(r"alembic/")),
]
# (stage, pattern on one frame), tried from the innermost frame outwards; the first match wins.
MARKERS: list[tuple[str, re.Pattern[str]]] = [
    (
        "SQL (SQLAlchemy, sqlite3, psycopg)",
        re.compile(r"sqlalchemy/|sqlite3|psycopg|ledger/indexer/bulk\.py"),
    ),
    ("hash-chain verify", re.compile(r"^(verify_sequence|payload_hash|next_head|\w*verify\w*) ")),
    ("decode (eth-abi)", re.compile(r"^(decode_log|\w*decode\w*) \(ledger/")),
    ("hand-off between processes (pickle, queue)", re.compile(r"multiprocessing/|pickle")),
    ("fetch (JSON-RPC, JSON parsing)", re.compile(r"ledger/indexer/(fetch|rpc)\.py")),
    (
        "handlers, rows, attribution (Python)",
        re.compile(r"ledger/indexer/(handlers/\w+|rows|attribution)\.py"),
    ),
    ("batch assembly (Python)", re.compile(r"ledger/indexer/(apply|prepare|pipeline)\.py")),
    ("idle thread-pool worker", re.compile(r"^_worker \(concurrent/futures/thread\.py")),
]


def py_spy() -> str | None:
    """The py-spy executable, if one is on PATH."""
    return shutil.which("py-spy")


def record_argv(output: Path, argv: list[str]) -> list[str]:
    """Wrap `argv` so that py-spy samples it and its subprocesses into `output`."""
    spy = py_spy()
    assert spy is not None
    return [
        *(spy, "record", "--format", "raw", "--subprocesses", "--nonblocking"),
        *("--rate", str(RATE), "-o", str(output), "--", *argv),
    ]


def stage_of(stack: str) -> str:
    """The stage of one collapsed stack ("frame;frame;...;leaf")."""
    frames = stack.split(";")
    for stage, pattern in SETUP:
        if any(pattern.search(frame) for frame in frames):
            return stage
    for frame in reversed(frames):
        for stage, pattern in MARKERS:
            if pattern.search(frame):
                return stage
    return "no Python frame (native code)" if len(frames) == 1 else "other"


def breakdown(path: Path, seconds: float, events: int) -> str:
    """Busy seconds per stage, and their share of all busy samples."""
    samples: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack:
            samples[stage_of(stack)] += int(count)
    total = sum(samples.values()) or 1
    lines = [
        f"py-spy profile of aidledger index on SQLite ({events:,} events, {seconds:.1f} s "
        f"indexing, {total / RATE:.1f} s busy across threads and processes):"
    ]
    for stage, n in samples.most_common():
        lines.append(f"  {stage:<44} {n / RATE:>7.2f} s {100 * n / total:>5.1f}%")
    return "\n".join(lines)
