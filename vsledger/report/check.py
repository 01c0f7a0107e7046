"""`vsledger check`: every unit against the policy that applies to it for the year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from vsledger.check.rules import KINDS, Context, Outcome, Status
from vsledger.core.ledger import Workspace
from vsledger.core.policy import Policy, Rule
from vsledger.report.hours import hours_report, month_bars

STATUSES = (Status.PASS, Status.FAIL, Status.PENDING, Status.NA)


@dataclass
class RuleResult:
    rule: Rule
    outcome: Outcome

    @property
    def measure(self) -> str:
        return self.outcome.measure or KINDS[self.rule.kind].measure

    @property
    def blocking(self) -> bool:
        return self.outcome.status is Status.FAIL and self.rule.level == "error"


@dataclass
class UnitCheck:
    unit: str
    name: str
    policy: Policy | None
    results: list[RuleResult] = field(default_factory=list)
    hours_by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    """Hours of every month from January to the as-of month: drawn as a chart under the results."""
    hours_by_team: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass
class CheckResult:
    year: int
    as_of: date
    units: list[UnitCheck]

    @property
    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in STATUSES}
        for unit in self.units:
            for result in unit.results:
                counts[result.outcome.status.value] += 1
        return counts

    @property
    def failed(self) -> bool:
        return any(r.blocking for u in self.units for r in u.results)


def default_as_of(year: int, today: date) -> date:
    return min(today, date(year, 12, 31))


def run_check(workspace: Workspace, year: int, as_of: date, unit_ids: list[str]) -> CheckResult:
    units: list[UnitCheck] = []
    for unit_id in unit_ids:
        ledger = workspace.units[unit_id]
        policy_id = ledger.unit.policy_for(year) if ledger.unit else None
        entry = workspace.policies.get(policy_id) if policy_id else None
        check = UnitCheck(unit_id, ledger.name, entry.policy if entry else None)
        if entry is not None:
            context = Context(ledger, year, as_of)
            for rule in entry.policy.rules:
                check.results.append(RuleResult(rule, KINDS[rule.kind].evaluate(context, rule.params)))
        by_month = hours_report(workspace, year, [unit_id], "month", as_of)
        check.hours_by_month = month_bars(by_month, year, as_of.month if as_of.year == year else 12)
        check.hours_by_team = [(row.name or row.id, row.hours) for row in hours_report(workspace, year, [unit_id], "team", as_of) if row.id]
        units.append(check)
    return CheckResult(year, as_of, units)


# --- tables -----------------------------------------------------------------------------
