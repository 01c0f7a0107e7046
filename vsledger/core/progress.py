"""Progress of long work (loading a big workspace, exporting), on stderr and only on a terminal.

Library functions take a `Progress` and report to it; the CLI hands them a
terminal one when stderr is a terminal and the silent one otherwise, so pipes,
files, JSON and csv never carry a progress line.
"""

from __future__ import annotations


class Progress:
    """Silent: what every caller gets unless someone is watching a terminal."""

    def phase(self, stage: str, total: int) -> None:
        """A new stage of `total` steps; `stage` is a message key (`progress-reading`, ...)."""

    def advance(self, steps: int = 1) -> None:
        """`steps` more of the current stage are done."""

    def close(self) -> None:
        """The work is over: take the display away."""


SILENT = Progress()
