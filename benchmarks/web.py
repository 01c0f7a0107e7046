"""Time `vsledger serve`'s pages on a generated workspace, in-process (no network in the figures).

    python benchmarks/web.py district          # or small, city

For each page: the first request on an empty cache (cold), the first request of a new app
over a warm on-disk cache (a restarted server), then warm requests of the same app (median,
95th percentile, maximum), and the overview again after one month file of one unit changed.
The target (issue #21): the district overview warm in ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.generate import YEAR, generate  # noqa: E402

WARM_RUNS = 30


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scale", choices=["small", "district", "city"], nargs="?", default="district")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

    from vsledger.web.app import Config, create_app

    with tempfile.TemporaryDirectory() as tmp:
        root = generate(args.scale, Path(tmp) / args.scale)
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
        unit = sorted((root / "ledgers").iterdir())[0].name
        pages = [f"/?year={YEAR}", f"/unit/{unit}?year={YEAR}", f"/unit/{unit}/activities", "/problems"]

        def new_client() -> TestClient:
            return TestClient(create_app(Config(root, date.today)), base_url="http://127.0.0.1")

        def timed(client: TestClient, path: str) -> float:
            started = time.perf_counter()
            response = client.get(path)
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (path, response.status_code)
            return elapsed

        print(f"{args.scale}: {len(list((root / 'ledgers').iterdir()))} units, times in ms")
        print(f"{'page':<40} {'cold':>7} {'restart':>8} {'median':>7} {'p95':>7} {'max':>7}")
        time.sleep(3.1)  # past the cache's "racy" window: files written this instant are never cached
        cold = new_client()
        first = {path: timed(cold, path) for path in pages}
        restarted = new_client()
        again = {path: timed(restarted, path) for path in pages}
        for path in pages:
            runs = sorted(timed(restarted, path) for _ in range(WARM_RUNS))
            p95 = runs[int(len(runs) * 0.95) - 1]
            print(f"{path:<40} {first[path]:>7.0f} {again[path]:>8.0f} {statistics.median(runs):>7.1f} {p95:>7.1f} {runs[-1]:>7.1f}")
        month = root / "ledgers" / unit / "activities" / f"{YEAR}-06.yaml"
        with month.open("a", encoding="utf-8") as handle:
            handle.write("# changed\n")
        print(f"overview after one month file changed: {timed(restarted, pages[0]):.0f} ms (that unit alone is read again)")


if __name__ == "__main__":
    main()
