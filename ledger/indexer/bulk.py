"""Bulk reads and writes of the mirror: a few statements per table and batch, whatever its size.

Writes: SQLite gets the driver's `executemany` (a loop in C). PostgreSQL gets COPY for inserts
and one statement per table and kind of change for updates and deletes, the rows passed as one
array per column and spread by `unnest`: psycopg's `executemany` spends tens of microseconds of
Python per row, more than the server's work, and COPY cuts the server's own cost of inserting.
Reads go straight to the driver too, rows becoming plain dicts. SQLAlchemy's per-row processing
(parameters, result rows) is bypassed on both: at the indexer's rates it cost more than the
database did.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, Connection, Integer, String, Table

Row = dict[str, Any]
_CHUNK = 500  # SQLite: values per IN list
_ARRAY_TYPES = ((String, "text"), (Boolean, "bool"), (Integer, "int8"))


def select_in(conn: Connection, table: Table, column: str, values: Sequence[Any]) -> list[Row]:
    """The rows whose `column` is one of `values`."""
    if not values:
        return []
    if _is_postgres(conn):
        where = f"{column} = ANY({_arrays(table, [column])})"
        return _select(conn, table, where, [list(values)])
    found: list[Row] = []
    for start in range(0, len(values), _CHUNK):
        chunk = values[start : start + _CHUNK]
        where = f"{column} IN ({', '.join('?' * len(chunk))})"
        found.extend(_select(conn, table, where, chunk))
    return found


def select_key(conn: Connection, table: Table, key: Sequence[Any]) -> Row | None:
    """The row with primary key `key`, or None."""
    marker = _marker(conn)
    found = _select(conn, table, " AND ".join(f"{c} = {marker}" for c in _pk(table)), key)
    return found[0] if found else None


def select_page(
    conn: Connection,
    table: Table,
    column: str,
    value: Any,
    order: str,
    positive: str,
    after: Any,
    limit: int,
) -> list[Row]:
    """Up to `limit` rows with `column == value` and `positive > 0`, ascending by `order`,
    starting after the `order` value `after` (None: from the first)."""
    marker = _marker(conn)
    where = f"{column} = {marker} AND {positive} > 0"
    params: list[Any] = [value]
    if after is not None:
        where += f" AND {order} > {marker}"
        params.append(after)
    return _select(conn, table, f"{where} ORDER BY {order} LIMIT {int(limit)}", params)


def _select(conn: Connection, table: Table, where: str, params: Sequence[Any]) -> list[Row]:
    names = _names(table)
    with _cursor(conn) as cursor:
        cursor.execute(f"SELECT {', '.join(names)} FROM {table.name} WHERE {where}", params)
        rows = [dict(zip(names, found, strict=True)) for found in cursor.fetchall()]
    flags = _booleans(table)
    if flags and not _is_postgres(conn):  # SQLite hands booleans back as 0 and 1
        for row in rows:
            for name in flags:
                if row[name] is not None:
                    row[name] = bool(row[name])
    return rows


def insert_rows(conn: Connection, table: Table, rows: Sequence[Row]) -> None:
    """INSERT `rows` (dicts with the same keys, each a column of `table`)."""
    if rows:
        columns = [c.name for c in table.columns if c.name in rows[0]]
        insert_tuples(conn, table, columns, _tuples(rows, columns))


def insert_tuples(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """INSERT `rows`, tuples of values for `columns`."""
    if not rows:
        return
    names = ", ".join(columns)
    with _cursor(conn) as cursor:
        if _is_postgres(conn):
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        else:
            marks = ", ".join("?" * len(columns))
            cursor.executemany(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def update_rows(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[Row]
) -> None:
    """UPDATE `columns` of `rows`, each found by its primary key."""
    if not rows:
        return
    pk = _pk(table)
    every = [*columns, *pk]
    with _cursor(conn) as cursor:
        if _is_postgres(conn):
            sets = ", ".join(f"{c} = v.{c}" for c in columns)
            match = " AND ".join(f"t.{c} = v.{c}" for c in pk)
            sql = (
                f"UPDATE {table.name} AS t SET {sets} "
                f"FROM unnest({_arrays(table, every)}) AS v({', '.join(every)}) WHERE {match}"
            )
            cursor.execute(sql, [[r[c] for r in rows] for c in every])
        else:
            sets = ", ".join(f"{c} = ?" for c in columns)
            sql = f"UPDATE {table.name} SET {sets} WHERE {' AND '.join(f'{c} = ?' for c in pk)}"
            cursor.executemany(sql, _tuples(rows, every))


def delete_rows(conn: Connection, table: Table, keys: Sequence[tuple[Any, ...]]) -> None:
    """DELETE the rows with these primary keys."""
    if not keys:
        return
    pk = _pk(table)
    with _cursor(conn) as cursor:
        if _is_postgres(conn):
            match = " AND ".join(f"t.{c} = v.{c}" for c in pk)
            sql = (
                f"DELETE FROM {table.name} AS t "
                f"USING unnest({_arrays(table, pk)}) AS v({', '.join(pk)}) WHERE {match}"
            )
            cursor.execute(sql, [list(column) for column in zip(*keys, strict=True)])
        else:
            sql = f"DELETE FROM {table.name} WHERE {' AND '.join(f'{c} = ?' for c in pk)}"
            cursor.executemany(sql, list(keys))


def _tuples(rows: Sequence[Row], columns: Sequence[str]) -> list[tuple[Any, ...]]:
    if len(columns) == 1:
        (column,) = columns
        return [(row[column],) for row in rows]
    return list(map(itemgetter(*columns), rows))


def _is_postgres(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


@cache
def _names(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns)


@cache
def _booleans(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.columns if isinstance(c.type, Boolean))


def _marker(conn: Connection) -> str:
    return "%s" if _is_postgres(conn) else "?"


@cache
def _pk(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key.columns)


def _arrays(table: Table, columns: Sequence[str]) -> str:
    """`%s::type[]` placeholders, one per column, typed as the column is."""
    return ", ".join(f"%b::{_pg_type(table, c)}[]" for c in columns)


@cache
def _pg_type(table: Table, column: str) -> str:
    """The PostgreSQL type to cast an array of the column's values to (text columns are
    varchar with collation "C"; an array of text compares with them under that collation)."""
    type_ = table.c[column].type
    return next(name for kind, name in _ARRAY_TYPES if isinstance(type_, kind))


def _cursor(conn: Connection) -> closing[Any]:
    """The connection's own DB-API cursor, closed after use."""
    return closing(conn.connection.cursor())
