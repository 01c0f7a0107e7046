"""`vsledger stars`: cumulative hours with prior hours, star levels, workspace thresholds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Result

ROSTER = """
volunteers:
  - {id: V0001, name: 张三, employment: staff, prior_hours: 98}
  - {id: V0002, name: 李四, employment: staff, prior_hours: 1499.5}
  - {id: V0003, name: 王五, employment: staff}
"""
ACTIVITIES = {
    "ledgers/u1/activities/2021-12.yaml": "- {id: a0, date: 2021-12-01, title: 旧, location: 甲, hours: 1, participants: [V0001]}\n",
    "ledgers/u1/activities/2022-05.yaml": (
        "- {id: a1, date: 2022-05-05, title: 义诊, location: 乙, hours: 2, participants: [V0001, V0002]}\n"
        "- {id: a2, date: 2022-05-06, title: 改, location: 乙, hours: 8, participants: [V0003], corrects: a1}\n"
    ),
}


def test_stars_count_prior_hours_every_year_and_corrections(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": ROSTER, **ACTIVITIES})
    rows = {r["id"]: r for r in cli(root, "stars", "--format", "json").json()}
    # a1 was corrected by a2: V0001 keeps 98 + 1 (2021) = 99; V0002 keeps its prior 1499.5; V0003 has a2's 8
    assert (rows["V0001"]["hours"], rows["V0001"]["stars"], rows["V0001"]["to_next"]) == (99.0, 0, 1.0)
    assert (rows["V0002"]["hours"], rows["V0002"]["stars"], rows["V0002"]["next"]) == (1499.5, 4, 1500.0)
    assert (rows["V0003"]["hours"], rows["V0003"]["stars"]) == (8.0, 0)
    table = cli(root, "stars").stdout
    assert "★★★★" in table and "累计服务时长与星级" in table


def test_thresholds_are_the_workspaces_own(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": ROSTER, **ACTIVITIES, "vsledger.yaml": "star_thresholds: [5, 50, 99]\n"})
    rows = {r["id"]: r for r in cli(root, "stars", "--format", "json").json()}
    assert (rows["V0001"]["stars"], rows["V0001"]["next"]) == (3, None)
    assert rows["V0003"]["stars"] == 1
    bad = workspace({"vsledger.yaml": "star_thresholds: [100, 50]\n"})
    result = cli(bad, "stars")
    assert result.exit_code == 1 and "vsledger.yaml:1:18: invalid-thresholds" in result.stderr
