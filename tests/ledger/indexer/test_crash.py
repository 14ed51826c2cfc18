"""kill -9 of `aidledger index` at random points: restart after each kill, and whenever a run
completes the mirror equals an uninterrupted reindex row for row and `verify()` finds nothing.

One long catch-up per database (thousands of gift events on anvil, 100 per block, at most one
block per batch so that kills land between and inside batch transactions), extended by a new
round of events whenever a run completes before the kill budget is spent. CI does 25 kills on
SQLite and 25 on PostgreSQL (50 in all); `AIDLEDGER_CRASH_KILLS=<n per database>` raises it
(`make soak`). About one kill in five is timed from the process start, so it can also land in
start-up, migration and checkpoint creation; the others land after the run applied a batch.
After every kill the checkpoint and the rows must agree (one transaction per batch).
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
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from ledger.indexer.rpc import Rpc
from ledger.indexer.sync import SyncOptions, sync
from ledger.indexer.verify import diff_mirrors, verify
from ledger.store.db import make_engine, upgrade
from tests.chain_backends import anvil_web3
from tests.contracts.world import World, build_world
from tests.ledger.indexer.bulk import gift_batches
from tests.ledger.indexer.conftest import rpc_url

KILLS = int(os.environ.get("AIDLEDGER_CRASH_KILLS", "25"))
SEED = int(os.environ.get("AIDLEDGER_CRASH_SEED", "20200123"))
FIRST_ROUND, NEXT_ROUND = 3_000, 1_500  # gift events added before each catch-up
PER_BLOCK = 100  # gifts per transaction (and block): fewer transactions to send


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

    def __post_init__(self) -> None:
        self.engine = make_engine(self.db_url)

    def spawn(self) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "ledger", "index", "--json", "--max-span", "1"]
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

    def kill_at_random_point(self, proc: subprocess.Popen[str]) -> bool:
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
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate()
        if phase == "mid-stream" and self.checkpoint() == self.world.ledger.ledger_head()[0]:
            phase = "caught up, before exit"
        self.kills.append(phase)
        self.assert_checkpoint_matches_rows()
        return True

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
            proc = self.spawn()
            if len(self.kills) < kills_wanted and self.kill_at_random_point(proc):
                continue
            out, err = proc.communicate(timeout=300)
            if proc.returncode == 1 and "another indexer" in err:
                time.sleep(0.2)  # the killed run's session is still closing (PostgreSQL)
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


def test_kill_9_at_random_points_loses_and_doubles_nothing(
    anvil_world: World, db_url: str, tmp_path: Path
) -> None:
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
    print(f"{len(crashes.kills)} kills ({len(mid_stream)} mid-stream), {crashes.completions} runs")
