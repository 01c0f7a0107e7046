"""`vsledger report monthly|half-year`: the 月报 and 半年小结 a unit hands in.

What 乐清's statistics and the plans ask a unit to report: activities held,
participations (人次), distinct volunteers, service hours, people served, the
list of activities, and where the unit stands against its policy at the end of
the period (or today, for a period not yet over).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from vsledger.core.hours import activity_hours, counted_activities, volunteer_hours
from vsledger.core.ledger import Workspace
from vsledger.core.model import Activity
from vsledger.report.check import UnitCheck, run_check

ReportKind = Literal["monthly", "half-year"]
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")


def period_bounds(kind: ReportKind, period: str) -> tuple[date, date] | None:
    """First and last day of `2022-05` (monthly) or `2022-H1` (half-year); None when malformed."""
    if kind == "monthly":
        match = _MONTH.match(period)
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    match = _HALF.match(period)
    if not match:
        return None
    year, half = int(match.group(1)), int(match.group(2))
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


@dataclass
class PeriodReport:
    unit: str
    name: str
    kind: ReportKind
    period: str
    start: date
    end: date
    as_of: date
    activities: list[Activity] = field(default_factory=list)
    activity_hours: list[Decimal] = field(default_factory=list)
    """Every participant's hours of each activity together, in the order of `activities`."""
    participations: int = 0
    volunteers: int = 0
    hours: Decimal = Decimal(0)
    served: int = 0
    external: int = 0
    check: UnitCheck | None = None


class PeriodRefused(ValueError):
    """A period that cannot be reported: `key` and `values` say why (a message of the catalogue)."""

    def __init__(self, key: str, **values: str) -> None:
        super().__init__(key)
        self.key, self.values = key, values


def period_report(workspace: Workspace, unit: str, kind: ReportKind, period: str, today: date) -> PeriodReport:
    """The period up to its end or today; PeriodRefused for a period misspelt or not yet begun
    (a report of a month to come would be an empty one judged before it starts)."""
    bounds = period_bounds(kind, period)
    if bounds is None:
        raise PeriodRefused("bad-period", period=period)
    start, end = bounds
    if start > today:
        raise PeriodRefused("period-not-started", period=period, today=today.isoformat())
    as_of = min(end, today)
    ledger = workspace.units[unit]
    report = PeriodReport(unit, ledger.name, kind, period, start, end, as_of)
    report.activities = counted_activities(ledger, start, as_of)
    report.activity_hours = [activity_hours(a) for a in report.activities]
    for activity in report.activities:
        report.participations += len(activity.participants) + activity.external
        report.external += activity.external
        report.served += activity.served or 0
    served = volunteer_hours(report.activities).hours
    report.hours = sum(served.values(), Decimal(0))
    report.volunteers = len(served)
    report.check = run_check(workspace, start.year, as_of, [unit]).units[0]
    return report
