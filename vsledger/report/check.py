"""`vsledger check`: every unit against the policy that applies to it for the year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from vsledger.check.group import group_ledger
from vsledger.check.rules import KINDS, Context, Outcome, Status
from vsledger.core.ledger import UnitLedger, Workspace
from vsledger.core.policy import Policy, Rule
from vsledger.report.hours import hours_report, month_bars

STATUSES = (Status.PASS, Status.FAIL, Status.PENDING, Status.NA, Status.INVALID)


@dataclass
class RuleResult:
    rule: Rule
    outcome: Outcome

    @property
    def measure(self) -> str:
        kind = KINDS.get(self.rule.kind)
        return self.outcome.measure or (kind.measure if kind else "count")

    @property
    def blocking(self) -> bool:
        """An error-level failure fails the check; a malformed rule always does."""
        status = self.outcome.status
        return status is Status.INVALID or (status is Status.FAIL and self.rule.level == "error")


@dataclass
class UnitCheck:
    unit: str
    name: str
    policy: Policy | None
    results: list[RuleResult] = field(default_factory=list)
    hours_by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    """Hours of every month from January to the as-of month: drawn as a chart under the results."""
    hours_by_team: list[tuple[str, Decimal]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    """A group's units (nested groups expanded); empty for a unit."""
    errors: int = 0
    """Errors in the ledger's files (a group's: its units'): records with errors are left out of the results."""
    warnings: int = 0


@dataclass
class CheckResult:
    year: int
    as_of: date
    """The as-of date asked for (reports are judged on it); it may lie after the year."""
    units: list[UnitCheck]
    groups: list[UnitCheck] = field(default_factory=list)

    @property
    def evaluation_day(self) -> date:
        return evaluation_day(self.year, self.as_of)

    @property
    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in STATUSES}
        for unit in self.units + self.groups:
            for result in unit.results:
                counts[result.outcome.status.value] += 1
        return counts

    @property
    def failed(self) -> bool:
        return any(r.blocking for u in self.units + self.groups for r in u.results)


def evaluation_day(year: int, as_of: date) -> date:
    """E: the as-of date, capped at 31 December (docs/format.md)."""
    return min(as_of, date(year, 12, 31))


def as_of_refusal(year: int, as_of: date | None, today: date) -> tuple[str, dict[str, str | int]] | None:
    """Why `year` cannot be judged as of `as_of` (None: today), as a message key and its values; None when it can.

    One rule for the command line and the web: an as-of date may lie after the year (a past year gets
    its final verdicts, reports included), never before it, and never after today: a verdict on a day
    to come would count as final what is still open (a year judged on 10 January next year fails a
    target that can still be met). A year not yet begun is refused with it.
    """
    if as_of is not None and as_of < date(year, 1, 1):
        return "as-of-before-year", {"as_of": as_of.isoformat(), "year": year}
    if as_of is not None and as_of > today:
        return "as-of-future", {"as_of": as_of.isoformat(), "today": today.isoformat()}
    if year > today.year:
        return "year-not-started", {"year": year}
    return None


def run_check(workspace: Workspace, year: int, as_of: date, unit_ids: list[str]) -> CheckResult:
    units: list[UnitCheck] = []
    day = evaluation_day(year, as_of)
    for unit_id in unit_ids:
        ledger = workspace.units[unit_id]
        check = judge(workspace, ledger, ledger.unit.policy_for(year) if ledger.unit else None, year, as_of)
        by_month = hours_report(workspace, year, [unit_id], "month", day)
        check.hours_by_month = month_bars(by_month, year, day.month)
        check.hours_by_team = [(row.name or row.id, row.hours) for row in hours_report(workspace, year, [unit_id], "team", day) if row.id]
        check.errors, check.warnings = workspace.problem_counts(unit_id)
        units.append(check)
    return CheckResult(year, as_of, units)


def judge(workspace: Workspace, ledger: UnitLedger, policy_id: str | None, year: int, as_of: date) -> UnitCheck:
    """One ledger (a unit's, or a group's union) against the policy that governs the year."""
    policy = governing_policy(workspace, policy_id, year)
    check = UnitCheck(ledger.id, ledger.name, policy)
    if policy is None:
        return check
    context = Context(ledger, year, evaluation_day(year, as_of), as_of, policy.governs_from, policy.effective_to)
    for rule in policy.rules:
        if rule.invalid:
            outcome = Outcome(Status.INVALID)
        else:
            outcome = KINDS[rule.kind].evaluate(context, rule.params)
            if outcome.status in (Status.PASS, Status.NA):
                outcome.failing = []  # a pass or n/a names nothing
        check.results.append(RuleResult(rule, outcome))
    return check


def governing_policy(workspace: Workspace, policy_id: str | None, year: int) -> Policy | None:
    """The policy named for the year, if it governs any day of it."""
    entry = workspace.policies.get(policy_id) if policy_id else None
    return entry.policy if entry is not None and entry.policy.governs_year(year) else None


def run_group_check(workspace: Workspace, year: int, as_of: date, group_ids: list[str]) -> list[UnitCheck]:
    """Each group checked as one unit made of its units (docs/format.md)."""
    checks: list[UnitCheck] = []
    day = evaluation_day(year, as_of)
    for group_id in group_ids:
        entry = workspace.groups[group_id]
        if governing_policy(workspace, entry.group.policy_for(year), year) is None:  # nothing to judge: its units need not be loaded
            checks.append(UnitCheck(group_id, entry.group.name, None, members=list(entry.units)))
            continue
        ledger = group_ledger(entry.group, [workspace.units[u] for u in entry.units])
        check = judge(workspace, ledger, entry.group.policy_for(year), year, as_of)
        check.members = list(entry.units)
        counts = [workspace.problem_counts(unit) for unit in entry.units]
        check.errors, check.warnings = sum(e for e, _ in counts), sum(w for _, w in counts)
        check.hours_by_month = month_bars(hours_report(workspace, year, entry.units, "month", day), year, day.month)
        check.hours_by_team = [
            (f"{row.unit}/{row.name or row.id}", row.hours) for row in hours_report(workspace, year, entry.units, "team", day) if row.id
        ]
        checks.append(check)
    return checks


# --- tables -----------------------------------------------------------------------------
