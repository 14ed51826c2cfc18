"""Progress of `aidledger report` on stderr: a rich counter on a terminal, nothing elsewhere."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn


class ReportProgress:
    """Counts journal rows as they are written; shown only when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> ReportProgress:
        if self.stream.isatty():
            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TextColumn("{task.completed:,.0f} journal rows"),
                TimeElapsedColumn(),
                console=Console(file=self.stream),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("writing the report", total=None)
        return self

    def update(self, rows: int) -> None:
        """The journal rows written so far."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=rows)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
