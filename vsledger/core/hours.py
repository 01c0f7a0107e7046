"""Service hours: the one place a participation's hours are taken and summed.

Rules, `hours`, `stars`, the time bank, exports, period reports and certificates
all count hours through these functions, so one volunteer's hours for one period
are the same number everywhere (docs/format.md §6.1 says how hours are derived).
Which activities count (corrections, the period, a rule's `where`) is the
caller's choice: `UnitLedger.effective_between` or a rule context's `matching`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from vsledger.core.ledger import UnitLedger
from vsledger.core.model import Activity

ZERO = Decimal(0)


class VolunteerHours(NamedTuple):
    """Hours and the number of activities per volunteer id (only those who served)."""

    hours: dict[str, Decimal]
    activities: dict[str, int]


def participations(activities: Iterable[Activity]) -> Iterator[tuple[Activity, str, Decimal]]:
    """Every (activity, volunteer id, hours) of some activities: a participant's own hours, else the activity's."""
    for activity in activities:
        for participant in activity.participants:
            yield activity, participant.volunteer, activity.hours_of(participant)


def volunteer_hours(activities: Iterable[Activity]) -> VolunteerHours:
    """Hours and activity counts per volunteer over some activities."""
    hours: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    for _, volunteer, served in participations(activities):
        hours[volunteer] = hours.get(volunteer, ZERO) + served
        counts[volunteer] = counts.get(volunteer, 0) + 1
    return VolunteerHours(hours, counts)


def activity_hours(activity: Activity) -> Decimal:
    """All participants' hours of one activity together (人时)."""
    return sum((served for _, _, served in participations((activity,))), ZERO)


def counted_activities(ledger: UnitLedger, start: date, end: date) -> list[Activity]:
    """The activities that count between two days (inclusive), in date then id order, as lists and sheets show them."""
    return sorted(ledger.effective_between(start, end), key=lambda a: (a.date, a.id))


def service_record(ledger: UnitLedger, volunteer: str, start: date, end: date) -> list[tuple[Activity, Decimal]]:
    """One volunteer's activities between two days with their hours, in date order (a certificate's list)."""
    return [(a, served) for a, who, served in participations(counted_activities(ledger, start, end)) if who == volunteer]
