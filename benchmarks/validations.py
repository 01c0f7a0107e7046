"""Seconds spent in each validation, summed over the units: where `validate` spends its checking.

    python benchmarks/validations.py benchmarks/out/city [--units N] [--timed]

Loads the workspace once (its own validations included, not timed here; bench.py times whole
commands), then runs every validation of the registry on every unit, one at a time. The
generated activities have hours but no times of day; `--timed` first gives each one a start and
an end (from 08:00 to 16:00, as long as its hours), so that `overlapping-times` has spans to
compare: the most work it can be given, every activity of every day timed.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vsledger.check.pipeline import load_workspace
from vsledger.check.validation import VALIDATIONS
from vsledger.core.ledger import UnitLedger


def give_times(ledger: UnitLedger, rng: random.Random) -> None:
    """Every activity from a start on the half hour, for as long as its hours."""
    for entry in ledger.activities:
        record = entry.record
        if record.hours is None:
            continue
        start = datetime.combine(record.date, clock(8)) + timedelta(minutes=30 * rng.randint(0, 16))
        end = start + timedelta(hours=float(record.hours))
        entry.record = record.model_copy(update={"start": start.time(), "end": end.time(), "hours": None})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--units", type=int, help="only the first N units")
    parser.add_argument("--timed", action="store_true", help="give every activity a start and an end first")
    options = parser.parse_args()
    gc.disable()  # as the CLI does
    started = time.perf_counter()
    wanted = sorted(p.name for p in (options.root / "ledgers").iterdir())[: options.units] if options.units else None
    workspace = load_workspace(options.root, date(2024, 1, 15), locate_problems=False, only_units=wanted)
    print(f"load {time.perf_counter() - started:.2f} s, {len(workspace.units)} units")
    if options.timed:
        rng = random.Random(7)
        for ledger in workspace.units.values():
            give_times(ledger, rng)
    spent: dict[str, float] = defaultdict(float)
    found: dict[str, int] = defaultdict(int)
    for ledger in workspace.units.values():
        for check in VALIDATIONS:
            began = time.perf_counter()
            for problem in check(ledger, workspace):
                found[problem.code] += 1
            spent[check.__name__] += time.perf_counter() - began
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{seconds:8.3f} s  {name}")
    print(f"{sum(spent.values()):8.3f} s  all validations")
    print("problems:", ", ".join(f"{code} {n}" for code, n in sorted(found.items())))


if __name__ == "__main__":
    main()
