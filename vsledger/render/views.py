"""Results as people read them: each report's result model turned into tables, charts,
JSON values and the period report's document, in the reader's language.

The report layer computes; this is the one place that decides how a result looks.
The terminal, CSV, JSON and workbook renderers then draw what is built here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from vsledger.check.rules import Status
from vsledger.check.rules.registry import round_half_up
from vsledger.core.problems import Problem
from vsledger.render.messages import problem_message, translate, ui
from vsledger.render.terminal import (
    BarChart,
    Column,
    Items,
    Styled,
    Table,
    cell_text,
    problems_json,
    problems_table,
    render_problems,
    render_terminal,
)
from vsledger.report.check import STATUSES, CheckResult, RuleResult, UnitCheck
from vsledger.report.hours import GroupBy, HoursRow, month_bars
from vsledger.report.requests import LONG_WAIT_DAYS, RequestRow
from vsledger.report.stars import StarRow

# --- check ----------------------------------------------------------------------


def json_number(value: Decimal | int | None, measure: str) -> float | int | None:
    """Rates as fractions (4 places), hours as hours (2 places), counts as counts."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if measure == "count" and value == value.to_integral_value():
        return int(value)
    places = Decimal("0.0001") if measure == "rate" else Decimal("0.01")

    return float(round_half_up(value, places))


def json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def check_json(result: CheckResult, lang: str = "en") -> dict[str, Any]:
    def unit_json(unit: UnitCheck, key: str) -> dict[str, Any]:
        data: dict[str, Any] = {key: unit.unit, "name": unit.name}
        if key == "group":
            data["units"] = unit.members
        data["policy"] = unit.policy.id if unit.policy else None
        data["errors"], data["warnings"] = unit.errors, unit.warnings
        data["rules"] = [rule_json(r) for r in unit.results]
        return data

    def rule_json(r: RuleResult) -> dict[str, Any]:
        data = {
            "id": r.rule.id,
            "kind": r.rule.kind,
            "level": r.rule.level,
            "status": r.outcome.status.value,
            "actual": json_number(r.outcome.actual, r.measure),
            "target": json_number(r.outcome.target, r.measure),
            "failing": [{k: json_value(v) for k, v in item.items()} for item in r.outcome.failing],
            "text": r.rule.text,
        }
        if r.rule.invalid:
            data["problem"] = rule_problem(r, lang)
        return data

    return {
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "evaluation_day": result.evaluation_day.isoformat(),
        "units": [unit_json(unit, "unit") for unit in result.units],
        "groups": [unit_json(group, "group") for group in result.groups],
        "summary": result.summary,
    }


def rule_problem(result: RuleResult, lang: str) -> str:
    """Why a rule is invalid, each problem where it is: `rules/p.yaml:5:12: message`."""
    return "; ".join(
        f"{p.file}:{p.line}:{p.column}: {problem_message(p, lang)}" if p.line else f"{p.file}: {problem_message(p, lang)}"
        for p in result.rule.problems
    )


SYMBOLS = {Status.PASS: "✔", Status.FAIL: "✘", Status.PENDING: "…", Status.NA: "–", Status.INVALID: "!"}


STYLES = {Status.PASS: "green", Status.FAIL: "red", Status.PENDING: "yellow", Status.NA: "dim", Status.INVALID: "bold magenta"}


MAX_LISTED = 8


def display_number(value: Decimal | int | None, measure: str) -> str:
    if value is None:
        return "–"
    if measure == "rate":
        return f"{float(value) * 100:.1f}%"
    if measure == "hours":
        return f"{round_half_up(Decimal(value))} h"
    return str(value)


def describe_failing(item: dict[str, Any]) -> str:

    details = [cell_text(v) for k, v in item.items() if k not in ("id", "name") and v is not None]
    label = str(item["id"])
    if item.get("name"):
        label += f" {item['name']}"
    return f"{label} ({', '.join(str(d) for d in details)})" if details else label


def _failing_items(result: RuleResult, lang: str) -> Any:

    if result.rule.invalid:
        return Items([rule_problem(result, lang)])
    items = result.outcome.failing
    shown = [describe_failing(item) for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(ui("or-more", lang, count=len(items) - MAX_LISTED))
    return Items(shown)


def check_tables(result: CheckResult, lang: str, charts: bool = True) -> list[Any]:

    day = result.evaluation_day
    title = (
        ui("overview", lang, year=result.year, as_of=day.isoformat())
        if day == result.as_of
        else ui("overview-after-year", lang, year=result.year, day=day.isoformat(), as_of=result.as_of.isoformat())
    )
    overview = Table(
        title,
        [
            Column(ui("unit", lang), no_wrap=True, key=True),
            Column(ui("name", lang), key=True),
            Column(ui("policy", lang), no_wrap=True, min_terminal_width=100),
            Column(ui("status", lang), no_wrap=True),
        ]
        + [Column(SYMBOLS[s], "right", no_wrap=True) for s in STATUSES],
        caption=ui("legend", lang),
    )
    tables = [overview]
    for unit in result.units + result.groups:
        counts = {s: sum(1 for r in unit.results if r.outcome.status is s) for s in STATUSES}
        strip = Styled([(SYMBOLS[r.outcome.status], STYLES[r.outcome.status]) for r in unit.results] or [(ui("no-policy", lang), "dim")])
        counted = [Styled([(str(counts[s]), STYLES[s] if counts[s] else "dim")]) for s in STATUSES]
        label = f"{ui('group', lang)} {unit.unit}" if unit.members else unit.unit
        state = ledger_state(unit, lang)
        name = Styled([(unit.name, None), (f" · {state}", "red" if unit.errors else "yellow")]) if state else unit.name
        overview.rows.append([label, name, unit.policy.id if unit.policy else "–", strip, *counted])
        overview.styles.append("bold" if any(r.blocking for r in unit.results) else None)
        if unit.policy is None:
            continue
        heading = (
            ui("group-results", lang, name=unit.name, unit=unit.unit, members=", ".join(unit.members), policy=unit.policy.title)
            if unit.members
            else ui("unit-results", lang, name=unit.name, unit=unit.unit, policy=unit.policy.title)
        )
        if unit.errors:  # its figures are doubtful: said above its results, not only in the overview and on stderr
            heading += "\n" + ui("ledger-errors-left-out", lang, errors=unit.errors)
        table = Table(
            heading,
            [
                Column(ui("rule", lang), no_wrap=True, key=True),
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


def ledger_state(unit: UnitCheck, lang: str) -> str:
    """`ledger: 1 error, 2 warnings` beside a unit's name; '' for a clean ledger."""
    if unit.errors and unit.warnings:
        return ui("ledger-state", lang, errors=unit.errors, warnings=unit.warnings)
    if unit.errors:
        return ui("ledger-state-errors", lang, errors=unit.errors)
    return ui("ledger-state-warnings", lang, warnings=unit.warnings) if unit.warnings else ""


CSV_HEADERS = {
    "unit": "unit", "policy": "policy", "rule": "rule", "kind": "kind", "level": "level", "status": "status",
    "actual": "actual", "target": "target", "failing": "falls short", "id": "id", "name": "name", "hours": "hours",
    "activities": "activities", "received": "received", "days": "days waiting", "from": "from", "ask": "ask",
    "team": "team", "claimed_by": "claimed by", "state": "state", "answered": "answered",
}  # fmt: skip
"""The columns of the flat CSV tables, English source; the catalogue (context `csv:<key>`) words them."""


def flat_table(keys: tuple[str, ...], lang: str) -> Table:
    """A table for a spreadsheet: headers in the reader's language, like every other table."""
    return Table("", [Column(translate(f"csv:{key}", CSV_HEADERS[key], lang)) for key in keys])


def check_flat_table(result: CheckResult, lang: str) -> Any:
    """One row per unit and rule: what a spreadsheet wants."""

    table = flat_table(("unit", "policy", "rule", "kind", "level", "status", "actual", "target", "failing"), lang)
    for unit in result.units + result.groups:
        if unit.policy is None:
            table.rows.append([unit.unit, "", "", "", "", "", "", "", ""])
        for r in unit.results:
            table.rows.append(
                [
                    unit.unit,
                    unit.policy.id if unit.policy else "",
                    r.rule.id,
                    r.rule.kind,
                    ui(r.rule.level, lang),
                    ui(r.outcome.status.value, lang),
                    json_number(r.outcome.actual, r.measure),
                    json_number(r.outcome.target, r.measure),
                    rule_problem(r, lang) if r.rule.invalid else " ".join(_failing_key(item) for item in r.outcome.failing),
                ]
            )
    return table


def _failing_key(item: dict[str, Any]) -> str:
    """`red@2022-05`: a team in a month, compact enough for one spreadsheet cell."""
    return f"{item['id']}@{item['period']}" if "period" in item else str(item["id"])


# --- hours ----------------------------------------------------------------------


def hours_json(rows: list[HoursRow]) -> list[dict[str, Any]]:
    return [{"unit": r.unit, "id": r.id, "name": r.name, "hours": float(r.hours), "activities": r.activities} for r in rows]


def hours_tables(rows: list[HoursRow], year: int, by: GroupBy, lang: str, last_month: int = 12) -> list[Any]:

    table = Table(
        ui("hours-title", lang, year=year, by=ui(f"by-{by}", lang)),
        [
            Column(ui("unit", lang), no_wrap=True, key=True),
            Column(ui(f"by-{by}", lang), no_wrap=True, key=True),
            Column(ui("name", lang), no_wrap=by == "volunteer", key=True),  # a person's name stays whole
            Column(ui("hours", lang), "right"),
            Column(ui("activities", lang), "right"),
        ],
    )
    for row in rows:
        table.rows.append([row.unit, row.id or ui("none", lang), row.name, row.hours, row.activities])
    if by == "unit":  # the key is the unit itself
        table.drop_column(0)
    total = sum((r.hours for r in rows), Decimal(0))
    table.caption = f"{ui('total', lang)}: {cell_text(total)} h"  # as the cells show hours: two places
    units = {row.unit for row in rows}
    if by == "month":
        return [table, hours_chart(ui("chart-hours-by-month", lang), month_bars(rows, year, last_month), units, lang)]
    if by == "team":
        bars = [
            (f"{r.unit}/{r.name or r.id or ui('none', lang)}" if len(units) > 1 else r.name or r.id or ui("none", lang), r.hours)
            for r in rows
        ]
        return [table, hours_chart(ui("chart-hours-by-team", lang), bars, units, lang)]
    return [table]


def hours_chart(title: str, bars: list[tuple[str, Decimal]], units: set[str], lang: str) -> Any:

    caption = ui("chart-units", lang, count=len(units)) if len(units) > 1 else ""
    return BarChart(title, bars, caption=caption)


def hours_flat_table(rows: list[HoursRow], lang: str) -> Any:
    table = flat_table(("unit", "id", "name", "hours", "activities"), lang)
    table.rows = [[r.unit, r.id, r.name, r.hours, r.activities] for r in rows]
    return table


# --- requests ----------------------------------------------------------------------


def requests_json(rows: list[RequestRow]) -> list[dict[str, Any]]:
    return [
        {"unit": r.unit, "id": r.id, "kind": r.kind, "received": r.received.isoformat(), "from": r.source, "ask": r.ask,
         "team": r.team, "claimed_by": r.claimants, "state": r.state,
         "answered": r.answered.isoformat() if r.answered else None, "days": r.days, "activities": r.activities}
        for r in rows
    ]  # fmt: skip


def requests_table(rows: list[RequestRow], as_of: date, lang: str) -> Any:

    single_unit = len({r.unit for r in rows}) == 1
    roomy = 0 if single_unit else 100  # without a unit column these fit 80 columns; with it, from 100
    table = Table(
        ui("requests-title", lang, as_of=as_of.isoformat()),
        [Column(ui("unit", lang), no_wrap=True, key=True), Column(ui("request-id", lang), no_wrap=True, key=True),
         Column(ui("request-kind", lang), no_wrap=True, min_terminal_width=120),
         Column(ui("received", lang), no_wrap=True, min_terminal_width=roomy),
         Column(ui("days", lang), "right", no_wrap=True), Column(ui("request-from", lang), min_terminal_width=140),
         Column(ui("request-ask", lang), min_terminal_width=roomy), Column(ui("by-team", lang), no_wrap=True),
         Column(ui("claimed-by", lang), no_wrap=True),
         Column(ui("request-state", lang), no_wrap=True)],
    )  # fmt: skip
    for r in rows:
        table.rows.append(
            [r.unit, r.id, ui(f"request-kind-{r.kind}", lang), r.received, r.days, r.source, r.ask, r.team or "–",
             Items(list(r.claimants)) if r.claimants else "–", ui(f"request-state-{r.state}", lang)]
        )  # fmt: skip
        table.styles.append("yellow" if r.answered is None and r.days > LONG_WAIT_DAYS else None)
    table.caption = ui("requests-caption", lang, count=len(rows))
    if single_unit:
        table.drop_column(0)
    return table


def requests_flat_table(rows: list[RequestRow], lang: str) -> Any:
    keys = ("unit", "id", "kind", "received", "days", "from", "ask", "team", "claimed_by", "state", "answered", "activities")
    table = flat_table(keys, lang)
    table.rows = [
        [
            r.unit,
            r.id,
            r.kind,
            r.received,
            r.days,
            r.source,
            r.ask,
            r.team,
            " ".join(r.claimants),
            r.state,
            r.answered,
            " ".join(r.activities),
        ]
        for r in rows
    ]
    return table


# --- stars ----------------------------------------------------------------------


def stars_json(rows: list[StarRow]) -> list[dict[str, Any]]:
    def number(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return [
        {"unit": r.unit, "id": r.id, "name": r.name, "hours": float(r.hours), "stars": r.stars,
         "next": number(r.next_threshold), "to_next": number(r.to_next),
         "time_bank": {"earned": float(r.earned), "redeemed": float(r.redeemed), "balance": float(r.balance)}}
        for r in rows
    ]  # fmt: skip


def stars_table(rows: list[StarRow], lang: str) -> Any:
    table = Table(
        ui("stars-title", lang),
        [Column(ui("unit", lang), no_wrap=True, key=True), Column(ui("by-volunteer", lang), no_wrap=True, key=True),
         Column(ui("name", lang), no_wrap=True, key=True),
         Column(ui("hours", lang), "right"), Column(ui("stars", lang)), Column(ui("to-next", lang), "right"),
         Column(ui("spent", lang), "right", optional=True), Column(ui("balance", lang), "right")],
    )  # fmt: skip
    for r in rows:
        table.rows.append([r.unit, r.id, r.name, r.hours, "★" * r.stars or "–", r.to_next, r.redeemed, r.balance])
    table.caption = ui("stars-caption", lang)
    if len({r.unit for r in rows}) == 1:
        table.drop_column(0)
    return table


@dataclass(frozen=True)
class View:
    """A reading command's result in each format it can be asked for, each made only when asked:
    the JSON document, the one CSV table, and what the terminal shows."""

    json: Callable[[], Any]
    csv: Callable[[], Table]
    show: Callable[[], None]


def problems_view(problems: list[Problem], root: Any, lang: str) -> View:
    show = partial(render_problems, problems, root, lang)
    return View(partial(problems_json, problems, lang), partial(problems_table, problems, lang), show)


def check_view(result: CheckResult, lang: str, charts: bool) -> View:
    show = partial(check_tables, result, lang, charts)
    return View(partial(check_json, result, lang), partial(check_flat_table, result, lang), lambda: render_terminal(show()))


def hours_view(rows: list[HoursRow], year: int, by: GroupBy, lang: str, last_month: int) -> View:
    show = partial(hours_tables, rows, year, by, lang, last_month)
    return View(partial(hours_json, rows), partial(hours_flat_table, rows, lang), lambda: render_terminal(show()))


def requests_view(rows: list[RequestRow], as_of: date, lang: str) -> View:
    show = partial(requests_table, rows, as_of, lang)
    return View(partial(requests_json, rows), partial(requests_flat_table, rows, lang), lambda: render_terminal([show()]))


def stars_view(rows: list[StarRow], lang: str) -> View:
    return View(partial(stars_json, rows), partial(stars_table, rows, lang), lambda: render_terminal([stars_table(rows, lang)]))
