"""`vsledger check`: every unit against the policy that applies to it for the year."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from ..ledger import Workspace
from ..rules import KINDS, Context, Outcome, Status
from ..rules.policy import Policy, Rule
from .hours import hours_report, month_bars

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


def json_number(value: Decimal | int | None, measure: str) -> float | int | None:
    """Rates as fractions (4 places), hours as hours (2 places), counts as counts."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if measure == "count" and value == value.to_integral_value():
        return int(value)
    places = Decimal("0.0001") if measure == "rate" else Decimal("0.01")
    from ..rules.registry import round_half_up

    return float(round_half_up(value, places))


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_json(result: CheckResult) -> dict[str, Any]:
    return {
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "units": [
            {
                "unit": unit.unit,
                "name": unit.name,
                "policy": unit.policy.id if unit.policy else None,
                "rules": [
                    {
                        "id": r.rule.id,
                        "kind": r.rule.kind,
                        "level": r.rule.level,
                        "status": r.outcome.status.value,
                        "actual": json_number(r.outcome.actual, r.measure),
                        "target": json_number(r.outcome.target, r.measure),
                        "failing": [{k: json_value(v) for k, v in item.items()} for item in r.outcome.failing],
                        "text": r.rule.text,
                    }
                    for r in unit.results
                ],
            }
            for unit in result.units
        ],
        "summary": result.summary,
    }


# --- tables -----------------------------------------------------------------------------

SYMBOLS = {Status.PASS: "✔", Status.FAIL: "✘", Status.PENDING: "…", Status.NA: "–"}
STYLES = {Status.PASS: "green", Status.FAIL: "red", Status.PENDING: "yellow", Status.NA: "dim"}
MAX_LISTED = 8


def display_number(value: Decimal | int | None, measure: str) -> str:
    if value is None:
        return "–"
    if measure == "rate":
        return f"{float(value) * 100:.1f}%"
    if measure == "hours":
        from ..rules.registry import round_half_up

        return f"{round_half_up(Decimal(value))} h"
    return str(value)


def describe_failing(item: dict[str, Any]) -> str:
    from ..render import cell_text

    details = [cell_text(v) for k, v in item.items() if k not in ("id", "name") and v is not None]
    label = str(item["id"])
    if item.get("name"):
        label += f" {item['name']}"
    return f"{label} ({', '.join(str(d) for d in details)})" if details else label


def _failing_items(result: RuleResult, lang: str) -> Any:
    from ..messages import ui
    from ..render import Items

    items = result.outcome.failing
    shown = [describe_failing(item) for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(ui("or-more", lang, count=len(items) - MAX_LISTED))
    return Items(shown)


def check_tables(result: CheckResult, lang: str, charts: bool = True) -> list[Any]:
    from ..messages import ui
    from ..render import BarChart, Column, Styled, Table

    overview = Table(
        ui("overview", lang, year=result.year, as_of=result.as_of.isoformat()),
        [
            Column(ui("unit", lang), no_wrap=True),
            Column(ui("name", lang)),
            Column(ui("policy", lang), no_wrap=True, min_terminal_width=100),
            Column(ui("status", lang), no_wrap=True),
        ]
        + [Column(SYMBOLS[s], "right", no_wrap=True) for s in STATUSES],
        caption=ui("legend", lang),
    )
    tables = [overview]
    for unit in result.units:
        counts = {s: sum(1 for r in unit.results if r.outcome.status is s) for s in STATUSES}
        strip = Styled([(SYMBOLS[r.outcome.status], STYLES[r.outcome.status]) for r in unit.results] or [(ui("no-policy", lang), "dim")])
        counted = [Styled([(str(counts[s]), STYLES[s] if counts[s] else "dim")]) for s in STATUSES]
        overview.rows.append([unit.unit, unit.name, unit.policy.id if unit.policy else "–", strip, *counted])
        overview.styles.append("bold" if any(r.blocking for r in unit.results) else None)
        if unit.policy is None:
            continue
        table = Table(
            ui("unit-results", lang, name=unit.name, unit=unit.unit, policy=unit.policy.title),
            [
                Column(ui("rule", lang), no_wrap=True),
                Column(ui("status", lang), no_wrap=True),
                Column(ui("actual", lang), "right"),
                Column(ui("target", lang), "right"),
                Column(ui("shortfall", lang)),
                Column(ui("text", lang), min_terminal_width=120),
            ],
        )
        for r in unit.results:
            status = f"{SYMBOLS[r.outcome.status]} {ui(r.outcome.status.value, lang)}"
            if r.rule.level == "warning":
                status += f" ({ui('warning', lang)})"
            table.rows.append(
                [
                    r.rule.id,
                    status,
                    display_number(r.outcome.actual, r.measure),
                    display_number(r.outcome.target, r.measure),
                    _failing_items(r, lang),
                    r.rule.text,
                ]
            )
            table.styles.append(STYLES[r.outcome.status])
        tables.append(table)
        if charts:
            tables.append(BarChart(ui("chart-unit-months", lang, unit=unit.unit), unit.hours_by_month))
            if unit.hours_by_team:
                tables.append(BarChart(ui("chart-unit-teams", lang, unit=unit.unit), unit.hours_by_team))
    summary = result.summary
    overview.caption += "\n" + ui("summary", lang, na=summary["n/a"], **{k: v for k, v in summary.items() if k != "n/a"})
    return tables


def check_flat_table(result: CheckResult, lang: str) -> Any:
    """One row per unit and rule: what a spreadsheet wants."""
    from ..render import Column, Table

    headers = ["unit", "policy", "rule", "kind", "level", "status", "actual", "target", "failing"]
    table = Table("", [Column(h) for h in headers])
    for unit in result.units:
        if unit.policy is None:
            table.rows.append([unit.unit, "", "", "", "", "", "", "", ""])
        for r in unit.results:
            table.rows.append(
                [
                    unit.unit,
                    unit.policy.id if unit.policy else "",
                    r.rule.id,
                    r.rule.kind,
                    r.rule.level,
                    r.outcome.status.value,
                    json_number(r.outcome.actual, r.measure),
                    json_number(r.outcome.target, r.measure),
                    " ".join(_failing_key(item) for item in r.outcome.failing),
                ]
            )
    return table


def _failing_key(item: dict[str, Any]) -> str:
    """`red@2022-05`: a team in a month, compact enough for one spreadsheet cell."""
    return f"{item['id']}@{item['period']}" if "period" in item else str(item["id"])
