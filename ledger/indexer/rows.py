"""A write-back cache of mirror rows for one batch, journaling changes of unfinalised blocks.

Handlers read and change rows here; `flush` writes inserts, updates and deletes in bulk
(`executemany`), so a batch costs a few statements per table whatever its size.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from operator import itemgetter
from typing import Any

import orjson
from sqlalchemy import Connection, Table
from sqlmodel import SQLModel

from ledger.indexer.bulk import (
    delete_rows,
    insert_rows,
    select_in,
    select_key,
    select_page,
    update_rows,
)

Row = dict[str, Any]
Key = tuple[Any, ...]
_PAGE = 1024
_NOTHING: Any = object()  # `ordered`: no page of the group loaded yet
_ALL: Any = object()  # `ordered`: every SQL row of the group is loaded


class TableCache:
    """Rows of one table touched in this batch, with their image as loaded from SQL."""

    def __init__(self, table: Table, conn: Connection, unit: Unit) -> None:
        self.table = table
        self.conn = conn
        self.unit = unit
        self.pk = [c.name for c in table.primary_key.columns]
        self.key: Callable[[Row], Key] = _key_getter(self.pk)  # the primary key of a row
        self.rows: dict[Key, Row | None] = {}
        self.loaded: dict[Key, Row | None] = {}
        self._by: dict[str, defaultdict[Any, set[Key]]] = {}  # column -> value -> keys
        self._loaded_groups: set[tuple[str, Any]] = set()
        self._queues: dict[tuple[str, Any], list[tuple[Any, Key]]] = {}
        self._queue_order: dict[tuple[str, Any], str] = {}
        self._front: dict[tuple[str, Any], int] = {}
        self._through: dict[tuple[str, Any], Any] = {}

    def get(self, *key: Any) -> Row | None:
        """The current row for `key`, loading it from SQL on first use."""
        if key not in self.rows:
            found = select_key(self.conn, self.table, key)
            if found is not None:
                self._remember(found)
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
        if (column, value) not in self._loaded_groups:
            self.preload_groups(column, [value])
        keys = self._group(column)[value]
        return [r for k in keys if (r := self.rows.get(k)) is not None]

    def preload(self, keys: Iterable[Any]) -> None:
        """Load many single-column keys in one query (absent keys are remembered as absent)."""
        (pk,) = self.pk
        wanted = [k for k in set(keys) if (k,) not in self.rows]
        for found in select_in(self.conn, self.table, pk, wanted):
            self._remember(found)
        for k in wanted:
            if (k,) not in self.rows:
                self.loaded[(k,)] = self.rows[(k,)] = None

    def preload_groups(self, column: str, values: Iterable[Any]) -> None:
        """Load every row of many `where(column, value)` groups in one query."""
        wanted = [v for v in set(values) if (column, v) not in self._loaded_groups]
        for found in select_in(self.conn, self.table, column, wanted):
            self._remember(found)
        self._loaded_groups.update((column, v) for v in wanted)

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
        self._journal(row)
        self.rows[key] = row
        self._index(key, row)
        return row

    def change(self, row: Row, **values: Any) -> None:
        """Change columns of a current row."""
        self._journal(row)
        row.update(values)

    def add(self, row: Row, **deltas: int) -> None:
        """Add to numeric columns of a current row."""
        self._journal(row)
        for column, delta in deltas.items():
            row[column] += delta

    def _journal(self, row: Row) -> None:
        """Journal the row's image before a change, if its block may still be reorganised
        (checked here, before its key is even computed: catch-up mostly writes final blocks)."""
        if self.unit.block >= self.unit.journal_from_block:
            self.unit.journal(self, self.key(row))

    def ordered(self, column: str, value: Any, order: str, positive: str) -> Iterator[Row]:
        """Rows with `column == value` and `positive > 0`, ascending by `order`.

        The group's cached rows are kept sorted, with a front pointer past rows whose `positive`
        is spent; SQL is read a page at a time, each page once per batch, only when the walk
        reaches the end of what is loaded. So taking from the front of a long queue again and
        again costs no query until the loaded part is used up.
        """
        group = (column, value)
        queue = self._queue(group, order)
        if group in self._loaded_groups:
            self._through[group] = _ALL
        i = self._front.get(group, 0)
        while True:
            through = self._through.get(group, _NOTHING)
            if through is not _ALL and (
                through is _NOTHING or i >= len(queue) or queue[i][0] > through
            ):
                self._load_page(group, order, positive, through)
                continue  # pages hold rows after `through` only: position i is still valid
            if i >= len(queue):
                return
            row = self.rows.get(queue[i][1])
            if row is None or row[positive] <= 0:
                if i == self._front.get(group, 0):
                    self._front[group] = i + 1
            else:
                yield row
            i += 1

    def _load_page(self, group: tuple[str, Any], order: str, positive: str, through: Any) -> None:
        """Load the next rows of an `ordered` group from SQL, past `through`."""
        column, value = group
        after = None if through is _NOTHING else through
        page = select_page(self.conn, self.table, column, value, order, positive, after, _PAGE)
        for found in page:
            self._remember(found)
        self._through[group] = page[-1][order] if len(page) == _PAGE else _ALL

    def rewind(self, column: str, value: Any) -> None:
        """Some row of the group got `positive` back: scan its queue from the start again."""
        self._front.pop((column, value), None)

    def _queue(self, group: tuple[str, Any], order: str) -> list[tuple[Any, Key]]:
        queue = self._queues.get(group)
        if queue is None:
            column, value = group
            queue = sorted(
                (row[order], key)
                for key in self._group(column)[value]
                if (row := self.rows.get(key)) is not None and row[column] == value
            )
            self._queues[group] = queue
            self._queue_order[group] = order
        return queue

    def _group(self, column: str) -> defaultdict[Any, set[Key]]:
        """value -> keys of the cached rows, for a column that groups rows (built on first use,
        then kept up to date as rows arrive)."""
        by = self._by.get(column)
        if by is None:
            by = self._by[column] = defaultdict(set)
            for key, row in self.rows.items():
                if row is not None:
                    by[row[column]].add(key)
        return by

    def _index(self, key: Key, row: Row) -> None:
        for column, by in self._by.items():
            value = row[column]
            by[value].add(key)
            queue = self._queues.get((column, value))
            if queue is not None:
                entry = (row[self._queue_order[(column, value)]], key)
                if not queue or entry > queue[-1]:
                    queue.append(entry)
                else:
                    insort(queue, entry)
                    position = bisect_left(queue, entry)
                    if position < self._front.get((column, value), 0):
                        self._front[(column, value)] = position

    def mark_new_group(self, column: str, value: Any) -> None:
        """The group belongs to an entity this batch created: SQL has no rows of it."""
        self._loaded_groups.add((column, value))

    def flush(self) -> None:
        """Write this table's changes: inserts, updates of the changed columns, deletes."""
        inserts: list[Row] = []
        updates: dict[tuple[str, ...], list[Row]] = defaultdict(list)
        deletes: list[Key] = []
        for key, row in self.rows.items():
            before = self.loaded.get(key)
            if row is None:
                if before is not None:
                    deletes.append(key)
            elif before is None:
                inserts.append(row)
            elif row != before:
                changed = tuple(c for c, v in row.items() if before.get(c) != v)
                updates[changed].append(row)
        insert_rows(self.conn, self.table, inserts)
        for columns, rows in updates.items():
            update_rows(self.conn, self.table, columns, rows)
        delete_rows(self.conn, self.table, deletes)


def _key_getter(pk: list[str]) -> Callable[[Row], Key]:
    if len(pk) == 1:
        (column,) = pk
        return lambda row: (row[column],)
    return itemgetter(*pk)


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
        """Remember a row's image before its first change in the current block, which the
        caller has found unfinalised (`TableCache._journal`)."""
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
        insert_rows(self.conn, SQLModel.metadata.tables["journal"], self._journal_rows)

    def tables(self) -> Iterable[TableCache]:
        """The caches in use."""
        return self._tables.values()
