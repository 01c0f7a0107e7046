"""Many small units: the local process pool against a Dask cluster, and this process alone.

    python benchmarks/cluster.py                 # 1,000 units of 20 volunteers
    python benchmarks/cluster.py --units 200 --workers 2

Generates the workspace once (benchmarks/out/units-N), then runs `check`'s per-unit work
through each executor (check/executor.py) with no cache, timing the whole run in this
process; the cluster is a distributed.LocalCluster of worker processes on this machine,
started before the clock. Every executor must give the same results (checked here too).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.generate import Scale, generate
from vsledger.check.executor import DaskCluster, Executor, InProcess, LocalPool, UnitJob
from vsledger.core.ledger import Workspace
from vsledger.report.check import run_check

TODAY = date(2024, 1, 15)


def check_unit(workspace: Workspace, unit: str) -> Any:
    return run_check(workspace, 2022, date(2022, 12, 31), [unit]).units[0]


def timed(executor: Executor, job: UnitJob, units: list[str]) -> tuple[float, list[Any]]:
    started = time.perf_counter()
    done = sorted(executor.run(job, units), key=lambda d: d[0])
    seconds = time.perf_counter() - started
    return seconds, [(u, len(p), [(r.rule.id, r.outcome.status.value) for r in result.results]) for u, p, result in done]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()
    root = Path(__file__).resolve().parent / "out" / f"units-{options.units}"
    if not (root / "ledgers").is_dir():
        generate(Scale(options.units, 20, 4, 8), root)
    units = sorted(p.name for p in (root / "ledgers").iterdir())
    job = UnitJob(root, TODAY, check_unit)
    gc.disable()  # as the CLI does
    figures: dict[str, Any] = {"units": len(units), "workers": options.workers}
    seconds, reference = timed(InProcess(), job, units)
    figures["in_process_s"] = round(seconds, 2)
    seconds, pooled = timed(LocalPool(options.workers), job, units)
    figures["local_pool_s"] = round(seconds, 2)
    from distributed import LocalCluster

    with LocalCluster(n_workers=options.workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        seconds, clustered = timed(DaskCluster(cluster.scheduler_address), job, units)
    figures["dask_local_cluster_s"] = round(seconds, 2)
    figures["same_results"] = reference == pooled == clustered
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
