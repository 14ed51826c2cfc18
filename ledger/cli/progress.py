"""Progress of `aidledger index` on stderr: a rich bar on a terminal, plain lines elsewhere."""

from __future__ import annotations

import math
import sys
import time
from typing import Any, TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TaskProgressColumn,
    TextColumn,
)

from ledger.indexer.apply import Applied


def count(n: float) -> str:
    """Every count the CLI prints, one way: thousands separated by commas, no decimals."""
    return f"{n:,.0f}"


def duration(seconds: float) -> str:
    """`1:02:03`, `2:03` or `5 s`."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole} s"
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"


class IndexProgress:
    """`sync`'s on_batch callback: block, percent, events, rate, time left; then "following".

    On a terminal a rich progress bar; otherwise (CI, a pipe, a log) one plain line every
    `interval` seconds and at the end of the catch-up. With `follow`, once the target is reached
    it says so and then prints one line per new batch with events, at most every `interval`.
    """

    def __init__(
        self,
        follow: bool = False,
        stream: TextIO | None = None,
        interval: float = 5.0,
        terminal: bool | None = None,
    ) -> None:
        self.stream = stream or sys.stderr
        self.follow = follow
        self.interval = interval
        self.terminal = self.stream.isatty() if terminal is None else terminal
        self.started = time.monotonic()
        self.last_line = -math.inf  # the first line at once, even on a machine just booted
        self.first_block: int | None = None
        self.events = 0
        self.following = False
        self.passes = 0
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, applied: Applied, target: int) -> None:
        if self.first_block is None:
            self.first_block = applied.first
        self.events += applied.events
        if self.following:
            self._follow_line(applied)
            return
        if self.terminal:
            self._update_bar(applied, target)
        else:
            self._plain_line(applied, target)
        if applied.last >= target:
            self.close()
            if self.follow:
                self.following = True
                self._say(
                    f"caught up at block {count(applied.last)}; following the head (Ctrl-C to stop)"
                )

    def poll(self) -> bool:
        """`SyncOptions.stop`: called at every pass of `sync`; never asks it to stop.

        A second pass without any batch means the mirror was up to date from the start: with
        `follow`, say that it now follows the head (`__call__` says so after a catch-up).
        """
        self.passes += 1
        if self.follow and not self.following and self.first_block is None and self.passes > 1:
            self.following = True
            self._say("up to date; following the head (Ctrl-C to stop)")
        return False

    def close(self) -> None:
        """Stop the bar (leaving its last state on screen)."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None

    def _rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.events / elapsed if elapsed > 0 else 0.0

    def _left(self, total: int, done: int) -> str:
        """`about 2:05 left` at the block rate so far; empty when done."""
        elapsed = time.monotonic() - self.started
        if done >= total or done <= 0 or elapsed <= 0:
            return ""
        return f"about {duration((total - done) * elapsed / done)} left"

    def _update_bar(self, applied: Applied, target: int) -> None:
        assert self.first_block is not None
        total = max(1, target - self.first_block + 1)
        done = min(total, applied.last - self.first_block + 1)
        fields: dict[str, Any] = {
            "block": count(applied.last),
            "target": count(target),
            "events": count(self.events),
            "rate": count(self._rate()),
            "left": self._left(total, done),
        }
        if self._bar is None:
            self._bar = Progress(
                TextColumn("block {task.fields[block]}/{task.fields[target]}"),
                BarColumn(),
                TaskProgressColumn(),
                TextColumn("{task.fields[events]} events, {task.fields[rate]} events/s"),
                TextColumn("{task.fields[left]}"),
                console=Console(file=self.stream, force_terminal=True),
            )
            self._bar.start()
            self._task = self._bar.add_task("index", total=total, completed=done, **fields)
        assert self._task is not None
        self._bar.update(self._task, total=total, completed=done, **fields)

    def _plain_line(self, applied: Applied, target: int) -> None:
        now = time.monotonic()
        if now - self.last_line < self.interval and applied.last < target:
            return
        self.last_line = now
        assert self.first_block is not None
        total = max(1, target - self.first_block + 1)
        done = min(total, applied.last - self.first_block + 1)
        left = self._left(total, done)
        self._say(
            f"block {count(applied.last)}/{count(target)} ({100 * done / total:.1f}%), "
            f"{count(self.events)} events, {count(self._rate())} events/s"
            + (f", {left}" if left else "")
        )

    def _follow_line(self, applied: Applied) -> None:
        now = time.monotonic()
        if applied.events and now - self.last_line >= self.interval:
            self.last_line = now
            self._say(f"block {count(applied.last)}: {count(self.events)} events in total")

    def _say(self, line: str) -> None:
        print(line, file=self.stream, flush=True)
