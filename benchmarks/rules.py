"""Seconds spent in each rule of the policy, summed over the units: where `check` spends its evaluation.

    python benchmarks/rules.py benchmarks/out/city [--year 2022]

Loads the workspace once (not timed here; bench.py times whole commands), then evaluates
every unit's policy rule by rule. `--naive-person` also times the per-person activity scan
the rule kinds did before the participation index (issue #19), on the same data.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from vsledger.check.pipeline import load_workspace
from vsledger.check.rules import KINDS, Context


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--naive-person", action="store_true")
    parser.add_argument("--units", type=int, help="only the first N units")
    options = parser.parse_args()
    gc.disable()  # as the CLI does (cli/app.py run): a collection over a city's objects costs seconds
    started = time.perf_counter()
    wanted = sorted(p.name for p in (options.root / "ledgers").iterdir())[: options.units] if options.units else None
    workspace = load_workspace(options.root, date(options.year + 2, 1, 15), locate_problems=False, only_units=wanted)
    print(f"load {time.perf_counter() - started:.2f} s, {len(workspace.units)} units")
    as_of = date(options.year, 12, 31)
    spent: dict[str, float] = defaultdict(float)
    naive = 0.0
    for ledger in workspace.units.values():
        policy_id = ledger.unit.policy_for(options.year) if ledger.unit else None
        if policy_id not in workspace.policies:
            continue
        context = Context(ledger, options.year, as_of)
        for rule in workspace.policies[policy_id].policy.rules:
            began = time.perf_counter()
            KINDS[rule.kind].evaluate(context, rule.params)
            spent[f"{rule.id} ({rule.kind})"] += time.perf_counter() - began
        if options.naive_person:
            began = time.perf_counter()
            activities = context.activities
            for v in context.roster:
                _ = [a for a in activities if any(x.volunteer == v.id for x in a.participants)]
            naive += time.perf_counter() - began
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{seconds:8.3f} s  {name}")
    print(f"{sum(spent.values()):8.3f} s  all rules")
    if options.naive_person:
        print(f"{naive:8.3f} s  the old per-person scan alone (every volunteer on the roster)")


if __name__ == "__main__":
    main()
