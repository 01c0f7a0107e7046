"""Where the per-unit work runs: this process, a pool of local processes, or a Dask cluster.

A unit's work — parse its files, build and validate its records, compute what the command
asks of it — needs nothing of any other unit (docs/format.md), so it is one task per unit:
`run_unit`. The executors differ only in where those tasks run; each yields, for every unit,
the unit's problems and its result, the same wherever it ran (tests/test_executor.py).

- `InProcess`: every unit loaded together in this process (its files parsed on every core),
  then each computed here: the way for a few units.
- `LocalPool`: one task per unit in a pool of forked processes; the parent never holds more
  than the results. The default for many units where the platform can fork.
- `DaskCluster` (`--scheduler tcp://host:port` or VSLEDGER_SCHEDULER; `pip install
  'vsledger[dask]'`): the tasks go to a Dask cluster's workers, each of which needs
  vsledger (the same version) and the workspace at the same path (shared storage, or a
  checkout of the same commit there).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from vsledger.check.pipeline import load_workspace
from vsledger.core.ledger import Workspace
from vsledger.core.problems import Problem
from vsledger.core.progress import SILENT, Progress

UnitWork = Callable[[Workspace, str], Any]
"""What a command computes for one unit of a loaded workspace (a check, hours, ...)."""
UnitDone = tuple[str, list[Problem], Any]
"""A unit's id, its problems (those of its own files) and its result."""

SCHEDULER_ENV = "VSLEDGER_SCHEDULER"
POOL_MIN_UNITS = 4
"""Below this many units, forking workers costs more than it saves."""


@dataclass(frozen=True)
class UnitJob:
    """Everything a task needs besides the unit: picklable, so it can go to another machine."""

    root: Path
    today: date
    compute: UnitWork


class Executor(Protocol):
    def run(self, job: UnitJob, units: list[str], progress: Progress = SILENT) -> Iterator[UnitDone]: ...


def owner(problem: Problem) -> str | None:
    """The unit whose files a problem is about (None for a policy's)."""
    return problem.file.split("/")[1] if problem.file.startswith("ledgers/") else None


def run_unit(job: UnitJob, unit: str) -> UnitDone:
    """One unit's whole work, alone: what every executor's task is."""
    workspace = load_workspace(job.root, job.today, only_units=[unit], locate_problems=False)
    result = job.compute(workspace, unit)
    return unit, [p for p in workspace.problems if owner(p) == unit], result


class InProcess:
    def run(self, job: UnitJob, units: list[str], progress: Progress = SILENT) -> Iterator[UnitDone]:
        workspace = load_workspace(job.root, job.today, only_units=units, locate_problems=False, progress=progress)
        by_unit: dict[str, list[Problem]] = {unit: [] for unit in units}
        for problem in workspace.problems:
            mine = by_unit.get(owner(problem) or "")
            if mine is not None:
                mine.append(problem)
        progress.phase("progress-checking", len(units))
        for unit in units:
            result = job.compute(workspace, unit)  # before yielding: computing may locate the unit's problems
            progress.advance()
            yield unit, by_unit[unit], result


_JOB: UnitJob | None = None
"""The job of a LocalPool's workers: inherited by fork, so its `compute` need not pickle."""


def _pool_task(unit: str) -> UnitDone:
    assert _JOB is not None
    return run_unit(_JOB, unit)


class LocalPool:
    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or min(os.cpu_count() or 1, 8)

    def run(self, job: UnitJob, units: list[str], progress: Progress = SILENT) -> Iterator[UnitDone]:
        global _JOB
        _JOB = job
        try:
            workers = min(self.workers, len(units))
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                progress.phase("progress-checking", len(units))  # after the fork: the bar's thread is not forked
                # Several small units to a message: a thousand round trips cost more than the units.
                for done in pool.imap_unordered(_pool_task, units, chunksize=max(1, len(units) // (workers * 16))):
                    progress.advance()
                    yield done
        finally:
            _JOB = None


class DaskCluster:
    def __init__(self, address: str) -> None:
        self.address = address

    def run(self, job: UnitJob, units: list[str], progress: Progress = SILENT) -> Iterator[UnitDone]:
        from distributed import Client, as_completed  # the optional extra, imported only when asked for

        try:
            client = Client(self.address, timeout="10s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerUnavailable(str(exc) or type(exc).__name__) from None
        progress.phase("progress-checking", len(units))
        with client:
            futures = client.map(run_unit, [job] * len(units), units, pure=False)
            for future in as_completed(futures):
                progress.advance()
                yield future.result()


class SchedulerUnavailable(Exception):
    """The Dask scheduler named cannot be used: the extra is missing or it does not answer."""


def executor_for(scheduler: str | None, units: int) -> Executor:
    """The executor for this run: a cluster when one is named, else local processes where they pay."""
    scheduler = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if scheduler:
        try:
            import distributed  # noqa: F401
        except ImportError as exc:
            raise SchedulerUnavailable("pip install 'vsledger[dask]'") from exc
        return DaskCluster(scheduler)
    cpus = os.cpu_count() or 1
    forkable = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1  # never fork threads
    if units >= POOL_MIN_UNITS and cpus >= 2 and forkable:
        return LocalPool()
    return InProcess()
