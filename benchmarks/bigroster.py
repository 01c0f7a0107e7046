"""Peak memory of `validate` on a large roster (a 6 MB roster of 60,000 minimal volunteers).

    python benchmarks/bigroster.py [--volunteers 60000] [--out DIR]

Each run is its own process; the peak is its maximum resident set (`/usr/bin/time -f %M`), printed
beside the file's size and the interpreter's own peak on an empty workspace."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mib(root: Path, yaml: str) -> tuple[float, float, int]:
    env = {**os.environ, "VSLEDGER_YAML": yaml}
    command = [sys.executable, "-m", "vsledger", "--root", str(root), "--no-cache", "validate", "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], capture_output=True, text=True, env=env)
    return int(done.stderr.strip().splitlines()[-1]) / 1024, time.perf_counter() - started, done.returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--volunteers", type=int, default=60_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="vsledger-bigroster-")))
    options = parser.parse_args()
    base = options.out / "ledgers" / "big"
    (base / "activities").mkdir(parents=True, exist_ok=True)
    (options.out / "rules").mkdir(exist_ok=True)
    (base / "unit.yaml").write_text("id: big\nname: 大单位\n", encoding="utf-8")
    lines = (
        f"  - {{id: V{i:05d}, name: 志愿者{i}, employment: staff, joined: 2020-01-01, registered_on: 2020-02-01}}\n"
        for i in range(options.volunteers)
    )
    (base / "roster.yaml").write_text("volunteers:\n" + "".join(lines), encoding="utf-8")
    size = (base / "roster.yaml").stat().st_size / 2**20
    empty = options.out / "empty"
    (empty / "rules").mkdir(parents=True, exist_ok=True)
    (empty / "ledgers").mkdir(exist_ok=True)
    interpreter, _, _ = peak_mib(empty, "fast")
    print(f"roster {size:.1f} MiB; the interpreter alone peaks at {interpreter:.0f} MiB")
    for yaml in ("fast", "pyyaml"):
        peak, seconds, code = peak_mib(options.out, yaml)
        over = (peak - interpreter) / size
        ratio = f"{peak / size:.1f}x the file ({over:.1f}x over the interpreter)"
        print(f"validate ({yaml}): {seconds:.1f} s, peak {peak:.0f} MiB = {ratio}, exit {code}")


if __name__ == "__main__":
    main()
