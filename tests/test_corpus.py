"""The YAML project's own test suite, each document placed as every kind of ledger file.

Every run must end in located problems or a clean load: never a traceback, a hang
or an unbounded allocation. Needs ../shared/corpora (CI has it); skipped without.
"""

from __future__ import annotations

import io
import time
from datetime import date
from pathlib import Path

import pytest

from conftest import SHARED
from vsledger.check.pipeline import load_workspace
from vsledger.render.messages import PROBLEMS
from vsledger.render.terminal import problems_json, render_problems

CORPUS = SHARED / "corpora" / "yaml-test-suite"
CASES = sorted(CORPUS.rglob("in.yaml")) if CORPUS.is_dir() else []
PLACES = {
    "roster": "ledgers/u1/roster.yaml",
    "activities": "ledgers/u1/activities/2022-05.yaml",
    "unit": "ledgers/u1/unit.yaml",
    "policy": "rules/p1.yaml",
    "reports": "ledgers/u1/reports.yaml",
    "personal": "ledgers/u1/personal.yaml",
}

pytestmark = pytest.mark.skipif(not CASES, reason="../shared/corpora/yaml-test-suite is not beside the project")


def test_corpus_is_complete() -> None:
    assert len(CASES) == 402


@pytest.mark.parametrize("place", list(PLACES))
def test_every_document_loads_or_is_located(place: str, tmp_path: Path) -> None:
    rel = PLACES[place]
    slowest = 0.0
    for index, case in enumerate(CASES):
        root = tmp_path / str(index)
        (root / "ledgers/u1/activities").mkdir(parents=True)
        (root / "rules").mkdir()
        (root / "ledgers/u1/unit.yaml").write_text("id: u1\nname: 单位\n", encoding="utf-8")
        (root / "ledgers/u1/roster.yaml").write_text("volunteers: []\n", encoding="utf-8")
        (root / rel).write_bytes(case.read_bytes())
        started = time.perf_counter()
        workspace = load_workspace(root, date(2024, 1, 1))
        slowest = max(slowest, time.perf_counter() - started)
        for problem in workspace.problems:
            assert problem.line >= 1 and problem.column >= 1, (case, problem)
            assert problem.code in PROBLEMS, (case, problem.code)
        for lang in ("zh", "en"):  # every message renders, with its excerpt
            render_problems(workspace.problems, root, lang, file=io.StringIO())
            problems_json(workspace.problems, lang)
    assert slowest < 5, f"one document took {slowest:.1f} s"
