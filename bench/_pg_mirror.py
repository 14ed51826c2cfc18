"""The bench's SQLite mirror copied into a PostgreSQL schema, for the portal on PostgreSQL.

The schema comes from our own migrations (`ledger.store.db.upgrade` on the PostgreSQL URL);
the rows are the cached SQLite mirror's (`bench/_mirror.py`, written by the indexer's
`apply_batch`), streamed table by table with COPY: minutes instead of applying a million
events again over the network. Indexes other than primary keys and unique constraints are
dropped for the copy and built again after it, then the tables are analysed.

The URL must name its schema (`?options=-csearch_path%3Dname`). The schema is dropped and
created again, and its comment records which SQLite mirror it holds, set last: a schema whose
comment names the same mirror is reused as it is (an interrupted copy leaves none).
"""

from __future__ import annotations

import os
import sqlite3
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from ledger.store.db import check_database_url, upgrade

ROWS_PER_REPORT = 1_000_000


@dataclass(frozen=True)
class PgBuilt:
    """A mirror in a PostgreSQL schema."""

    url: str  # SQLAlchemy's form, for `aidledger portal --database-url`
    schema: str
    rows: int
    megabytes: float
    seconds: float  # to copy it (0 when reused)
    cached: bool


def schema_of(url: str) -> str:
    """The schema named by `?options=-csearch_path%3Dname`, or a ValueError saying to add it."""
    options = make_url(url).query.get("options", "")
    text = options if isinstance(options, str) else " ".join(options)
    for part in text.split():
        if part.startswith("-csearch_path="):
            name = part.removeprefix("-csearch_path=").split(",")[0].strip('"')
            if name and name.replace("_", "").isalnum():
                return name
    raise ValueError(
        f"{url!r} names no schema: add ?options=-csearch_path%3Dname (letters, digits, _)"
    )


def _libpq(url: str) -> str:
    """The URL as libpq reads it (no `+psycopg`, the options kept)."""
    parsed = make_url(url)
    options = parsed.query.get("options")
    base = parsed.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    if not options:
        return base
    text = options if isinstance(options, str) else " ".join(options)
    return base + "?options=" + urllib.parse.quote(text)


def copy_mirror(sqlite_path: Path, url: str, rebuild: bool = False) -> PgBuilt:
    """The mirror of `sqlite_path` in the schema of `url`, copied first unless already there."""
    url = check_database_url(url)
    schema = schema_of(url)
    source = sqlite_path.name
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        held = conn.execute(
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = %s",
            (schema,),
        ).fetchone()
        if held is not None and held[0] == source and not rebuild:
            return PgBuilt(url, schema, *_size(conn, schema), 0.0, cached=True)
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    start = time.perf_counter()
    upgrade(url)
    with psycopg.connect(_libpq(url)) as conn:
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = _drop_indexes(conn, schema)
        _copy_rows(sqlite_path, conn)
        print(f"  building {len(indexes)} indexes ...", flush=True)
        for definition in indexes:
            conn.execute(definition)  # pg_indexes' own CREATE INDEX
        _set_sequences(conn, schema)
        conn.execute(
            sql.SQL("COMMENT ON SCHEMA {} IS {}").format(
                sql.Identifier(schema), sql.Literal(source)
            )
        )
        conn.commit()
    with psycopg.connect(_libpq(url), autocommit=True) as conn:
        conn.execute("ANALYZE")
        seconds = time.perf_counter() - start
        return PgBuilt(url, schema, *_size(conn, schema), seconds, cached=False)


def _drop_indexes(conn: psycopg.Connection[tuple[str, ...]], schema: str) -> list[str]:
    """Drop the schema's plain indexes (not those of constraints); their definitions."""
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE connamespace = %s::regnamespace)",
        (schema, schema),
    ).fetchall()
    for name, _ in rows:
        conn.execute(
            sql.SQL("DROP INDEX {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
        )
    return [definition for _, definition in rows]


def _copy_rows(sqlite_path: Path, conn: psycopg.Connection[tuple[str, ...]]) -> int:
    """COPY every table of the SQLite file but Alembic's into the same-named table."""
    src = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    total = 0
    try:
        tables = [
            r[0]
            for r in src.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version' ORDER BY name"
            )
        ]
        for table in tables:
            columns = [r[1] for r in src.execute(f'PRAGMA table_info("{table}")')]
            select = "SELECT " + ", ".join(f'"{c}"' for c in columns) + f' FROM "{table}"'
            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
            )
            n = 0
            start = time.perf_counter()
            with conn.cursor().copy(copy) as out:
                for row in src.execute(select):
                    out.write_row(row)  # SQLite's 0/1 read as PostgreSQL booleans
                    n += 1
            total += n
            if n >= ROWS_PER_REPORT // 10:
                print(f"  {table}: {n:,} rows in {time.perf_counter() - start:.1f} s", flush=True)
    finally:
        src.close()
    return total


def _set_sequences(conn: psycopg.Connection[tuple[str, ...]], schema: str) -> None:
    """Move each serial column's sequence past the rows copied (the tables' own ids)."""
    rows = conn.execute(
        "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), "
        "column_name) FROM information_schema.columns WHERE table_schema = %s",
        (schema,),
    ).fetchall()
    for table, column, sequence in rows:
        if sequence:
            conn.execute(
                sql.SQL("SELECT setval({}, coalesce(max({}), 0) + 1, false) FROM {}").format(
                    sql.Literal(sequence), sql.Identifier(column), sql.Identifier(table)
                )
            )


def _size(conn: psycopg.Connection[tuple[str, ...]], schema: str) -> tuple[int, float]:
    """Rows (as estimated by the statistics) and megabytes on disk of the schema's tables."""
    row = conn.execute(
        "SELECT coalesce(sum(greatest(c.reltuples, 0)::bigint), 0), "
        "coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
        (schema,),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1]) / (1024 * 1024)


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far (user + system) of each process named `postgres` on this machine:
    the server and its backends, when it runs here."""
    tick = os.sysconf("SC_CLK_TCK")
    seen: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # gone meanwhile
            continue
        name_end = text.rfind(")")
        if text[text.find("(") + 1 : name_end] != "postgres":
            continue
        fields = text[name_end + 2 :].split()
        seen[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return seen


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds spent between two `postgres_cpu` readings (a backend that exited meanwhile
    is not counted; the portal keeps its connections open)."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
