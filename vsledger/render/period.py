"""The 月报 and 半年小结 as documents: Markdown, or workbook sheets for the xlsx writer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from vsledger.render.export import ExportColumn, ExportSheet
from vsledger.render.messages import translate
from vsledger.render.views import display_number
from vsledger.report.period import PeriodReport

TEXT = {
    "monthly": "Monthly report on volunteer service", "half-year": "Half-year summary of volunteer service",
    "period": "Period", "as_of": "As of", "summary": "Summary", "activities": "Activities held",
    "participations": "Participations (with external)", "volunteers": "Volunteers taking part", "hours": "Service hours",
    "served": "People served", "list": "Activities", "check": "Against the policy",
    "cols.0": "date", "cols.1": "title", "cols.2": "team", "cols.3": "location", "cols.4": "participants", "cols.5": "hours",
    "cols.6": "served", "check_cols.0": "rule", "check_cols.1": "status", "check_cols.2": "actual", "check_cols.3": "target",
    "check_cols.4": "clause", "none": "No activity in this period.", "no_policy": "No policy for this year.",
    "status.pass": "met", "status.fail": "missed", "status.pending": "pending", "status.n/a": "n/a",
    "status.invalid": "invalid rule",
}  # fmt: skip
"""The report's wording in English; `_t` gives it in the user's language."""


COLUMNS = [f"cols.{i}" for i in range(7)]


CHECK_COLUMNS = [f"check_cols.{i}" for i in range(5)]


def _t(key: str, lang: str) -> str:

    return translate(f"report:{key}", TEXT[key], lang)


def _md_cell(value: Any) -> str:
    if isinstance(value, Decimal):  # hours: two places, as in every table
        return format(value.quantize(Decimal("0.01")), "f")
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def summary_rows(report: PeriodReport, lang: str) -> list[tuple[str, Any]]:
    return [
        (_t("activities", lang), len(report.activities)),
        (_t("participations", lang), report.participations),
        (_t("volunteers", lang), report.volunteers),
        (_t("hours", lang), report.hours),
        (_t("served", lang), report.served),
    ]


def activity_rows(report: PeriodReport) -> list[list[Any]]:
    rows = []
    for a, hours in zip(report.activities, report.activity_hours, strict=True):
        rows.append([a.date, a.title, a.team or "", a.location, len(a.participants) + a.external, hours, a.served or ""])
    return rows


def check_rows(report: PeriodReport, lang: str) -> list[list[Any]]:
    if report.check is None:
        return []
    rows = []
    for r in report.check.results:
        actual, target = display_number(r.outcome.actual, r.measure), display_number(r.outcome.target, r.measure)
        rows.append([r.rule.id, _t(f"status.{r.outcome.status.value}", lang), actual, target, r.rule.text])
    return rows


def render_markdown(report: PeriodReport, lang: str) -> str:
    out = [f"# {report.name} {report.period} {_t(report.kind, lang)}", ""]
    out.append(f"{_t('period', lang)}:{report.start.isoformat()} – {report.end.isoformat()};{_t('as_of', lang)} {report.as_of.isoformat()}")
    out += ["", f"## {_t('summary', lang)}", ""]
    out += [f"- {label}:{value}" for label, value in summary_rows(report, lang)]
    out += ["", f"## {_t('list', lang)}", ""]
    rows = activity_rows(report)
    if rows:
        out.append("| " + " | ".join(_t(c, lang) for c in COLUMNS) + " |")
        out.append("|" + "---|" * len(COLUMNS))
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    else:
        out.append(_t("none", lang))
    out += ["", f"## {_t('check', lang)}", ""]
    if report.check is None or report.check.policy is None:
        out.append(_t("no_policy", lang))
    else:
        out.append("| " + " | ".join(_t(c, lang) for c in CHECK_COLUMNS) + " |")
        out.append("|" + "---|" * len(CHECK_COLUMNS))
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in check_rows(report, lang)]
    return "\n".join(out) + "\n"


def report_sheets(report: PeriodReport, lang: str) -> list[Any]:
    """The same report as export sheets, for `--format xlsx`."""

    def column(key: str, kind: Any = "text") -> ExportColumn:
        return ExportColumn(key, TEXT[key], kind, context=f"report:{key}")

    summary = ExportSheet("summary", TEXT["summary"], [column("summary"), ExportColumn("value", "", "number")], context="report:summary")
    summary.rows = [
        [_t("period", lang), report.period],
        [_t("as_of", lang), report.as_of],
        *[[label, value] for label, value in summary_rows(report, lang)],
    ]
    kinds = ["date", "text", "text", "text", "number", "hours", "number"]
    activities = ExportSheet("activities", TEXT["list"], [column(c, k) for c, k in zip(COLUMNS, kinds, strict=True)], context="report:list")
    activities.rows = activity_rows(report)
    check = ExportSheet("check", TEXT["check"], [column(c) for c in CHECK_COLUMNS], context="report:check")
    check.rows = check_rows(report, lang)
    return [summary, activities, check]
