"""Time vsledger's commands on a generated workspace: cold, warm, after one changed month file.

    python benchmarks/bench.py district        # or small, city
    python benchmarks/bench.py city --json benchmarks/out/city.json

Each command runs as its own process (what a user waits for), with a private cache
directory. Peak memory is the process's maximum resident set. The same run times
a bare PyYAML C-loader parse of the same files, the floor the targets are set
against (issue #6: cold check within 1.5x of it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import generate  # noqa: E402

TODAY = "2024-01-15"


def run(root: Path, cache: Path, *args: str, env_extra: dict[str, str] | None = None) -> tuple[float, float, int]:
    """Seconds, peak MiB, exit code of one `vsledger` process."""
    env = {**os.environ, "XDG_CACHE_HOME": str(cache), "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "zh", **(env_extra or {})}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "vsledger", "--root", str(root), *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    return seconds, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def bare_parse(root: Path) -> float:
    import yaml

    started = time.perf_counter()
    for path in sorted(root.rglob("*.yaml")):
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)
    return time.perf_counter() - started


def touch_one_month(root: Path) -> None:
    month = sorted((root / "ledgers").iterdir())[0] / "activities" / "2022-06.yaml"
    with month.open("a", encoding="utf-8") as handle:
        handle.write("# changed\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scale", choices=["small", "district", "city"], nargs="?", default="district")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--reuse", action="store_true", help="time the workspace already generated there (the city takes minutes)")
    options = parser.parse_args()
    root = HERE / "out" / options.scale
    if not (options.reuse and (root / "ledgers").is_dir()):
        generate(options.scale, root)
    files = list(root.rglob("*.yaml"))
    hour_ago = time.time() - 3600  # ledgers are edited long before they are checked
    for path in files:
        os.utime(path, (hour_ago, hour_ago))
    size = sum(p.stat().st_size for p in files)
    figures: dict[str, object] = {
        "scale": options.scale,
        "files": len(files),
        "megabytes": round(size / 2**20, 1),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
    }
    figures["bare_c_loader_parse_s"] = round(bare_parse(root), 2)
    cache = Path(tempfile.mkdtemp(prefix="vsledger-bench-cache-"))
    commands = {
        "validate": ("validate",),
        "check": ("check", "--year", "2022", "--format", "json"),
        "hours": ("hours", "--year", "2022", "--by", "unit", "--format", "json"),
    }
    results: dict[str, dict[str, object]] = {}
    for name, args in commands.items():
        shutil.rmtree(cache, ignore_errors=True)
        cold = run(root, cache, *args)
        warm = run(root, cache, *args)
        touch_one_month(root)
        changed = run(root, cache, *args)
        results[name] = {
            "cold_s": round(cold[0], 2), "warm_s": round(warm[0], 2), "one_month_changed_s": round(changed[0], 2),
            "peak_mib": round(max(cold[1], warm[1], changed[1])), "exit": cold[2],
        }  # fmt: skip
    shutil.rmtree(cache, ignore_errors=True)  # the same cold check with PyYAML reading every file
    pyyaml = run(root, cache, *commands["check"], env_extra={"VSLEDGER_YAML": "pyyaml"})
    results["check-pyyaml-only"] = {"cold_s": round(pyyaml[0], 2), "peak_mib": round(pyyaml[1]), "exit": pyyaml[2]}
    unit = sorted(p.name for p in (root / "ledgers").iterdir())[0]
    shutil.rmtree(cache, ignore_errors=True)
    out = Path(tempfile.mkdtemp(prefix="vsledger-bench-export-")) / "ledger.xlsx"
    export = run(root, cache, "export", "--unit", unit, "--year", "2022", "--out", str(out))
    results["export-xlsx"] = {"s": round(export[0], 2), "peak_mib": round(export[1]), "exit": export[2]}
    add = run(root, cache, "add-activity", "--unit", unit, "--date", "2022-12-30", "--title", "基准", "--location", "礼堂",
              "--hours", "2", "-p", "V00001", "--id", f"bench-{time.time_ns()}")  # fmt: skip
    results["add-activity"] = {"s": round(add[0], 2), "peak_mib": round(add[1]), "exit": add[2]}
    results["--help"] = {"s": round(run(root, cache, "--help")[0], 2)}
    figures["commands"] = results
    bare = figures["bare_c_loader_parse_s"]
    for name in ("check", "check-pyyaml-only"):
        figures[f"{name}_cold_over_bare_parse"] = round(results[name]["cold_s"] / bare, 2)  # type: ignore[operator]
    for name in ("warm_s", "one_month_changed_s"):
        figures[f"check_{name[:-2]}_over_bare_parse"] = round(results["check"][name] / bare, 3)  # type: ignore[operator]
    print(json.dumps(figures, ensure_ascii=False, indent=2))
    if options.json:
        options.json.parent.mkdir(parents=True, exist_ok=True)
        options.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
