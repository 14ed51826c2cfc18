"""kill -9 of `aidledger index` at random points: restart after each kill, and whenever a run
completes the mirror equals an uninterrupted reindex row for row; at the end `verify()` finds
nothing.

One long catch-up per database (thousands of gift events on anvil, 100 per block, at most one
block per batch so that kills land between and inside batch transactions), extended by a new
round of events whenever a run completes before the kill budget is spent. CI does 25 kills on
SQLite and 25 on PostgreSQL (50 in all); `AIDLEDGER_CRASH_KILLS=<n per database>` raises it
(`make soak`). About one kill in five is timed from the process start, so it can also land in
start-up, migration and checkpoint creation; the others land after the run applied a batch.
After every kill the checkpoint and the rows must agree (one transaction per batch). A third
of the runs prepare batches in a worker process (--parallel), which must die with the indexer.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import SQLModel

from ledger.chain.rpc import Rpc
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import diff_mirrors, verify
from ledger.store import models  # noqa: F401  (fills SQLModel.metadata)
from ledger.store.db import make_engine, upgrade
from tests.chain_backends import anvil_web3
from tests.contracts.world import World, build_world
from tests.ledger.indexer.bulk import gift_batches
from tests.ledger.indexer.conftest import rpc_url

KILLS = int(os.environ.get("AIDLEDGER_CRASH_KILLS", "25"))
SEED = int(os.environ.get("AIDLEDGER_CRASH_SEED", "20200123"))
FIRST_ROUND, NEXT_ROUND = 3_000, 1_500  # gift events added before each catch-up
PARALLEL_SHARE = 0.3  # runs that prepare batches in a worker process (--parallel)
PER_BLOCK = 100  # gifts per transaction (and block): fewer transactions to send


def children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def anvil_world() -> Iterator[World]:
    """A fresh anvil chain of its own with the system deployed and seeded."""
    with anvil_web3() as w3:
        yield build_world(w3, "anvil")


@dataclass
class Crashes:
    """One database under repeated kill -9."""

    world: World
    db_url: str
    deployments: Path
    workdir: Path
    rng: random.Random
    engine: Engine = field(init=False)
    kills: list[str] = field(default_factory=list)  # the phase each kill landed in
    completions: int = 0
    worker_kills: int = 0  # kills while a --parallel worker process was running
    busy: int = 0  # restarts refused because the lock was still held

    def __post_init__(self) -> None:
        self.engine = make_engine(self.db_url)

    def spawn(self, parallel: bool) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "ledger", "index", "--json", "--max-span", "1"]
        command += ["--parallel" if parallel else "--no-parallel"]
        command += ["--rpc", rpc_url(self.world), "--database-url", self.db_url]
        command += ["--deployments-dir", str(self.deployments)]
        return subprocess.Popen(
            command, cwd=self.workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )

    def checkpoint(self) -> int | None:
        """The mirror's seq, or None before the schema and checkpoint exist."""
        try:
            with self.engine.connect() as conn:
                return conn.execute(text("SELECT seq FROM indexer_state")).scalar()
        except DBAPIError:
            return None

    def kill_at_random_point(self, proc: subprocess.Popen[str], parallel: bool) -> bool:
        """SIGKILL `proc` at a random point; False if it finished first."""
        started = self.checkpoint()
        if self.rng.random() < 0.2:
            phase, deadline = "start-up", time.monotonic() + self.rng.uniform(0.0, 3.0)
        else:
            while proc.poll() is None and self.checkpoint() == started:
                time.sleep(0.01)
            phase, deadline = "mid-stream", time.monotonic() + self.rng.uniform(0.0, 0.06)
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if proc.poll() is not None:
            return False
        workers = children(proc.pid)
        self.worker_kills += bool(parallel and workers)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        self.assert_no_orphans(workers)
        proc.communicate()
        if phase == "mid-stream" and self.checkpoint() == self.world.ledger.ledger_head()[0]:
            phase = "caught up, before exit"
        self.kills.append(phase + (" (worker process)" if parallel else ""))
        self.assert_checkpoint_matches_rows()
        return True

    def assert_no_orphans(self, workers: list[int]) -> None:
        """The indexer's worker processes die with it (an orphan would be left every crash)."""
        deadline = time.monotonic() + 5
        while (alive := [p for p in workers if running(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        for pid in alive:  # clean up what this test started, then fail
            os.kill(pid, signal.SIGKILL)
        assert not alive, f"worker processes {alive} outlived the killed indexer"

    def assert_checkpoint_matches_rows(self) -> None:
        """Rows and checkpoint are written in one transaction: a kill never splits them."""
        try:
            with self.engine.connect() as conn:
                state = conn.execute(text("SELECT seq, last_block FROM indexer_state")).one()
                events = conn.execute(text("SELECT COUNT(*), MAX(seq) FROM raw_events")).one()
                blocks = conn.execute(text("SELECT MAX(number) FROM blocks")).scalar()
        except DBAPIError:
            return  # killed before the schema and checkpoint existed
        assert events[0] == state.seq == (events[1] or 0)
        assert blocks == state.last_block

    def catch_up(self, kills_wanted: int) -> None:
        """Start, kill and restart until a run completes; at most `kills_wanted` kills."""
        while True:
            parallel = self.rng.random() < PARALLEL_SHARE
            proc = self.spawn(parallel)
            if len(self.kills) < kills_wanted and self.kill_at_random_point(proc, parallel):
                continue
            out, err = proc.communicate(timeout=300)
            if proc.returncode == 1 and "another indexer" in err:
                self.busy += 1  # the killed run's session is still closing (PostgreSQL)
                assert self.busy < 20, "the writer lock outlived the killed indexer"
                time.sleep(0.2)
                continue
            assert proc.returncode == 0, f"exit {proc.returncode}\n{out}\n{err}"
            summary = json.loads(out)
            assert summary["seq"] == self.world.ledger.ledger_head()[0]
            self.completions += 1
            return

    def assert_equals_fresh_reindex(self, reference: Engine) -> None:
        rpc = Rpc(rpc_url(self.world), timeout=30)
        with self.engine.connect() as conn:
            last_block = conn.execute(text("SELECT last_block FROM indexer_state")).scalar()
        sync(reference, rpc, self.world.ledger.deployment, SyncOptions(until_block=last_block))
        assert diff_mirrors(self.engine, reference) == []


# One test per database, apart in the file, so that pytest-xdist's chunks of consecutive tests
# give the two long runs to different workers.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_kill_9_at_random_points_loses_and_doubles_nothing_on_sqlite(
    anvil_world: World, db_url: str, tmp_path: Path
) -> None:
    kill_repeatedly(anvil_world, db_url, tmp_path)


def kill_repeatedly(anvil_world: World, db_url: str, tmp_path: Path) -> None:
    """Catch up under KILLS kills; compare with a reindex after each completed run."""
    deployments = tmp_path / "deployments"
    anvil_world.ledger.deployment.save(deployments)
    rng = random.Random(f"{SEED}-{db_url.split(':', maxsplit=1)[0]}")
    crashes = Crashes(anvil_world, db_url, deployments, tmp_path, rng)
    reference_url = f"sqlite:///{tmp_path / 'reference.sqlite3'}"
    upgrade(reference_url)
    reference = make_engine(reference_url)
    gift_batches(anvil_world, FIRST_ROUND, per_tx=PER_BLOCK)
    while len(crashes.kills) < KILLS:
        crashes.catch_up(KILLS)
        crashes.assert_equals_fresh_reindex(reference)
        gift_batches(anvil_world, NEXT_ROUND, per_tx=PER_BLOCK)
    crashes.catch_up(KILLS)
    crashes.assert_equals_fresh_reindex(reference)
    rpc = Rpc(rpc_url(anvil_world), timeout=30)
    assert verify(crashes.engine, rpc, anvil_world.ledger.deployment) == []
    mid_stream = [k for k in crashes.kills if k.startswith("mid-stream")]
    assert len(crashes.kills) == KILLS and len(mid_stream) >= KILLS // 2, crashes.kills
    assert crashes.worker_kills >= KILLS // 10, crashes.kills
    kills, workers, runs = len(crashes.kills), crashes.worker_kills, crashes.completions
    print(f"{kills} kills ({len(mid_stream)} mid-stream, {workers} with a worker), {runs} runs")


# The first `aidledger index` on an empty database migrates it: kill -9 must not brick it there.
_KILL_AT_STATEMENT = """
import os, signal, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from ledger.store.db import upgrade
kill_at, count = int(sys.argv[2]), 0
@event.listens_for(Engine, "before_cursor_execute")
def _count(*args):
    global count
    count += 1
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
upgrade(sys.argv[1])
print(count)
"""


def _upgrade_killed_at(url: str, statement: int) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _KILL_AT_STATEMENT, url, str(statement)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def _empty(url: str) -> None:
    """Drop every table the migration made (SQLite file or PostgreSQL schema)."""
    engine = make_engine(url)
    with engine.begin() as conn:
        for name in reversed(inspect(conn).get_table_names()):
            conn.execute(text(f'DROP TABLE "{name}"'))
    engine.dispose()


def test_kill_9_during_the_first_migration_leaves_a_database_that_upgrades(db_url: str) -> None:
    """Kill the schema migration at seeded SQL statements; each time a second upgrade completes."""
    full = _upgrade_killed_at(db_url, 0)
    assert full.returncode == 0, full.stderr
    statements = int(full.stdout)
    rng = random.Random(SEED)
    points = sorted({1, statements, *rng.sample(range(2, statements), 4)})
    for point in points:
        _empty(db_url)
        killed = _upgrade_killed_at(db_url, point)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        upgrade(db_url)  # used to fail with "table ... already exists" (SQLite)
        engine = make_engine(db_url)
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            version = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        engine.dispose()
        assert len(SQLModel.metadata.tables) > 20 and len(version) == 1
        assert set(SQLModel.metadata.tables) <= tables, (point, tables)


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_kill_9_at_random_points_loses_and_doubles_nothing_on_postgresql(
    anvil_world: World, db_url: str, tmp_path: Path
) -> None:
    kill_repeatedly(anvil_world, db_url, tmp_path)
