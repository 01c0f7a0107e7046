"""Judging a whole year as the supervising body does (issue #16, SPEC §4, §5, §5.2): the
evaluation day, policy periods, invalid rules, meetings, the new rule kinds, the policy's
vocabulary and groups of units, each against figures worked out by hand.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result

END = "2022-12-31"

UNIT = "id: u1\nname: 测试单位\npolicy: p1\n"
ROSTER = """
volunteers:
  - {id: V0001, name: 张三, employment: staff, party_member: true, registered_on: 2020-01-01}
  - {id: V0002, name: 李四, employment: contract, registered_on: 2020-01-01}
"""


def policy(rules: str, head: str = "") -> str:
    return "id: p1\ntitle: 测试方案\n" + head + "rules:\n" + textwrap.indent(textwrap.dedent(rules).strip() + "\n", "  ")


def activity(aid: str, day: str, people: str = "[V0001]", hours: int = 2, extra: str = "") -> str:
    return f"- {{id: {aid}, date: {day}, title: 活动, location: 社区, hours: {hours}, participants: {people}{extra}}}\n"


def months(days: list[str], **kwargs: Any) -> dict[str, str]:
    """Activity files holding one activity on each of these days."""
    files: dict[str, str] = {}
    for i, day in enumerate(days):
        rel = f"ledgers/u1/activities/{day[:7]}.yaml"
        files[rel] = files.get(rel, "") + activity(f"a{i + 1}", day, **kwargs)
    return files


def make(workspace: Callable[..., Path], rules: str, files: dict[str, str] | None = None, head: str = "") -> Path:
    base = {"rules/p1.yaml": policy(rules, head), "ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}
    return workspace({**base, **(files or {})}, base=False)


def rules_of(cli: Callable[..., Result], root: Path, as_of: str, *extra: str) -> dict[str, dict[str, Any]]:
    result = cli(root, "check", "--year", "2022", "--as-of", as_of, "--format", "json", *extra)
    return {r["id"]: r for r in result.json()["units"][0]["rules"]}


def brief(rule: dict[str, Any]) -> tuple[Any, ...]:
    return rule["status"], rule["actual"], rule["target"], [f["id"] for f in rule["failing"]]


# --- 1. the evaluation day, and reports judged on the as-of date ---------------------------------

MONTHLY = "- {id: monthly, kind: report_due, report: monthly, due: 5, text: 每月5日前报送}"
ON_TIME = "".join(f"- {{kind: monthly, period: 2022-{m:02d}, submitted_on: 2022-{m + 1:02d}-03}}\n" for m in range(1, 12))


def test_december_report_handed_in_on_4_january(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """Due 5 January: pending on 31 December, met on 10 January; on 6 January without it, missed."""
    december = "- {kind: monthly, period: 2022-12, submitted_on: 2023-01-04}\n"
    root = make(workspace, MONTHLY, {"ledgers/u1/reports.yaml": ON_TIME + december})
    assert brief(rules_of(cli, root, END)["monthly"]) == ("pending", 11, 11, [])
    assert brief(rules_of(cli, root, "2023-01-04")["monthly"]) == ("pass", 11, 11, [])
    assert brief(rules_of(cli, root, "2023-01-10")["monthly"]) == ("pass", 12, 12, [])
    late = make(workspace, MONTHLY, {"ledgers/u1/reports.yaml": ON_TIME})
    assert brief(rules_of(cli, late, "2023-01-06")["monthly"]) == ("fail", 11, 12, ["2022-12"])


def test_after_the_year_nothing_accumulating_is_pending(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """Activities of the next year never count; hours are judged on 31 December: 2 h of 25 is missed."""
    rules = "- {id: hours, kind: hours_per_capita, min: 25, text: 人均25小时}"
    root = make(workspace, rules, {**months(["2022-03-01"]), **months(["2023-01-02"], hours=20)})
    # V0001 has 2 h, V0002 none: (2 + 0) / 2 = 1 h against 25
    assert brief(rules_of(cli, root, "2023-01-10")["hours"]) == ("fail", 1.0, 25.0, ["V0001", "V0002"])
    assert brief(rules_of(cli, root, END)["hours"]) == ("fail", 1.0, 25.0, ["V0001", "V0002"])


# --- 2. policy periods ------------------------------------------------------------------------

PERIODIC = """
- {id: monthly-activity, kind: activity_count, scope: unit, per: month, min: 1, text: 每月至少一次}
- {id: monthly-report, kind: report_due, report: monthly, due: 5, text: 每月5日前报送}
- {id: days, kind: special_days, days: ["03-05", "07-01"], min: 100%, text: 特殊日}
- {id: yearly, kind: activity_count, scope: unit, per: year, min: 8, text: 每年8次}
- {id: hours, kind: hours_per_person, who: {party_member: true}, min: 24, text: 每年24小时}
"""
ISSUED = "issued_on: 2022-05-20\n"


def test_a_plan_issued_on_20_may_does_not_judge_january_to_april(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """Activities from June to December, one a month, 2 h each, V0001 only; reports from May on.

    Months judged: June–December (May began before the plan), lowest count 1. Reports judged: May
    (due 5 June) to December (due 5 January), 8, all on time. Special days: only 07-01, which has
    an activity. The yearly count and the hours stay annual: 7 activities of 8; V0001's 14 h against
    the whole year's 24 (not pro-rated to the plan's months)."""
    days = ["2022-06-10", "2022-07-01", "2022-08-10", "2022-09-10", "2022-10-10", "2022-11-10", "2022-12-10"]
    reports = "".join(f"- {{kind: monthly, period: 2022-{m:02d}, submitted_on: 2022-{m + 1:02d}-03}}\n" for m in range(5, 12))
    reports += "- {kind: monthly, period: 2022-12, submitted_on: 2023-01-04}\n"
    root = make(workspace, PERIODIC, {**months(days), "ledgers/u1/reports.yaml": reports}, head=ISSUED)
    got = {rid: brief(rule) for rid, rule in rules_of(cli, root, "2023-01-10").items()}
    assert got == {
        "monthly-activity": ("pass", 1, 1, []),
        "monthly-report": ("pass", 8, 8, []),
        "days": ("pass", 1.0, 1.0, []),
        "yearly": ("fail", 7, 8, ["u1"]),
        "hours": ("fail", 0.0, 1.0, ["V0001"]),
    }
    assert rules_of(cli, root, "2023-01-10")["hours"]["failing"][0]["target"] == 24.0
    # Without the plan's date every month is judged: January has nothing
    unbounded = make(workspace, PERIODIC, {**months(days), "ledgers/u1/reports.yaml": reports})
    assert brief(rules_of(cli, unbounded, "2023-01-10")["monthly-activity"])[0:2] == ("fail", 0)
    assert [f["id"] for f in rules_of(cli, unbounded, "2023-01-10")["days"]["failing"]] == ["2022-03-05"]


def test_effective_from_overrides_issued_on_and_a_year_outside_has_no_policy(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    rules = "- {id: monthly-activity, kind: activity_count, scope: unit, per: month, min: 1, text: 每月至少一次}"
    head = "issued_on: 2021-11-01\neffective_from: 2022-12-01\neffective_to: 2022-12-31\n"
    root = make(workspace, rules, months(["2022-12-02"]), head=head)
    assert brief(rules_of(cli, root, END)["monthly-activity"]) == ("pass", 1, 1, [])  # December alone is judged
    data = cli(root, "check", "--year", "2023", "--as-of", "2023-06-30", "--format", "json").json()
    assert data["units"][0]["policy"] is None and data["units"][0]["rules"] == []
    # inside the year but before the window: nothing of the rule to judge
    only_june = make(workspace, rules, months(["2022-06-02"]), head="effective_from: 2022-12-01\n")
    assert brief(rules_of(cli, only_june, "2022-11-30")["monthly-activity"]) == ("n/a", None, 1, [])


def test_effective_to_before_effective_from_is_located_and_judges_nothing(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    rules = "- {id: conv, kind: team_conveners, text: 召集人}"
    root = make(workspace, rules, head="effective_from: 2022-06-01\neffective_to: 2022-03-01\n")
    problems = cli(root, "validate", "--format", "json").json()["problems"]
    assert {"file": "rules/p1.yaml", "line": 4, "column": 15, "code": "effective-order"} in [
        {k: p[k] for k in ("file", "line", "column", "code")} for p in problems
    ]
    result = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json")
    assert [r["status"] for r in result.json()["units"][0]["rules"]] == ["invalid"]
    assert result.exit_code == 1


# --- 3. an invalid rule is shown, counted and fails the check ---------------------------------


def test_an_invalid_rule_is_in_every_table_and_fails_the_check(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    rules = """
    - {id: registration, kind: registration_rate, min: 100%, text: 100%注册}
    - {id: hours, kind: hours_per_capita, min: 25小时, text: 人均25小时}
    - {id: no-min, kind: hours_per_person, text: 每人20小时}
    - {id: typo, kind: hours_per_capitaa, min: 1, text: 打错的类型}
    """
    root = make(workspace, rules)
    result = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json")
    data = result.json()
    statuses = {r["id"]: r["status"] for r in data["units"][0]["rules"]}
    assert statuses == {"registration": "pass", "hours": "invalid", "no-min": "invalid", "typo": "invalid"}
    hours = data["units"][0]["rules"][1]
    assert (hours["actual"], hours["target"], hours["failing"]) == (None, None, [])
    assert hours["problem"].startswith("rules/p1.yaml:5:")
    assert "min" in hours["problem"]
    assert "hours_per_capita" in data["units"][0]["rules"][3]["problem"]  # did you mean …
    assert data["summary"] == {"pass": 1, "fail": 0, "pending": 0, "n/a": 0, "invalid": 3}
    assert result.exit_code == 1
    table = cli(root, "check", "--year", "2022", "--as-of", END)
    assert "规则有误 3" in table.stdout and "no-min" in table.stdout and "typo" in table.stdout
    assert table.exit_code == 1
    csv = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "csv").stdout.splitlines()
    assert csv[2].startswith("u1,p1,hours,hours_per_capita,错误,规则有误,,,rules/p1.yaml:5:")
    csv_en = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "csv", lang="en").stdout.splitlines()
    assert csv_en[2].startswith("u1,p1,hours,hours_per_capita,error,invalid rule,,,")
    # a warning-level rule that is malformed fails the check too
    warning = make(workspace, "- {id: w, kind: skills, min: x, level: warning, text: 技能}")
    assert cli(warning, "check", "--year", "2022", "--as-of", END).exit_code == 1


def test_a_pass_names_nothing(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """V0001 4 h, V0002 none: the average 2 h meets 2, and V0002 is not listed under 未达标项."""
    root = make(workspace, "- {id: hours, kind: hours_per_capita, min: 2, text: 人均2小时}", months(["2022-03-01"], hours=4))
    assert brief(rules_of(cli, root, END)["hours"]) == ("pass", 2.0, 2.0, [])


# --- 4. meetings ------------------------------------------------------------------------------

MEETING = "- {id: m1, date: 2022-07-01, title: 半年协调会, location: 会议室, hours: 3, participants: [V0001, V0002], type: meeting}\n"


def test_a_meeting_changes_no_total(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """a1: V0001 2 h of service; m1: a 3-hour meeting of both. Only the 2 h count anywhere."""
    rules = """
    - {id: participation, kind: participation_rate, min: 100%, text: 全员参与}
    - {id: hours, kind: hours_per_capita, min: 1, text: 人均1小时}
    - {id: count, kind: activity_count, scope: unit, per: year, min: 1, text: 每年一次}
    - {id: meetings, kind: activity_count, scope: unit, per: half, where: {type: meeting}, min: 1, text: 每半年召开一次协调会议}
    """
    base = make(workspace, rules, {"ledgers/u1/activities/2022-03.yaml": activity("a1", "2022-03-01")})
    without = {
        "hours": cli(base, "hours", "--year", "2022", "--format", "json").json(),
        "stars": cli(base, "stars", "--format", "json").json(),
    }
    with_meeting = make(workspace, rules, {"ledgers/u1/activities/2022-07.yaml": MEETING})
    assert cli(with_meeting, "validate").exit_code == 0
    assert cli(with_meeting, "hours", "--year", "2022", "--format", "json").json() == without["hours"]
    assert cli(with_meeting, "hours", "--year", "2022", "--by", "month", "--format", "json").json() == [
        {"unit": "u1", "id": "2022-03", "name": "", "hours": 2.0, "activities": 1}
    ]
    assert cli(with_meeting, "stars", "--format", "json").json() == without["stars"]
    got = {rid: brief(rule) for rid, rule in rules_of(cli, with_meeting, END).items()}
    assert got == {
        "participation": ("fail", 0.5, 1.0, ["V0002"]),  # sitting in the meeting is not taking part
        "hours": ("pass", 1.0, 1.0, []),  # (2 + 0) / 2
        "count": ("pass", 1, 1, []),
        "meetings": ("fail", 0, 1, ["u1"]),  # H1 had no meeting; H2 had m1
    }
    assert rules_of(cli, with_meeting, END)["meetings"]["failing"] == [{"id": "u1", "period": "2022-H1", "count": 0}]


def test_an_unknown_activity_type_is_located(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = make(
        workspace, "- {id: r, kind: team_conveners, text: x}", {"ledgers/u1/activities/2022-07.yaml": MEETING.replace("meeting", "meting")}
    )
    problems = cli(root, "validate", "--format", "json").json()["problems"]
    assert [(p["code"], p["line"], p["column"]) for p in problems] == [("invalid-choice", 1, 105)]


# --- 5. record_fields, team_structure, branch reports -------------------------------------------


def test_record_fields_names_the_activity_and_what_it_lacks(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    rule = "- {id: records, kind: record_fields, fields: [content, outcome, attachments], text: 记录建档}"
    files = {
        "ledgers/u1/activities/2022-03.yaml": activity(
            "a1", "2022-03-01", extra=", content: 义诊, outcome: 服务30人次, attachments: [a.jpg]"
        )
        + activity("a2", "2022-03-02", extra=", content: 义诊")
    }
    root = make(workspace, rule, files)
    result = rules_of(cli, root, END)["records"]
    assert brief(result) == ("fail", 0.5, 1.0, ["a2"])
    assert result["failing"][0]["missing"] == "outcome, attachments"
    bad = make(workspace, "- {id: records, kind: record_fields, fields: [colour], text: x}")
    assert rules_of(cli, bad, END)["records"]["status"] == "invalid"


TEAM_UNIT = """
id: u1
name: 测试单位
policy: p1
teams:
  - {id: red, name: 红队, convener: V0001, size: 2}
  - {id: blue, name: 蓝队, convener: V0001}
"""


def test_team_structure_sizes_and_conveners(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """red plans 2 and has V0001 only; blue's convener V0001 is not in blue; 2 teams of at least 3 asked."""
    roster = ROSTER.replace("registered_on: 2020-01-01}", "registered_on: 2020-01-01, teams: [red]}", 1)
    rule = "- {id: structure, kind: team_structure, min_teams: 3, text: 组建服务队}"
    root = make(workspace, rule, {"ledgers/u1/unit.yaml": TEAM_UNIT, "ledgers/u1/roster.yaml": roster})
    result = rules_of(cli, root, END)["structure"]
    assert brief(result) == ("fail", 2, 3, ["u1", "red", "blue"])
    assert result["failing"][1:] == [{"id": "red", "size": 2, "count": 1}, {"id": "blue", "convener": "V0001"}]
    relaxed = make(
        workspace,
        "- {id: structure, kind: team_structure, min_teams: 2, sizes: false, convener_member: false, text: x}",
        {"ledgers/u1/unit.yaml": TEAM_UNIT, "ledgers/u1/roster.yaml": roster},
    )
    assert brief(rules_of(cli, relaxed, END)["structure"]) == ("pass", 2, 2, [])


@pytest.mark.parametrize("size", ["0", "-3", "2.5", "三十", "true"])
def test_a_team_size_must_be_a_positive_whole_number(size: str, workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    unit = TEAM_UNIT.replace("size: 2", f"size: {size}")
    root = make(workspace, "- {id: r, kind: team_structure, text: x}", {"ledgers/u1/unit.yaml": unit})
    problems = cli(root, "validate", "--format", "json").json()["problems"]
    assert [(p["code"], p["line"], p["column"]) for p in problems] == [("invalid-size", 5, 48)]
    # the rest of unit.yaml still holds: the policy is applied, only the broken size is left out
    # (V0001 convenes both teams and is in neither)
    result = rules_of(cli, root, END)["r"]
    assert result["failing"] == [{"id": "red", "convener": "V0001"}, {"id": "blue", "convener": "V0001"}]


def test_report_due_per_branch(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    unit = UNIT + "branches:\n  - {id: b1, name: 一支部}\n  - {id: b2, name: 二支部}\n"
    reports = (
        "- {kind: half-year, period: 2022-H1, submitted_on: 2022-06-28, branch: b1}\n"
        "- {kind: half-year, period: 2022-H1, submitted_on: 2022-07-02, branch: b2}\n"
        "- {kind: half-year, period: 2022-H2, submitted_on: 2022-12-20, branch: b1}\n"
    )
    rule = '- {id: summaries, kind: report_due, report: half-year, due: ["06-30", "12-31"], scope: branch, text: 各支部半年小结}'
    root = make(workspace, rule, {"ledgers/u1/unit.yaml": unit, "ledgers/u1/reports.yaml": reports})
    result = rules_of(cli, root, "2023-01-10")["summaries"]
    assert brief(result) == ("fail", 2, 4, ["b2", "b2"])
    assert [(f["period"], f["submitted_on"]) for f in result["failing"]] == [("2022-H1", "2022-07-02"), ("2022-H2", None)]
    unknown = make(workspace, rule, {"ledgers/u1/unit.yaml": unit, "ledgers/u1/reports.yaml": reports.replace("b2", "b9")})
    problems = cli(unknown, "validate", "--format", "json").json()["problems"]
    assert [(p["code"], p["line"]) for p in problems] == [("unknown-branch", 2)]


# --- 6. vocabulary ---------------------------------------------------------------------------


def test_categories_and_tags_outside_the_vocabulary_are_warned(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    head = "categories: [扶危济困, 保护环境]\ntags: [集中, 大型]\n"
    files = {"ledgers/u1/activities/2022-03.yaml": activity("a1", "2022-03-01", extra=", category: 扶危济困志愿服务, tags: [集中, 大形]")}
    root = make(workspace, "- {id: r, kind: team_conveners, text: x}", files, head=head)
    result = cli(root, "validate", "--format", "json")
    found = [(p["code"], p["level"], p["message"]) for p in result.json()["problems"]]
    assert found == [
        ("unknown-category", "warning", "类别 “扶危济困志愿服务” 不在方案 p1 的类别表中,是否为 “扶危济困”?"),
        ("unknown-tag", "warning", "标签 “大形” 不在方案 p1 的标签表中,是否为 “大型”?"),
    ]
    assert result.exit_code == 0


# --- 7. groups ---------------------------------------------------------------------------------

GROUP_POLICY = """
id: gp
title: 全镇方案
rules:
  - {id: residents, kind: population_participation, min: 30%, text: 参与人数达到常住人口的30%}
  - {id: hours, kind: hours_per_capita, min: 4, text: 人均4小时}
  - {id: teams, kind: activity_count, scope: team, per: year, min: 1, text: 每支队伍每年至少一次}
  - {id: reports, kind: report_due, report: plan, due: "01-31", text: 年初有方案}
"""


def group_files(groups: str) -> dict[str, str]:
    return {
        "rules/p1.yaml": policy("- {id: r, kind: team_conveners, text: x}"),
        "rules/gp.yaml": GROUP_POLICY,
        "ledgers/a/unit.yaml": "id: a\nname: 东站\npolicy: p1\nteams:\n  - {id: red, name: 红队, convener: V0001}\n",
        "ledgers/a/roster.yaml": ROSTER,
        "ledgers/a/activities/2022-03.yaml": activity("x1", "2022-03-01", "[V0001, V0002]", 5, ", team: red")
        + activity("x2", "2022-03-02", "[V0001]", 3),
        "ledgers/a/reports.yaml": "- {kind: plan, period: 2022, submitted_on: 2022-01-20}\n",
        "ledgers/b/unit.yaml": "id: b\nname: 西站\npolicy: p1\nteams:\n  - {id: red, name: 红队, convener: V0001}\n",
        "ledgers/b/roster.yaml": ROSTER,
        "ledgers/b/activities/2022-05.yaml": activity("x1", "2022-05-01", "[V0001]", 4) + MEETING.replace("07-01", "05-02"),
        "groups.yaml": groups,
    }


TOWN = "groups:\n  - {id: town, name: 全镇, units: [a, b], population: 10, policy: gp}\n"


def test_a_group_of_two_units(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """a: V0001 8 h, V0002 5 h; b: V0001 4 h, V0002 none (the meeting is not service).

    Distinct participants a/V0001, a/V0002, b/V0001: 3 of the town's 10 = 30%, met.
    Hours: (8 + 5 + 4 + 0) / 4 = 4.25 against 4, met. Teams: a/red ran x1, b/red ran nothing.
    The plan: a's report (01-20) counts for the union, on time."""
    root = workspace(group_files(TOWN), base=False)
    assert cli(root, "validate").exit_code == 0
    result = cli(root, "check", "--year", "2022", "--as-of", END, "--group", "town", "--format", "json")
    data = result.json()
    assert data["units"] == []
    (group,) = data["groups"]
    assert (group["group"], group["name"], group["units"], group["policy"]) == ("town", "全镇", ["a", "b"], "gp")
    got = {r["id"]: brief(r) for r in group["rules"]}
    assert got == {
        "residents": ("pass", 0.3, 0.3, []),
        "hours": ("pass", 4.25, 4.0, []),
        "teams": ("fail", 0, 1, ["b/red"]),
        "reports": ("pass", 1, 1, []),
    }
    assert data["summary"] == {"pass": 3, "fail": 1, "pending": 0, "n/a": 0, "invalid": 0}
    assert result.exit_code == 1
    # without --unit or --group: every unit, then every group
    everything = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json").json()
    assert [u["unit"] for u in everything["units"]] == ["a", "b"] and [g["group"] for g in everything["groups"]] == ["town"]
    table = cli(root, "check", "--year", "2022", "--as-of", END, "--no-chart").stdout
    assert table.index("西站") < table.index("分组 town") and "全镇(分组 town:a, b)" in table
    # --unit alone leaves the groups out; an unknown group is a usage error
    assert cli(root, "check", "--year", "2022", "--as-of", END, "--unit", "a", "--format", "json").json()["groups"] == []
    assert cli(root, "check", "--year", "2022", "--group", "nope").exit_code == 2


def test_a_group_of_groups_has_the_figures_of_its_units(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    nested = TOWN + "  - {id: county, name: 全县, units: [town], population: 10, policy: gp}\n"
    root = workspace(group_files(nested), base=False)
    data = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json").json()
    town, county = data["groups"]
    assert county["units"] == ["a", "b"]
    assert [brief(r) for r in county["rules"]] == [brief(r) for r in town["rules"]]


BAD_GROUPS = [
    ("unknown-group-member", "groups:\n  - {id: g, name: 组, units: [a, nowhere]}\n", 2, 33),
    ("group-cycle", "groups:\n  - {id: g, name: 组, units: [a, g]}\n", 2, 33),
    ("group-cycle", "groups:\n  - {id: g, name: 组, units: [h]}\n  - {id: h, name: 组, units: [g]}\n", 2, 29),
    ("duplicate-id", "groups:\n  - {id: g, name: 组, units: [a]}\n  - {id: g, name: 又一组, units: [b]}\n", 3, 10),
    ("group-is-unit", "groups:\n  - {id: a, name: 组, units: [b]}\n", 2, 10),
    ("unknown-policy", "groups:\n  - {id: g, name: 组, units: [a], policy: nope}\n", 2, 42),
    ("missing-field", "groups:\n  - {id: g, name: 组}\n", 2, 5),
    ("unknown-field", "groups:\n  - {id: g, name: 组, units: [a], members: [b]}\n", 2, 34),
]


@pytest.mark.parametrize(("code", "groups", "line", "column"), BAD_GROUPS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_GROUPS)])
def test_a_broken_group_is_located_and_judges_nothing_else_wrongly(
    code: str, groups: str, line: int, column: int, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace(group_files(groups), base=False)
    result = cli(root, "validate", "--format", "json")
    assert {"file": "groups.yaml", "line": line, "column": column, "code": code} in [
        {k: p[k] for k in ("file", "line", "column", "code")} for p in result.json()["problems"]
    ], result.json()
    assert result.exit_code == 1
    check = cli(root, "check", "--year", "2022", "--as-of", END, "--format", "json")
    assert check.exit_code == 1 and "Traceback" not in check.stderr
    units = {u["unit"]: [r["status"] for r in u["rules"]] for u in check.json()["units"]}
    assert units == {"a": ["pass"], "b": ["pass"]}  # the units are judged as ever
    assert all(g["group"] != "g" or code in ("duplicate-id", "unknown-policy") for g in check.json()["groups"])


def test_an_invalid_rule_in_the_monthly_report_and_the_export(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    root = make(workspace, "- {id: hours, kind: hours_per_capita, min: 25小时, text: 人均25小时}", months(["2022-05-06"]))
    report = cli(root, "report", "monthly", "--unit", "u1", "--period", "2022-05")
    assert "| hours | 规则有误 |" in report.stdout and "Traceback" not in report.stderr
    out = tmp_path / "u1.xlsx"
    exported = cli(root, "export", "--unit", "u1", "--year", "2022", "--out", str(out))
    assert out.is_file() and "Traceback" not in exported.stderr
