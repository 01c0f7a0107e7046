"""Peak memory of `validate` on one large month file (issue #17: within ~10x the file's size).

    python benchmarks/bigfile.py                     # a 60 MB month file; validate with and without yaml-rs
    python benchmarks/bigfile.py --megabytes 20 --reuse

One unit: a roster of 20,000 volunteers (small records, 2 MB) and one month file of activities
with 30-40 participants each (each volunteer in seven or eight half-hour activities a day, so the
file is valid; about a thousand days over 8 hours are warnings). Each `validate` runs as its own process:
JSON with no cache, with yaml-rs (when installed) and PyYAML alone, then as a clerk runs it (the
warnings shown with their source lines, the cache written). Peak memory is the process's maximum
resident set (`os.wait4`), the interpreter and imports included (about 55 MiB).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import GIVEN, SURNAMES, TITLES  # noqa: E402
from vsledger.write.layout import record_text  # noqa: E402

VOLUNTEERS = 20_000
MONTH = "2022-06"


def generate(out: Path, megabytes: float, seed: int = 17) -> Path:
    """The workspace; the month file grows activity by activity until it holds `megabytes`."""
    rng = random.Random(seed)
    base = out / "ledgers" / "big"
    (base / "activities").mkdir(parents=True, exist_ok=True)
    (base / "unit.yaml").write_text("id: big\nname: 大单位\n", encoding="utf-8")
    ids = [f"V{i + 1:05d}" for i in range(VOLUNTEERS)]
    joined, registered = date(2020, 1, 1), date(2020, 1, 2)
    people = [{"id": v, "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)} for v in ids]
    roster = "".join(record_text("roster", {**p, "employment": "staff", "joined": joined, "registered_on": registered}) for p in people)
    (base / "roster.yaml").write_text("volunteers:\n" + roster, encoding="utf-8")
    target = int(megabytes * 1_000_000)
    size = 0
    n = 0
    with (base / "activities" / f"{MONTH}.yaml").open("w", encoding="utf-8") as handle:
        while size < target:
            n += 1
            day = date(2022, 6, rng.randint(1, 30))
            record = {
                "id": f"{day:%Y%m%d}-{n:06d}",
                "date": day,
                "title": rng.choice(TITLES),
                "category": rng.choice(TITLES),
                "location": f"第{rng.randint(1, 30)}社区",
                "served": rng.randint(10, 200),
                "hours": Decimal("0.5"),
                "participants": sorted(rng.sample(ids, rng.randint(30, 40))),
                "recorded_by": "记录员",
            }
            block = ("\n" if n > 1 else "") + record_text("activities", record)
            handle.write(block)
            size += len(block.encode("utf-8"))
    return out


def validate(root: Path, yaml: str, table: bool = False) -> tuple[float, float, int]:
    """Seconds, peak MiB and exit code of one `vsledger validate` process: JSON with no cache, or
    as a clerk runs it (`table`: the problems shown with their source lines, the cache written)."""
    env = {**os.environ, "VSLEDGER_TODAY": "2024-01-15", "VSLEDGER_LANG": "zh", "VSLEDGER_YAML": yaml}
    args = ["validate"] if table else ["--no-cache", "validate", "--format", "json"]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as cache:
        proc = subprocess.Popen([sys.executable, "-m", "vsledger", "--root", str(root), *args], env={**env, "XDG_CACHE_HOME": cache},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - started, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=HERE / "out" / "bigfile")
    parser.add_argument("--reuse", action="store_true", help="measure the workspace already generated there")
    parser.add_argument("--yaml", choices=["fast", "pyyaml", "both"], default="both", help="yaml-rs (when installed), PyYAML, or both")
    options = parser.parse_args()
    if not (options.reuse and (options.out / "ledgers").is_dir()):
        generate(options.out, options.megabytes)
    month = options.out / "ledgers" / "big" / "activities" / f"{MONTH}.yaml"
    mib = month.stat().st_size / 2**20
    print(f"month file {mib:.1f} MiB, roster {(options.out / 'ledgers/big/roster.yaml').stat().st_size / 2**20:.1f} MiB")
    runs = [(yaml, False) for yaml in (("fast", "pyyaml") if options.yaml == "both" else (options.yaml,))]
    for yaml, table in [*runs, (runs[0][0], True)]:
        seconds, peak, code = validate(options.out, yaml, table)
        shown = "table, cache" if table else "json, no cache"
        print(f"validate ({yaml}, {shown}): {seconds:.1f} s, peak {peak:.0f} MiB = {peak / mib:.1f}x the month file, exit {code}")


if __name__ == "__main__":
    main()
