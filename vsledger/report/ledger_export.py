"""`vsledger export`: what a unit's 台账 holds for a year, as data.

Everything the workbook shows is computed here — the activities that count,
the meetings (listed, never counted as service), each participation with its
hours, hours per volunteer month by month with the totals, and the check — so
xlsx, csv and json (render/export.py) only lay it out. A year's ledger holds
that year: activities up to the evaluation day (the as-of date, capped at
31 December), as `check` judges them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from vsledger.core.hours import ZERO, activity_hours, counted_activities, participations, volunteer_hours
from vsledger.core.ledger import UnitLedger, Workspace
from vsledger.core.model import Activity, Volunteer
from vsledger.report.check import RuleResult, evaluation_day, run_check


@dataclass
class ActivityLine:
    activity: Activity
    total_hours: Decimal
    """Every participant's hours together."""


@dataclass
class ParticipationLine:
    activity: Activity
    volunteer: str
    name: str
    """The roster name, or "" for an id not on the roster."""
    hours: Decimal


@dataclass
class MonthlyHours:
    volunteer: str
    name: str
    months: list[Decimal]
    """Twelve months, January first."""

    @property
    def total(self) -> Decimal:
        return sum(self.months, ZERO)


@dataclass
class LedgerExport:
    unit: str
    year: int
    as_of: date
    volunteers: list[Volunteer] = field(default_factory=list)
    activities: list[ActivityLine] = field(default_factory=list)
    meetings: list[Activity] = field(default_factory=list)
    """Meetings (`type: meeting`) of the year: in the activity list, marked, with no service hours."""
    participations: list[ParticipationLine] = field(default_factory=list)
    monthly: list[MonthlyHours] = field(default_factory=list)
    """Volunteers who served, by id."""
    compliance: list[RuleResult] = field(default_factory=list)
    teams: dict[str, str] = field(default_factory=dict)
    """Team id → name, so people read names (with the id beside)."""
    branches: dict[str, str] = field(default_factory=dict)

    @property
    def evaluation_day(self) -> date:
        return evaluation_day(self.year, self.as_of)

    @property
    def month_totals(self) -> list[Decimal]:
        return [sum((row.months[m] for row in self.monthly), ZERO) for m in range(12)]

    @property
    def total_hours(self) -> Decimal:
        return sum(self.month_totals, ZERO)


def ledger_export(workspace: Workspace, unit: str, year: int, as_of: date, check: bool = True) -> LedgerExport:
    """The unit's year up to as-of: roster, activities that count, participations, monthly hours, and
    the check unless `check` is false (Parquet carries no check)."""
    ledger = workspace.units[unit]
    result = LedgerExport(unit, year, as_of, [e.record for e in ledger.volunteers.values()])
    if ledger.unit is not None:
        result.teams = {team.id: team.name for team in ledger.unit.teams}
        result.branches = {branch.id: branch.name for branch in ledger.unit.branches}
    first, last = date(year, 1, 1), result.evaluation_day  # an as-of date in the next year adds none of its activities
    activities = counted_activities(ledger, first, last)
    result.activities = [ActivityLine(a, activity_hours(a)) for a in activities]
    result.meetings = sorted(ledger.meetings_between(first, last), key=lambda a: (a.date, a.id))
    for activity, volunteer_id, hours in participations(activities):
        result.participations.append(ParticipationLine(activity, volunteer_id, _name(ledger, volunteer_id), hours))
    in_month: list[list[Activity]] = [[] for _ in range(12)]
    for activity in activities:
        in_month[activity.date.month - 1].append(activity)
    per_month = [volunteer_hours(month).hours for month in in_month]
    for volunteer_id in sorted(set().union(*per_month)):
        months = [hours.get(volunteer_id, ZERO) for hours in per_month]
        result.monthly.append(MonthlyHours(volunteer_id, _name(ledger, volunteer_id), months))
    if check:
        result.compliance = run_check(workspace, year, as_of, [unit]).units[0].results
    return result


def _name(ledger: UnitLedger, volunteer_id: str) -> str:
    volunteer = ledger.volunteer(volunteer_id)
    return volunteer.name if volunteer else ""
