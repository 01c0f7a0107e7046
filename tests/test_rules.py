"""Every rule kind against hand-computed results: pass, fail, pending and n/a.

The scenario (hours per volunteer worked out by hand):

    V0001 staff, party, b1/red, registered, checked in, trained 03-01, skills [急救]
    V0002 contract, registered, no skills
    V0003 staff, party, b1, joined 07-01 (184 days on the roster in 2022), skills [a, b]
    V0004 staff, party, left 06-30
    V0005 retired, never registered

    a1 01-10 red  [集中] 10 h  V0001 V0002 V0004
    a2 03-05 blue [社区]  4 h  V0001 (+5 external)
    a3 07-05 red  义诊    6 h  V0001 V0002 V0003
    a4 09-01 red          3 h  V0002            ← corrected by a5
    a5 09-01 red          5 h  V0002 V0003
    a6 11-15              2 h  V0001

    year end: V0001 22 h (4 activities), V0002 21 (3), V0003 11 (2), V0004 10 (1), V0005 0
    30 June:  V0001 14, V0002 10, V0004 10
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result

UNIT = """
id: u1
name: 测试单位
policy: p1
population: 20
branches:
  - {id: b1, name: 第一党支部}
  - {id: b2, name: 第二党支部}
teams:
  - {id: red, name: 红队, branch: b1, convener: V0001}
  - {id: blue, name: 蓝队, branch: b1, convener: V0004}
"""
ROSTER = """
volunteers:
  - id: V0001
    name: 张三
    employment: staff
    party_member: true
    branch: b1
    teams: [red]
    registered_on: 2020-01-01
    checked_in_on: 2021-05-01
    skills: [急救]
    trainings:
      - {date: 2022-03-01, topic: 通用培训, hours: 2}
  - {id: V0002, name: 李四, employment: contract, registered_on: 2020-01-01}
  - {id: V0003, name: 王五, employment: staff, party_member: true, branch: b1, joined: 2022-07-01, registered_on: 2022-07-01, skills: [a, b]}
  - {id: V0004, name: 赵六, employment: staff, party_member: true, left: 2022-06-30, registered_on: 2020-01-01}
  - {id: V0005, name: 钱七, employment: retired}
"""
ACTIVITIES = {
    "ledgers/u1/activities/2022-01.yaml": "- {id: a1, date: 2022-01-10, title: 一, team: red, tags: [集中], location: 甲, hours: 10, participants: [V0001, V0002, V0004]}\n",
    "ledgers/u1/activities/2022-03.yaml": "- {id: a2, date: 2022-03-05, title: 二, team: blue, tags: [社区], location: 乙, hours: 4, participants: [V0001], external: 5}\n",
    "ledgers/u1/activities/2022-07.yaml": "- {id: a3, date: 2022-07-05, title: 三, team: red, category: 义诊, location: 丙, hours: 6, participants: [V0001, V0002, V0003]}\n",
    "ledgers/u1/activities/2022-09.yaml": (
        "- {id: a4, date: 2022-09-01, title: 四, team: red, location: 丁, hours: 3, participants: [V0002]}\n"
        "- {id: a5, date: 2022-09-01, title: 四, team: red, location: 丁, hours: 5, participants: [V0002, V0003], corrects: a4}\n"
    ),
    "ledgers/u1/activities/2022-11.yaml": "- {id: a6, date: 2022-11-15, title: 六, location: 戊, hours: 2, participants: [V0001]}\n",
}  # fmt: skip
REPORTS = """
- {kind: monthly, period: 2022-01, submitted_on: 2022-02-03}
- {kind: monthly, period: 2022-02, submitted_on: 2022-03-07}
- {kind: plan, period: 2022, submitted_on: 2022-05-20}
- {kind: half-year, period: 2022-H1, submitted_on: 2022-06-28}
"""

END, MID = "2022-12-31", "2022-06-30"


def scenario(workspace: Callable[..., Path], rule: str, extra: dict[str, str] | None = None) -> Path:
    body = textwrap.dedent(rule).strip() + ("" if "text:" in rule else "\n  text: 条款")
    policy = "id: p1\ntitle: 测试方案\nrules:\n" + textwrap.indent(body + "\n", "  ")
    files = {
        "rules/p1.yaml": policy,
        "ledgers/u1/unit.yaml": UNIT,
        "ledgers/u1/roster.yaml": ROSTER,
        "ledgers/u1/reports.yaml": REPORTS,
        **ACTIVITIES,
        **(extra or {}),
    }
    return workspace(files, base=False)


def evaluate(root: Path, cli: Callable[..., Result], as_of: str) -> dict[str, Any]:
    result = cli(root, "check", "--year", "2022", "--as-of", as_of, "--format", "json")
    assert result.stderr == "" or "错误" not in result.stderr, result.stderr
    return result.json()["units"][0]["rules"][0]


BARE_UNIT = "id: u1\nname: 测试单位\npolicy: p1\n"

# (rule, as_of, status, actual, target, failing ids) on a unit with no branch, no team and no population
BARE_CASES: list[tuple[str, str, Any, Any]] = [
    ("kind: activity_count\nscope: team\nper: month", "n/a", None, 1),
    ("kind: activity_count\nscope: branch\nper: year", "n/a", None, 1),
    ("kind: activity_count\nscope: person\nwho: {employment: [student]}\nper: month", "n/a", None, 1),
    ("kind: population_participation\nmin: 10%", "n/a", None, 0.1),
    ("kind: teams_per_branch\nmin: 1", "n/a", None, 1),
    ("kind: team_conveners", "n/a", None, 1.0),
]


@pytest.mark.parametrize(("rule", "status", "actual", "target"), BARE_CASES, ids=[c[0].split(chr(10))[0][6:] for c in BARE_CASES])
def test_nothing_to_judge_is_na(
    rule: str, status: str, actual: Any, target: Any, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    bare = {
        "ledgers/u1/unit.yaml": BARE_UNIT,
        "ledgers/u1/roster.yaml": ROSTER.replace("    branch: b1\n    teams: [red]\n", "").replace(", branch: b1", ""),
        **{rel: text.replace(" team: red,", "").replace(" team: blue,", "") for rel, text in ACTIVITIES.items()},
    }
    root = scenario(workspace, "- id: r\n" + textwrap.indent(rule, "  "), bare)
    result = evaluate(root, cli, END)
    assert (result["status"], result["actual"], result["target"], result["failing"]) == (status, actual, target, [])


def test_teams_per_branch_passes_when_every_branch_has_a_team(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    unit = UNIT.replace(
        "  - {id: blue, name: 蓝队, branch: b1, convener: V0004}", "  - {id: blue, name: 蓝队, branch: b2, convener: V0004}"
    )
    root = scenario(workspace, "- id: r\n  kind: teams_per_branch", {"ledgers/u1/unit.yaml": unit})
    result = evaluate(root, cli, END)
    assert (result["status"], result["actual"], result["target"], result["failing"]) == ("pass", 1, 1, [])


# (rule, as_of, status, actual, target, failing ids)
CASES: list[tuple[str, str, str, Any, Any, list[str]]] = [
    # registration_rate — a state rule; the population is who is on the roster on the as-of date
    ("kind: registration_rate\nwho: {employment: [staff, contract]}\nmin: 100%", END, "pass", 1.0, 1.0, []),
    ("kind: registration_rate\nmin: 100%", END, "fail", 0.75, 1.0, ["V0005"]),
    # a pass names nothing under what falls short, though V0005 is not registered
    ("kind: registration_rate\nmin: 0.75", END, "pass", 0.75, 0.75, []),
    ("kind: registration_rate\nmin: 100%", MID, "fail", 0.75, 1.0, ["V0005"]),
    ("kind: registration_rate\nwho: {employment: [student]}\nmin: 100%", END, "n/a", None, 1.0, []),
    # checkin_rate
    ("kind: checkin_rate\nwho: {party_member: true}\nmin: 100%", END, "fail", 0.5, 1.0, ["V0003"]),
    ("kind: checkin_rate\nwho: {party_member: true, branch: b1}\nmin: 50%", END, "pass", 0.5, 0.5, []),
    ("kind: checkin_rate\nwho: {employment: [student]}\nmin: 50%", END, "n/a", None, 0.5, []),
    # training_rate — accumulating: pending mid-year, fail at year end
    ("kind: training_rate\nwho: {party_member: true}\nmin: 100%", END, "fail", 0.5, 1.0, ["V0003"]),
    ("kind: training_rate\nwho: {teams: [red]}\nmin: 100%", END, "pass", 1.0, 1.0, []),
    ("kind: training_rate\nwho: {registered: false, employment: [staff]}\nmin: 100%", END, "n/a", None, 1.0, []),
    ("kind: training_rate\nwho: {party_member: true}\nmin: 100%", MID, "pending", 0.5, 1.0, ["V0004"]),
    ("kind: training_rate\nwho: {party_member: true}\nmin: 100%", "2022-02-28", "pending", 0.0, 1.0, ["V0001", "V0004"]),
    # skills — a state rule
    ("kind: skills\nmin: 1", END, "fail", 0.5, 1.0, ["V0002", "V0005"]),
    ("kind: skills\nwho: {registered: false}\nmin: 1", END, "fail", 0.0, 1.0, ["V0005"]),
    ("kind: skills\nwho: {employment: [student]}\nmin: 1", END, "n/a", None, 1.0, []),
    ("kind: skills\nmin: 1\nrate: 50%", END, "pass", 0.5, 0.5, []),
    ("kind: skills\nmin: 2\nrate: 25%", END, "pass", 0.25, 0.25, []),
    # hours_per_capita — (22 + 21 + 11) / 3 = 18 at year end; (14 + 10 + 10) / 3 = 11.33 on 30 June
    ("kind: hours_per_capita\nwho: {employment: [staff, contract]}\nmin: 25", END, "fail", 18.0, 25.0, ["V0001", "V0002", "V0003"]),
    ("kind: hours_per_capita\nwho: {employment: [staff, contract]}\nmin: 18", END, "pass", 18.0, 18.0, []),
    # 25 × 181/365 = 12.397 → 12.40
    ("kind: hours_per_capita\nwho: {employment: [staff, contract]}\nmin: 25", MID, "pending", 11.33, 12.4, ["V0002", "V0004"]),
    # 20 × 181/365 = 9.918 → 9.92
    ("kind: hours_per_capita\nwho: {employment: [staff, contract]}\nmin: 20", MID, "pass", 11.33, 9.92, []),
    # red only: V0001 10 + 6, V0002 10 + 6 + 5, V0003 6 + 5 → 48 / 3 = 16
    ("kind: hours_per_capita\nwho: {employment: [staff, contract]}\nwhere: {team: [red]}\nmin: 17", END, "fail", 16.0, 17.0, ["V0001", "V0003"]),
    ("kind: hours_per_capita\nwho: {employment: [student]}\nmin: 20", MID, "n/a", None, 9.92, []),
    # hours_per_person — V0003 joined 07-01: 22 × 184/365 = 11.090 → 11.09, and he has 11
    ("kind: hours_per_person\nwho: {employment: [staff, contract]}\nmin: 20", END, "pass", 1.0, 1.0, []),
    ("kind: hours_per_person\nwho: {employment: [staff, contract]}\nmin: 22", END, "fail", 0.3333, 1.0, ["V0002", "V0003"]),
    ("kind: hours_per_person\nwho: {employment: [staff, contract]}\nmin: 22\nrate: 30%", END, "pass", 0.3333, 0.3, []),
    # 30 × 181/365 = 14.876 → 14.88 for everyone on the roster all half-year
    ("kind: hours_per_person\nwho: {employment: [staff, contract]}\nmin: 30", MID, "pending", 0.0, 1.0, ["V0001", "V0002", "V0004"]),
    ("kind: hours_per_person\nwho: {employment: [staff, contract]}\nmin: 20", MID, "pass", 1.0, 1.0, []),
    ("kind: hours_per_person\nwho: {employment: [student]}\nmin: 20", END, "n/a", None, 1.0, []),
    # participation_rate
    ("kind: participation_rate\nwho: {employment: [student]}\nmin: 80%", END, "n/a", None, 0.8, []),
    ("kind: participation_rate\nwho: {party_member: true}\nmin: 80%", END, "pass", 1.0, 0.8, []),
    ("kind: participation_rate\nwho: {party_member: true}\nmin: 80%\nactivities: 3", END, "fail", 0.5, 0.8, ["V0003"]),
    ("kind: participation_rate\nwho: {party_member: true}\nmin: 80%\nwhere: {tags: [社区]}", MID, "pending", 0.5, 0.8, ["V0004"]),
    # activity_count
    ("kind: activity_count\nscope: team\nper: year\nmin: 2", END, "fail", 1, 2, ["blue"]),
    ("kind: activity_count\nscope: team\nper: year\nmin: 2", MID, "pending", 1, 2, ["red", "blue"]),
    ("kind: activity_count\nscope: unit\nper: quarter\nmin: 1", "2022-08-15", "fail", 0, 1, ["u1"]),
    ("kind: activity_count\nscope: unit\nper: quarter\nmin: 1", "2022-03-31", "pass", 2, 1, []),
    ("kind: activity_count\nscope: branch\nper: year\nmin: 1", END, "fail", 0, 1, ["b2"]),
    ("kind: activity_count\nscope: person\nwho: {party_member: true}\nper: half\nmin: 1", END, "pass", 2, 1, []),
    ("kind: activity_count\nscope: person\nwho: {party_member: true}\nper: half\nmin: 3", END, "fail", 2, 3, ["V0001", "V0001", "V0003"]),
    ("kind: activity_count\nscope: unit\nper: month\nwhere: {tags: [集中]}\nmin: 1", "2022-01-31", "pass", 1, 1, []),
    # min_participants — a2 has 1 + 5 external
    ("kind: min_participants\nmin: 3", END, "fail", 1, 3, ["a5", "a6"]),
    ("kind: min_participants\nwhere: {tags: [社区]}\nmin: 6", END, "pass", 6, 6, []),
    ("kind: min_participants\nwhere: {tags: [无]}\nmin: 6", END, "n/a", None, 6, []),
    # population_participation — V0001..V0003 of 20 (V0004 left before year end)
    ("kind: population_participation\nmin: 13%", END, "pass", 0.15, 0.13, []),
    ("kind: population_participation\nmin: 20%", END, "fail", 0.15, 0.2, ["u1"]),
    ("kind: population_participation\nmin: 20%", MID, "pending", 0.15, 0.2, ["u1"]),
    # teams_per_branch and team_conveners
    ("kind: teams_per_branch\nmin: 1", END, "fail", 0, 1, ["b2"]),
    ("kind: team_conveners", END, "fail", 0.5, 1.0, ["blue"]),
    ("kind: team_conveners", MID, "pass", 1.0, 1.0, []),
    # report_due
    ("kind: report_due\nreport: monthly\ndue: 5", "2022-03-31", "fail", 1, 2, ["2022-02"]),
    # February's report, handed in on 03-07, is not yet due on 02-28 and not yet handed in
    ("kind: report_due\nreport: monthly\ndue: 5", "2022-02-28", "pending", 1, 1, []),
    ("kind: report_due\nreport: plan\ndue: \"05-30\"", "2022-04-30", "pending", 0, 0, []),
    ("kind: report_due\nreport: plan\ndue: \"05-30\"", MID, "pass", 1, 1, []),
    ("kind: report_due\nreport: plan\ndue: \"05-15\"", MID, "fail", 0, 1, ["2022"]),
    ("kind: report_due\nreport: half-year\ndue: [\"06-30\", \"12-31\"]", END, "fail", 1, 2, ["2022-H2"]),
    ("kind: report_due\nreport: half-year\ndue: [\"06-30\", \"12-31\"]", "2022-07-01", "pending", 1, 1, []),
    # special_days
    ("kind: special_days\ndays: [\"03-05\", \"07-05\", \"12-25\"]\nmin: 100%", END, "fail", 0.6667, 1.0, ["2022-12-25"]),
    ("kind: special_days\ndays: [\"03-05\", \"07-05\", \"12-25\"]\nmin: 100%", "2022-07-31", "pass", 1.0, 1.0, []),
    ("kind: special_days\ndays: [\"03-05\", \"07-05\", \"12-25\"]\nmin: 2", END, "pass", 2, 2, []),
    ("kind: special_days\ndays: [\"03-05\", \"07-05\", \"12-25\"]\nmin: 3", "2022-08-01", "pending", 2, 3, []),
    ("kind: special_days\ndays: [\"03-05\", \"07-05\", \"12-25\"]\nwindow: 3\nmin: 100%", "2022-12-26", "pending", 0.6667, 1.0, []),
    ("kind: special_days\ndays: [\"01-11\"]\nwindow: 1\nmin: 1", END, "pass", 1, 1, []),
    ("kind: special_days\ndays: [\"*-05\"]\nmin: 2", END, "pass", 2, 2, []),
    ("kind: special_days\ndays: [\"*-05\"]\nmin: 100%", "2022-01-04", "n/a", None, 1.0, []),
]  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "as_of", "status", "actual", "target", "failing"),
    CASES,
    ids=[f"{c[0].split(chr(10))[0][6:]}-{i}" for i, c in enumerate(CASES)],
)
def test_rule_kind(
    rule: str,
    as_of: str,
    status: str,
    actual: Any,
    target: Any,
    failing: list[str],
    workspace: Callable[..., Path],
    cli: Callable[..., Result],
) -> None:
    result = evaluate(scenario(workspace, "- id: r\n" + textwrap.indent(rule, "  ")), cli, as_of)
    got = (result["status"], result["actual"], result["target"], [item["id"] for item in result["failing"]])
    assert got == (status, actual, target, failing), result


def test_failing_items_carry_hours_and_targets(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(workspace, "- id: r\n  kind: hours_per_person\n  who: {employment: [staff, contract]}\n  min: 22")
    result = evaluate(root, cli, END)
    assert result["failing"] == [
        {"id": "V0002", "name": "李四", "hours": 21.0, "target": 22.0},
        {"id": "V0003", "name": "王五", "hours": 11.0, "target": 11.09},
    ]


def test_activity_count_names_team_and_month(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(workspace, "- id: r\n  kind: activity_count\n  scope: team\n  per: quarter")
    result = evaluate(root, cli, "2022-09-30")
    assert result["failing"] == [
        {"id": "red", "period": "2022-Q2", "count": 0},
        {"id": "blue", "period": "2022-Q2", "count": 0},
        {"id": "blue", "period": "2022-Q3", "count": 0},
    ]
    assert result["status"] == "fail"


def test_reports_name_due_date_and_submission(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(workspace, "- id: r\n  kind: report_due\n  report: monthly\n  due: 5")
    result = evaluate(root, cli, "2022-04-30")
    assert result["failing"] == [
        {"id": "2022-02", "due": "2022-03-05", "submitted_on": "2022-03-07"},
        {"id": "2022-03", "due": "2022-04-05", "submitted_on": None},
    ]


def test_correction_replaces_the_corrected_entry(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """a4 (3 h, V0002 only) is replaced by a5 (5 h, V0002 and V0003): a5 is what counts and is reported."""
    root = scenario(workspace, "- id: r\n  kind: min_participants\n  where: {team: [red]}\n  min: 3")
    result = evaluate(root, cli, END)
    assert [item["id"] for item in result["failing"]] == ["a5"]


def test_warning_level_failure_does_not_fail_the_check(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(workspace, "- id: r\n  kind: teams_per_branch\n  level: warning")
    result = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json")
    assert result.json()["units"][0]["rules"][0]["status"] == "fail"
    assert result.json()["units"][0]["rules"][0]["level"] == "warning"
    assert result.exit_code == 0
    strict = cli(scenario(workspace, "- id: r\n  kind: teams_per_branch"), "check", "--year", "2022", "--as-of", END)
    assert strict.exit_code == 1


def test_summary_counts_and_json_shape(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    rules = """
- id: reg
  kind: registration_rate
  min: 100%
  text: x
- id: conv
  kind: team_conveners
  text: x
- id: hpc
  kind: hours_per_capita
  min: 100
  text: x
- id: na
  kind: registration_rate
  who: {employment: [student]}
  min: 1
  level: warning
  text: x
"""
    root = scenario(workspace, rules)
    result = cli(root, "check", "--year", "2022", "--as-of", MID, "--format", "json")
    data = result.json()
    assert data["year"] == 2022 and data["as_of"] == MID
    assert data["units"][0]["unit"] == "u1" and data["units"][0]["policy"] == "p1"
    assert [r["status"] for r in data["units"][0]["rules"]] == ["fail", "pass", "pending", "n/a"]
    assert data["summary"] == {"pass": 1, "fail": 1, "pending": 1, "n/a": 1, "invalid": 0}
    assert data["groups"] == [] and data["evaluation_day"] == MID
    assert result.exit_code == 1


def test_policy_per_year_and_no_policy(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(
        workspace, "- id: r\n  kind: team_conveners", {"ledgers/u1/unit.yaml": UNIT.replace("policy: p1", "policy: {2021: p1}")}
    )
    data = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json").json()
    assert data["units"][0]["policy"] is None and data["units"][0]["rules"] == []
    data = cli(root, "check", "--year", "2021", "--as-of", "2021-12-31", "--format", "json").json()
    assert data["units"][0]["policy"] == "p1"


def test_default_as_of_is_today_and_a_past_year_is_judged_on_its_last_day(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = scenario(workspace, "- id: r\n  kind: team_conveners")
    # the fixture's today is 2024-06-01: a past year is evaluated on 31 December, reports as of today
    data = cli(root, "check", "--year", "2022", "--format", "json").json()
    assert (data["as_of"], data["evaluation_day"]) == ("2024-06-01", "2022-12-31")
    # this year's check runs as of today
    data = cli(root, "check", "--year", "2024", "--format", "json").json()
    assert (data["as_of"], data["evaluation_day"]) == ("2024-06-01", "2024-06-01")
    assert cli(root, "check", "--year", "2022", "--as-of", "2023-01-01", "--format", "json").json()["evaluation_day"] == END
    before = cli(root, "check", "--year", "2022", "--as-of", "2021-12-31")
    assert before.exit_code == 2 and "早于 2022 年" in before.stderr


def test_table_output_names_what_falls_short(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = scenario(workspace, "- id: r\n  kind: team_conveners")
    zh = cli(root, "check", "--year", "2022", "--as-of", END).stdout
    assert "未达标" in zh and "blue" in zh and "测试单位" in zh
    en = cli(root, "check", "--year", "2022", "--as-of", END, lang="en").stdout
    assert "missed" in en and "blue" in en
    csv_lines = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "csv").stdout.splitlines()
    assert csv_lines[0] == "单位,方案,规则,类型,级别,结果,实际,目标,未达标项"
    assert csv_lines[1] == "u1,p1,r,team_conveners,错误,未达标,0.5,1.0,blue"  # headers and words follow --lang
    en_lines = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "csv", lang="en").stdout.splitlines()
    assert en_lines[0] == "unit,policy,rule,kind,level,status,actual,target,falls short"
    assert en_lines[1] == "u1,p1,r,team_conveners,error,missed,0.5,1.0,blue"
