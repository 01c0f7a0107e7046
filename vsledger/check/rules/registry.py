"""The registry of rule kinds and what every kind's evaluation sees.

A kind is one pure function from (context, parameters) to an outcome, plus its
parameter model and a line of documentation. Adding a kind is one decorated
function in `kinds.py`; `rules/README.md` is generated from this registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal, TypeVar

from vsledger.check.rules.index import ParticipationIndex, index_participations
from vsledger.core.hours import VolunteerHours, volunteer_hours
from vsledger.core.ledger import UnitLedger
from vsledger.core.model import Activity, Volunteer
from vsledger.core.policy import Params, Where, Who
from vsledger.core.problems import DocPath

Measure = Literal["rate", "hours", "count"]
P = TypeVar("P", bound=Params)
CENT = Decimal("0.01")


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    PENDING = "pending"
    NA = "n/a"
    INVALID = "invalid"
    """The rule itself is malformed: shown with its problem, and the check fails."""


@dataclass
class Outcome:
    status: Status
    actual: Decimal | int | None = None
    target: Decimal | int | None = None
    failing: list[dict[str, Any]] = field(default_factory=list)
    measure: Measure | None = None
    """Overrides the kind's measure when one kind can measure two ways (special_days)."""


ParamProblem = tuple[str, dict[str, Any], DocPath]


@dataclass(frozen=True)
class RuleKind:
    name: str
    params: type[Params]
    evaluate: Callable[[Context, Any], Outcome]
    measure: Measure
    summary_zh: str
    summary_en: str
    example: str
    check_params: Callable[[Any], Iterable[ParamProblem]] = lambda params: ()


KINDS: dict[str, RuleKind] = {}


def rule_kind(
    name: str,
    params: type[P],
    measure: Measure,
    zh: str,
    en: str,
    example: str,
    check_params: Callable[[P], Iterable[ParamProblem]] | None = None,
) -> Callable[[Callable[[Context, P], Outcome]], Callable[[Context, P], Outcome]]:
    def register(fn: Callable[[Context, P], Outcome]) -> Callable[[Context, P], Outcome]:
        KINDS[name] = RuleKind(name, params, fn, measure, zh, en, example.strip("\n"), check_params or (lambda _: ()))
        return fn

    return register


def round_half_up(value: Decimal, places: Decimal = CENT) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


@dataclass
class Context:
    """One unit, one year, one evaluation day: everything a rule may look at."""

    ledger: UnitLedger
    year: int
    as_of: date
    """The evaluation day E: the as-of date, capped at 31 December of the year."""
    reports_on: date | None = None
    """The as-of date itself, on which reports are judged (it may lie after the year); None: E."""
    governs_from: date | None = None
    """The policy's window (docs/format.md): periodic obligations are judged only inside it."""
    governs_to: date | None = None
    _totals: dict[str, VolunteerHours] = field(default_factory=dict, repr=False)
    _indexes: dict[str, ParticipationIndex] = field(default_factory=dict, repr=False)

    @property
    def report_day(self) -> date:
        return self.reports_on or self.as_of

    def in_force(self, first: date, last: date) -> bool:
        """Whether the policy governed the whole of a period (a month, a special day, ...)."""
        return (self.governs_from is None or first >= self.governs_from) and (self.governs_to is None or last <= self.governs_to)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def year_end(self) -> date:
        return date(self.year, 12, 31)

    @property
    def year_over(self) -> bool:
        return self.as_of >= self.year_end

    @cached_property
    def days_in_year(self) -> int:
        return (self.year_end - self.start).days + 1

    @cached_property
    def days_elapsed(self) -> int:
        return (self.as_of - self.start).days + 1

    @cached_property
    def activities(self) -> list[Activity]:
        """The service activities that count: after corrections, in the year up to E."""
        return list(self.ledger.effective_between(self.start, self.as_of))

    @cached_property
    def meetings(self) -> list[Activity]:
        return list(self.ledger.meetings_between(self.start, self.as_of))

    @cached_property
    def roster(self) -> list[Volunteer]:
        return [e.record for e in self.ledger.volunteers.values() if e.record.on_roster(self.as_of)]

    def population(self, who: Who | None) -> list[Volunteer]:
        return [v for v in self.roster if who is None or _in_population(v, who, self.as_of)]

    def matching(self, where: Where | None) -> list[Activity]:
        if where is None:
            return self.activities
        if where.type is None or where.type == ["service"]:
            pool = self.activities
        else:  # meetings only where the rule names them
            pool = (self.activities if "service" in where.type else []) + self.meetings
        return [a for a in pool if _matches(a, where)]

    def hours_and_counts(self, where: Where | None) -> VolunteerHours:
        """Hours and activity counts per volunteer over the matching activities, once per filter."""
        key = where.model_dump_json() if where is not None else ""
        if key not in self._totals:
            self._totals[key] = volunteer_hours(self.matching(where))
        return self._totals[key]

    def participations(self, where: Where | None) -> ParticipationIndex:
        """The matching activities by volunteer, team and day, indexed once per filter."""
        key = where.model_dump_json() if where is not None else ""
        if key not in self._indexes:
            self._indexes[key] = index_participations(self.matching(where))
        return self._indexes[key]

    def roster_days(self, volunteer: Volunteer) -> int:
        """Days of the year up to as-of that the volunteer was on the roster."""
        first = max(self.start, volunteer.joined or self.start)
        last = min(self.as_of, volunteer.left or self.as_of)
        return max(0, (last - first).days + 1)

    def person_target(self, minimum: Decimal, volunteer: Volunteer) -> Decimal:
        """min × (roster days ÷ elapsed days) × (elapsed days ÷ days in year)."""
        return round_half_up(minimum * self.roster_days(volunteer) / self.days_in_year)

    def elapsed_target(self, minimum: Decimal) -> Decimal:
        return round_half_up(minimum * self.days_elapsed / self.days_in_year)

    def accumulating(self, met: bool) -> Status:
        if met:
            return Status.PASS
        return Status.FAIL if self.year_over else Status.PENDING


def _in_population(volunteer: Volunteer, who: Who, as_of: date) -> bool:
    if who.party_member is not None and volunteer.party_member != who.party_member:
        return False
    if who.employment is not None and volunteer.employment not in who.employment:
        return False
    if who.branch is not None and volunteer.branch not in who.branch:
        return False
    if who.teams is not None and not set(volunteer.teams) & set(who.teams):
        return False
    return who.registered is None or volunteer.registered(as_of) == who.registered


def _matches(activity: Activity, where: Where) -> bool:
    if where.category is not None and activity.category not in where.category:
        return False
    if where.team is not None and activity.team not in where.team:
        return False
    return where.tags is None or bool(set(activity.tags) & set(where.tags))
