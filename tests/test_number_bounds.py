"""Numbers with bounds on every input path: beyond sane limits is a located error, every problem
is reported, and no number's exponent decides how much memory a command takes."""

from __future__ import annotations

import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import ROSTER as BASE_ROSTER
from tests.conftest import TODAY, Result

ROSTER = (
    BASE_ROSTER.replace("    teams: [red]\n", "    teams: [red]\n    prior_hours: 1e30\n")
    + "    trainings:\n      - {date: 2020-03-01, title: 急救培训, hours: 99999999999999999999999999999999}\n"
)

POLICY = """
id: p1
title: 测试方案
rules:
  - id: hours
    kind: hours_per_capita
    min: 1234567890123456789012345678901234567890
    text: 人均不低于很多小时
  - id: count
    kind: activity_count
    min: 1234567890123456789012345678901234567890
    text: 很多次
"""


def test_huge_numbers_in_files_are_located_errors_all_of_them(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """`prior_hours: 1e30` or a 40-digit rule min was "internal error (InvalidOperation)", nothing else."""
    root = workspace({"ledgers/u1/roster.yaml": ROSTER, "rules/p1.yaml": POLICY})
    result = cli(root, "validate", "--format", "json")
    assert result.exit_code == 1 and "internal error" not in result.stderr
    found = {(p["file"], p["line"]) for p in result.json()["problems"]}
    roster = ROSTER.lstrip("\n").splitlines()
    policy = POLICY.lstrip("\n").splitlines()
    assert ("ledgers/u1/roster.yaml", roster.index("    prior_hours: 1e30") + 1) in found
    assert ("ledgers/u1/roster.yaml", next(i for i, line in enumerate(roster) if "99999999" in line) + 1) in found
    assert ("rules/p1.yaml", policy.index("    min: 1234567890123456789012345678901234567890") + 1) in found
    assert ("rules/p1.yaml", len(policy) - 1) in found  # the second rule's min as well
    checked = cli(root, "check", "--year", "2024")
    assert checked.exit_code == 1 and "internal error" not in checked.stderr


def _limited(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a process that may not take more than 1 GiB: an exponent-sized allocation fails it."""
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from vsledger.cli.app import run; sys.argv = ['vsledger'] + sys.argv[1:]; run()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "--root", str(root), "--lang", "en", "--today", TODAY, *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_tiny_exponent_on_the_command_line_is_refused_not_expanded(workspace: Callable[..., Path]) -> None:
    """`--hours 1e-9999999999` was killed by the OOM killer at 24 GB."""
    assert resource.getrlimit(resource.RLIMIT_AS) is not None
    root = workspace()
    base = ("--unit", "u1", "--date", "2024-05-05", "--title", "义诊", "--location", "社区", "--yes")
    for args in (("add-activity", *base, "--hours", "1e-9999999999", "-p", "V0001"),
                 ("add-activity", *base, "--hours", "2", "-p", "V0001=1e9999999999"),
                 ("add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff", "--prior-hours", "1e-9999999999"),
                 ("redeem", "--unit", "u1", "--volunteer", "V0001", "--hours", "1e9999999999", "--what", "理发")):  # fmt: skip
        done = _limited(root, *args)
        assert done.returncode == 1, (args, done.stderr[-2000:])
        assert "internal error" not in done.stderr and "MemoryError" not in done.stderr
        assert "hours" in done.stderr
    assert not (root / "ledgers/u1/activities").exists()
