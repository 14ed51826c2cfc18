"""A write-back cache of mirror rows for one batch, journaling changes of unfinalised blocks.

Handlers read and change rows here; `flush` writes inserts, updates and deletes in bulk
(`executemany`), so a batch costs a few statements per table whatever its size.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
from sqlalchemy import Connection, Table, and_, bindparam, delete, select, update
from sqlmodel import SQLModel

Row = dict[str, Any]
Key = tuple[Any, ...]
_PAGE = 256
_MAX = (chr(0x10FFFF) * 80,)  # sorts after any key tuple, for bisecting past an order value
_INDEXED = ("pool_id", "lot_id", "allocation_id", "purchase_id", "flow_id", "shipment_id")


class TableCache:
    """Rows of one table touched in this batch, with their image as loaded from SQL."""

    def __init__(self, table: Table, conn: Connection, unit: Unit) -> None:
        self.table = table
        self.conn = conn
        self.unit = unit
        self.pk = [c.name for c in table.primary_key.columns]
        self.rows: dict[Key, Row | None] = {}
        self.loaded: dict[Key, Row | None] = {}
        self._by: dict[str, dict[Any, set[Key]]] = defaultdict(lambda: defaultdict(set))
        self._loaded_groups: set[tuple[str, Any]] = set()
        self._queues: dict[tuple[str, Any], list[tuple[Any, Key]]] = {}
        self._queue_order: dict[tuple[str, Any], str] = {}
        self._front: dict[tuple[str, Any], int] = {}

    def key(self, row: Row) -> Key:
        """The primary key of a row."""
        return tuple(row[c] for c in self.pk)

    def get(self, *key: Any) -> Row | None:
        """The current row for `key`, loading it from SQL on first use."""
        if key not in self.rows:
            where = and_(*(self.table.c[c] == v for c, v in zip(self.pk, key, strict=True)))
            found = self.conn.execute(select(self.table).where(where)).mappings().first()
            if found is not None:
                self._remember(dict(found))
            else:
                self.loaded[key] = self.rows[key] = None
        return self.rows[key]

    def require(self, *key: Any) -> Row:
        """Like `get`, for rows that the event order guarantees exist."""
        row = self.get(*key)
        if row is None:
            raise KeyError(f"{self.table.name}{key} missing: the event stream is inconsistent")
        return row

    def where(self, column: str, value: Any) -> list[Row]:
        """Every current row with `column == value` (loaded from SQL once per group)."""
        self.preload_groups(column, [value])
        keys = self._by[column][value]
        return [r for k in keys if (r := self.rows.get(k)) is not None and r[column] == value]

    def preload(self, keys: Iterable[Any]) -> None:
        """Load many single-column keys in one query (absent keys are remembered as absent)."""
        (pk,) = self.pk
        wanted = [k for k in set(keys) if (k,) not in self.rows]
        for chunk in _chunks(wanted):
            found = self.conn.execute(select(self.table).where(self.table.c[pk].in_(chunk)))
            for raw in found.mappings():
                self._remember(dict(raw))
            for k in chunk:
                if (k,) not in self.rows:
                    self.loaded[(k,)] = self.rows[(k,)] = None

    def preload_groups(self, column: str, values: Iterable[Any]) -> None:
        """Load every row of many `where(column, value)` groups in one query."""
        wanted = [v for v in set(values) if (column, v) not in self._loaded_groups]
        for chunk in _chunks(wanted):
            found = self.conn.execute(select(self.table).where(self.table.c[column].in_(chunk)))
            for raw in found.mappings():
                self._remember(dict(raw))
            self._loaded_groups.update((column, v) for v in chunk)

    def _remember(self, row: Row) -> None:
        key = self.key(row)
        if key not in self.rows:
            self.loaded[key] = row
            self.rows[key] = dict(row)
            self._index(key, row)

    def insert(self, row: Row) -> Row:
        """Add a new row. Event ids are unique on chain, so a new key is not looked up in SQL."""
        key = self.key(row)
        if key not in self.rows:
            self.loaded[key] = None
            self.rows[key] = None
        self.unit.journal(self, key)
        self.rows[key] = row
        self._index(key, row)
        return row

    def change(self, row: Row, **values: Any) -> None:
        """Change columns of a current row."""
        self.unit.journal(self, self.key(row))
        row.update(values)

    def add(self, row: Row, **deltas: int) -> None:
        """Add to numeric columns of a current row."""
        self.change(row, **{c: row[c] + d for c, d in deltas.items()})

    def ordered(self, column: str, value: Any, order: str, positive: str) -> Iterator[Row]:
        """Rows with `column == value` and `positive > 0`, ascending by `order`.

        SQL is read a page at a time; rows already in the cache keep their cached values. Cached
        rows of the group are kept sorted, with a front pointer past rows whose `positive` is
        spent, so taking from the front of a long queue again and again stays cheap.
        """
        c = self.table.c
        group = (column, value)
        last: Any = None
        while True:
            stmt = select(self.table).where(c[column] == value, c[positive] > 0)
            if last is not None:
                stmt = stmt.where(c[order] > last)
            page = self.conn.execute(stmt.order_by(c[order]).limit(_PAGE)).mappings().all()
            for found in page:
                self._remember(dict(found))
            full = len(page) == _PAGE
            upper = page[-1][order] if full else None
            queue = self._queue(group, order)
            start = self._front.get(group, 0) if last is None else bisect_right(queue, (last, _MAX))
            for i in range(start, len(queue)):
                position, key = queue[i]
                if upper is not None and position > upper:
                    break
                row = self.rows.get(key)
                if row is None or row[positive] <= 0:
                    if last is None and i == self._front.get(group, 0):
                        self._front[group] = i + 1
                    continue
                yield row
            if not full:
                return
            last = upper

    def rewind(self, column: str, value: Any) -> None:
        """Some row of the group got `positive` back: scan its queue from the start again."""
        self._front.pop((column, value), None)

    def _queue(self, group: tuple[str, Any], order: str) -> list[tuple[Any, Key]]:
        queue = self._queues.get(group)
        if queue is None:
            column, value = group
            queue = sorted(
                (row[order], key)
                for key in self._by[column][value]
                if (row := self.rows.get(key)) is not None and row[column] == value
            )
            self._queues[group] = queue
            self._queue_order[group] = order
        return queue

    def _index(self, key: Key, row: Row) -> None:
        for column in _INDEXED:
            if column in row:
                self._by[column][row[column]].add(key)
                queue = self._queues.get((column, row[column]))
                if queue is not None:
                    entry = (row[self._queue_order[(column, row[column])]], key)
                    if not queue or entry > queue[-1]:
                        queue.append(entry)
                    else:
                        insort(queue, entry)
                        group = (column, row[column])
                        position = bisect_left(queue, entry)
                        if position < self._front.get(group, 0):
                            self._front[group] = position

    def mark_new_group(self, column: str, value: Any) -> None:
        """The group belongs to an entity this batch created: SQL has no rows of it."""
        self._loaded_groups.add((column, value))

    def flush(self) -> None:
        """Write this table's changes: inserts, updates by primary key, deletes."""
        inserts, updates, deletes = [], [], []
        for key, row in self.rows.items():
            before = self.loaded.get(key)
            if row is None and before is not None:
                deletes.append(dict(zip(self.pk, key, strict=True)))
            elif row is not None and before is None:
                inserts.append(row)
            elif row is not None and row != before:
                updates.append(row)
        if inserts:
            bulk_insert(self.conn, self.table, inserts)
        if updates:
            self._update(updates)
        if deletes:
            where = and_(*(self.table.c[c] == bindparam(f"k_{c}") for c in self.pk))
            params = [{f"k_{c}": d[c] for c in self.pk} for d in deletes]
            self.conn.execute(delete(self.table).where(where), params)

    def _update(self, rows: list[Row]) -> None:
        columns = [c.name for c in self.table.columns if c.name not in self.pk]
        where = and_(*(self.table.c[c] == bindparam(f"k_{c}") for c in self.pk))
        stmt = update(self.table).where(where).values({c: bindparam(f"v_{c}") for c in columns})
        params = [
            {**{f"k_{c}": r[c] for c in self.pk}, **{f"v_{c}": r[c] for c in columns}} for r in rows
        ]
        self.conn.execute(stmt, params)


def _chunks(values: list[Any], size: int = 500) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def bulk_insert(conn: Connection, table: Table, rows: list[Row]) -> None:
    """INSERT many rows through the driver's executemany (SQLAlchemy's per-row parameter
    processing costs more than the insert itself at the indexer's rates)."""
    columns = [c.name for c in table.columns if c.name in rows[0]]
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"VALUES ({', '.join([marker] * len(columns))})"
    )
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, [tuple(r[c] for c in columns) for r in rows])
    finally:
        cursor.close()


class Unit:
    """All tables touched by one batch, and the journal of changes in unfinalised blocks."""

    def __init__(self, conn: Connection, journal_from_block: int) -> None:
        self.conn = conn
        self.journal_from_block = journal_from_block
        self.block = 0
        self._tables: dict[str, TableCache] = {}
        self._journaled: set[tuple[str, Key, int]] = set()
        self._journal_rows: list[Row] = []

    def __getitem__(self, name: str) -> TableCache:
        if name not in self._tables:
            table = SQLModel.metadata.tables[name]
            self._tables[name] = TableCache(table, self.conn, self)
        return self._tables[name]

    def journal(self, cache: TableCache, key: Key) -> None:
        """Remember a row's image before its first change in the current (unfinalised) block."""
        if self.block < self.journal_from_block:
            return
        mark = (cache.table.name, key, self.block)
        if mark in self._journaled:
            return
        self._journaled.add(mark)
        before = cache.rows.get(key) if key in cache.rows else cache.get(*key)
        self._journal_rows.append(
            {
                "block_number": self.block,
                "table_name": cache.table.name,
                "pk": orjson.dumps(list(key)).decode(),
                "before": orjson.dumps(before).decode() if before is not None else None,
            }
        )

    def flush(self) -> None:
        """Write every table, then the journal."""
        for cache in self._tables.values():
            cache.flush()
        if self._journal_rows:
            bulk_insert(self.conn, SQLModel.metadata.tables["journal"], self._journal_rows)

    def tables(self) -> Iterable[TableCache]:
        """The caches in use."""
        return self._tables.values()
