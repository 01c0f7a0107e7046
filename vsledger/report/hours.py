"""`vsledger hours`: service hours totalled by volunteer, team, month, category or unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from vsledger.core.hours import activity_hours, volunteer_hours
from vsledger.core.ledger import Workspace

GroupBy = Literal["volunteer", "team", "month", "category", "unit"]


@dataclass
class HoursRow:
    unit: str
    id: str
    name: str
    hours: Decimal
    activities: int


def hours_report(workspace: Workspace, year: int, unit_ids: list[str], by: GroupBy, as_of: date | None = None) -> list[HoursRow]:
    """Totals over the activities that count (after corrections) in the year."""
    start, end = date(year, 1, 1), min(as_of or date(year, 12, 31), date(year, 12, 31))
    rows: list[HoursRow] = []
    for unit_id in unit_ids:
        ledger = workspace.units[unit_id]
        teams = {t.id: t.name for t in ledger.unit.teams} if ledger.unit else {}
        activities = ledger.effective_between(start, end)
        names: dict[str, str] = {}
        hours: dict[str, Decimal]
        counts: dict[str, int]
        if by == "volunteer":
            hours, counts = volunteer_hours(activities)
            for key in hours:
                volunteer = ledger.volunteer(key)
                names[key] = volunteer.name if volunteer else ""
        else:
            hours, counts = {}, {}
            for activity in activities:
                if by == "team":
                    key = activity.team or ""
                    names[key] = teams.get(key, "")
                elif by == "month":
                    key = f"{activity.date:%Y-%m}"
                elif by == "category":
                    key = activity.category or ""
                else:
                    key = unit_id
                    names[key] = ledger.name
                hours[key] = hours.get(key, Decimal(0)) + activity_hours(activity)
                counts[key] = counts.get(key, 0) + 1
        if by == "unit" and unit_id not in hours:
            hours[unit_id], counts[unit_id], names[unit_id] = Decimal(0), 0, ledger.name
        for key in sorted(hours):
            rows.append(HoursRow(unit_id, key, names.get(key, ""), hours[key], counts[key]))
    return rows


def month_bars(rows: list[HoursRow], year: int, last_month: int = 12) -> list[tuple[str, Decimal]]:
    """Hours of every month from January to `last_month`, summed over units; an empty month shows as one."""
    totals = {f"{year}-{m:02d}": Decimal(0) for m in range(1, last_month + 1)}
    for row in rows:
        totals[row.id] = totals.get(row.id, Decimal(0)) + row.hours
    return sorted(totals.items())
