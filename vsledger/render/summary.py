"""The 汇总表 as the supervising body hands it upward: a workbook (or CSV, JSON, Markdown).

Three sheets from one result: 汇总 (a row per unit and group: ledger errors, headcounts,
rates, hours, rule counts), 达标明细 (a row per unit and rule), 月度时长 (hours by unit and
month). The workbook is written by the export's writer, so it keeps the export's
conventions: headers in the reader's language, a frozen header row, A4 landscape fitted
to the page width, no cell that a spreadsheet would run as a formula, and personal
numbers masked in every text cell.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vsledger.check.rules.registry import round_half_up
from vsledger.core.personal import mask_text
from vsledger.render.export import ExportColumn, ExportSheet
from vsledger.render.messages import UI, ui
from vsledger.render.views import check_json, describe_failing, json_number, json_value
from vsledger.report.check import STATUSES, CheckResult
from vsledger.report.summary import SummaryResult, SummaryRow

PERCENT = Decimal("0.1")


def _c(key: str, en: str, kind: Any = "text") -> ExportColumn:
    return ExportColumn(key, en, kind, context=f"column:summary-{key}")


ROW_COLUMNS = [_c("kind", "unit or group"), _c("id", "id"), _c("name", "name")]
OVERVIEW_COLUMNS = [
    *ROW_COLUMNS,
    _c("policy", "policy"), _c("errors", "ledger errors", "number"), _c("warnings", "ledger warnings", "number"),
    _c("roster", "on the roster", "number"), _c("registered", "registered", "number"),
    _c("registration_rate", "registration rate (%)", "number"), _c("participants", "took part", "number"),
    _c("participation_rate", "participation rate (%)", "number"), _c("hours", "service hours", "hours"),
    _c("hours_per_capita", "hours per capita", "hours"), _c("activities", "activities", "number"),
    # One column per status, headed as the check's legend is: a status added to STATUSES gets its column.
    *(ExportColumn(s.value, UI[s.value], "number", context=f"ui:{s.value}") for s in STATUSES),
    _c("missed", "rules missed"),
]  # fmt: skip
RULE_COLUMNS = [
    *ROW_COLUMNS,
    _c("policy", "policy"), _c("rule", "rule"), _c("text", "clause"), _c("level", "level"), _c("status", "status"),
    _c("actual", "actual", "number"), _c("target", "target", "number"), _c("failing", "falls short"),
]  # fmt: skip
MONTH_COLUMNS = [*ROW_COLUMNS, *(_c(f"m{m:02d}", f"{m:02d}", "hours") for m in range(1, 13)), _c("total", "total", "hours")]
ALL_SUMMARY_COLUMNS = [*OVERVIEW_COLUMNS, *RULE_COLUMNS, *MONTH_COLUMNS]
SUMMARY_SHEETS = {"summary-overview": "Summary", "summary-rules": "Targets", "summary-months": "Hours by month"}


def _percent(value: Decimal | None) -> Decimal | None:
    return round_half_up(value * 100, PERCENT) if value is not None else None


def _hours(value: Decimal | None) -> Decimal | None:
    return round_half_up(value) if value is not None else None


def _head(row: SummaryRow, lang: str) -> list[Any]:
    return [ui("summary-kind-" + row.kind, lang), row.id, row.name]


def summary_sheets(result: SummaryResult, lang: str) -> list[ExportSheet]:
    overview = ExportSheet("summary-overview", SUMMARY_SHEETS["summary-overview"], OVERVIEW_COLUMNS)
    rules = ExportSheet("summary-rules", SUMMARY_SHEETS["summary-rules"], RULE_COLUMNS)
    months = ExportSheet("summary-months", SUMMARY_SHEETS["summary-months"], MONTH_COLUMNS)
    for row in result.rows:
        f = row.figures
        counts = row.counts
        missed = [r.rule.id for r in row.results if r.outcome.status.value == "fail"]
        overview.rows.append([
            *_head(row, lang), row.policy.id if row.policy else ui("no-policy", lang), row.errors, row.warnings,
            f.roster, f.registered, _percent(f.registration_rate), f.participants, _percent(f.participation_rate),
            f.hours, _hours(f.hours_per_capita), f.activities, *(counts[s.value] for s in STATUSES), "、".join(missed),
        ])  # fmt: skip
        for r in row.results:
            actual, target = json_number(r.outcome.actual, r.measure), json_number(r.outcome.target, r.measure)
            level = ui("warning", lang) if r.rule.level == "warning" else ui("error", lang)
            rules.rows.append([
                *_head(row, lang), row.policy.id if row.policy else "", r.rule.id, r.rule.text, level,
                ui(r.outcome.status.value, lang),
                Decimal(str(actual)) if actual is not None else None, Decimal(str(target)) if target is not None else None,
                "; ".join(describe_failing(item) for item in r.outcome.failing),
            ])  # fmt: skip
        by_month = dict(row.hours_by_month)
        cells = [by_month.get(f"{result.year}-{m:02d}") for m in range(1, 13)]
        months.rows.append([*_head(row, lang), *cells, sum((c for c in cells if c is not None), Decimal(0))])
    sheets = [overview, rules, months]
    for sheet in sheets:  # a safety net over every text cell: names, clauses and what falls short
        sheet.rows = [[mask_text(v) if isinstance(v, str) else v for v in cells] for cells in sheet.rows]
    return sheets


def summary_json(result: SummaryResult) -> dict[str, Any]:
    """Units and groups shaped like `check --format json`'s, with the roll-up's figures beside the rules."""

    def row_json(row: SummaryRow) -> dict[str, Any]:
        (checked,) = check_json(CheckResult(result.year, result.as_of, [row.as_check()]))["units"]
        f = row.figures
        figures = {
            "roster": f.roster,
            "registered": f.registered,
            "registration_rate": json_number(f.registration_rate, "rate"),
            "participants": f.participants,
            "participation_rate": json_number(f.participation_rate, "rate"),
            "hours": json_value(f.hours),
            "hours_per_capita": json_number(f.hours_per_capita, "hours"),
            "activities": f.activities,
        }
        key = "unit" if row.kind == "unit" else "group"
        out = {key: row.id, "name": row.name, "policy": checked["policy"], "errors": row.errors, "warnings": row.warnings}
        if row.kind == "group":
            out["units"] = row.units
        return {
            **out,
            **figures,
            "hours_by_month": {month: json_value(hours) for month, hours in row.hours_by_month},
            "rules": checked["rules"],
        }

    return {
        "year": result.year,
        "as_of": result.as_of.isoformat(),
        "units": [row_json(row) for row in result.units],
        "groups": [row_json(row) for row in result.groups],
        "summary": result.summary,
    }


def _md_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(round_half_up(value) if kind == "hours" else value, "f")
    return str(value).replace("|", "\\|").replace("\n", " ")


def summary_markdown(result: SummaryResult, lang: str) -> str:
    """The same three tables as Markdown: for a message, a wiki page or the terminal."""
    lines = [f"# {ui('summary-title', lang, year=result.year, as_of=result.as_of.isoformat())}", ""]
    for sheet in summary_sheets(result, lang):
        lines += [f"## {sheet.title(lang)}", ""]
        lines.append("| " + " | ".join(c.header(lang) for c in sheet.columns) + " |")
        lines.append("|" + "|".join("---:" if c.kind in ("number", "hours") else "---" for c in sheet.columns) + "|")
        lines += ["| " + " | ".join(_md_cell(v, c.kind) for v, c in zip(cells, sheet.columns, strict=True)) + " |" for cells in sheet.rows]
        lines.append("")
    if not result.rows:
        lines += [ui("summary-empty", lang), ""]
    summary = result.summary
    lines.append(ui("summary", lang, na=summary["n/a"], **{k: v for k, v in summary.items() if k != "n/a"}))
    return "\n".join(lines) + "\n"
