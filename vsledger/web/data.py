"""What the pages read, kept in memory while the files under it are unchanged.

Every request stats the files it depends on (the per-unit cache's keys: path,
size, mtime of each file of the unit and of every policy) and reuses what it
computed before when nothing moved; a changed unit is recomputed alone, through
the on-disk per-unit cache the CLI shares. The whole workspace is never loaded
for one page.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vsledger.check.pipeline import load_workspace
from vsledger.core.ledger import Workspace
from vsledger.core.problems import Problem
from vsledger.read.loader import Files, locate
from vsledger.report.cache import RECENT_SECONDS, UnitCache, unit_results
from vsledger.report.check import UnitCheck, run_check
from vsledger.write.personal_split import leaks_in_git, tracked_files

MONTH_FILE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\.yaml$")
LOADED_UNITS_KEPT = 8
RESULTS_KEPT = 2000
"""Results held in memory (a unit for a query: a year and as-of date, ...), the least recently used dropped first."""


def check_unit(workspace: Workspace, year: int, as_of: date, unit: str) -> UnitCheck:
    """The same computation, under the same cache query, as `vsledger check`."""
    return run_check(workspace, year, as_of, [unit]).units[0]


@dataclass
class Base:
    """The policies and the list of units: what every page needs, cheap to load."""

    key: tuple[object, ...]
    workspace: Workspace


class LedgerData:
    """The workspace as the web app reads it; safe to share between request threads."""

    def __init__(self, root: Path, today: Callable[[], date], use_cache: bool = True) -> None:
        self.root = Path(root)
        self.today = today
        self.use_cache = use_cache
        self._lock = threading.Lock()
        self._base: Base | None = None
        self._results: OrderedDict[tuple[str, Hashable], tuple[str, Any, list[Problem]]] = OrderedDict()
        self._units: OrderedDict[str, tuple[str, Workspace]] = OrderedDict()
        self._leaks: tuple[object, list[Problem]] | None = None

    def _cache(self) -> UnitCache:
        return UnitCache(self.root, self.today(), enabled=self.use_cache)

    def _memo_allowed(self, cache: UnitCache) -> bool:
        return self.use_cache and cache.enabled

    def base(self) -> Workspace:
        """Policies and unit ids; reloaded when a file under rules/ or the list of units changes."""
        stats, racy = _stat_rules(self.root)
        key = (self.today(), *stats, *_unit_dirs(self.root))
        with self._lock:
            if self._base is not None and self._base.key == key and self.use_cache:
                return self._base.workspace
        workspace = load_workspace(self.root, self.today(), only_units=[], locate_problems=False)
        locate(Files(self.root), workspace.problems)
        workspace.problems.sort(key=Problem.sort_key)
        if not racy:
            with self._lock:
                self._base = Base(key, workspace)
        return workspace

    def results(
        self, units: list[str], query: Hashable, compute: Callable[[Workspace, str], Any]
    ) -> tuple[dict[str, Any], dict[str, list[Problem]]]:
        """Each unit's result for `query` and its problems: from memory, else from the per-unit cache, else computed."""
        cache = self._cache()
        results: dict[str, Any] = {}
        problems: dict[str, list[Problem]] = {}
        keys: dict[str, str] = {}
        todo: list[str] = []
        memo = self._memo_allowed(cache)
        for unit in units:
            if memo:
                keys[unit] = cache.unit_key(unit)
                with self._lock:
                    held = self._results.get((unit, query))
                    if held is not None:
                        self._results.move_to_end((unit, query))
                if held is not None and held[0] == keys[unit]:
                    results[unit], problems[unit] = held[1], held[2]
                    continue
            todo.append(unit)
        if todo:
            computed, found = unit_results(cache, todo, query, compute)
            for unit in todo:
                results[unit], problems[unit] = computed[unit], found[unit]
                if memo and unit not in cache.racy:
                    with self._lock:
                        self._results[(unit, query)] = (keys[unit], computed[unit], found[unit])
                        self._results.move_to_end((unit, query))
                        while len(self._results) > RESULTS_KEPT:
                            self._results.popitem(last=False)
        return results, problems

    def unit(self, unit: str) -> Workspace:
        """One unit loaded whole (roster, activities), kept while its files are unchanged."""
        cache = self._cache()
        memo = self._memo_allowed(cache)
        key = cache.unit_key(unit) if memo else ""
        if memo:
            with self._lock:
                held = self._units.get(unit)
                if held is not None and held[0] == key:
                    self._units.move_to_end(unit)
                    return held[1]
        workspace = load_workspace(self.root, self.today(), only_units=[unit], locate_problems=False)
        if memo and unit not in cache.racy:
            with self._lock:
                self._units[unit] = (key, workspace)
                while len(self._units) > LOADED_UNITS_KEPT:
                    self._units.popitem(last=False)
        return workspace

    def leaks(self) -> list[Problem]:
        """`personal-data-in-git` warnings, as `vsledger validate` adds them: read again only when a tracked file changed."""
        tracked = tracked_files(self.root) or []
        now, racy, stats = time.time(), False, []
        for rel in tracked:
            try:
                info = os.stat(self.root / rel)
            except OSError:
                continue
            racy = racy or now - info.st_mtime < RECENT_SECONDS
            stats.append((rel, info.st_size, info.st_mtime_ns))
        key = tuple(stats)
        with self._lock:
            if self.use_cache and self._leaks is not None and self._leaks[0] == key:
                return self._leaks[1]
        found = leaks_in_git(self.root)
        if not racy:
            with self._lock:
                self._leaks = (key, found)
        return found

    def years(self) -> list[int]:
        """Years that have an activity file in some unit, newest first."""
        found: set[int] = set()
        ledgers = self.root / "ledgers"
        for unit in _unit_dirs(self.root):
            try:
                names = os.listdir(ledgers / unit / "activities")
            except OSError:
                continue
            found.update(int(m.group(1)) for m in map(MONTH_FILE.match, names) if m)
        return sorted(found, reverse=True)


def _stat_rules(root: Path) -> tuple[list[tuple[str, int, int]], bool]:
    """(path, size, mtime) of the policies and workspace settings; whether one is too fresh to trust."""
    keys = []
    racy = False
    now = time.time()
    for directory in (root / "rules", root):
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".yaml") and entry.is_file():
                info = entry.stat()
                racy = racy or now - info.st_mtime < RECENT_SECONDS
                keys.append((entry.path, info.st_size, info.st_mtime_ns))
    return keys, racy


def _unit_dirs(root: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(root / "ledgers") if e.is_dir() and not e.name.startswith((".", "_")))
    except OSError:
        return []
