"""Progress of long work (loading a big workspace, exporting), on stderr and only on a terminal.

Library functions take a `Progress` and report to it; the CLI hands them a
terminal one when stderr is a terminal and the silent one otherwise, so pipes,
files, JSON and csv never carry a progress line.
"""

from __future__ import annotations

import sys
from typing import Any


class Progress:
    """Silent: what every caller gets unless someone is watching a terminal."""

    def phase(self, stage: str, total: int) -> None:
        """A new stage of `total` steps; `stage` is a message key (`progress-reading`, ...)."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more of the current stage are done."""

    def close(self) -> None:
        """The work is over: take the display away."""


SILENT = Progress()


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
        from .messages import ui

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
