"""Engines for the mirror (SQLite by default, PostgreSQL by URL) and schema migrations.

Every way into the mirror (`make_engine`, `upgrade`) checks the URL first, so a malformed URL,
an unsupported kind, a missing directory, database or schema is one line saying what to do.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlmodel import create_engine

from ledger.errors import AidLedgerConfigError
from ledger.store.lock_files import open_lock_file

MIGRATIONS = Path(__file__).with_name("migrations")
URL_FORMS = (
    "sqlite:///path/to/mirror.sqlite3 or postgresql://user:password@host:5432/dbname "
    "(a schema: add ?options=-csearch_path%3Dname)"
)


def normalise_url(url: str) -> str:
    """Accept postgres:// and postgresql:// and use psycopg 3 for both."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def check_database_url(url: str, data_dir: Path | None = None) -> str:
    """The normalised URL, or an AidLedgerConfigError naming what is wrong and the forms expected.

    A SQLite file whose directory is missing gets the directory when it lies under `data_dir`
    (the default location); anywhere else a missing directory is a typo more often than not.
    A PostgreSQL URL must name its database (without one, libpq would pick `postgres`).
    """
    try:
        parsed = make_url(normalise_url(url))
    except ArgumentError:
        raise AidLedgerConfigError(f"database URL {url!r} is not usable: use {URL_FORMS}") from None
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        if not parsed.database or parsed.database == ":memory:":
            raise AidLedgerConfigError(
                f"database URL {url!r} names no file: use sqlite:///path/to/mirror.sqlite3"
            )
        _sqlite_directory(Path(parsed.database), data_dir)
        return normalise_url(url)
    if parsed.drivername == "postgresql+psycopg":
        if not parsed.database:
            raise AidLedgerConfigError(
                f"database URL {_shown(parsed)!r} names no database: add it after the host "
                "(postgresql://user@host:5432/dbname)"
            )
        return normalise_url(url)
    raise AidLedgerConfigError(
        f"database URL {_shown(parsed)!r} is of an unsupported kind ({parsed.drivername}): "
        f"use {URL_FORMS}"
    )


def _sqlite_directory(path: Path, data_dir: Path | None) -> None:
    directory = path.parent
    if directory.is_dir():
        return
    if directory.exists():
        raise AidLedgerConfigError(
            f"{directory} is not a directory; the mirror file {path} needs one"
        )
    if data_dir is not None and directory.resolve().is_relative_to(data_dir.resolve()):
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AidLedgerConfigError(
                f"cannot create {directory} for the mirror ({exc.strerror}); "
                "check AIDLEDGER_DATA_DIR"
            ) from None
        return
    raise AidLedgerConfigError(
        f"directory {directory} does not exist (for the mirror file {path.name}); create it, "
        "or point AIDLEDGER_DATABASE_URL / --database-url elsewhere"
    )


def make_engine(
    url: str, data_dir: Path | None = None, *, cache_mib: int = 64, readers: int | None = None
) -> Engine:
    """An engine for `url` (checked as by `check_database_url`); SQLite gets WAL and speed.

    `cache_mib` is SQLite's page cache per connection. `readers` (a server of many concurrent
    readers, such as the portal): keep that many connections open, so that no request waits
    for one (a waiting request holds a worker thread that another needs); SQLite may open more,
    PostgreSQL not (the server's `max_connections`, 100 by default, bounds every process).
    """
    url = check_database_url(url, data_dir)
    if url.startswith("sqlite"):
        pool = {} if readers is None else {"pool_size": readers, "max_overflow": -1}
        engine = create_engine(url, connect_args={"timeout": 30}, **pool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA wal_autocheckpoint=16384")
            cursor.execute(f"PRAGMA cache_size=-{cache_mib * 1024}")
            cursor.close()

        return engine
    pool = {} if readers is None else {"pool_size": readers, "max_overflow": 0}
    return create_engine(url, pool_pre_ping=True, **pool)


def check_reachable(engine: Engine) -> None:
    """Connect once: a missing database, schema, server or permission is one clear line."""
    shown = _shown(engine.url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                schema = conn.execute(text("SELECT current_schema()")).scalar()
                if schema is None:
                    path = conn.execute(text("SHOW search_path")).scalar()
                    raise AidLedgerConfigError(
                        f"no schema of the search path ({path}) exists in the database at "
                        f"{shown}; create it (CREATE SCHEMA {path}) or fix "
                        "options=-csearch_path%3Dname in the URL"
                    )
    except DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise AidLedgerConfigError(
            f"cannot open the mirror database at {shown}: {reason}"
        ) from None


def alembic_config(url: str) -> Config:
    """Alembic's configuration for the mirror at `url`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head", data_dir: Path | None = None) -> None:
    """Bring the schema at `url` to `revision`, the newest migration by default (idempotent).

    The URL is checked and the database reached before Alembic runs, so a wrong URL is one
    line, not Alembic's traceback.
    """
    engine = make_engine(url, data_dir)
    try:
        check_reachable(engine)
        with migration_lock(engine):
            command.upgrade(alembic_config(url), revision)
    finally:
        engine.dispose()


_MIGRATION_KEY = 0x41494D47  # "AIMG": PostgreSQL advisory lock key of schema upgrades


@contextmanager
def migration_lock(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock (waiting for it): two processes starting on a new
    mirror at once (two `index`, `index` beside `portal`) migrate one after the other, and the
    second finds the schema current. A file lock beside a SQLite file, an advisory lock per
    schema on PostgreSQL; other databases are not locked."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        with open_lock_file(
            Path(f"{engine.url.database}.migrate.lock"), "migration lock"
        ) as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(
            text("SELECT pg_advisory_lock(:k, hashtext(current_schema()))"), {"k": _MIGRATION_KEY}
        )
        conn.commit()
        try:
            yield
        finally:
            conn.execute(
                text("SELECT pg_advisory_unlock(:k, hashtext(current_schema()))"),
                {"k": _MIGRATION_KEY},
            )
            conn.commit()
