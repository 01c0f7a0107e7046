"""The 汇总表: what a supervising body hands upward, every unit (and group) of a year at once.

Built from results that exist already, never from the records again: each unit's
rule results are `run_check`'s, its hours are `hours_report`'s (by unit, by
volunteer, and by month through the check), its ledger errors are the loader's
problems. A unit's row is computed alone (`unit_summary`), so the command can cache
it per unit as `check` does; `build_summary` puts rows together, units whose
ledgers have errors first.

Groups (docs/format.md §16): `build_summary` takes group rows beside unit rows,
and `group_summary` combines member units' rows with the group's own check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from vsledger.core.ledger import Workspace
from vsledger.core.policy import Policy
from vsledger.report.check import STATUSES, RuleResult, UnitCheck, evaluation_day, run_check
from vsledger.report.hours import hours_report


@dataclass
class Figures:
    """Headcounts on the evaluation day and hours of the year up to it."""

    roster: int = 0
    """Volunteers on the roster on the evaluation day."""
    registered: int = 0
    """Of those, registered by then."""
    participants: int = 0
    """Of those, who served in at least one activity that counts."""
    hours: Decimal = Decimal(0)
    """Every hour the unit's activities count in the year, leavers' included (= `hours --by unit`)."""
    activities: int = 0
    roster_hours: Decimal = Decimal(0)
    """Hours of the volunteers on the roster on the evaluation day: what per capita divides."""

    def plus(self, other: Figures) -> Figures:
        return Figures(
            self.roster + other.roster,
            self.registered + other.registered,
            self.participants + other.participants,
            self.hours + other.hours,
            self.activities + other.activities,
            self.roster_hours + other.roster_hours,
        )

    @property
    def registration_rate(self) -> Decimal | None:
        return Decimal(self.registered) / self.roster if self.roster else None

    @property
    def participation_rate(self) -> Decimal | None:
        return Decimal(self.participants) / self.roster if self.roster else None

    @property
    def hours_per_capita(self) -> Decimal | None:
        return self.roster_hours / self.roster if self.roster else None


@dataclass
class SummaryRow:
    """One unit, or one group of units, in the roll-up."""

    kind: Literal["unit", "group"]
    id: str
    name: str
    policy: Policy | None
    results: list[RuleResult]
    figures: Figures
    hours_by_month: list[tuple[str, Decimal]]
    """January to the as-of month (the check's own chart data)."""
    errors: int = 0
    """Errors in the ledger's files: a row with errors is listed first, its figures are doubtful."""
    warnings: int = 0
    units: list[str] = field(default_factory=list)
    """The units the row covers (itself, for a unit)."""

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.value: 0 for s in STATUSES}
        for result in self.results:
            counts[result.outcome.status.value] = counts.get(result.outcome.status.value, 0) + 1
        return counts

    @property
    def blocking(self) -> bool:
        return any(r.blocking for r in self.results)

    def as_check(self) -> UnitCheck:
        """The row's rule results as a check result, for what renders those."""
        return UnitCheck(self.id, self.name, self.policy, self.results, self.hours_by_month, errors=self.errors, warnings=self.warnings)


@dataclass
class SummaryResult:
    year: int
    as_of: date
    units: list[SummaryRow]
    groups: list[SummaryRow] = field(default_factory=list)

    @property
    def rows(self) -> list[SummaryRow]:
        return [*self.units, *self.groups]

    @property
    def summary(self) -> dict[str, int]:
        totals = {s.value: 0 for s in STATUSES}
        for row in self.rows:
            for status, count in row.counts.items():
                totals[status] = totals.get(status, 0) + count
        return totals

    @property
    def failed(self) -> bool:
        return any(row.blocking for row in self.rows) or any(row.errors for row in self.units)


def unit_summary(workspace: Workspace, year: int, as_of: date, unit_id: str) -> SummaryRow:
    """One unit's row: its check, its headcounts and hours, its ledger's problems."""
    check = run_check(workspace, year, as_of, [unit_id]).units[0]
    ledger = workspace.units[unit_id]
    day = evaluation_day(year, as_of)
    on_roster = [entry.record for entry in ledger.volunteers.values() if entry.record.on_roster(day)]
    served = {row.id: row for row in hours_report(workspace, year, [unit_id], "volunteer", as_of)}
    (total,) = hours_report(workspace, year, [unit_id], "unit", as_of)
    figures = Figures(
        roster=len(on_roster),
        registered=sum(1 for v in on_roster if v.registered(day)),
        participants=sum(1 for v in on_roster if v.id in served),
        hours=total.hours,
        activities=total.activities,
        roster_hours=sum((served[v.id].hours for v in on_roster if v.id in served), Decimal(0)),
    )
    return SummaryRow(
        "unit", unit_id, ledger.name, check.policy, check.results, figures, check.hours_by_month, check.errors, check.warnings, [unit_id]
    )


def group_summary(group_id: str, name: str, check: UnitCheck | None, members: list[SummaryRow]) -> SummaryRow:
    """A group's row: its own rule results (checked as one unit, docs/format.md §16) and its member units' figures added up.

    `members` are the distinct units of the group (a nested group's units, not the nested group's row)."""
    figures = Figures()
    months: dict[str, Decimal] = {}
    for row in members:
        figures = figures.plus(row.figures)
        for month, hours in row.hours_by_month:
            months[month] = months.get(month, Decimal(0)) + hours
    return SummaryRow(
        "group",
        group_id,
        name,
        check.policy if check else None,
        check.results if check else [],
        figures,
        sorted(months.items()),
        sum(row.errors for row in members),
        sum(row.warnings for row in members),
        [unit for row in members for unit in row.units],
    )


def build_summary(year: int, as_of: date, units: list[SummaryRow], groups: list[SummaryRow] | None = None) -> SummaryResult:
    """The roll-up: units with errors in their ledgers first (most errors first), then the rest by id; groups after."""
    ordered = sorted(units, key=lambda row: (row.errors == 0, -row.errors, row.id))
    return SummaryResult(year, as_of, ordered, list(groups or []))


def build_unit_summary(workspace: Workspace, year: int, as_of: date, unit_ids: list[str]) -> SummaryResult:
    """Every unit asked for, from one loaded workspace (the library's way in; the CLI caches per unit)."""
    return build_summary(year, as_of, [unit_summary(workspace, year, as_of, unit) for unit in unit_ids])
