"""Problems as data: every stage returns them, nothing raises them one by one.

A problem is found against a position in a YAML document (a *path* of keys and
indexes); the loader turns paths into line and column only when it reports, so
that the fast path never has to carry positions around.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

DocPath = tuple[str | int, ...]


NAME_CODES = frozenset({"bad-file-name", "unknown-file", "not-a-file", "invalid-unit-dir"})
"""Problems with a file's name or kind, not with a line in it: nothing of the file is quoted (it may
be a photo, a folder, a pipe that never ends)."""


class Level(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(slots=True)
class Problem:
    file: str
    """Path relative to the workspace root, with forward slashes."""
    code: str
    """Stable identifier; the message catalogue is keyed on it."""
    args: dict[str, Any] = field(default_factory=dict)
    level: Level = Level.ERROR
    path: DocPath | None = None
    """Where in the document; resolved to line/column by the locator."""
    at_key: bool = False
    """Point at the key of `path` rather than at its value."""
    line: int = 0
    column: int = 0

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.code)
