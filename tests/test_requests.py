"""Community requests (点单 → 派单 → 接单 → 服务/结单) and the time bank.

A copy of a sample unit is taken through a request's whole life by the commands,
validated at each step; broken cycles are planted one at a time and must be
located by line; the two rule kinds are checked against hand-worked cases.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO, Result

REQ = "ledgers/u1/requests.yaml"
ACT = "ledgers/u1/activities/2022-05.yaml"
BANK = "ledgers/u1/redemptions.yaml"

RECEIVED = "- {request: R1, step: received, date: 2022-05-01, from: 东城社区, ask: 上门理发, kind: wish}\n"
ASSIGNED = "- {request: R1, step: assigned, date: 2022-05-02, team: red}\n"
CLAIMED = "- {request: R1, step: claimed, date: 2022-05-03, volunteers: [V0001]}\n"
SERVING = "- {id: a1, date: 2022-05-05, title: 上门理发, location: 东城社区, hours: 2, participants: [V0001, V0002], request: R1}\n"
SECOND = "- {id: a2, date: 2022-05-09, title: 再次理发, location: 东城社区, hours: 2, participants: [V0001], request: R1}\n"
LIFE = RECEIVED + ASSIGNED + CLAIMED


# --- a request's whole life, by the commands ----------------------------------------------------------


@pytest.fixture
def sample_copy(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "ledgers").mkdir(parents=True)
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "ledgers" / "xinluo-cdc", root / "ledgers" / "xinluo-cdc")
    return root


def _no_errors(cli: Callable[..., Result], root: Path) -> list[dict[str, Any]]:
    result = cli(root, "validate", "--format", "json")
    problems = result.json()["problems"]
    assert [p for p in problems if p["level"] == "error"] == [], problems
    assert result.exit_code == 0
    return problems


def _listing(cli: Callable[..., Result], root: Path, *args: str) -> list[dict[str, Any]]:
    result = cli(root, "request", "list", "--unit", "xinluo-cdc", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return list(result.json())


def test_a_request_through_its_whole_life(sample_copy: Path, cli: Callable[..., Result]) -> None:
    root, unit = sample_copy, "xinluo-cdc"
    requests = root / "ledgers" / unit / "requests.yaml"
    before = requests.read_bytes()

    added = cli(
        root,
        "request",
        "add",
        "-u",
        unit,
        "--from",
        "东城社区居委会",
        "--ask",
        "为独居老人上门理发",
        "--kind",
        "wish",
        "--date",
        "2023-03-02",
    )
    assert added.exit_code == 0, added.stderr
    rid = next(line for line in requests.read_text(encoding="utf-8").splitlines()[-1:]).split("request: ")[1].split(",")[0]
    assert rid.startswith("R20230302-") and rid in added.stdout
    assert requests.read_bytes().startswith(before)  # an append: every old byte kept
    _no_errors(cli, root)
    assert [(r["id"], r["state"], r["days"]) for r in _listing(cli, root, "--as-of", "2023-03-10") if r["id"] == rid] == [
        (rid, "received", 8)
    ]

    # The team by the name unit.yaml gives it, as a clerk says it; the file gets its id.
    assert cli(root, "request", "assign", rid, "-u", unit, "--team", "医务志愿服务队", "--date", "2023-03-03").exit_code == 0
    assert "step: assigned, date: 2023-03-03, team: yizhen" in requests.read_text(encoding="utf-8")
    _no_errors(cli, root)
    for team in ("yizhen", "医务志愿服务队"):
        assert [r["state"] for r in _listing(cli, root, "--team", team) if r["id"] == rid] == ["assigned"]

    claimed = cli(root, "request", "claim", rid, "-u", unit, "-v", "V0001", "-v", "V0004", "--date", "2023-03-04")
    assert claimed.exit_code == 0, claimed.stderr
    _no_errors(cli, root)
    mine = _listing(cli, root, "--volunteer", "V0004")
    assert [(r["id"], r["claimed_by"], r["state"]) for r in mine] == [(rid, ["V0001", "V0004"], "claimed")]

    served = cli(root, "add-activity", "-u", unit, "--date", "2023-03-05", "--title", "上门理发", "--location", "东城社区",
                 "--hours", "2", "-p", "V0001", "-p", "V0004", "--request", rid, "--yes")  # fmt: skip
    assert served.exit_code == 0, served.stderr
    assert f"request: {rid}" in (root / "ledgers" / unit / "activities" / "2023-03.yaml").read_text(encoding="utf-8")
    _no_errors(cli, root)
    assert rid not in [r["id"] for r in _listing(cli, root)]  # answered: no longer open
    everything = {r["id"]: r for r in _listing(cli, root, "--all")}
    assert (everything[rid]["state"], everything[rid]["answered"], everything[rid]["days"]) == ("served", "2023-03-05", 3)

    # A wish is fulfilled once; a second activity naming it is refused and nothing is written.
    month = (root / "ledgers" / unit / "activities" / "2023-03.yaml").read_bytes()
    again = cli(root, "add-activity", "-u", unit, "--date", "2023-03-06", "--title", "再理发", "--location", "东城社区",
                "--hours", "2", "-p", "V0001", "--request", rid, "--yes")  # fmt: skip
    assert again.exit_code == 1 and "request-fulfilled-twice" in again.stderr
    assert (root / "ledgers" / unit / "activities" / "2023-03.yaml").read_bytes() == month

    # A second request, closed with a reason instead.
    cli(
        root,
        "request",
        "add",
        "-u",
        unit,
        "--from",
        "西城社区",
        "--ask",
        "修理路灯",
        "--kind",
        "project",
        "--date",
        "2023-04-01",
        "--id",
        "R2",
    )
    closed = cli(root, "request", "close", "R2", "-u", unit, "--reason", "不属于志愿服务范围,已转街道办", "--date", "2023-04-03")
    assert closed.exit_code == 0, closed.stderr
    _no_errors(cli, root)
    assert {r["id"]: r["state"] for r in _listing(cli, root, "--all")}["R2"] == "closed"
    lines = requests.read_text(encoding="utf-8").splitlines()
    # The comma would end the value in a one-line record: the text is quoted so it reads back whole.
    assert lines[-1] == '- {request: R2, step: closed, date: 2023-04-03, reason: "不属于志愿服务范围,已转街道办"}'


def test_steps_on_an_unknown_request_or_out_of_order_are_refused(sample_copy: Path, cli: Callable[..., Result]) -> None:
    root, unit = sample_copy, "xinluo-cdc"
    requests = root / "ledgers" / unit / "requests.yaml"
    before = requests.read_bytes()
    unknown = cli(root, "request", "claim", "R-nope", "-u", unit, "-v", "V0001", "--date", "2023-03-04")
    assert unknown.exit_code == 1
    assert "unknown-request" in unknown.stderr and "requests.yaml:42:" in unknown.stderr  # located on the line it would have been
    cli(root, "request", "add", "-u", unit, "--from", "东城社区", "--ask", "理发", "--kind", "wish", "--date", "2023-03-02", "--id", "R9")
    early = cli(root, "request", "claim", "R9", "-u", unit, "-v", "V0001", "--date", "2023-03-04")  # not assigned yet
    assert early.exit_code == 1 and "request-step-order" in early.stderr
    assert (
        requests.read_bytes()
        == before + "- {request: R9, step: received, date: 2023-03-02, from: 东城社区, ask: 理发, kind: wish}\n".encode()
    )


def test_claimants_are_given_by_name_as_well(sample_copy: Path, cli: Callable[..., Result]) -> None:
    root, unit = sample_copy, "xinluo-cdc"
    cli(root, "request", "add", "-u", unit, "--from", "东城社区", "--ask", "理发", "--kind", "wish", "--date", "2023-03-02", "--id", "R9")
    cli(root, "request", "assign", "R9", "-u", unit, "--team", "yizhen", "--date", "2023-03-02")
    roster = (root / "ledgers" / unit / "roster.yaml").read_text(encoding="utf-8")
    name = roster.split("id: V0004\n    name: ")[1].split("\n")[0]
    assert cli(root, "request", "claim", "R9", "-u", unit, "-v", name, "--date", "2023-03-03").exit_code == 0
    assert (root / "ledgers" / unit / "requests.yaml").read_text(encoding="utf-8").endswith("volunteers: [V0004]}\n")


# --- broken cycles, located -------------------------------------------------------------------------

CASES: list[tuple[str, dict[str, str], str, int, int]] = [
    ("unknown-request", {REQ: RECEIVED + ASSIGNED.replace("R1", "R2")}, REQ, 2, 13),
    ("unknown-request", {REQ: LIFE, ACT: SERVING.replace("request: R1", "request: R7")}, ACT, 1, 108),
    ("request-step-order", {REQ: RECEIVED + ASSIGNED.replace("05-02", "04-30")}, REQ, 2, 39),
    ("request-step-order", {REQ: RECEIVED + CLAIMED}, REQ, 2, 38),  # claimed, never assigned
    ("request-step-order", {REQ: RECEIVED + ASSIGNED + CLAIMED.replace("05-03", "05-01")}, REQ, 3, 38),  # claimed before assigned
    ("served-unclaimed", {REQ: RECEIVED + ASSIGNED, ACT: SERVING}, ACT, 1, 108),
    ("served-before-claim", {REQ: LIFE.replace("2022-05-03", "2022-05-06"), ACT: SERVING}, ACT, 1, 108),
    ("request-fulfilled-twice", {REQ: LIFE, ACT: SERVING + SECOND}, ACT, 2, 101),
    ("request-closed", {REQ: LIFE + "- {request: R1, step: closed, date: 2022-05-04, reason: 已搬走}\n", ACT: SERVING}, ACT, 1, 108),
    ("request-closed", {REQ: LIFE + "- {request: R1, step: closed, date: 2022-05-04, reason: 甲}\n" + "- {request: R1, step: closed, date: 2022-05-04, reason: 乙}\n"}, REQ, 5, 37),
    ("duplicate-claim", {REQ: LIFE + CLAIMED.replace("05-03", "05-04")}, REQ, 4, 63),
    ("duplicate-id", {REQ: RECEIVED + RECEIVED}, REQ, 2, 13),
    ("unknown-team", {REQ: RECEIVED + ASSIGNED.replace("red", "blue")}, REQ, 2, 57),
    ("unknown-volunteer", {REQ: RECEIVED + ASSIGNED + CLAIMED.replace("V0001", "V0099")}, REQ, 3, 63),
    ("not-on-roster", {REQ: RECEIVED + ASSIGNED + CLAIMED.replace("V0001", "V0003")}, REQ, 3, 63),
    ("future-date", {REQ: RECEIVED.replace("2022-05-01", "2025-05-01")}, REQ, 1, 39),
    ("missing-field", {REQ: "- {request: R1, date: 2022-05-01, from: 东城社区, ask: 上门理发, kind: wish}\n"}, REQ, 1, 3),
    ("invalid-choice", {REQ: RECEIVED.replace("step: received", "step: done")}, REQ, 1, 23),
    ("invalid-choice", {REQ: RECEIVED.replace("kind: wish", "kind: 心愿")}, REQ, 1, 80),
    ("missing-field", {REQ: RECEIVED.replace(" from: 东城社区,", "")}, REQ, 1, 3),
    ("unknown-field", {REQ: ASSIGNED.replace("team: red", "team: red, volunteers: [V0001]")}, REQ, 1, 62),
    ("negative-balance", {BANK: "- {volunteer: V0001, date: 2022-05-06, hours: 3, what: 理发}\n", ACT: SERVING}, BANK, 1, 47),
    ("unknown-volunteer", {BANK: "- {volunteer: V0099, date: 2022-05-06, hours: 1, what: 理发}\n"}, BANK, 1, 15),
    ("redemption-hours", {BANK: "- {volunteer: V0001, date: 2022-05-06, hours: 0, what: 理发}\n"}, BANK, 1, 47),
]  # fmt: skip
RED_TEAM_ROSTER = """
volunteers:
  - {id: V0001, name: 张三, employment: staff, party_member: true, teams: [red], registered_on: 2020-01-01}
  - {id: V0002, name: 李四, employment: contract, registered_on: 2020-01-01}
  - {id: V0003, name: 王五, employment: staff, joined: 2023-01-01, registered_on: 2023-01-01}
"""


@pytest.mark.parametrize(("code", "files", "file", "line", "column"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_broken_cycle_is_located(
    code: str, files: dict[str, str], file: str, line: int, column: int, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, **files})
    result = cli(root, "validate", "--format", "json")
    found = [{k: p[k] for k in ("file", "line", "column", "code")} for p in result.json()["problems"]]
    assert {"file": file, "line": line, "column": column, "code": code} in found, found
    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr


def test_a_project_may_be_served_by_many_activities(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    project = LIFE.replace("kind: wish", "kind: project")
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, REQ: project, ACT: SERVING + SECOND})
    result = cli(root, "validate", "--format", "json")
    assert result.json()["problems"] == [] and result.exit_code == 0


def test_a_corrected_serving_activity_counts_once(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A correction restates the activity (request included): the wish is still fulfilled once."""
    fixed = SERVING.replace("id: a1", "id: a1b").replace("hours: 2", "hours: 3").replace("}\n", ", corrects: a1}\n")
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, REQ: LIFE, ACT: SERVING + fixed})
    assert cli(root, "validate", "--format", "json").json()["problems"] == []


def test_messages_in_english(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, REQ: RECEIVED + ASSIGNED, ACT: SERVING})
    result = cli(root, "validate", lang="en")
    assert "served-unclaimed: the activity serves request R1, which nobody has claimed" in result.stdout
    assert "vsledger request claim" in result.stdout  # the hint says what to do


# --- the time bank ------------------------------------------------------------------------------------


def test_time_bank_balance_in_stars(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """V0001: 2 + 2 h earned in May (plus 50 prior hours that are not in the bank), 3 h redeemed."""
    roster = RED_TEAM_ROSTER.replace("registered_on: 2020-01-01}", "registered_on: 2020-01-01, prior_hours: 50}", 1)
    project = LIFE.replace("kind: wish", "kind: project")
    root = workspace({"ledgers/u1/roster.yaml": roster, REQ: project, ACT: SERVING + SECOND,
                      BANK: "- {volunteer: V0001, date: 2022-05-06, hours: 1.5, what: 理发}\n- {volunteer: V0001, date: 2022-06-01, hours: 1.5, what: 保洁}\n"})  # fmt: skip
    rows = {r["id"]: r for r in cli(root, "stars", "--format", "json").json()}
    assert rows["V0001"]["hours"] == 54.0
    assert rows["V0001"]["time_bank"] == {"earned": 4.0, "redeemed": 3.0, "balance": 1.0}
    assert rows["V0002"]["time_bank"] == {"earned": 2.0, "redeemed": 0.0, "balance": 2.0}
    early = {r["id"]: r for r in cli(root, "stars", "--as-of", "2022-05-31", "--format", "json").json()}
    assert early["V0001"]["time_bank"] == {"earned": 4.0, "redeemed": 1.5, "balance": 2.5}
    table = cli(root, "stars").stdout
    assert "余额" in table and "1.00" in table


def test_redeem_refuses_to_overdraw(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, REQ: LIFE, ACT: SERVING})
    ok = cli(root, "redeem", "-u", "u1", "-v", "V0001", "--hours", "1.5", "--what", "理发一次", "--date", "2022-05-06")
    assert ok.exit_code == 0, ok.stderr
    assert "0.50" in ok.stdout or "0.5" in ok.stdout  # 2 h earned, 1.5 h spent
    bank = root / BANK
    before = bank.read_bytes()
    refused = cli(root, "redeem", "-u", "u1", "-v", "张三", "--hours", "1", "--what", "保洁", "--date", "2022-05-07")
    assert refused.exit_code == 1 and "negative-balance" in refused.stderr
    assert bank.read_bytes() == before
    # A redemption before the hours were earned is refused as well: a balance is judged on its day.
    early = cli(root, "redeem", "-u", "u1", "-v", "V0002", "--hours", "1", "--what", "保洁", "--date", "2022-05-04")
    assert early.exit_code == 1 and bank.read_bytes() == before


# --- the rule kinds ----------------------------------------------------------------------------------

POLICY_HEAD = "id: p1\ntitle: 测试方案\nrules:\n"
ROSTER_FOR_RULES = """
volunteers:
  - {id: V0001, name: 张三, employment: staff, party_member: true, teams: [red], registered_on: 2020-01-01}
  - {id: V0002, name: 李四, employment: staff, party_member: true, registered_on: 2020-01-01}
  - {id: V0003, name: 王五, employment: contract, registered_on: 2020-01-01}
"""
# Requests of 2022 (by hand): Q1 wish received 03-01, served 03-10 (9 days);
# Q2 project received 05-01, closed 06-20 (50 days); Q3 wish received 12-10, still open.
# Claims: V0001 Q1 (03-02) and Q3 (12-11); V0003 Q2 (05-03).
RULE_REQUESTS = """
- {request: Q1, step: received, date: 2022-03-01, from: 甲社区, ask: 理发, kind: wish}
- {request: Q1, step: assigned, date: 2022-03-01, team: red}
- {request: Q1, step: claimed, date: 2022-03-02, volunteers: [V0001]}
- {request: Q2, step: received, date: 2022-05-01, from: 乙社区, ask: 修缮, kind: project}
- {request: Q2, step: assigned, date: 2022-05-02, team: red}
- {request: Q2, step: claimed, date: 2022-05-03, volunteers: [V0003]}
- {request: Q2, step: closed, date: 2022-06-20, reason: 已由物业修好}
- {request: Q3, step: received, date: 2022-12-10, from: 甲社区, ask: 冬衣, kind: wish}
- {request: Q3, step: assigned, date: 2022-12-10, team: red}
- {request: Q3, step: claimed, date: 2022-12-11, volunteers: [V0001]}
"""
RULE_ACTIVITY = {
    "ledgers/u1/activities/2022-03.yaml": "- {id: a1, date: 2022-03-10, title: 理发, location: 甲, hours: 2, participants: [V0001], request: Q1}\n"
}


def _rule(
    workspace: Callable[..., Path], cli: Callable[..., Result], rule: str, as_of: str, requests: str = RULE_REQUESTS
) -> dict[str, Any]:
    files = {"rules/p1.yaml": POLICY_HEAD + rule, "ledgers/u1/roster.yaml": ROSTER_FOR_RULES, **RULE_ACTIVITY}
    if requests:
        files[REQ] = requests
    root = workspace(files)
    result = cli(root, "check", "--year", "2022", "--as-of", as_of, "--format", "json")
    assert result.stderr == "", result.stderr
    rule_result: dict[str, Any] = result.json()["units"][0]["rules"][0]
    return rule_result


def _brief(result: dict[str, Any]) -> tuple[Any, ...]:
    return result["status"], result["actual"], result["target"], [f["id"] for f in result["failing"]]


RESPONSE = "  - {id: r, kind: request_response, within: WITHIN, text: 点单响应}\n"


@pytest.mark.parametrize(
    ("within", "as_of", "expected"),
    [
        (60, "2022-12-31", ("pending", 2, 2, [])),  # Q1 and Q2 on time; Q3 open, its 60 days not up
        (30, "2022-12-31", ("fail", 1, 2, ["Q2"])),  # Q2 took 50 days
        (10, "2022-06-30", ("fail", 1, 2, ["Q2"])),  # mid-year: Q2 is late, Q3 not yet received
        (60, "2022-06-30", ("pass", 2, 2, [])),  # Q2 closed on day 50
        (60, "2022-05-15", ("pending", 1, 1, [])),  # Q2 still open, within its 60 days
        (10, "2022-02-28", ("n/a", None, None, [])),  # nothing received yet
    ],
)
def test_request_response(
    within: int, as_of: str, expected: tuple[Any, ...], workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    assert _brief(_rule(workspace, cli, RESPONSE.replace("WITHIN", str(within)), as_of)) == expected


def test_request_response_unanswered_and_overdue_fails(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    # within 10 days: Q3 (received 12-10) was due 12-20 and is unanswered at year end.
    result = _rule(workspace, cli, RESPONSE.replace("WITHIN", "10"), "2022-12-31")
    assert _brief(result) == ("fail", 1, 3, ["Q2", "Q3"])
    assert result["failing"][1] == {"id": "Q3", "received": "2022-12-10", "due": "2022-12-20", "answered": None}


def test_request_response_by_kind(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    wishes = "  - {id: r, kind: request_response, within: 30, request_kind: wish, text: 微心愿}\n"
    assert _brief(_rule(workspace, cli, wishes, "2022-12-31")) == ("pending", 1, 1, [])  # Q2 (a project) is not judged


CLAIMED_RULE = "  - {id: r, kind: requests_claimed, who: WHO, min: MIN, text: 党员接单}\n"


@pytest.mark.parametrize(
    ("who", "minimum", "as_of", "expected"),
    [
        ("{party_member: true}", 1, "2022-12-31", ("fail", 0.5, 1.0, ["V0002"])),  # V0002 claimed nothing all year
        ("{party_member: true}", 1, "2022-06-30", ("pending", 0.5, 1.0, ["V0002"])),  # the year is not over
        ("{party_member: true}", 2, "2022-12-31", ("fail", 0.5, 1.0, ["V0002"])),  # V0001 claimed Q1 and Q3
        ("{party_member: true}", 2, "2022-06-30", ("pending", 0.0, 1.0, ["V0001", "V0002"])),  # Q3 is not yet claimed
        ("{employment: contract}", 1, "2022-12-31", ("pass", 1.0, 1.0, [])),
        ("{party_member: true, employment: retired}", 1, "2022-12-31", ("n/a", None, 1.0, [])),
    ],
)
def test_requests_claimed(
    who: str, minimum: int, as_of: str, expected: tuple[Any, ...], workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    rule = CLAIMED_RULE.replace("WHO", who).replace("MIN", str(minimum))
    assert _brief(_rule(workspace, cli, rule, as_of)) == expected


def test_requests_claimed_counts_each_members_claims(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = _rule(workspace, cli, CLAIMED_RULE.replace("WHO", "{party_member: true}").replace("MIN", "1"), "2022-12-31")
    assert result["failing"] == [{"id": "V0002", "name": "李四", "count": 0}]
    wishes_only = "  - {id: r, kind: requests_claimed, who: {employment: contract}, request_kind: wish, text: 微心愿}\n"
    assert _brief(_rule(workspace, cli, wishes_only, "2022-12-31")) == ("fail", 0.0, 1.0, ["V0003"])  # V0003 claimed a project


def test_fmt_keeps_requests_canonical(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    messy = "- {step: received, request: R1, kind: wish, date: 2022-05-01, ask: 上门理发, from: 东城社区}  # 电话点单\n"
    root = workspace({"ledgers/u1/roster.yaml": RED_TEAM_ROSTER, REQ: messy})
    assert cli(root, "fmt").exit_code == 0
    assert (root / REQ).read_text(encoding="utf-8") == RECEIVED.rstrip("\n") + "  # 电话点单\n"
    assert cli(root, "fmt", "--check").exit_code == 0


def test_rules_reference_documents_the_new_kinds() -> None:
    text = (REPO / "rules" / "README.md").read_text(encoding="utf-8")
    assert "### request_response" in text and "### requests_claimed" in text
    assert json.dumps("claim-wishes")[1:-1] in text and "request-response" in text
