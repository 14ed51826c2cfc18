"""The journal as CSV, made by the database: one SQL statement renders each event's CSV record
from the journal columns the indexer stored (`ledger/indexer/journal_values.py`), and a child
process (`journal_child.py`) streams the records to the file while the report's own process
folds the events for the summary tables (docs/reports.md "Scale").

The records are byte for byte what `tables.record` makes of the rows `journal.row` derives
(tests/ledger/reports/test_journal_sql.py compares the two). Used for CSV without a rates file,
on a mirror whose events all have their journal columns (events indexed before migration 0005
have none: those reports take the Python path).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from eth_utils import to_checksum_address
from sqlalchemy import Connection, Engine, text

from ledger.errors import AidLedgerError
from ledger.reports.formats.safe import ESCAPED
from ledger.reports.journal import COLUMNS
from ledger.reports.tables import BOM, KnownDigest, record


class JournalExportError(AidLedgerError):
    """The child process writing the journal failed."""


def journaled(conn: Connection, first_seq: int, last_seq: int) -> bool:
    """Whether every event from `first_seq` to `last_seq` has its journal columns."""
    missing = conn.execute(
        text("SELECT 1 FROM raw_events WHERE actor IS NULL AND seq BETWEEN :f AND :l LIMIT 1"),
        {"f": first_seq, "l": last_seq},
    ).first()
    return missing is None


def _quoted(value: str, pg: bool) -> str:
    """SQL for a field in quotes, its quotes doubled."""
    if pg:
        return f"'\"' || replace({value}, '\"', '\"\"') || '\"'"
    return f"printf('\"%w\"', {value})"


def statement(
    dialect: str, contracts: dict[str, str], filters: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    """The statement giving one CSV record per journal row (blocks' times from the temporary
    table `block_times`, see `block_times`), and its parameters (`first`, `last` to add)."""
    pg = dialect == "postgresql"
    char = "chr" if pg else "char"
    cr, lf = f"{char}(13)", f"{char}(10)"
    find = "strpos(r.currency, {c}) > 0" if pg else "instr(r.currency, {c}) > 0"
    params: dict[str, Any] = {}
    whens = []
    for i, (address, name) in enumerate(contracts.items()):
        params[f"a{i}"], params[f"c{i}"], params[f"n{i}"] = (
            address.lower(),
            to_checksum_address(address),
            name,
        )
        whens.append(f"WHEN :a{i} THEN :n{i} WHEN :c{i} THEN :n{i}")
    contract = f"CASE r.emitter {' '.join(whens)} ELSE lower(r.emitter) END"
    # The currency is the one column of text the chain supplies unchecked: escaped as `cell`
    # does (three capital letters, or none, need nothing).
    first = ", ".join(f"{char}({ord(c)})" for c in sorted(ESCAPED))  # as `safe` escapes
    escaped = (
        f"CASE WHEN substr(r.currency, 1, 1) IN ({first})"
        " THEN '''' || r.currency ELSE r.currency END"
    )
    special = " OR ".join(find.format(c=c) for c in ("','", "'\"'", cr, lf))
    plain = "r.currency ~ '^[A-Z]{3}$'" if pg else "r.currency GLOB '[A-Z][A-Z][A-Z]'"
    currency = (
        f"CASE WHEN r.currency = '' OR {plain} THEN r.currency"
        f" WHEN {special} THEN {_quoted(escaped, pg)} ELSE {escaped} END"
    )
    fields = [
        "r.seq",
        "r.block_number",
        "t.iso",
        "r.tx_hash",
        "r.log_index",
        contract,
        "r.name",
        "r.actor",
        "r.subject",
        currency,
        "r.amount",
        "r.item",
        "r.quantity",
        "r.site",
        "r.to_site",
    ]
    if pg:
        line = " || ',' || ".join(f"CAST({f} AS TEXT)" for f in fields)
        line += f" || ',' || {_quoted('r.args', pg)} || chr(13) || chr(10)"
    else:  # one printf: a chain of || copies the growing line once per field
        line = f"printf('{'%s,' * len(fields)}\"%w\"\r\n', {', '.join(fields)}, r.args)"
    where = ["r.seq BETWEEN :first AND :last"]
    if "currency" in filters:
        params["currency"] = filters["currency"]
        where.append("r.currency = :currency")
    if "site" in filters:
        params["site"] = filters["site"]
        where.append("(r.site = :site OR r.to_site = :site)")
    sql = (
        f"SELECT {line} FROM raw_events r JOIN block_times t ON t.number = r.block_number"
        f" WHERE {' AND '.join(where)} ORDER BY r.seq"
    )
    return sql, params


def block_times(dialect: str) -> str:
    """The statement making the temporary table of the period's blocks' times as the journal
    shows them (one per block rather than per event), parameters `first`, `last` (seq)."""
    iso = (
        "to_char(to_timestamp(timestamp) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
        if dialect == "postgresql"
        else "strftime('%Y-%m-%dT%H:%M:%SZ', timestamp, 'unixepoch')"
    )
    return (
        f"CREATE TEMPORARY TABLE block_times AS SELECT number, {iso} AS iso FROM blocks"
        " WHERE number BETWEEN (SELECT block_number FROM raw_events WHERE seq = :first)"
        " AND (SELECT block_number FROM raw_events WHERE seq = :last)"
    )


def driver_style(dialect: str, sql: str, names: set[str]) -> str:
    """`sql` with its `:name` parameters in the driver's style (`%(name)s` for psycopg)."""
    if dialect != "postgresql":
        return sql
    for name in sorted(names, key=len, reverse=True):
        sql = sql.replace(f":{name}", f"%({name})s")
    return sql


@dataclass
class Child:
    """The process writing the journal; `wait` gives its digest."""

    process: subprocess.Popen[bytes]

    def wait(self) -> KnownDigest:
        """Wait for the journal to be written; its digest, or an error with the child's words."""
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            words = err.decode(errors="replace").strip().splitlines()
            raise JournalExportError(
                "writing the journal failed: " + (words[-1] if words else "no message")
            )
        done = orjson.loads(out)
        return KnownDigest(int(done["rows"]), str(done["sha256"]))

    def stop(self) -> None:
        """Stop the child if it still runs (the report failed or was interrupted)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def start(
    engine: Engine,
    first_seq: int,
    last_seq: int,
    contracts: dict[str, str],
    filters: dict[str, str],
    out: Path,
) -> Child:
    """Start writing the journal to `out` in a child process. What it needs (the driver's
    connection arguments, password included) goes by its stdin, never its command line."""
    dialect = engine.dialect.name
    sql, params = statement(dialect, contracts, filters)
    params.update(first=first_seq, last=last_seq)
    if dialect == "postgresql":  # a libpq URI, options and all
        connect: list[Any] = [
            [engine.url.set(drivername="postgresql").render_as_string(hide_password=False)],
            {},
        ]
    else:
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        plain = (str, int, float, bool)
        connect = [list(args), {k: v for k, v in kwargs.items() if isinstance(v, plain)}]
    job = {
        "dialect": dialect,
        "connect": connect,
        "prepare": driver_style(dialect, block_times(dialect), {"first", "last"}),
        "sql": driver_style(dialect, sql, set(params)),
        "params": params,
        "head": (BOM + record(COLUMNS)).encode().decode(),
        "out": str(out),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "ledger.reports.journal_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin is not None
    process.stdin.write(orjson.dumps(job))
    process.stdin.close()
    process.stdin = None  # sent: `communicate` only reads from here on
    return Child(process)
