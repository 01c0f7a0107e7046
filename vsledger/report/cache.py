"""A cache of each unit's problems and results, in the spirit of beancount's, done right.

One entry per unit, keyed on:
- every file of the unit and every policy file (path, size, mtime). A file changed
  in the last few seconds could change again within the same mtime tick unseen,
  so an entry whose files are that fresh is not stored (git's "racy" rule);
- today's date (the future-date check depends on it);
- a fingerprint of vsledger's own source code, so that a new version, or a
  working copy being edited, never reads an entry an older code wrote
  (beancount issue #449: a cache keyed on data alone outlived a code change).

An entry holds the unit's problems (warnings and errors come back on a hit) and
the results computed so far, one per query (`check` for a year and as-of date,
`hours` by a grouping, ...). One changed month file invalidates one unit.

Entries live under the user's cache directory (XDG_CACHE_HOME or ~/.cache), never
in the workspace, in a directory only the owner can read; a corrupt, foreign or
unreadable entry is ignored and rebuilt. `--no-cache` (or VSLEDGER_NO_CACHE=1)
bypasses it.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from vsledger import __version__
from vsledger.check.executor import Executor, UnitJob, executor_for
from vsledger.core.problems import Problem
from vsledger.core.progress import SILENT, Progress

MAGIC = "vsledger-unit-cache"
SCHEMA = 1
RECENT_SECONDS = 3.0
"""A file modified this recently may change again within the same mtime tick: do not cache on it."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of vsledger's source files: any change to the code is a new cache."""
    digest = hashlib.sha256(f"{__version__}:{SCHEMA}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")) + sorted(package.rglob("*.yaml")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_directory(root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    workspace = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return base / "vsledger" / workspace


def _file_keys(directory: Path, rel_base: str, now: float) -> tuple[list[tuple[str, int, int]], bool]:
    """(path, size, mtime) of every file, and whether any of them is too fresh to trust."""
    keys: list[tuple[str, int, int]] = []
    racy = False
    if not directory.is_dir():
        return keys, racy
    for path in sorted(directory.rglob("*")):
        try:
            info = path.stat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode) or path.name.startswith("."):
            continue
        racy = racy or now - info.st_mtime < RECENT_SECONDS
        keys.append((f"{rel_base}/{path.relative_to(directory).as_posix()}", info.st_size, info.st_mtime_ns))
    return keys, racy


@dataclass
class Entry:
    key: str
    problems: list[Problem]
    results: dict[Hashable, Any] = field(default_factory=dict)


class UnitCache:
    def __init__(self, root: Path, today: date, enabled: bool = True) -> None:
        self.root = Path(root)
        self.today = today
        self.enabled = enabled and os.environ.get("VSLEDGER_NO_CACHE", "") in ("", "0")
        self.directory = cache_directory(self.root)
        now = time.time()
        self._policies, self._policies_racy = _file_keys(self.root / "rules", "rules", now) if self.enabled else ([], False)
        self._now = now
        self.racy: set[str] = set()
        """Units whose entries are not stored this run: some file is too fresh."""

    def unit_key(self, unit: str) -> str:
        digest = hashlib.sha256()
        files, racy = _file_keys(self.root / "ledgers" / unit, unit, self._now)
        if racy or self._policies_racy:
            self.racy.add(unit)
        parts = (code_fingerprint(), self.today.isoformat(), repr(self._policies), repr(files))
        for part in parts:
            digest.update(part.encode())
        return digest.hexdigest()

    def _path(self, unit: str) -> Path:
        return self.directory / f"{unit}.pickle"

    def load(self, unit: str, key: str) -> Entry | None:
        if not self.enabled:
            return None
        path = self._path(unit)
        try:
            info = path.stat()
            if info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None  # not ours, or readable by others: do not trust it
            with path.open("rb") as handle:
                payload = pickle.load(handle)
            if not isinstance(payload, dict) or payload.get("magic") != MAGIC or payload.get("schema") != SCHEMA:
                return None
            entry = payload.get("entry")
            if not isinstance(entry, Entry) or entry.key != key:
                return None
            return entry
        except Exception:  # corrupt, truncated, foreign: rebuilt by the caller
            return None

    def store(self, unit: str, entry: Entry) -> None:
        if not self.enabled or unit in self.racy:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
            handle, temp = tempfile.mkstemp(dir=self.directory, prefix=f".{unit}.", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:  # mkstemp creates it 0600
                pickle.dump({"magic": MAGIC, "schema": SCHEMA, "entry": entry}, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temp, self._path(unit))
        except OSError:
            pass  # a cache that cannot be written is only a slower run


def unit_results(
    cache: UnitCache,
    units: list[str],
    query: Hashable,
    compute: Callable[[Any, str], Any],
    progress: Progress = SILENT,
    executor: Executor | None = None,
) -> tuple[dict[str, Any], dict[str, list[Problem]]]:
    """Each unit's result for `query` and its problems, from the cache where the unit is unchanged.

    Units not in the cache are loaded, validated and computed by the executor (by default
    local processes where there are enough of them, else this process)."""

    results: dict[str, Any] = {}
    problems: dict[str, list[Problem]] = {}
    keys = {unit: cache.unit_key(unit) for unit in units} if cache.enabled else {}
    entries: dict[str, Entry] = {}
    todo: list[str] = []
    for unit in units:
        entry = cache.load(unit, keys[unit]) if cache.enabled else None
        if entry is not None and query in entry.results:
            results[unit], problems[unit] = entry.results[query], entry.problems
        else:
            todo.append(unit)
            if entry is not None:
                entries[unit] = entry
    if todo:
        # Each unit's work alone, wherever the executor runs it (check/executor.py).
        job = UnitJob(cache.root.absolute(), cache.today, compute)
        for unit, found, result in (executor or executor_for(None, len(todo))).run(job, todo, progress):
            results[unit] = result
            problems[unit] = found
            entry = entries.get(unit) or Entry(keys.get(unit, ""), found)
            entry.results[query] = result
            cache.store(unit, entry)
    return results, problems
