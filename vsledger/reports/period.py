"""`vsledger report monthly|half-year`: the 月报 and 半年小结 a unit hands in.

What 乐清's statistics and the plans ask a unit to report: activities held,
participations (人次), distinct volunteers, service hours, people served, the
list of activities, and where the unit stands against its policy at the end of
the period (or today, for a period not yet over).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from ..ledger import Workspace
from ..model import Activity
from .check import UnitCheck, display_number, run_check

ReportKind = Literal["monthly", "half-year"]
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")


def period_bounds(kind: ReportKind, period: str) -> tuple[date, date] | None:
    """First and last day of `2022-05` (monthly) or `2022-H1` (half-year); None when malformed."""
    if kind == "monthly":
        match = _MONTH.match(period)
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    match = _HALF.match(period)
    if not match:
        return None
    year, half = int(match.group(1)), int(match.group(2))
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


@dataclass
class PeriodReport:
    unit: str
    name: str
    kind: ReportKind
    period: str
    start: date
    end: date
    as_of: date
    activities: list[Activity] = field(default_factory=list)
    participations: int = 0
    volunteers: int = 0
    hours: Decimal = Decimal(0)
    served: int = 0
    external: int = 0
    check: UnitCheck | None = None


def period_report(workspace: Workspace, unit: str, kind: ReportKind, period: str, today: date) -> PeriodReport | None:
    bounds = period_bounds(kind, period)
    if bounds is None:
        return None
    start, end = bounds
    as_of = min(end, today)
    ledger = workspace.units[unit]
    report = PeriodReport(unit, ledger.name, kind, period, start, end, as_of)
    people: set[str] = set()
    for activity in sorted(ledger.effective_between(start, as_of), key=lambda a: (a.date, a.id)):
        report.activities.append(activity)
        report.participations += len(activity.participants) + activity.external
        report.external += activity.external
        report.served += activity.served or 0
        for participant in activity.participants:
            people.add(participant.volunteer)
            report.hours += activity.hours_of(participant)
    report.volunteers = len(people)
    report.check = run_check(workspace, start.year, as_of, [unit]).units[0]
    return report


TEXT = {
    "zh": {
        "monthly": "志愿服务活动情况月报", "half-year": "志愿服务活动半年小结", "period": "报告期", "as_of": "统计截至",
        "summary": "基本情况", "activities": "开展活动", "participations": "参与人次(含外部)", "volunteers": "参与志愿者",
        "hours": "服务时长(小时)", "served": "服务群众(人次)", "list": "活动清单", "check": "达标情况",
        "cols": ["日期", "活动名称", "服务队", "地点", "参与人数", "时长", "服务人次"],
        "check_cols": ["规则", "结果", "实际", "目标", "条款"], "none": "本期没有活动记录。", "no_policy": "本年度无适用方案。",
        "status": {"pass": "达标", "fail": "未达标", "pending": "进行中", "n/a": "不适用"},
    },
    "en": {
        "monthly": "Monthly report on volunteer service", "half-year": "Half-year summary of volunteer service",
        "period": "Period", "as_of": "As of", "summary": "Summary", "activities": "Activities held",
        "participations": "Participations (with external)", "volunteers": "Volunteers taking part", "hours": "Service hours",
        "served": "People served", "list": "Activities", "check": "Against the policy",
        "cols": ["date", "title", "team", "location", "participants", "hours", "served"],
        "check_cols": ["rule", "status", "actual", "target", "clause"], "none": "No activity in this period.",
        "no_policy": "No policy for this year.", "status": {"pass": "met", "fail": "missed", "pending": "pending", "n/a": "n/a"},
    },
}  # fmt: skip


def _md_cell(value: Any) -> str:
    if isinstance(value, Decimal):  # hours: two places, as in every table
        return format(value.quantize(Decimal("0.01")), "f")
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def summary_rows(report: PeriodReport, lang: str) -> list[tuple[str, Any]]:
    t = TEXT[lang]
    return [
        (t["activities"], len(report.activities)),
        (t["participations"], report.participations),
        (t["volunteers"], report.volunteers),
        (t["hours"], report.hours),
        (t["served"], report.served),
    ]


def activity_rows(report: PeriodReport) -> list[list[Any]]:
    rows = []
    for a in report.activities:
        hours = sum((a.hours_of(p) for p in a.participants), Decimal(0))
        rows.append([a.date, a.title, a.team or "", a.location, len(a.participants) + a.external, hours, a.served or ""])
    return rows


def check_rows(report: PeriodReport, lang: str) -> list[list[Any]]:
    t = TEXT[lang]
    if report.check is None:
        return []
    rows = []
    for r in report.check.results:
        actual, target = display_number(r.outcome.actual, r.measure), display_number(r.outcome.target, r.measure)
        rows.append([r.rule.id, t["status"][r.outcome.status.value], actual, target, r.rule.text])
    return rows


def render_markdown(report: PeriodReport, lang: str) -> str:
    t = TEXT[lang]
    out = [f"# {report.name} {report.period} {t[report.kind]}", ""]
    out.append(f"{t['period']}:{report.start.isoformat()} – {report.end.isoformat()};{t['as_of']} {report.as_of.isoformat()}")
    out += ["", f"## {t['summary']}", ""]
    out += [f"- {label}:{value}" for label, value in summary_rows(report, lang)]
    out += ["", f"## {t['list']}", ""]
    rows = activity_rows(report)
    if rows:
        out.append("| " + " | ".join(t["cols"]) + " |")
        out.append("|" + "---|" * len(t["cols"]))
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in rows]
    else:
        out.append(t["none"])
    out += ["", f"## {t['check']}", ""]
    if report.check is None or report.check.policy is None:
        out.append(t["no_policy"])
    else:
        out.append("| " + " | ".join(t["check_cols"]) + " |")
        out.append("|" + "---|" * len(t["check_cols"]))
        out += ["| " + " | ".join(_md_cell(v) for v in row) + " |" for row in check_rows(report, lang)]
    return "\n".join(out) + "\n"


def report_sheets(report: PeriodReport, lang: str) -> list[Any]:
    """The same report as export sheets, for `--format xlsx`."""
    from ..exporting import ExportColumn, ExportSheet

    t = TEXT[lang]
    summary = ExportSheet(
        "summary", t["summary"], t["summary"], [ExportColumn("item", t["summary"], t["summary"]), ExportColumn("value", "", "", "number")]
    )
    summary.rows = [
        [t["period"], report.period],
        [t["as_of"], report.as_of],
        *[[label, value] for label, value in summary_rows(report, lang)],
    ]
    kinds = ["date", "text", "text", "text", "number", "hours", "number"]
    activities = ExportSheet(
        "activities", t["list"], t["list"], [ExportColumn(f"c{i}", h, h, k) for i, (h, k) in enumerate(zip(t["cols"], kinds, strict=True))]
    )  # type: ignore[arg-type]
    activities.rows = activity_rows(report)
    check = ExportSheet("check", t["check"], t["check"], [ExportColumn(f"c{i}", h, h) for i, h in enumerate(t["check_cols"])])
    check.rows = check_rows(report, lang)
    return [summary, activities, check]
