"""The rule kinds of docs/format.md §13, one pure function each.

State kinds judge the situation on the as-of date (pass or fail); accumulating
kinds are `pending` while the year or period is not over and the target not yet
met. `failing` always names what falls short, by id.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BeforeValidator, WithJsonSchema

from vsledger.check.requests import request_lives
from vsledger.check.rules.registry import CENT, Context, Outcome, ParamProblem, Status, round_half_up, rule_kind
from vsledger.core.model import Activity, RequestClaimed, RequestKind, Volunteer, _err, one_or_many
from vsledger.core.policy import AMOUNT_SCHEMA, RATE_SCHEMA, Amount, CountParam, Params, Rate, Where, Who, _to_amount, _to_list, _to_rate

# --- parameter models ---------------------------------------------------------


class RateOfPopulation(Params):
    who: Who | None = None
    min: Rate


class SkillsParams(Params):
    who: Who | None = None
    min: CountParam = 1
    rate: Rate = Decimal(1)


class Scoped(Params):
    """A population (`who`) and the activities that count (`where`): the parameters most kinds share."""

    who: Who | None = None
    where: Where | None = None


class HoursPerCapitaParams(Scoped):
    min: Amount


class HoursPerPersonParams(Scoped):
    min: Amount
    rate: Rate = Decimal(1)


class ParticipationParams(Scoped):
    min: Rate
    activities: CountParam = 1


class ActivityCountParams(Params):
    scope: Literal["unit", "team", "branch", "person"] = "unit"
    per: Literal["month", "quarter", "half", "year"] = "month"
    where: Where | None = None
    min: CountParam = 1
    who: Who | None = None


class MinParticipantsParams(Params):
    where: Where | None = None
    min: CountParam


class PopulationParticipationParams(Scoped):
    min: Rate


class TeamsPerBranchParams(Params):
    min: CountParam = 1


class NoParams(Params):
    pass


class ReportDueParams(Params):
    report: Literal["plan", "monthly", "half-year", "annual"]
    due: Annotated[
        list[str | int], BeforeValidator(_to_list), WithJsonSchema(one_or_many({"anyOf": [{"type": "string"}, {"type": "integer"}]}))
    ]
    scope: Literal["unit", "branch"] = "unit"
    """`branch`: one report per branch (reports.yaml entries carry `branch:`)."""


RequestKinds = Annotated[
    list[RequestKind], BeforeValidator(_to_list), WithJsonSchema(one_or_many({"type": "string", "enum": list(get_args(RequestKind))}))
]


class RequestResponseParams(Params):
    within: CountParam
    request_kind: RequestKinds | None = None


class RequestsClaimedParams(Params):
    who: Who | None = None
    request_kind: RequestKinds | None = None
    min: CountParam = 1
    rate: Rate = Decimal(1)


class DayTarget(Params):
    """special_days' min: a share of the days (`80%`, `0.8`) or a count of days (`5`)."""

    value: Decimal
    share: bool


def _special_min(value: Any) -> Any:

    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.strip().endswith("%"):
        return {"value": _to_rate(value), "share": True}
    number = _to_amount(value)
    if number < 1:
        return {"value": number, "share": True}
    if number != number.to_integral_value():
        raise _err("invalid-number", field="min")
    return {"value": number, "share": False}


class SpecialDaysParams(Params):
    days: Annotated[list[str], BeforeValidator(_to_list), WithJsonSchema(one_or_many({"type": "string"}))]
    window: CountParam = 0
    where: Where | None = None
    min: Annotated[DayTarget, BeforeValidator(_special_min), WithJsonSchema({"anyOf": [AMOUNT_SCHEMA, RATE_SCHEMA]})]


# --- helpers -----------------------------------------------------------------


def _share(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole)


def _meets_share(part: int, whole: int, minimum: Decimal) -> bool:
    return Decimal(part) >= minimum * whole


def _rate_outcome(ctx: Context, members: list[Volunteer], ok: set[str], minimum: Decimal, state: bool) -> Outcome:
    if not members:
        return Outcome(Status.NA, None, minimum)
    met = _meets_share(len(ok), len(members), minimum)
    status = (Status.PASS if met else Status.FAIL) if state else ctx.accumulating(met)
    failing = [{"id": v.id, "name": v.name} for v in members if v.id not in ok]
    return Outcome(status, _share(len(ok), len(members)), minimum, failing)


# --- population rates --------------------------------------------------------------


@rule_kind(
    "registration_rate",
    RateOfPopulation,
    "rate",
    "人群中已注册志愿者的比例不低于 min",
    "share of the population registered as volunteers is at least min",
    """
- id: registration
  kind: registration_rate
  who: {employment: [staff, contract]}
  min: 100%
  text: 各单位(含聘用人员)要100%注册志愿者
""",
)
def registration_rate(ctx: Context, p: RateOfPopulation) -> Outcome:
    members = ctx.population(p.who)
    ok = {v.id for v in members if v.registered(ctx.as_of)}
    return _rate_outcome(ctx, members, ok, p.min, state=True)


@rule_kind(
    "checkin_rate",
    RateOfPopulation,
    "rate",
    "人群中已到社区报到的比例不低于 min",
    "share of the population checked in with a community is at least min",
    """
- id: checkin
  kind: checkin_rate
  who: {party_member: true}
  min: 100%
  text: 每名共产党员都要到居住所在社区报到
""",
)
def checkin_rate(ctx: Context, p: RateOfPopulation) -> Outcome:
    members = ctx.population(p.who)
    ok = {v.id for v in members if v.checked_in_on is not None and v.checked_in_on <= ctx.as_of}
    return _rate_outcome(ctx, members, ok, p.min, state=True)


@rule_kind(
    "training_rate",
    RateOfPopulation,
    "rate",
    "人群中本年度(截至统计日)参加过培训的比例不低于 min",
    "share of the population trained in the year up to as-of is at least min",
    """
- id: training
  kind: training_rate
  who: {party_member: true}
  min: 100%
  text: 接受组织管理和培训全覆盖
""",
)
def training_rate(ctx: Context, p: RateOfPopulation) -> Outcome:
    members = ctx.population(p.who)
    ok = {v.id for v in members if any(ctx.start <= t.date <= ctx.as_of for t in v.trainings)}
    return _rate_outcome(ctx, members, ok, p.min, state=False)


@rule_kind(
    "skills",
    SkillsParams,
    "rate",
    "人群中掌握至少 min 项技能的比例不低于 rate(默认100%)",
    "share of the population with at least min skills is at least rate (default 100%)",
    """
- id: skills
  kind: skills
  who: {party_member: true}
  min: 1
  text: 每名党员志愿者至少学习掌握一项以上的志愿服务技能
""",
)
def skills(ctx: Context, p: SkillsParams) -> Outcome:
    members = ctx.population(p.who)
    ok = {v.id for v in members if len(set(v.skills)) >= p.min}
    outcome = _rate_outcome(ctx, members, ok, p.rate, state=True)
    skill_counts = {v.id: len(set(v.skills)) for v in members}
    for item in outcome.failing:
        item["count"] = skill_counts[item["id"]]
    return outcome


# --- hours -------------------------------------------------------------------------


@rule_kind(
    "hours_per_capita",
    HoursPerCapitaParams,
    "hours",
    "人群的服务时长之和除以人数不低于 min(按年度已过天数折算)",
    "the population's hours divided by its size is at least min, scaled to the elapsed part of the year",
    """
- id: hours-per-capita
  kind: hours_per_capita
  who: {employment: [staff, contract]}
  min: 25
  text: 人均志愿服务时间每年不低于25小时
""",
)
def hours_per_capita(ctx: Context, p: HoursPerCapitaParams) -> Outcome:
    members = ctx.population(p.who)
    target = ctx.elapsed_target(p.min)
    if not members:
        return Outcome(Status.NA, None, target)
    hours, _ = ctx.hours_and_counts(p.where)
    total = sum((hours.get(v.id, Decimal(0)) for v in members), Decimal(0))
    actual = total / len(members)
    failing = [{"id": v.id, "name": v.name, "hours": hours.get(v.id, Decimal(0))} for v in members if hours.get(v.id, Decimal(0)) < target]
    return Outcome(ctx.accumulating(total >= target * len(members)), actual, target, failing)


@rule_kind(
    "hours_per_person",
    HoursPerPersonParams,
    "rate",
    "人群中服务时长达到个人目标(按在册天数折算)的比例不低于 rate(默认100%)",
    "share of the population whose hours reach their own target (pro-rated by days on the roster) is at least rate",
    """
- id: hours-per-person
  kind: hours_per_person
  who: {party_member: true}
  min: 20
  text: 每年志愿服务活动时间不少于20小时
""",
)
def hours_per_person(ctx: Context, p: HoursPerPersonParams) -> Outcome:
    members = ctx.population(p.who)
    if not members:
        return Outcome(Status.NA, None, p.rate)
    hours, _ = ctx.hours_and_counts(p.where)
    ok: set[str] = set()
    failing: list[dict[str, Any]] = []
    for v in members:
        got, target = hours.get(v.id, Decimal(0)), ctx.person_target(p.min, v)
        if got >= target:
            ok.add(v.id)
        else:
            failing.append({"id": v.id, "name": v.name, "hours": got, "target": target})
    met = _meets_share(len(ok), len(members), p.rate)
    return Outcome(ctx.accumulating(met), _share(len(ok), len(members)), p.rate, failing)


@rule_kind(
    "participation_rate",
    ParticipationParams,
    "rate",
    "人群中参加至少 activities 次(默认1次)相应活动的比例不低于 min",
    "share of the population that took part in at least `activities` matching activities is at least min",
    """
- id: party-participation
  kind: participation_rate
  who: {party_member: true}
  min: 80%
  text: 在职党员志愿者活动参与率达到80%以上
""",
)
def participation_rate(ctx: Context, p: ParticipationParams) -> Outcome:
    members = ctx.population(p.who)
    if not members:
        return Outcome(Status.NA, None, p.min)
    _, counts = ctx.hours_and_counts(p.where)
    ok = {v.id for v in members if counts.get(v.id, 0) >= p.activities}
    met = _meets_share(len(ok), len(members), p.min)
    failing = [{"id": v.id, "name": v.name, "count": counts.get(v.id, 0)} for v in members if v.id not in ok]
    return Outcome(ctx.accumulating(met), _share(len(ok), len(members)), p.min, failing)


# --- activities --------------------------------------------------------------------


def periods(year: int, per: str) -> list[tuple[str, date, date]]:
    """The periods of a year, named as docs/format.md §12.4 names them."""
    if per == "year":
        return [(str(year), date(year, 1, 1), date(year, 12, 31))]
    if per == "half":
        return [(f"{year}-H1", date(year, 1, 1), date(year, 6, 30)), (f"{year}-H2", date(year, 7, 1), date(year, 12, 31))]
    if per == "quarter":
        return [(f"{year}-Q{q}", date(year, 3 * q - 2, 1), date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])) for q in range(1, 5)]
    return [(f"{year}-{m:02d}", date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1])) for m in range(1, 13)]


@rule_kind(
    "activity_count",
    ActivityCountParams,
    "count",
    "每个范围成员(单位/服务队/支部/个人)的每个已结束周期(月/季/半年/年)都有至少 min 次相应活动",
    "every completed period (month/quarter/half/year) of every scope member (unit/team/branch/person) has at least min matching activities",
    """
- id: team-monthly
  kind: activity_count
  scope: team
  per: month
  min: 1
  text: 时间要求:每月至少开展1次活动
""",
)
def activity_count(ctx: Context, p: ActivityCountParams) -> Outcome:
    activities = ctx.matching(p.where)
    unit = ctx.ledger.unit
    index = ctx.participations(p.where)
    members: list[tuple[str, list[Activity], Volunteer | None]] = []
    if p.scope == "unit":
        members = [(ctx.ledger.id, activities, None)]
    elif p.scope == "team":
        members = [(t.id, index.of_teams([t.id]), None) for t in (unit.teams if unit else [])]
    elif p.scope == "branch":
        for branch in unit.branches if unit else []:
            teams = [t.id for t in unit.teams if t.branch == branch.id] if unit else []
            members.append((branch.id, index.of_teams(teams), None))
    else:
        for v in ctx.population(p.who):
            members.append((v.id, index.of_volunteer(v.id), v))
    lowest: int | None = None
    failing: list[dict[str, Any]] = []
    short_so_far: list[dict[str, Any]] = []
    fail = pending = False
    for member_id, own, volunteer in members:
        for name, first, last in periods(ctx.year, p.per):
            if first > ctx.as_of:
                break
            if p.per != "year" and not ctx.in_force(first, last):
                continue  # the policy did not govern this period (a yearly count stays annual)
            complete = last <= ctx.as_of
            if volunteer is not None and not _on_roster_throughout(volunteer, first, last):
                continue
            count = sum(1 for a in own if first <= a.date <= last)
            lowest = count if lowest is None else min(lowest, count)
            if count >= p.min:
                continue
            if complete:
                fail = True
                failing.append({"id": member_id, "period": name, "count": count})
            else:
                pending = True
                short_so_far.append({"id": member_id, "period": name, "count": count})
    if lowest is None:
        return Outcome(Status.NA, None, p.min)
    if fail:
        return Outcome(Status.FAIL, lowest, p.min, failing)
    # Not failed yet: name what is still short in the periods under way.
    return Outcome(Status.PENDING if pending else Status.PASS, lowest, p.min, short_so_far)


def _on_roster_throughout(volunteer: Volunteer, first: date, last: date) -> bool:
    return (volunteer.joined is None or volunteer.joined <= first) and (volunteer.left is None or volunteer.left >= last)


@rule_kind(
    "min_participants",
    MinParticipantsParams,
    "count",
    "每次相应活动的参与人数(花名册内 + external)不少于 min",
    "every matching activity has at least min participants (roster plus external)",
    """
- id: environment-size
  kind: min_participants
  where: {tags: [环境卫士]}
  min: 30
  text: 每次安排30人以上
""",
)
def min_participants(ctx: Context, p: MinParticipantsParams) -> Outcome:
    activities = ctx.matching(p.where)
    if not activities:
        return Outcome(Status.NA, None, p.min)
    sizes = [(a, len(a.participants) + a.external) for a in activities]
    failing = [{"id": a.id, "date": a.date, "count": n} for a, n in sizes if n < p.min]
    return Outcome(Status.FAIL if failing else Status.PASS, min(n for _, n in sizes), p.min, failing)


@rule_kind(
    "population_participation",
    PopulationParticipationParams,
    "rate",
    "人群中参加过相应活动的不同人数占单位常住人口(unit.yaml 的 population)的比例不低于 min",
    "distinct participants of the population over the unit's population (unit.yaml) is at least min",
    """
- id: resident-participation
  kind: population_participation
  min: 13%
  text: 基层群众参与文明实践志愿服务人数达到常住人口的13%以上
""",
)
def population_participation(ctx: Context, p: PopulationParticipationParams) -> Outcome:
    unit = ctx.ledger.unit
    population = unit.population if unit else None
    if not population:
        return Outcome(Status.NA, None, p.min)
    members = {v.id for v in ctx.population(p.who)}
    _, counts = ctx.hours_and_counts(p.where)
    took_part = len(members & set(counts))
    met = _meets_share(took_part, population, p.min)
    needed = int((p.min * population).to_integral_value(rounding="ROUND_CEILING"))
    failing = [] if met else [{"id": ctx.ledger.id, "count": took_part, "target": needed}]
    return Outcome(ctx.accumulating(met), _share(took_part, population), p.min, failing)


# --- organisation ---------------------------------------------------------------------


@rule_kind(
    "teams_per_branch",
    TeamsPerBranchParams,
    "count",
    "每个支部至少有 min 支服务队",
    "every branch has at least min teams",
    """
- id: team-per-branch
  kind: teams_per_branch
  min: 1
  text: 每个党支部至少组建一支党员志愿服务队
""",
)
def teams_per_branch(ctx: Context, p: TeamsPerBranchParams) -> Outcome:
    unit = ctx.ledger.unit
    if unit is None or not unit.branches:
        return Outcome(Status.NA, None, p.min)
    per_branch = Counter(t.branch for t in unit.teams)
    counts = {b.id: per_branch[b.id] for b in unit.branches}
    failing = [{"id": b, "count": n} for b, n in counts.items() if n < p.min]
    return Outcome(Status.FAIL if failing else Status.PASS, min(counts.values()), p.min, failing)


@rule_kind(
    "team_conveners",
    NoParams,
    "rate",
    "每支服务队都有一名在花名册上的召集人",
    "every team has a convener who is on the roster",
    """
- id: conveners
  kind: team_conveners
  text: 每支服务队设召集人
""",
)
def team_conveners(ctx: Context, p: NoParams) -> Outcome:
    unit = ctx.ledger.unit
    if unit is None or not unit.teams:
        return Outcome(Status.NA, None, Decimal(1))
    on_roster = {v.id for v in ctx.roster}
    failing = [{"id": t.id, "convener": t.convener} for t in unit.teams if t.convener not in on_roster]
    ok = len(unit.teams) - len(failing)
    return Outcome(Status.FAIL if failing else Status.PASS, _share(ok, len(unit.teams)), Decimal(1), failing)


# --- reports ------------------------------------------------------------------------------


def _report_due_params(p: ReportDueParams) -> Iterator[ParamProblem]:
    expected = {"plan": 1, "annual": 1, "monthly": 1, "half-year": 2}[p.report]
    if len(p.due) != expected or any(_due_date(p.report, d, 2000, i) is None for i, d in enumerate(p.due)):
        yield ("invalid-due", {"report": p.report}, ("due",))


def _due_date(report: str, due: str | int, year: int, index: int = 0, month: int = 1) -> date | None:
    try:
        if report == "monthly":
            day = int(due)
            if not 1 <= day <= 31:
                return None
            y, m = (year + 1, 1) if month == 12 else (year, month + 1)
            return date(y, m, min(day, calendar.monthrange(y, m)[1]))
        text = str(due)
        mm, dd = text.split("-")
        return date(year, int(mm), int(dd))
    except (ValueError, TypeError):
        return None


def report_periods(year: int, report: str, due: list[str | int]) -> list[tuple[str, date]]:
    """(period name, due date) of every report of that kind for the year."""
    return [(name, when) for name, _, when in _report_periods(year, report, due)]


def _report_periods(year: int, report: str, due: list[str | int]) -> list[tuple[str, date, date]]:
    """(period name, first day of the period, due date) of every report of that kind for the year."""
    if report == "monthly":
        found = [(f"{year}-{m:02d}", date(year, m, 1), _due_date(report, due[0], year, month=m)) for m in range(1, 13)]
    elif report == "half-year":
        found = [(f"{year}-H{i + 1}", date(year, 6 * i + 1, 1), _due_date(report, d, year, i)) for i, d in enumerate(due[:2])]
    else:
        found = [(str(year), date(year, 1, 1), _due_date(report, due[0], year))]
    return [(name, first, when) for name, first, when in found if when is not None]


@rule_kind(
    "report_due",
    ReportDueParams,
    "count",
    "每份已到期的报告(plan/monthly/half-year/annual)都按时报送;未到期的在报送前为待定",
    "every report due by the as-of date was handed in on time; one not yet due is pending until handed in",
    """
- id: monthly-report
  kind: report_due
  report: monthly
  due: 5
  text: 志愿服务活动情况每月(下个月5日前)报送
""",
    check_params=_report_due_params,
)
def report_due(ctx: Context, p: ReportDueParams) -> Outcome:
    """Judged on the as-of date, which may lie after the year: December's report is due in January."""
    day = ctx.report_day
    unit = ctx.ledger.unit
    branches: list[str | None] = [b.id for b in unit.branches] if p.scope == "branch" and unit else []
    if p.scope == "unit":
        branches = [None]
    submitted: dict[tuple[str | None, str], date] = {}
    for entry in ctx.ledger.reports:
        r = entry.record
        if r.kind == p.report and r.submitted_on <= day:
            key = (r.branch, r.period)
            submitted[key] = min(r.submitted_on, submitted.get(key, r.submitted_on))
    # A report is demanded when due on or after the policy's first day, about a period it began to govern.
    judged = [
        (period, due)
        for period, first, due in _report_periods(ctx.year, p.report, p.due)
        if (ctx.governs_from is None or due >= ctx.governs_from) and (ctx.governs_to is None or first <= ctx.governs_to)
    ]
    if not judged or not branches:
        return Outcome(Status.NA, None, None)
    failing: list[dict[str, Any]] = []
    due_count = on_time = 0
    pending = False
    for branch in branches:
        for period, due in judged:
            handed_in = submitted.get((branch, period))
            if due <= day:
                due_count += 1
                if handed_in is not None and handed_in <= due:
                    on_time += 1
                else:
                    item: dict[str, Any] = {"id": period, "due": due, "submitted_on": handed_in}
                    failing.append(item if branch is None else {"id": branch, "period": period, "due": due, "submitted_on": handed_in})
            elif handed_in is None:
                pending = True
    status = Status.FAIL if failing else Status.PENDING if pending else Status.PASS
    return Outcome(status, on_time, due_count, failing)


# --- special days ---------------------------------------------------------------------------


def _special_days_params(p: SpecialDaysParams) -> Iterator[ParamProblem]:
    for i, day in enumerate(p.days):
        if _day_pattern(day) is None:
            yield ("invalid-day", {"value": day}, ("days", i))


def _day_pattern(text: str) -> tuple[int | None, int] | None:
    try:
        mm, dd = text.strip().split("-")
        month = None if mm == "*" else int(mm)
        day = int(dd)
    except ValueError:
        return None
    if (month is not None and not 1 <= month <= 12) or not 1 <= day <= 31:
        return None
    return month, day


def special_dates(year: int, days: list[str]) -> list[date]:
    found: set[date] = set()
    for text in days:
        pattern = _day_pattern(text)
        if pattern is None:
            continue
        month, day = pattern
        for m in [month] if month is not None else range(1, 13):
            if day <= calendar.monthrange(year, m)[1]:
                found.add(date(year, m, day))
    return sorted(found)


@rule_kind(
    "special_days",
    SpecialDaysParams,
    "count",
    "这些日子(MM-DD,或每月 *-DD)前后 window 天内有相应活动的天数达到 min(整数为天数,百分数或小于1的小数为比例)",
    "enough of those days (MM-DD, or *-DD monthly) have a matching activity within window days; "
    "min is a count, or a share when written with % or below 1",
    """
- id: volunteer-day
  kind: special_days
  days: ["*-05"]
  min: 100%
  text: 每月5号"志愿服务日"
""",
    check_params=_special_days_params,
)
def special_days(ctx: Context, p: SpecialDaysParams) -> Outcome:
    index = ctx.participations(p.where)
    window = timedelta(days=p.window)
    days = [d for d in special_dates(ctx.year, p.days) if ctx.in_force(d, d)]
    judged = [d for d in days if d <= ctx.as_of]
    met = [d for d in judged if index.any_within(d - window, d + window)]
    met_set = set(met)
    open_days = [d for d in judged if d not in met_set and d + window > ctx.as_of and not ctx.year_over]
    missed = [d for d in judged if d not in met_set and d not in open_days]
    failing: list[dict[str, Any]] = [{"id": d.isoformat()} for d in missed]
    if p.min.share:
        if not judged:
            return Outcome(Status.NA, None, p.min.value, measure="rate")
        share = _share(len(met), len(judged))
        if _meets_share(len(met), len(judged), p.min.value):
            status = Status.PASS
        elif _meets_share(len(met) + len(open_days), len(judged), p.min.value):
            status = Status.PENDING
        else:
            status = Status.FAIL
        return Outcome(status, share, p.min.value, failing, measure="rate")
    needed = int(p.min.value)
    if not days:
        return Outcome(Status.NA, None, needed)
    still_possible = len(met) + len(open_days) + sum(1 for d in days if d > ctx.as_of)
    if len(met) >= needed:
        status = Status.PASS
    elif still_possible >= needed:
        status = Status.PENDING
    else:
        status = Status.FAIL
    return Outcome(status, len(met), needed, failing)


# --- records and organisation, as the plans describe them ----------------------------------

RecordField = Literal["content", "outcome", "target", "served", "lead", "recorded_by", "attachments", "start"]
RECORD_FIELDS: tuple[str, ...] = get_args(RecordField)


class RecordFieldsParams(Params):
    fields: Annotated[
        list[RecordField], BeforeValidator(_to_list), WithJsonSchema(one_or_many({"type": "string", "enum": list(RECORD_FIELDS)}))
    ]
    where: Where | None = None


@rule_kind(
    "record_fields",
    RecordFieldsParams,
    "rate",
    "每次相应活动的记录都填写了 fields 中的各项(《志愿服务记录办法》第七条);未达标项为活动 id 及所缺字段",
    "every matching activity's record has every listed field, non-empty (《志愿服务记录办法》art. 7); "
    "failing items are activity ids with the fields they lack",
    """
- id: record-content
  kind: record_fields
  fields: [content, outcome]
  text: 将志愿服务项目内容、活动情况、活动成效以及经验做法等记录建档
""",
)
def record_fields(ctx: Context, p: RecordFieldsParams) -> Outcome:
    # A record is judged once the policy governs its day: a plan does not reach back to records made before it.
    activities = [a for a in ctx.matching(p.where) if ctx.in_force(a.date, a.date)]
    if not activities:
        return Outcome(Status.NA, None, Decimal(1))
    failing: list[dict[str, Any]] = []
    for a in activities:
        missing = [f for f in p.fields if getattr(a, f) in (None, [], "")]
        if missing:
            failing.append({"id": a.id, "date": a.date, "missing": ", ".join(missing)})
    complete = len(activities) - len(failing)
    return Outcome(Status.FAIL if failing else Status.PASS, _share(complete, len(activities)), Decimal(1), failing)


class TeamStructureParams(Params):
    min_teams: CountParam = 1
    max_teams: CountParam | None = None
    sizes: bool = True
    convener_member: bool = True


def _team_structure_params(p: TeamStructureParams) -> Iterator[ParamProblem]:
    if p.max_teams is not None and p.max_teams < p.min_teams:
        yield ("invalid-number", {"field": "max_teams"}, ("max_teams",))


@rule_kind(
    "team_structure",
    TeamStructureParams,
    "count",
    "单位的服务队数在 min_teams 与 max_teams 之间;在 unit.yaml 写明 size 的服务队,花名册上的队员不少于该人数;"
    "每位召集人是其所召集服务队的队员",
    "the unit has between min_teams and max_teams teams; a team that declares `size:` in unit.yaml has at least that many "
    "roster members; each convener is a member of the team they convene",
    """
- id: team-structure
  kind: team_structure
  min_teams: 4
  text: 组建一支60人的志愿服务队……三个二级机构为分队
""",
    check_params=_team_structure_params,
)
def team_structure(ctx: Context, p: TeamStructureParams) -> Outcome:
    unit = ctx.ledger.unit
    teams = unit.teams if unit else []
    failing: list[dict[str, Any]] = []
    if len(teams) < p.min_teams or (p.max_teams is not None and len(teams) > p.max_teams):
        failing.append({"id": ctx.ledger.id, "count": len(teams)})
    members: dict[str, set[str]] = {t.id: set() for t in teams}
    for v in ctx.roster:
        for team_id in v.teams:
            members.setdefault(team_id, set()).add(v.id)
    for t in teams:
        if p.sizes and t.planned_size is not None and len(members[t.id]) < t.planned_size:
            failing.append({"id": t.id, "size": t.planned_size, "count": len(members[t.id])})
        if p.convener_member and t.convener is not None and t.convener not in members[t.id]:
            failing.append({"id": t.id, "convener": t.convener})
    return Outcome(Status.FAIL if failing else Status.PASS, len(teams), p.min_teams, failing)


# --- community requests (基层点单、组织派单、党员接单) -----------------------------------------


@rule_kind(
    "request_response",
    RequestResponseParams,
    "count",
    "本年收到的每项群众需求(request_kind 可限定 project/wish)都在 within 天内得到回应:有活动服务它,或说明理由结单",
    "every request received in the year (request_kind: project/wish to narrow) is answered within `within` days: "
    "an activity serves it, or it is closed with a reason",
    """
- id: request-response
  kind: request_response
  within: 30
  text: 深化"基层点单、组织派单、党员接单"工作机制
""",
)
def request_response(ctx: Context, p: RequestResponseParams) -> Outcome:

    due_count = on_time = 0
    pending = False
    failing: list[dict[str, Any]] = []
    for life in request_lives(ctx.ledger).values():
        ask = life.ask
        if ask is None or not ctx.start <= ask.date <= ctx.as_of or (p.request_kind is not None and ask.kind not in p.request_kind):
            continue
        deadline = ask.date + timedelta(days=p.within)
        answered = life.answered_on(ctx.as_of)
        if answered is None and deadline > ctx.as_of:
            pending = True
            continue
        due_count += 1
        if answered is not None and answered <= deadline:
            on_time += 1
        else:
            failing.append({"id": life.id, "received": ask.date, "due": deadline, "answered": answered})
    if due_count == 0 and not pending:
        return Outcome(Status.NA, None, None)
    status = Status.FAIL if failing else Status.PENDING if pending else Status.PASS
    return Outcome(status, on_time, due_count, failing)


@rule_kind(
    "requests_claimed",
    RequestsClaimedParams,
    "rate",
    "人群中本年认领(接单)至少 min 项需求或微心愿(request_kind 可限定)的人所占比例不低于 rate(默认100%)",
    "share of the population who claimed at least min requests or wishes in the year (request_kind to narrow) "
    "is at least rate (default 100%)",
    """
- id: claim-wishes
  kind: requests_claimed
  who: {party_member: true}
  min: 1
  text: 主动认领社区服务项目和"微心愿"
""",
)
def requests_claimed(ctx: Context, p: RequestsClaimedParams) -> Outcome:

    counts: dict[str, int] = {}
    for life in request_lives(ctx.ledger).values():
        ask = life.ask
        if ask is None or (p.request_kind is not None and ask.kind not in p.request_kind):
            continue
        claimed_by = {
            v
            for e in life.claims
            if isinstance(e.record, RequestClaimed) and ctx.start <= e.record.date <= ctx.as_of
            for v in e.record.volunteers
        }
        for volunteer_id in claimed_by:
            counts[volunteer_id] = counts.get(volunteer_id, 0) + 1
    members = ctx.population(p.who)
    ok = {v.id for v in members if counts.get(v.id, 0) >= p.min}
    outcome = _rate_outcome(ctx, members, ok, p.rate, state=False)
    for item in outcome.failing:
        item["count"] = counts.get(item["id"], 0)
    return outcome


__all__ = ["CENT", "periods", "report_periods", "round_half_up", "special_dates"]
