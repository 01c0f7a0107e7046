"""Participations indexed once per unit and filter, so no rule kind scans every activity per member.

A city unit has a thousand volunteers and a few hundred activities a month: a rule that
looked through every activity's participants for each volunteer did ~10⁸ steps per
city (issue #19). One pass over the participations builds these lists instead.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from vsledger.core.model import Activity


@dataclass(slots=True)
class ParticipationIndex:
    """Matching activities by volunteer, by team and by day, each list in the activities' order."""

    by_volunteer: dict[str, list[Activity]] = field(default_factory=dict)
    """An activity appears once in a volunteer's list, however often it names them."""
    by_team: dict[str | None, list[Activity]] = field(default_factory=dict)
    by_day: dict[date, list[Activity]] = field(default_factory=dict)
    days: list[date] = field(default_factory=list)
    """The days with an activity, in order: for `any_within`."""

    def of_volunteer(self, volunteer_id: str) -> list[Activity]:
        return self.by_volunteer.get(volunteer_id, [])

    def of_teams(self, teams: Iterable[str | None]) -> list[Activity]:
        return [a for team in dict.fromkeys(teams) for a in self.by_team.get(team, [])]

    def any_within(self, first: date, last: date) -> bool:
        """Is there an activity on a day from `first` to `last`? (A binary search.)"""
        at = bisect_left(self.days, first)
        return at < len(self.days) and self.days[at] <= last


def index_participations(activities: Iterable[Activity]) -> ParticipationIndex:
    index = ParticipationIndex()
    by_volunteer, by_team, by_day = index.by_volunteer, index.by_team, index.by_day
    for activity in activities:
        by_team.setdefault(activity.team, []).append(activity)
        by_day.setdefault(activity.date, []).append(activity)
        for participant in activity.participants:
            own = by_volunteer.get(participant.volunteer)
            if own is None:
                by_volunteer[participant.volunteer] = [activity]
            elif own[-1] is not activity:  # a duplicated participant (reported by validate) counts once
                own.append(activity)
    index.days = sorted(by_day)
    return index
