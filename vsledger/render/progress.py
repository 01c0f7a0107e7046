"""The terminal's progress display: a rich bar on stderr, only when someone watches."""

from __future__ import annotations

import sys
from typing import Any

from vsledger.core.progress import SILENT, Progress
from vsledger.render.messages import ui


class TerminalProgress(Progress):
    """A rich progress bar on stderr that disappears when the work is done."""

    def __init__(self, lang: str, minimum: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.lang, self.minimum = lang, minimum
        self._bar = RichProgress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )  # fmt: skip
        self._task: Any = None
        self._started = False

    def phase(self, stage: str, total: int) -> None:
        if total < self.minimum:  # a moment's work: no bar flashing by
            self._task = None
            return
        if not self._started:
            self._bar.start()
            self._started = True
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._task = self._bar.add_task(ui(stage, self.lang), total=total)

    def advance(self, steps: int = 1) -> None:
        if self._task is not None:
            self._bar.advance(self._task, steps)

    def close(self) -> None:
        if self._started:
            self._bar.stop()
            self._started = False


def for_terminal(lang: str, minimum: int = 64) -> Progress:
    """A progress display when stderr is a terminal, silence otherwise."""
    stream = sys.stderr
    return TerminalProgress(lang, minimum) if getattr(stream, "isatty", lambda: False)() else SILENT
