"""Rule kinds and validations on small in-memory ledgers: core objects built directly, no files.

Each rule kind of the registry has at least one case that passes and one that fails
(`test_every_kind_has_a_pass_and_a_fail_case` holds new kinds to that); the cases
also pin the semantics docs/format.md states: pending, n/a, pro-rating, as-of.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from vsledger.check.rules import KINDS, Context, Status
from vsledger.check.validation import VALIDATIONS
from vsledger.core import ledger as records
from vsledger.core.model import REQUEST_STEPS, Activity, Redemption, Report, Unit, Volunteer
from vsledger.core.problems import Level

YEAR_END = date(2022, 12, 31)
MID_YEAR = date(2022, 6, 30)


def volunteer(vid: str, **fields: Any) -> Volunteer:
    return Volunteer.model_validate({"id": vid, "name": f"name {vid}", "employment": "staff", **fields})


def activity(aid: str, day: str, participants: list[Any], hours: Any = 2, **fields: Any) -> Activity:
    return Activity.model_validate(
        {"id": aid, "date": day, "title": aid, "location": "here", "hours": hours, "participants": participants, **fields}
    )


def ledger(
    volunteers: list[Volunteer],
    activities: list[Activity] = [],  # noqa: B006 - never mutated
    unit: dict[str, Any] | None = None,
    reports: list[dict[str, Any]] = [],  # noqa: B006
    steps: list[dict[str, Any]] = [],  # noqa: B006
    redemptions: list[dict[str, Any]] = [],  # noqa: B006
) -> records.UnitLedger:
    """A unit's ledger as the loader would build it, corrections resolved."""
    built = records.UnitLedger("u1", "ledgers/u1", unit=Unit.model_validate({"id": "u1", "name": "单位", **(unit or {})}))
    built.volunteers = {v.id: records.Entry(v, "ledgers/u1/roster.yaml", i) for i, v in enumerate(volunteers)}
    built.known_volunteer_ids = set(built.volunteers)
    built.activities = [records.Entry(a, f"ledgers/u1/activities/{a.date:%Y-%m}.yaml", i) for i, a in enumerate(activities)]
    built.known_activity_ids = {a.id for a in activities}
    built.reports = [records.Entry(Report.model_validate(r), "ledgers/u1/reports.yaml", i) for i, r in enumerate(reports)]
    built.request_steps = [
        records.Entry(REQUEST_STEPS[s["step"]].model_validate(s), "ledgers/u1/requests.yaml", i) for i, s in enumerate(steps)
    ]
    built.redemptions = [records.Entry(Redemption.model_validate(r), "ledgers/u1/redemptions.yaml", i) for i, r in enumerate(redemptions)]
    records.resolve_corrections(built)
    return built


# --- a small unit: two volunteers, a branch and a team ------------------------------------

REGISTERED = volunteer(
    "V1",
    party_member=True,
    registered_on="2020-01-01",
    checked_in_on="2021-05-01",
    skills=["急救"],
    trainings=[{"date": "2022-03-01", "topic": "通用培训"}],
    teams=["red"],
    branch="b1",
)
NEWCOMER = volunteer("V2", employment="contract")
PEOPLE = [REGISTERED, NEWCOMER]
UNIT = {"branches": [{"id": "b1", "name": "一支部"}], "teams": [{"id": "red", "name": "红队", "branch": "b1", "convener": "V1"}]}
MONTHLY = [activity(f"a{m:02d}", f"2022-{m:02d}-10", ["V1", "V2"], hours="2.5") for m in range(1, 13)]
"""V1 and V2 each 30 hours in 2022, one activity a month."""
MARCH_MISSING = [a for a in MONTHLY if a.date.month != 3]
SECOND_HALF = [activity(f"b{m:02d}", f"2022-{m:02d}-10", ["V1"] if m < 7 else ["V1", "V2"], hours="2.5") for m in range(1, 13)]
"""V1 30 hours, V2 15 (July to December)."""


@dataclass
class Case:
    kind: str
    params: dict[str, Any]
    unit: records.UnitLedger
    expected: Status
    as_of: date = YEAR_END
    failing: list[str] | None = None
    """The ids named as falling short, when the case pins them."""


def _requests(answer: dict[str, Any] | None) -> list[dict[str, Any]]:
    received = {"request": "R1", "step": "received", "date": "2022-03-01", "from": "东城社区", "ask": "理发", "kind": "wish"}
    return [received] + ([answer] if answer else [])


CLOSED_IN_TIME = {"request": "R1", "step": "closed", "date": "2022-03-05", "reason": "已转街道"}
CLAIMED = {"request": "R1", "step": "claimed", "date": "2022-03-04", "volunteers": ["V1"]}

CASES: dict[str, Case] = {
    "registration_rate pass": Case("registration_rate", {"min": "50%"}, ledger(PEOPLE), Status.PASS),
    "registration_rate fail": Case("registration_rate", {"min": "100%"}, ledger(PEOPLE), Status.FAIL, failing=["V2"]),
    "registration_rate n/a": Case("registration_rate", {"min": 1, "who": {"employment": "student"}}, ledger(PEOPLE), Status.NA),
    "checkin_rate pass": Case("checkin_rate", {"min": 1, "who": {"party_member": True}}, ledger(PEOPLE), Status.PASS),
    "checkin_rate fail": Case("checkin_rate", {"min": 1}, ledger(PEOPLE), Status.FAIL, failing=["V2"]),
    "training_rate pass": Case("training_rate", {"min": "50%"}, ledger(PEOPLE), Status.PASS),
    "training_rate fail": Case("training_rate", {"min": "100%"}, ledger(PEOPLE), Status.FAIL, failing=["V2"]),
    "training_rate pending": Case("training_rate", {"min": "100%"}, ledger(PEOPLE), Status.PENDING, as_of=MID_YEAR),
    "skills pass": Case("skills", {"min": 1, "rate": "50%"}, ledger(PEOPLE), Status.PASS),
    "skills fail": Case("skills", {"min": 1}, ledger(PEOPLE), Status.FAIL, failing=["V2"]),
    "hours_per_capita pass": Case("hours_per_capita", {"min": 30}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "hours_per_capita fail": Case("hours_per_capita", {"min": 31}, ledger(PEOPLE, MONTHLY), Status.FAIL, failing=["V1", "V2"]),
    # As of 30 June a 40-hour target is 40 × 181/365 = 19.84; 15 hours each so far is not yet enough.
    "hours_per_capita pending": Case("hours_per_capita", {"min": 40}, ledger(PEOPLE, MONTHLY), Status.PENDING, as_of=MID_YEAR),
    "hours_per_capita where": Case("hours_per_capita", {"min": 1, "where": {"tags": "集中"}}, ledger(PEOPLE, MONTHLY), Status.FAIL),
    "hours_per_person pass": Case("hours_per_person", {"min": 30}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "hours_per_person fail": Case("hours_per_person", {"min": 30}, ledger(PEOPLE, MONTHLY[:11]), Status.FAIL, failing=["V1", "V2"]),
    "hours_per_person rate": Case("hours_per_person", {"min": 30, "rate": "50%"}, ledger(PEOPLE, MONTHLY[:11]), Status.FAIL),
    # Pro-rated: V2 joined on 1 July, so their 20-hour target is 20 × 184/365 = 10.08, which their 15 hours meet.
    "hours_per_person pro-rated": Case(
        "hours_per_person", {"min": 20}, ledger([REGISTERED, volunteer("V2", joined="2022-07-01")], SECOND_HALF), Status.PASS
    ),
    "hours_per_person not pro-rated": Case("hours_per_person", {"min": 20}, ledger(PEOPLE, SECOND_HALF), Status.FAIL, failing=["V2"]),
    "participation_rate pass": Case("participation_rate", {"min": "100%"}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "participation_rate fail": Case(
        "participation_rate",
        {"min": "100%", "activities": 2},
        ledger(PEOPLE, [activity("x", "2022-05-01", ["V1", "V2"]), activity("y", "2022-06-01", ["V1"])]),
        Status.FAIL,
        failing=["V2"],
    ),
    "activity_count pass": Case("activity_count", {"per": "month", "min": 1}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "activity_count fail": Case("activity_count", {"per": "month", "min": 1}, ledger(PEOPLE, MARCH_MISSING), Status.FAIL, failing=["u1"]),
    "activity_count team": Case(
        "activity_count", {"scope": "team", "per": "year"}, ledger(PEOPLE, MONTHLY, UNIT), Status.FAIL, failing=["red"]
    ),
    # Before the first month is over nothing is judged complete: pending, not fail.
    "activity_count pending": Case(
        "activity_count", {"per": "quarter", "min": 5}, ledger(PEOPLE, MONTHLY), Status.PENDING, as_of=date(2022, 2, 1)
    ),
    "min_participants pass": Case(
        "min_participants", {"min": 3}, ledger(PEOPLE, [activity("x", "2022-05-01", ["V1", "V2"], external=1)]), Status.PASS
    ),
    "min_participants fail": Case(
        "min_participants", {"min": 4}, ledger(PEOPLE, [activity("x", "2022-05-01", ["V1", "V2"], external=1)]), Status.FAIL, failing=["x"]
    ),
    "population_participation pass": Case(
        "population_participation", {"min": "20%"}, ledger(PEOPLE, MONTHLY, {"population": 10}), Status.PASS
    ),
    "population_participation fail": Case(
        "population_participation", {"min": "30%"}, ledger(PEOPLE, MONTHLY, {"population": 10}), Status.FAIL, failing=["u1"]
    ),
    "population_participation n/a": Case("population_participation", {"min": "30%"}, ledger(PEOPLE, MONTHLY), Status.NA),
    "teams_per_branch pass": Case("teams_per_branch", {"min": 1}, ledger(PEOPLE, unit=UNIT), Status.PASS),
    "teams_per_branch fail": Case("teams_per_branch", {"min": 2}, ledger(PEOPLE, unit=UNIT), Status.FAIL, failing=["b1"]),
    "team_conveners pass": Case("team_conveners", {}, ledger(PEOPLE, unit=UNIT), Status.PASS),
    "record_fields pass": Case(
        "record_fields", {"fields": ["content"]}, ledger(PEOPLE, [activity("r1", "2022-04-02", ["V1"], content="义诊")]), Status.PASS
    ),
    "record_fields fail": Case(
        "record_fields",
        {"fields": ["content", "outcome"]},
        ledger(PEOPLE, [activity("r1", "2022-04-02", ["V1"], content="义诊")]),
        Status.FAIL,
        failing=["r1"],
    ),
    "team_structure pass": Case("team_structure", {"min_teams": 1}, ledger(PEOPLE, unit=UNIT), Status.PASS),
    "team_structure fail": Case(
        "team_structure",
        {},
        ledger(PEOPLE, unit={**UNIT, "teams": [{"id": "red", "name": "红队", "branch": "b1", "convener": "V1", "size": 5}]}),
        Status.FAIL,
        failing=["red"],
    ),
    "team_conveners fail": Case("team_conveners", {}, ledger([NEWCOMER], unit=UNIT), Status.FAIL, failing=["red"]),
    "report_due pass": Case(
        "report_due",
        {"report": "plan", "due": "03-31"},
        ledger(PEOPLE, reports=[{"kind": "plan", "period": "2022", "submitted_on": "2022-03-01"}]),
        Status.PASS,
    ),
    "report_due fail": Case(
        "report_due",
        {"report": "plan", "due": "03-31"},
        ledger(PEOPLE, reports=[{"kind": "plan", "period": "2022", "submitted_on": "2022-04-02"}]),
        Status.FAIL,
        failing=["2022"],
    ),
    "report_due pending": Case("report_due", {"report": "plan", "due": "03-31"}, ledger(PEOPLE), Status.PENDING, as_of=date(2022, 3, 1)),
    "special_days pass": Case("special_days", {"days": "03-10", "min": 1}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "special_days fail": Case(
        "special_days", {"days": "03-10", "min": 1}, ledger(PEOPLE, MARCH_MISSING), Status.FAIL, failing=["2022-03-10"]
    ),
    "special_days window": Case("special_days", {"days": "*-12", "window": 2, "min": "100%"}, ledger(PEOPLE, MONTHLY), Status.PASS),
    "request_response pass": Case("request_response", {"within": 30}, ledger(PEOPLE, steps=_requests(CLOSED_IN_TIME)), Status.PASS),
    "request_response fail": Case("request_response", {"within": 30}, ledger(PEOPLE, steps=_requests(None)), Status.FAIL, failing=["R1"]),
    "request_response pending": Case(
        "request_response", {"within": 30}, ledger(PEOPLE, steps=_requests(None)), Status.PENDING, as_of=date(2022, 3, 20)
    ),
    "requests_claimed pass": Case(
        "requests_claimed", {"who": {"party_member": True}}, ledger(PEOPLE, steps=_requests(CLAIMED)), Status.PASS
    ),
    "requests_claimed fail": Case("requests_claimed", {}, ledger(PEOPLE, steps=_requests(CLAIMED)), Status.FAIL, failing=["V2"]),
}


def evaluate(case: Case) -> Any:
    kind = KINDS[case.kind]
    return kind.evaluate(Context(case.unit, 2022, case.as_of), kind.params.model_validate(case.params))


@pytest.mark.parametrize("name", list(CASES))
def test_rule_kind(name: str) -> None:
    case = CASES[name]
    outcome = evaluate(case)
    assert outcome.status is case.expected, outcome
    if case.failing is not None:
        assert [item["id"] for item in outcome.failing] == case.failing
    if case.expected is Status.NA:
        assert outcome.failing == []  # n/a names nothing


def test_every_kind_has_a_pass_and_a_fail_case() -> None:
    statuses = {(c.kind, c.expected) for c in CASES.values()}
    missing = [(kind, status.value) for kind in KINDS for status in (Status.PASS, Status.FAIL) if (kind, status) not in statuses]
    assert missing == []


def test_targets_are_pro_rated_and_rounded_half_up() -> None:
    context = Context(ledger([volunteer("V1", joined="2022-07-01")]), 2022, MID_YEAR)
    assert context.elapsed_target(Decimal(25)) == Decimal("12.40")  # 25 × 181/365 = 12.397…
    assert context.person_target(Decimal(25), volunteer("V9")) == Decimal("12.40")
    assert context.person_target(Decimal(25), volunteer("V9", joined="2022-06-01")) == Decimal("2.05")  # 25 × 30/365 = 2.054…
    assert context.person_target(Decimal(25), volunteer("V9", joined="2022-07-01")) == Decimal("0.00")


def test_corrections_decide_what_the_rules_count() -> None:
    replaced = activity("a1-fix", "2022-05-10", ["V2"], hours=8, corrects="a01")
    withdrawn = activity("a2-del", "2022-02-10", [], corrects="a02")
    unit = ledger(PEOPLE, [*MONTHLY, replaced, withdrawn])
    hours, counts = Context(unit, 2022, YEAR_END).hours_and_counts(None)
    assert hours == {"V1": Decimal("25.0"), "V2": Decimal("33.0")} and counts == {"V1": 10, "V2": 11}


# --- validations ---------------------------------------------------------------------------


def problems(unit: records.UnitLedger, today: date = date(2024, 6, 1)) -> list[tuple[str, str, Level]]:
    workspace = records.Workspace(root=Path("/nonexistent-workspace"), today=today)
    workspace.units["u1"] = unit
    found = [p for check in VALIDATIONS for p in check(unit, workspace)]
    found += records.resolve_corrections(unit)
    return sorted((p.code, str(p.args.get("id", "")), p.level) for p in found)


def test_a_clean_ledger_has_no_problems() -> None:
    assert problems(ledger(PEOPLE, MONTHLY, UNIT)) == [("before-registration", "V2", Level.WARNING)] * 12


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        ([activity("x", "2022-05-01", ["V1", "V9"])], [("unknown-volunteer", "V9", Level.ERROR)]),
        ([activity("x", "2022-05-01", ["V3"])], [("not-on-roster", "V3", Level.ERROR)]),
        (
            [activity("x", "2022-05-01", ["V1"], hours=6), activity("y", "2022-05-01", ["V1"], hours=3)],
            [("day-over-8", "V1", Level.WARNING)],
        ),
        (
            [activity("x", "2022-05-01", ["V1"], hours=20), activity("y", "2022-05-01", ["V1"], hours=5)],
            [("day-over-24", "V1", Level.ERROR), ("day-over-8", "V1", Level.WARNING)],  # the first crosses 8, the second 24
        ),
        ([activity("x", "2022-05-01", ["V1"], hours=None)], [("hours-missing", "x", Level.ERROR)]),
        ([activity("x", "2022-05-01", ["V1", "V1"])], [("duplicate-participant", "V1", Level.ERROR)]),
        ([activity("x", "2025-05-01", ["V1"])], [("future-date", "", Level.ERROR)]),
        (
            [activity("x", "2022-05-01", ["V1"]), activity("y", "2022-05-02", ["V1"], corrects="z")],
            [("unknown-correction", "z", Level.ERROR)],
        ),
        (
            [
                activity("x", "2022-05-01", ["V1"]),
                activity("y", "2022-05-02", ["V1"], corrects="x"),
                activity("w", "2022-05-03", ["V1"], corrects="x"),
            ],
            [("correction-conflict", "x", Level.ERROR)],
        ),
    ],
)
def test_activity_validations(activities: list[Activity], expected: list[tuple[str, str, Level]]) -> None:
    people = [REGISTERED, volunteer("V3", joined="2023-01-01", registered_on="2020-01-01")]
    assert problems(ledger(people, activities, UNIT)) == expected


def test_a_redemption_beyond_the_balance_is_refused() -> None:
    earned = [activity("x", "2022-05-01", ["V1"], hours=3)]
    spend = [
        {"volunteer": "V1", "date": "2022-05-02", "hours": 2, "what": "理发"},
        {"volunteer": "V1", "date": "2022-05-03", "hours": 2, "what": "理发"},
    ]
    assert problems(ledger([REGISTERED], earned, UNIT, redemptions=spend)) == [("negative-balance", "V1", Level.ERROR)]


def test_a_request_served_before_it_was_claimed_is_out_of_order() -> None:
    assigned = {"request": "R1", "step": "assigned", "date": "2022-03-02", "team": "red"}
    served = activity("x", "2022-03-03", ["V1"], request="R1")
    found = problems(ledger(PEOPLE, [served], UNIT, steps=[*_requests(assigned), CLAIMED]))
    assert found == [("served-before-claim", "R1", Level.ERROR)]


# --- the same activity twice, one person in two places ------------------------------------------

TWO_REGISTERED = [REGISTERED, volunteer("V2", registered_on="2020-01-01")]


def clinic(aid: str, participants: list[Any], start: str = "08:00", end: str = "12:00", **fields: Any) -> Activity:
    """义诊 at 社区 on 2022-05-05, timed (its hours are its span) unless `hours` is given."""
    given = {"title": "义诊", "location": "社区", "start": start, "end": end, "hours": None, **fields}
    return activity(aid, given.pop("date", "2022-05-05"), participants, **given)


def twice(activities: list[Activity]) -> list[tuple[str, str, Level]]:
    """The problems of the two new checks only."""
    return [p for p in problems(ledger(TWO_REGISTERED, activities, UNIT)) if p[0] in ("duplicate-activity", "overlapping-times")]


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        # two clones each recorded it: the second names the first
        ([clinic("a", ["V1", "V2"]), clinic("b", ["V2", "V1"])], [("duplicate-activity", "a", Level.WARNING)]),
        ([clinic("a", ["V1"]), clinic("b", ["V1"]), clinic("c", ["V1"])], [("duplicate-activity", "a", Level.WARNING)] * 2),
        # untimed records: the same hours for everyone
        (
            [clinic("a", ["V1"], None, None, hours=3), clinic("b", ["V1"], None, None, hours=3)],
            [("duplicate-activity", "a", Level.WARNING)],
        ),
        # a withdrawn or corrected copy no longer counts: nothing left to warn about
        ([clinic("a", ["V1"]), clinic("b", ["V1"]), activity("b-del", "2022-05-06", [], corrects="b")], []),
        ([clinic("a", ["V1"]), clinic("b", ["V1"]), clinic("b-fix", ["V1"], "13:00", "15:00", corrects="b")], []),
        # anything that differs makes it another activity
        ([clinic("a", ["V1"], None, None, hours=3), clinic("b", ["V2"], None, None, hours=3)], []),
        ([clinic("a", ["V1"], None, None, hours=3), clinic("b", ["V1"], None, None, hours=2)], []),
        (  # V1's 2 hours in one and 4 in the other do not fit into the same four hours
            [clinic("a", [{"V1": 2}, "V2"]), clinic("b", ["V1", "V2"])],
            [("overlapping-times", "V1", Level.WARNING), ("overlapping-times", "V2", Level.WARNING)],
        ),
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "13:00", "17:00")], []),
        ([clinic("a", ["V1"]), clinic("b", ["V1"], date="2022-05-06")], []),
        ([clinic("a", ["V1"]), clinic("b", ["V1"], location="卫生院")], [("overlapping-times", "V1", Level.WARNING)]),
        # a meeting is not the service of the same name; a meeting recorded twice is still twice
        ([clinic("a", ["V1"]), clinic("b", ["V1"], type="meeting")], [("overlapping-times", "V1", Level.WARNING)]),
        ([clinic("a", ["V1"], type="meeting"), clinic("b", ["V1"], type="meeting")], [("duplicate-activity", "a", Level.WARNING)]),
    ],
)
def test_the_same_activity_recorded_twice(activities: list[Activity], expected: list[tuple[str, str, Level]]) -> None:
    assert twice(activities) == expected


@pytest.mark.parametrize(
    ("activities", "expected"),
    [
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "09:00", "11:00", title="巡河")], [("overlapping-times", "V1", Level.WARNING)]),
        ([clinic("a", ["V1", "V2"]), clinic("b", ["V2", "V1"], "11:00", "13:00", title="巡河")], [("overlapping-times", "V1", Level.WARNING), ("overlapping-times", "V2", Level.WARNING)]),
        ([clinic("a", ["V1"]), clinic("b", ["V2"], "09:00", "11:00", title="巡河")], []),  # other people
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "12:00", "14:00", title="巡河")], []),  # one ends as the other begins
        ([clinic("a", ["V1"]), clinic("b", ["V1"], None, None, hours=2, title="巡河")], []),  # no time to compare
        # their own hours do not say when in the span they served: 2 of 08:00–12:00, then 10:00–12:00 elsewhere fits
        ([clinic("a", [{"V1": 2}]), clinic("b", ["V1"], "10:00", "12:00", title="巡河")], []),
        ([clinic("a", [{"V1": 3}]), clinic("b", ["V1"], "10:00", "12:00", title="巡河")], [("overlapping-times", "V1", Level.WARNING)]),
        # the activity's own hours under its span (a break) count the same way
        ([clinic("a", ["V1"], hours=2), clinic("b", ["V1"], "10:00", "12:00", title="巡河")], []),
        # a meeting during service: one of the two records is wrong
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "09:00", "10:00", title="例会", type="meeting")], [("overlapping-times", "V1", Level.WARNING)]),
        # corrected to the right time: nothing left
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "09:00", "11:00", title="巡河"), clinic("b2", ["V1"], "13:00", "15:00", title="巡河", corrects="b")], []),
        ([clinic("a", ["V1"]), clinic("b", ["V1"], "09:00", "11:00", title="巡河"), activity("b-del", "2022-05-06", [], corrects="b")], []),
    ],
)  # fmt: skip
def test_one_person_in_two_places_at_once(activities: list[Activity], expected: list[tuple[str, str, Level]]) -> None:
    assert twice(activities) == expected


def test_overlapping_times_is_at_the_later_records_participant_and_names_the_other() -> None:
    """Which record and which line: the clerk is sent to the participant, and told where else they were."""
    unit = ledger(TWO_REGISTERED, [clinic("a", ["V1", "V2"]), clinic("b", ["V2", "V1"], "09:00", "11:00", title="巡河")], UNIT)
    workspace = records.Workspace(root=Path("/nonexistent-workspace"), today=date(2024, 6, 1))
    found = [p for check in VALIDATIONS for p in check(unit, workspace) if p.code == "overlapping-times"]
    assert [(p.path, p.args) for p in found] == [
        ((1, "participants", 0), {"id": "V2", "date": "2022-05-05", "span": "09:00–11:00", "other": "a", "other_span": "08:00–12:00"}),
        ((1, "participants", 1), {"id": "V1", "date": "2022-05-05", "span": "09:00–11:00", "other": "a", "other_span": "08:00–12:00"}),
    ]


def test_the_two_checks_hold_one_day_at_a_time() -> None:
    """A year of a unit that runs many timed activities a day: each day is checked on its own, so doubling
    the days doubles the work (a check over the year's pairs would quadruple it)."""
    import gc
    import time

    def year(days: int) -> records.UnitLedger:
        people = [volunteer(f"V{n}", registered_on="2020-01-01") for n in range(40)]
        acts = [
            clinic(
                f"d{d}-{h}",
                [f"V{(h * 5 + k) % 40}" for k in range(5)],
                f"{h + 6:02d}:00",
                f"{h + 7:02d}:00",
                date=f"2022-{d // 28 + 1:02d}-{d % 28 + 1:02d}",
            )
            for d in range(days)
            for h in range(8)
        ]
        return ledger(people, acts, UNIT)

    from vsledger.check.validation import duplicate_activities, overlapping_times

    workspace = records.Workspace(root=Path("/nonexistent-workspace"), today=date(2024, 6, 1))

    def cost(unit: records.UnitLedger) -> float:
        """The best of fifteen runs (the machine's noise only ever adds), without the cyclic collector,
        as the CLI runs (its passes over every live object grow with the ledger, not with the check)."""
        best = float("inf")
        gc.collect()
        gc.disable()
        try:
            for _ in range(15):
                started = time.perf_counter()
                assert list(duplicate_activities(unit, workspace)) == [] and list(overlapping_times(unit, workspace)) == []
                best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
        return best

    small, large = cost(year(40)), cost(year(320))
    assert large < 3 * 8 * small  # linear: 8×; over the year's pairs: 64×
