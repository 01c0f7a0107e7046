"""The per-unit work gives the same problems and results wherever it runs.

In this process, in a pool of local processes, and on a Dask cluster (a
distributed.LocalCluster in this process; `dask` is in the test extra so CI runs it).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from benchmarks.generate import Scale, generate
from conftest import Result
from vsledger.check.executor import DaskCluster, InProcess, LocalPool, UnitJob, executor_for
from vsledger.core.ledger import Workspace
from vsledger.report.check import run_check

TODAY = date(2024, 1, 15)


def check_unit(workspace: Workspace, unit: str) -> Any:
    return run_check(workspace, 2022, date(2022, 12, 31), [unit]).units[0]


def summary(done: list[tuple[str, list[Any], Any]]) -> list[Any]:
    """What a run yields, in unit order, as comparable data."""
    rows = []
    for unit, problems, result in sorted(done, key=lambda d: d[0]):
        outcomes = [(r.rule.id, r.outcome.status.value, str(r.outcome.actual), r.outcome.failing) for r in result.results]
        rows.append((unit, [(p.file, p.code, p.args, p.path) for p in problems], outcomes, result.hours_by_month))
    return rows


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = generate(Scale(5, 40, 4, 12), tmp_path_factory.mktemp("executor") / "ws")
    # One unit with an error and one with a broken file, so problems travel too.
    broken = root / "ledgers" / "unit-002" / "activities" / "2022-03.yaml"
    broken.write_text(broken.read_text(encoding="utf-8") + "- {id: x, date: 2022-03-40\n", encoding="utf-8")
    roster = root / "ledgers" / "unit-004" / "roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8").replace("employment: staff", "employment: boss", 1), encoding="utf-8")
    hour_ago = time.time() - 3600  # files saved long ago: the cache may keep their units (test_cached_units_...)
    for path in root.rglob("*.yaml"):
        os.utime(path, (hour_ago, hour_ago))
    return root


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as local:
        yield local.scheduler_address


def test_in_process_and_local_pool_agree(generated: Path) -> None:
    job = UnitJob(generated, TODAY, check_unit)
    units = sorted(p.name for p in (generated / "ledgers").iterdir())
    here = summary(list(InProcess().run(job, units)))
    assert {p[1] for row in here for p in row[1]} >= {"yaml-syntax", "invalid-choice"}
    assert summary(list(LocalPool(2).run(job, units))) == here


def test_a_dask_cluster_agrees(generated: Path, cluster: str) -> None:
    job = UnitJob(generated, TODAY, check_unit)
    units = sorted(p.name for p in (generated / "ledgers").iterdir())
    assert summary(list(DaskCluster(cluster).run(job, units))) == summary(list(InProcess().run(job, units)))


def test_the_executor_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VSLEDGER_SCHEDULER", raising=False)
    assert isinstance(executor_for(None, 1), InProcess)
    assert isinstance(executor_for("tcp://127.0.0.1:1", 1), DaskCluster)
    monkeypatch.setenv("VSLEDGER_SCHEDULER", "tcp://127.0.0.1:2")
    assert isinstance(executor_for(None, 100), DaskCluster)


@pytest.mark.parametrize("command", [("check", "--year", "2022", "--format", "json"), ("validate", "--format", "json")])
def test_commands_say_the_same_on_a_cluster(
    command: tuple[str, ...], generated: Path, cluster: str, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    local = cli(generated, "--no-cache", *command)
    remote = cli(generated, "--no-cache", "--scheduler", cluster, *command)
    assert (remote.exit_code, remote.stdout, remote.stderr) == (local.exit_code, local.stdout, local.stderr)
    assert local.exit_code == 1 and json.loads(local.stdout)


def test_a_scheduler_that_does_not_answer_is_a_usage_error(generated: Path, cli: Callable[..., Result]) -> None:
    pytest.importorskip("distributed")
    result = cli(generated, "--no-cache", "--scheduler", "tcp://127.0.0.1:9", "check", "--year", "2022", lang="en")
    assert result.exit_code == 2
    assert "the Dask scheduler tcp://127.0.0.1:9 cannot be used" in result.stderr
    assert "Traceback" not in result.stderr


def test_cached_units_are_not_sent_again(generated: Path, cluster: str, cli: Callable[..., Result]) -> None:
    first = cli(generated, "--scheduler", cluster, "check", "--year", "2022", "--format", "json")
    again = cli(generated, "--scheduler", "tcp://127.0.0.1:9", "check", "--year", "2022", "--format", "json")
    assert (again.exit_code, again.stdout) == (first.exit_code, first.stdout)  # every unit from the cache: no cluster asked
