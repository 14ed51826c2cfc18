"""Where `aidledger index` spends its time, from a cProfile file of one run.

cProfile sees the main thread only; the fetch thread's work shows up there as the time spent
waiting for its result, which is what fetching costs the pipeline.
"""

from __future__ import annotations

import pstats
from pathlib import Path

Key = tuple[str, int, str]
# stage -> (file suffix, function name, only when called from this function, or "")
STAGES: dict[str, tuple[str, str, str]] = {
    "wait for fetch thread (eth_getLogs + headers)": ("concurrent/futures/_base.py", "result", ""),
    "decode (eth-abi)": ("ledger/chain/events.py", "decode_log", ""),
    "hash-chain verify": ("ledger/chain/events.py", "verify_sequence", ""),
    "handlers (derive rows, attribution)": ("ledger/indexer/handlers.py", "*", "apply_batch"),
    "flush derived rows (SQL)": ("ledger/indexer/rows.py", "flush", "apply_batch"),
    "insert raw events, blocks, state (SQL)": (
        "sqlalchemy/engine/base.py",
        "execute",
        "apply_batch",
    ),
    "commit (SQL)": ("sqlalchemy/engine/base.py", "commit", ""),
}


def _matches(key: Key, suffix: str, name: str) -> bool:
    return key[0].endswith(suffix) and (name == "*" or key[2] == name)


def _cumulative(stats: pstats.Stats, suffix: str, name: str, caller: str) -> float:
    table = stats.stats  # type: ignore[attr-defined]
    total = 0.0
    for key, (_, _, _, cumtime, callers) in table.items():
        if not _matches(key, suffix, name):
            continue
        if not caller:
            total += cumtime
            continue
        total += sum(c[3] for k, c in callers.items() if k[2] == caller)
    return float(total)


def _all_sql(stats: pstats.Stats) -> float:
    execute = _cumulative(stats, "sqlalchemy/engine/base.py", "execute", "")
    return execute + _cumulative(stats, "sqlalchemy/engine/base.py", "commit", "")


def breakdown(path: Path, seconds: float, events: int) -> str:
    """A table of stage, seconds and share of the indexer's own run time."""
    stats = pstats.Stats(str(path))
    lines = [f"profile of aidledger index on SQLite ({events:,} events, {seconds:.1f} s):"]
    accounted = 0.0
    spent_by_stage = {}
    for stage, (suffix, name, caller) in STAGES.items():
        spent = spent_by_stage[stage] = _cumulative(stats, suffix, name, caller)
        accounted += spent
        lines.append(f"  {stage:<44} {spent:>7.2f} s {100 * spent / seconds:>5.1f}%")
    other = max(0.0, seconds - accounted)
    lines.append(f"  {'other':<44} {other:>7.2f} s {100 * other / seconds:>5.1f}%")
    sql = _all_sql(stats)
    written = sum(v for k, v in spent_by_stage.items() if k.endswith("(SQL)"))
    lines.append(
        f"  all SQL: {sql:.2f} s ({100 * sql / seconds:.0f}%), of which reads inside the handlers "
        f"about {max(0.0, sql - written):.2f} s"
    )
    return "\n".join(lines)
