"""`vsledger serve`: the workspace in a browser, built on the same library as the CLI.

Pages read through `LedgerData` (per-unit results kept while the files are
unchanged); forms write through `write.add`, the CLI's own validated, locked,
atomic write path. Ids in addresses pass the CLI's syntax checks and must name
a unit or volunteer that exists; no path is ever built from what a request says,
and no file from the workspace is ever sent as it is (downloads are generated).
Personal numbers are masked in everything sent, as the CLI masks its output: every
text response in one pass (`MaskNumbers`), every workbook by `mask_sheets`; what a
page showed masked comes back to its real value (`_real`, `_as_meant`).
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from rich.cells import cell_len
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from vsledger.check.rules import Status
from vsledger.check.timebank import time_bank
from vsledger.core.filekinds import PERSONAL_FIELDS
from vsledger.core.ledger import UnitLedger, Workspace
from vsledger.core.model import RECORD_ID_RE, UNIT_ID_RE, VOLUNTEER_ID_RE, Activity
from vsledger.core.personal import mask_id_number, mask_phone, mask_text, masked_numbers, unmask_unchanged
from vsledger.core.problems import NAME_CODES, Level, Problem
from vsledger.core.typed import TypedError, parse_phone, split_list
from vsledger.read.loader import Files, locate, locate_unit_problems
from vsledger.render.export import ACTIVITY_COLUMNS, ROSTER_COLUMNS, ExportSheet, build_export, mask_sheets, write_xlsx
from vsledger.render.messages import LANGS, problem_hint, problem_message, ui
from vsledger.render.period import render_markdown, report_sheets
from vsledger.render.terminal import QuotedFile, excerpt_window, source_line
from vsledger.render.views import SYMBOLS, describe_failing, display_number
from vsledger.report.check import STATUSES, UnitCheck, as_of_refusal, evaluation_day
from vsledger.report.ledger_export import ledger_export
from vsledger.report.period import PeriodRefused, period_report
from vsledger.report.stars import star_thresholds, stars_report
from vsledger.web.charts import bar_chart, hours_text, month_chart
from vsledger.web.data import LedgerData, check_unit
from vsledger.web.security import CSRF, CSRF_COOKIE, CSRF_FIELD, Guard, MaskNumbers
from vsledger.write.add import activity_record, add_activity, add_volunteer, parse_participant
from vsledger.write.certificate import FontSettingRefused, certificate_font, issue_certificate
from vsledger.write.correct import withdrawal
from vsledger.write.transaction import WriteRefused

STATIC = {"style.css": "text/css; charset=utf-8"}
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
EMPLOYMENTS = ("staff", "contract", "retired", "resident", "student", "other")
MAX_ROWS = 500
"""Longest list a page shows; it says how many more there are."""
MAX_PROBLEMS = 300
SOURCE_ROOM = 48
"""Cells of a quoted source line shown around the caret: what a phone's width holds."""
STATUS_CLASS = {Status.PASS: "pass", Status.FAIL: "fail", Status.PENDING: "pending", Status.NA: "na", Status.INVALID: "invalid"}


@dataclass
class Config:
    root: Path
    today: Callable[[], date]
    lang: str = "zh"
    read_only: bool = False
    token: str | None = None
    loopback_only: bool = True
    use_cache: bool = True
    font: Path | None = None
    """The certificate's font file (VSLEDGER_FONT); None: vsledger.yaml's, else the machine's."""


@dataclass
class FormState:
    """A form as submitted, and what is wrong with it, field by field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def add(self, name: str, item: dict[str, str]) -> None:
        self.errors.setdefault(name, []).append(item)


class NotFound(Exception):
    pass


class BadRequest(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class UnitRequest:
    """What a page about one unit starts from: its language, the unit its address names, that unit loaded,
    and (when the page asks for one) the year, as-of date and years offered."""

    lang: str
    unit: str
    workspace: Workspace
    year: int = 0
    as_of: date = date.min
    years: list[int] = field(default_factory=list)

    @property
    def ledger(self) -> UnitLedger:
        return self.workspace.units[self.unit]


def create_app(config: Config) -> Any:
    """The ASGI application: Starlette routes inside the host/token guard."""
    env = Environment(
        loader=PackageLoader("vsledger.web", "templates"), autoescape=select_autoescape(default=True, default_for_string=True)
    )
    env.filters["hours"] = hours_text
    data = LedgerData(config.root, config.today, config.use_cache)
    csrf = CSRF()
    write_lock = threading.Lock()
    static = {name: (resources.files("vsledger.web") / "static" / name).read_bytes() for name in STATIC}

    def lang_of(request: Request) -> str:
        asked = request.query_params.get("lang")
        return asked if asked in LANGS else config.lang

    def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        lang = context.pop("lang", None) or lang_of(request)
        cookie = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if not cookie or len(cookie) > 100:
            cookie = fresh = os.urandom(16).hex()

        def t(key: str, **args: Any) -> str:
            return ui(f"web-{key}", lang, **args)

        def url(path: str, **params: Any) -> str:
            query = {k: v for k, v in params.items() if v not in (None, "")}
            if lang != config.lang:
                query["lang"] = lang
            return path + (f"?{urlencode(query)}" if query else "")

        def other_lang() -> str:
            target = "en" if lang == "zh" else "zh"
            query = {k: v for k, v in request.query_params.items() if k != "lang"}
            query["lang"] = target
            return request.url.path + "?" + urlencode(query)

        html = env.get_template(template).render(
            t=t, ui=lambda key, **a: ui(key, lang, **a), url=url, other_lang=other_lang, lang=lang, csrf=csrf.token_for(cookie),
            csrf_field=CSRF_FIELD, read_only=config.read_only, **context,
        )  # fmt: skip
        response = HTMLResponse(html, status_code=status)
        if fresh is not None:
            response.set_cookie(CSRF_COOKIE, fresh, httponly=True, samesite="strict")
        return response

    def refuse_page(reason: str) -> bytes:
        lang = config.lang
        title = ui(f"web-refused-{reason}", lang)
        return env.get_template("refused.html").render(title=title, lang=lang).encode("utf-8")

    def error_page(request: Request, status: int, message: str) -> HTMLResponse:
        return render(request, "error.html", status=status, message=message)

    def guarded(handler: Callable[..., Response]) -> Callable[[Request], Any]:
        """Run a page's work in a thread; an unknown id is a 404, a bad parameter a 400."""

        async def endpoint(request: Request) -> Response:
            try:
                return await run_in_threadpool(handler, request)
            except NotFound:
                return error_page(request, 404, ui("web-not-found", lang_of(request)))
            except BadRequest as exc:
                return error_page(request, 400, exc.message)

        return endpoint

    # --- parameters -----------------------------------------------------------------------

    def unit_param(request: Request) -> str:
        units = data.base().unit_ids
        unit = _real(request.path_params["unit"], units)
        if not UNIT_ID_RE.match(unit) or unit not in units:
            raise NotFound
        return unit

    def volunteer_param(request: Request, ledger: UnitLedger) -> str:
        volunteer = _real(request.path_params["volunteer"], ledger.volunteers)
        if not VOLUNTEER_ID_RE.match(volunteer) or volunteer not in ledger.volunteers:
            raise NotFound
        return volunteer

    def period_params(request: Request) -> tuple[int, date, list[int]]:
        """Year and as-of date from the query (checked as the CLI checks --year and --as-of)."""
        lang = lang_of(request)
        today = config.today()
        years = data.years()
        default = next((y for y in years if y <= today.year), today.year)
        year_text = request.query_params.get("year") or str(default)
        if not year_text.isdigit() or not 1900 <= int(year_text) <= 9999:
            raise BadRequest(ui("web-bad-year", lang, year=year_text))
        year = int(year_text)
        as_of_text = request.query_params.get("as_of")
        try:
            given = date.fromisoformat(as_of_text) if as_of_text else None
        except ValueError:
            raise BadRequest(ui("web-bad-date", lang, value=as_of_text)) from None
        refusal = as_of_refusal(year, given, today)
        if refusal is not None:
            key, values = refusal
            raise BadRequest(ui(key, lang, **values))
        as_of = given or today
        offered = sorted({*years, today.year, year}, reverse=True)
        return year, as_of, offered

    def unit_request(request: Request, period: bool = False) -> UnitRequest:
        """The opening of a unit's page: language, the unit (404 unless it exists), the period if asked, the unit loaded."""
        lang = lang_of(request)
        unit = unit_param(request)
        year, as_of, years = period_params(request) if period else (0, date.min, [])
        return UnitRequest(lang, unit, data.unit(unit), year, as_of, years)

    def checks(units: list[str], year: int, as_of: date) -> tuple[dict[str, UnitCheck], dict[str, list[Problem]]]:
        return data.results(units, ("check", year, as_of), partial(_check, year, as_of))

    # --- pages ----------------------------------------------------------------------------

    def overview(request: Request) -> Response:
        """Units grouped by the policy that applies to them: one matrix of units × rules per policy."""
        lang = lang_of(request)
        year, as_of, years = period_params(request)
        base = data.base()
        units = list(base.unit_ids)
        results, _ = checks(units, year, as_of)
        summary = {s: 0 for s in STATUSES}
        groups: dict[str, dict[str, Any]] = {}
        for unit in units:
            check = results[unit]
            key = check.policy.id if check.policy else ""
            group = groups.setdefault(key, {"policy": check.policy, "rules": [r.rule for r in check.results], "rows": []})
            for r in check.results:
                summary[r.outcome.status] += 1
            group["rows"].append(
                {
                    "unit": unit, "name": check.name, "cells": [_cell(r, lang) for r in check.results],
                    "errors": check.errors, "warnings": check.warnings,
                    "hours": sum((h for _, h in check.hours_by_month), Decimal(0)),
                    "failed": sum(1 for r in check.results if r.outcome.status is Status.FAIL),
                }
            )  # fmt: skip
        ordered = sorted(groups.values(), key=lambda g: (g["policy"] is None, g["policy"].id if g["policy"] else ""))
        statuses = [{"symbol": SYMBOLS[s], "name": ui(s.value, lang), "class": STATUS_CLASS[s], "count": summary[s]} for s in STATUSES]
        return render(
            request, "overview.html", year=year, as_of=as_of, years=years, groups=ordered, statuses=statuses, count=len(units),
            workspace_errors=sum(1 for p in base.problems if p.is_error),
        )  # fmt: skip

    def unit_page(request: Request) -> Response:
        lang = lang_of(request)
        unit = unit_param(request)
        year, as_of, years = period_params(request)
        check = checks([unit], year, as_of)[0][unit]
        workspace = data.unit(unit)
        ledger = workspace.units[unit]
        day = evaluation_day(year, as_of)  # the year's activities and roster end with it; reports go on to as-of
        hours = _hours_by_volunteer(ledger, date(year, 1, 1), day)
        roster = []
        for entry in ledger.volunteers.values():
            v = entry.record
            roster.append(
                {
                    "id": v.id, "name": v.name, "employment": ui(f"web-employment-{v.employment}", lang),
                    "party": v.party_member, "teams": "、".join(v.teams), "registered_on": v.registered_on,
                    "id_number": mask_id_number(v.id_number) if v.id_number else "", "phone": mask_phone(v.phone) if v.phone else "",
                    "hours": hours.get(v.id, Decimal(0)), "on_roster": v.on_roster(day),
                }
            )  # fmt: skip
        results = [
            {
                "rule": r.rule.id, "text": r.rule.text, "class": STATUS_CLASS[r.outcome.status],
                "status": f"{SYMBOLS[r.outcome.status]} {ui(r.outcome.status.value, lang)}",
                "warning": r.rule.level == "warning", "actual": display_number(r.outcome.actual, r.measure),
                "target": display_number(r.outcome.target, r.measure),
                "failing": [describe_failing(item) for item in r.outcome.failing[:MAX_ROWS]],
                "more": max(0, len(r.outcome.failing) - MAX_ROWS),
            }
            for r in check.results
        ]  # fmt: skip
        word = ui("chart-hours-axis", lang)
        charts = [(ui("chart-hours-by-month", lang), month_chart(ui("chart-hours-by-month", lang), check.hours_by_month, word))]
        if check.hours_by_team:
            charts.append((ui("chart-hours-by-team", lang), bar_chart(ui("chart-hours-by-team", lang), check.hours_by_team, word)))
        columns = {c.key: c.header(lang) for c in ROSTER_COLUMNS}
        months = [m for m, _ in check.hours_by_month]
        return render(
            request, "unit.html", unit=unit, name=check.name, policy=check.policy, year=year, as_of=as_of, years=years,
            results=results, charts=charts, roster=roster, columns=columns, total=sum(hours.values(), Decimal(0)),
            months=months, problems=sum(1 for p in workspace.problems if p.file.startswith(f"ledgers/{unit}/")),
        )  # fmt: skip

    def volunteer_page(request: Request) -> Response:
        u = unit_request(request, period=True)
        lang, unit, workspace, ledger = u.lang, u.unit, u.workspace, u.ledger
        year, as_of, years = u.year, u.as_of, u.years
        volunteer_id = volunteer_param(request, ledger)
        volunteer = ledger.volunteers[volunteer_id].record
        served = []
        day = evaluation_day(year, as_of)
        by_month = {f"{year}-{m:02d}": Decimal(0) for m in range(1, day.month + 1)}
        for activity in sorted(ledger.effective_between(date(year, 1, 1), day), key=lambda a: (a.date, a.id)):
            for p in activity.participants:
                if p.volunteer == volunteer_id:
                    hours = activity.hours_of(p)
                    by_month[f"{activity.date:%Y-%m}"] = by_month.get(f"{activity.date:%Y-%m}", Decimal(0)) + hours
                    served.append({"id": activity.id, "date": activity.date, "title": activity.title, "hours": hours})
        config_problems: list[Problem] = []
        star = next(
            r
            for r in stars_report(workspace, [unit], config.today(), star_thresholds(config.root, config_problems))
            if r.id == volunteer_id
        )
        balance = time_bank(ledger, config.today()).get(volunteer_id)
        chart = (
            ui("chart-hours-by-month", lang),
            month_chart(ui("chart-hours-by-month", lang), sorted(by_month.items()), ui("chart-hours-axis", lang)),
        )
        return render(
            request, "volunteer.html", unit=unit, unit_name=ledger.name, v=volunteer, year=year, as_of=as_of, years=years,
            font_note=_font_note(config, lang),
            served=served, total=sum((s["hours"] for s in served), Decimal(0)), chart=chart, star=star,
            earned=balance.earned if balance else Decimal(0), redeemed=balance.redeemed if balance else Decimal(0),
            id_number=mask_id_number(volunteer.id_number) if volunteer.id_number else "",
            phone=mask_phone(volunteer.phone) if volunteer.phone else "", today=config.today(),
        )  # fmt: skip

    def activities_page(request: Request) -> Response:
        u = unit_request(request)
        lang, unit, ledger = u.lang, u.unit, u.ledger
        q = request.query_params
        month, team, category, volunteer = (q.get(k, "").strip() for k in ("month", "team", "category", "volunteer"))
        choices = _choices(ledger)
        team, category, volunteer = (_real(v, choices[k]) for k, v in (("team", team), ("category", category), ("volunteer", volunteer)))
        if month and not MONTH_RE.match(month):
            raise BadRequest(ui("web-bad-month", lang, value=month))
        if volunteer and not VOLUNTEER_ID_RE.match(volunteer):
            raise BadRequest(ui("web-bad-volunteer", lang, value=volunteer))
        teams = ledger.names("team")
        chosen = []
        for entry in sorted(ledger.effective, key=lambda e: (e.record.date, e.record.id), reverse=True):
            a = entry.record
            if month and f"{a.date:%Y-%m}" != month:
                continue
            if team and a.team != team:
                continue
            if category and a.category != category:
                continue
            if volunteer and all(p.volunteer != volunteer for p in a.participants):
                continue
            chosen.append(a)
        rows = [
            {"id": a.id, "date": a.date, "title": a.title, "team": teams.get(a.team or "", a.team or ""), "category": a.category or "",
             "location": a.location, "people": len(a.participants), "hours": sum((a.hours_of(p) for p in a.participants), Decimal(0)),
             "file": f"activities/{a.date:%Y-%m}.yaml"}
            for a in chosen[:MAX_ROWS]
        ]  # fmt: skip
        months = sorted({f"{e.record.date:%Y-%m}" for e in ledger.effective}, reverse=True)
        categories = sorted({e.record.category for e in ledger.effective if e.record.category})
        people = sorted((e.record.id, e.record.name) for e in ledger.volunteers.values())
        columns = {c.key: c.header(lang) for c in ACTIVITY_COLUMNS}
        return render(
            request, "activities.html", unit=unit, unit_name=ledger.name, rows=rows, count=len(chosen), more=max(0, len(chosen) - MAX_ROWS),
            months=months, teams=teams, categories=categories, people=people, columns=columns,
            f={"month": month, "team": team, "category": category, "volunteer": volunteer},
            total=sum((r["hours"] for r in rows), Decimal(0)),
        )  # fmt: skip

    def problems_page(request: Request) -> Response:
        lang = lang_of(request)
        base = data.base()
        wanted = request.query_params.get("unit")
        wanted = _real(wanted, base.unit_ids) if wanted else wanted
        if wanted and (not UNIT_ID_RE.match(wanted) or wanted not in base.unit_ids):
            raise NotFound
        units = [wanted] if wanted else list(base.unit_ids)
        _, by_unit = data.results(units, ("validate",), locate_unit_problems)
        leaks = [p for p in data.leaks() if not wanted or p.file.startswith(f"ledgers/{wanted}/")]
        problems = ([] if wanted else list(base.problems)) + [p for u in units for p in by_unit[u]] + leaks
        problems.sort(key=Problem.sort_key)
        cache: dict[str, QuotedFile] = {}
        shown = [_problem_view(p, config.root, lang, cache) for p in problems[:MAX_PROBLEMS]]
        errors = sum(1 for p in problems if p.is_error)
        return render(
            request, "problems.html", problems=shown, unit=wanted, errors=errors, warnings=len(problems) - errors,
            more=max(0, len(problems) - MAX_PROBLEMS),
        )  # fmt: skip

    # --- downloads ----------------------------------------------------------------------------

    def workbook(request: Request) -> Response:
        u = unit_request(request, period=True)
        sheets = build_export(ledger_export(u.workspace, u.unit, u.year, u.as_of), u.lang)  # masked: the web never unmasks
        return _workbook_response(sheets, f"{u.unit}-{u.year}.xlsx", u.lang)

    def monthly_report(request: Request) -> Response:
        lang = lang_of(request)
        unit = unit_param(request)
        period = request.query_params.get("period", "")
        fmt = request.query_params.get("format", "xlsx")
        if not MONTH_RE.match(period):
            raise BadRequest(ui("bad-period", lang, period=period))
        if fmt not in ("xlsx", "md"):
            raise BadRequest(ui("web-bad-format", lang, format=fmt, formats="xlsx | md"))
        workspace = data.unit(unit)
        try:
            result = period_report(workspace, unit, "monthly", period, config.today())
        except PeriodRefused as exc:
            raise BadRequest(ui(exc.key, lang, **exc.values)) from None
        if fmt == "md":  # text: masked on its way out by MaskNumbers, as every text response
            headers = {"content-disposition": f'attachment; filename="{unit}-{period}.md"'}
            return Response(render_markdown(result, lang), media_type="text/markdown; charset=utf-8", headers=headers)
        return _workbook_response(report_sheets(result, lang), f"{unit}-{period}.xlsx", lang)

    # --- forms ----------------------------------------------------------------------------------

    def form_context(unit: str, ledger: UnitLedger, day: date, ticked: list[str] | None = None) -> dict[str, Any]:
        """What the forms offer: the unit's teams and branches, the volunteers on the roster that day
        (and anyone already ticked, so a correction never drops a participant), categories in use."""
        teams, branches = list(ledger.names("team").items()), list(ledger.names("branch").items())
        keep = set(ticked or [])
        people = [(e.record.id, e.record.name) for e in ledger.volunteers.values() if e.record.on_roster(day) or e.record.id in keep]
        categories = sorted({e.record.category for e in ledger.activities if e.record.category})
        return {"unit": unit, "unit_name": ledger.name, "teams": teams, "branches": branches, "people": people,
                "categories": categories, "employments": EMPLOYMENTS}  # fmt: skip

    def writable(request: Request) -> None:
        if config.read_only:
            raise NotFound

    def current_activity(ledger: UnitLedger, activity_id: str) -> Activity:
        """An activity that counts now (the head of its corrections): the only kind one can correct."""
        activity_id = _real(activity_id, ledger.known_activity_ids)
        if not RECORD_ID_RE.match(activity_id):
            raise NotFound
        found = next((e.record for e in ledger.effective if e.record.id == activity_id), None)
        if found is None:
            raise NotFound
        return found

    def record_form(request: Request) -> Response:
        """A new activity; with `?corrects=ID`, that activity restated, to be corrected."""
        writable(request)
        u = unit_request(request)
        unit, ledger = u.unit, u.ledger
        today = config.today()
        state = FormState({"date": today.isoformat(), "participants": []})
        corrects = request.query_params.get("corrects")
        day = today
        if corrects is not None:
            activity = current_activity(ledger, corrects)
            state, day = FormState(_activity_values(activity)), activity.date
        return render(request, "record.html", state=state, **form_context(unit, ledger, day, state.values["participants"]))

    def withdraw_form(request: Request) -> Response:
        writable(request)
        u = unit_request(request)
        activity = current_activity(u.ledger, request.path_params["activity"])
        return render(request, "withdraw.html", unit=u.unit, unit_name=u.ledger.name, a=activity, state=FormState())

    def withdraw_submit(request: Request, values: dict[str, Any]) -> Response:
        """A deletion is a correcting entry that restates the activity with no participants (docs/format.md §6.2)."""
        u = unit_request(request)
        unit, ledger = u.unit, u.ledger
        activity = current_activity(ledger, request.path_params["activity"])
        state = _as_meant(values, ledger, u.lang)
        values = state.values
        context = {"unit": unit, "unit_name": ledger.name, "a": activity}
        if state.errors:
            return render(request, "withdraw.html", status=422, state=state, **context)
        fields = withdrawal(ledger, activity.id)  # the one way a withdrawal is built, the CLI's too
        if values.get("clerk", "").strip():
            fields["recorded_by"] = values["clerk"].strip()
        record = activity_record(fields, u.workspace, unit)
        record.setdefault("participants", [])
        add = partial(add_activity, record=record, generated=True)
        return write_through(request, values, u, state, add, "withdraw.html", context)

    def volunteer_form(request: Request) -> Response:
        writable(request)
        u = unit_request(request)
        state = FormState({"employment": "staff", "teams": []})
        return render(request, "volunteer_form.html", state=state, **form_context(u.unit, u.ledger, config.today()))

    async def submit(request: Request, handler: Callable[[Request, dict[str, Any]], Response]) -> Response:
        if config.read_only:
            return error_page(request, 404, ui("web-not-found", lang_of(request)))
        form = await request.form()
        values: dict[str, Any] = {}
        for key in form:
            items = [str(v) for v in form.getlist(key) if isinstance(v, str)]
            values[key] = items if key in ("participants", "teams") else (items[0] if items else "")
        if not csrf.valid(request.cookies.get(CSRF_COOKIE), values.get(CSRF_FIELD)) or not _same_origin(request):
            return error_page(request, 403, ui("web-csrf", lang_of(request)))
        try:
            return await run_in_threadpool(handler, request, values)
        except NotFound:
            return error_page(request, 404, ui("web-not-found", lang_of(request)))
        except BadRequest as exc:
            return error_page(request, 400, exc.message)

    def commit_env(values: dict[str, Any]) -> dict[str, str]:
        clerk = values.get("clerk", "").strip()
        return {"GIT_AUTHOR_NAME": clerk, "GIT_COMMITTER_NAME": clerk} if clerk else {}

    def record_submit(request: Request, values: dict[str, Any]) -> Response:
        u = unit_request(request)
        lang, unit = u.lang, u.unit
        corrected = _correcting(u.ledger, _real(values.get("corrects", ""), u.ledger.known_activity_ids))
        state = _as_meant(values, u.ledger, lang, corrected)
        values = state.values
        day = _form_date(values.get("date", ""), "date", state, lang, required=True)
        hours = values.get("hours", "").strip() or None
        if hours is None and not (values.get("start") and values.get("end")):
            state.add("hours", {"message": ui("web-hours-needed", lang)})
        numbers = {k: _form_count(values.get(k, ""), k, state, lang) for k in ("external", "served")}
        _participants(values, state, lang)  # a malformed exception is said before anything is built
        context = form_context(unit, u.ledger, day or config.today(), [str(v) for v in values.get("participants", [])])
        if day is None or state.errors:
            return render(request, "record.html", status=422, state=state, **context)
        fields = {
            "id": None, "date": day, "title": values.get("title", "").strip(), "team": values.get("team") or None,
            "category": values.get("category", "").strip() or None,
            "tags": split_list(values.get("tags", ""), slash=False), "location": values.get("location", "").strip(),
            "target": values.get("target", "").strip() or None, "served": numbers["served"],
            "start": values.get("start") or None, "end": values.get("end") or None, "hours": hours,
            "participants": _participants(values, state, lang), "external": numbers["external"], "lead": values.get("lead") or None,
            "corrects": values.get("corrects", "").strip() or None,
            "recorded_by": values.get("recorded_by", "").strip() or values.get("clerk", "").strip() or None,
            "content": values.get("content", "").strip() or None, "outcome": values.get("outcome", "").strip() or None,
        }  # fmt: skip
        record = activity_record(fields, u.workspace, unit)
        record.setdefault("participants", [])
        for key in ("title", "location"):  # required text the model would call missing
            record.setdefault(key, "")
        add = partial(add_activity, record=record, generated=True)
        return write_through(request, values, u, state, add, "record.html", context)

    def volunteer_submit(request: Request, values: dict[str, Any]) -> Response:
        u = unit_request(request)
        lang = u.lang
        state = _as_meant(values, u.ledger, lang)
        values = state.values
        dates = {k: _form_date(values.get(k, ""), k, state, lang) for k in ("joined", "registered_on")}
        context = form_context(u.unit, u.ledger, config.today())
        if values.get("employment") not in EMPLOYMENTS:
            state.add("employment", {"message": ui("web-choose", lang)})
        phone = values.get("phone", "").strip() or None
        try:
            phone = parse_phone(phone) if phone else None  # read as the CLI and import read it: landlines too
        except TypedError as exc:
            state.add("phone", {"message": ui(exc.key, lang, **exc.params)})
        if state.errors:
            return render(request, "volunteer_form.html", status=422, state=state, **context)
        record = {
            "id": values.get("id", "").strip() or None, "name": values.get("name", "").strip(), "gender": values.get("gender") or None,
            "id_number": values.get("id_number", "").strip() or None, "phone": phone,
            "party_member": values.get("party_member") == "on" or None, "employment": values.get("employment"),
            "branch": values.get("branch") or None, "teams": list(values.get("teams", [])), "joined": dates["joined"],
            "registered_on": dates["registered_on"], "registration_no": values.get("registration_no", "").strip() or None,
        }  # fmt: skip
        if not record["name"]:
            record["name"] = ""
        add = partial(add_volunteer, record=record)
        return write_through(request, values, u, state, add, "volunteer_form.html", context, hide=PERSONAL_FIELDS)

    def certificate_submit(request: Request, values: dict[str, Any]) -> Response:
        u = unit_request(request)
        lang, unit, workspace = u.lang, u.unit, u.workspace
        volunteer = volunteer_param(request, u.ledger)
        state = FormState(values)
        start = _form_date(values.get("from", ""), "from", state, lang) or date(1900, 1, 1)
        end = _form_date(values.get("to", ""), "to", state, lang) or config.today()
        if state.errors:
            raise BadRequest("; ".join(e["message"] for items in state.errors.values() for e in items))
        errors = [p for p in workspace.errors if p.file.startswith(f"ledgers/{unit}/")]
        if errors:  # as the CLI: hours from entries with errors are not hours to certify
            message = ui("certificate-refused", lang, errors=len(errors))
            return render(request, "error.html", status=409, message=message, problems=[])
        try:
            font = certificate_font(config.root, config.font)
        except FontSettingRefused as exc:  # a font asked for and unusable: as the CLI, nothing is issued
            return render(request, "error.html", status=409, message=problem_message(exc.problem, lang), problems=[])
        with tempfile.TemporaryDirectory(prefix="vsledger-web-") as directory:
            target = Path(directory) / "certificate.pdf"
            with write_lock:
                try:
                    result, _ = issue_certificate(
                        config.root, unit, volunteer, start if values.get("from") else None, end, config.today(),
                        values.get("signer", "").strip(), values.get("handler", "").strip(), values.get("contact", "").strip(),
                        False, target, lambda _path: None, font,
                    )  # fmt: skip
                except WriteRefused as exc:
                    _refusal_into(exc, state, config.root, lang)
                    return render(request, "error.html", status=409, message=ui("refused", lang), problems=state.errors.get("", []))
            body = target.read_bytes()
        headers = {"content-disposition": f'attachment; filename="{result.number}.pdf"'}
        return Response(body, media_type="application/pdf", headers=headers)

    def write_through(
        request: Request, values: dict[str, Any], u: UnitRequest, state: FormState, add: Callable[..., Any], template: str,
        context: dict[str, Any], hide: tuple[str, ...] = (),
    ) -> Response:  # fmt: skip
        """Write a form's record under the write lock (committed if asked, as the clerk): the done page, or on refusal
        the form again with each problem beside its field (the `hide` fields emptied, never sent back in full)."""
        commit = values.get("commit") == "on"
        try:
            with write_lock, _environment(commit_env(values) if commit else {}):
                added = add(config.root, u.unit, today=config.today(), commit=commit)
        except WriteRefused as exc:
            _refusal_into(exc, state, config.root, u.lang)
            for key in hide:  # a refused number is not sent back to the page in full
                if state.values.get(key):
                    state.values[key] = ""
            return render(request, template, status=422, state=state, **context)
        return done_page(request, u.unit, added, u.lang, commit)

    def done_page(request: Request, unit: str, added: Any, lang: str, committed: bool) -> Response:
        warnings = []
        if added.result.warnings:
            found = list(added.result.warnings)
            locate(Files(config.root), found)
            warnings = [_problem_view(p, config.root, lang, {}) for p in found]
        return render(
            request,
            "done.html",
            unit=unit,
            added=added,
            warnings=warnings,
            commit_error=added.commit_error,
            committed=committed and added.commit_error is None,
        )

    async def static_file(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in STATIC:
            return Response(b"", status_code=404)
        return Response(static[name], media_type=STATIC[name], headers={"cache-control": "max-age=3600"})

    async def record_post(request: Request) -> Response:
        return await submit(request, record_submit)

    async def volunteer_post(request: Request) -> Response:
        return await submit(request, volunteer_submit)

    async def withdraw_post(request: Request) -> Response:
        return await submit(request, withdraw_submit)

    async def certificate_post(request: Request) -> Response:
        return await submit(request, certificate_submit)

    routes = [
        Route("/", guarded(overview)),
        Route("/problems", guarded(problems_page)),
        Route("/static/{name}", static_file),
        Route("/unit/{unit}", guarded(unit_page)),
        Route("/unit/{unit}/activities", guarded(activities_page)),
        Route("/unit/{unit}/volunteer/{volunteer}", guarded(volunteer_page)),
        Route("/unit/{unit}/export.xlsx", guarded(workbook)),
        Route("/unit/{unit}/report", guarded(monthly_report)),
        Route("/unit/{unit}/record", guarded(record_form), methods=["GET"]),
        Route("/unit/{unit}/record", record_post, methods=["POST"]),
        Route("/unit/{unit}/activity/{activity}/withdraw", guarded(withdraw_form), methods=["GET"]),
        Route("/unit/{unit}/activity/{activity}/withdraw", withdraw_post, methods=["POST"]),
        Route("/unit/{unit}/volunteers/new", guarded(volunteer_form), methods=["GET"]),
        Route("/unit/{unit}/volunteers/new", volunteer_post, methods=["POST"]),
        Route("/unit/{unit}/volunteer/{volunteer}/certificate", certificate_post, methods=["POST"]),
    ]

    async def not_found(request: Request, exc: Exception) -> Response:
        return error_page(request, 404, ui("web-not-found", lang_of(request)))

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found}, middleware=[Middleware(MaskNumbers)])
    app.state.data = data
    return Guard(app, config.token, config.loopback_only, refuse_page)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _font_note(config: Config, lang: str) -> tuple[bool, str]:
    """Said beside the certificate form, as the CLI says it after issuing: (a warning?, the text)."""
    try:
        font = certificate_font(config.root, config.font)
    except FontSettingRefused as exc:
        return True, problem_message(exc.problem, lang)
    if font is None:
        return True, ui("font-not-embedded", lang)
    return False, ui("certificate-font", lang, font=font.name, path=font.path.name)


def _check(year: int, as_of: date, workspace: Workspace, unit: str) -> UnitCheck:
    return check_unit(workspace, year, as_of, unit)


def _cell(r: Any, lang: str) -> dict[str, str]:
    actual, target = display_number(r.outcome.actual, r.measure), display_number(r.outcome.target, r.measure)
    status = r.outcome.status
    return {"symbol": SYMBOLS[status], "class": STATUS_CLASS[status], "title": f"{r.rule.id}: {ui(status.value, lang)} {actual} / {target}"}


def _hours_by_volunteer(ledger: UnitLedger, start: date, end: date) -> dict[str, Decimal]:
    hours: dict[str, Decimal] = {}
    for activity in ledger.effective_between(start, end):
        for p in activity.participants:
            hours[p.volunteer] = hours.get(p.volunteer, Decimal(0)) + activity.hours_of(p)
    return hours


def _problem_view(
    problem: Problem, root: Path, lang: str, cache: dict[str, QuotedFile], overrides: dict[str, bytes] | None = None
) -> dict[str, Any]:
    """A problem as the pages show it: located, the line itself around the caret (masked), the hint."""
    quoted = problem.line and problem.code not in NAME_CODES  # a name's problem quotes nothing of the file
    source = source_line(root, problem.file, problem.line, cache, overrides or {}) if quoted else None
    shown, column = excerpt_window(mask_text(source), problem.column, SOURCE_ROOM) if source is not None else (None, 0)
    return {
        "where": f"{problem.file}:{problem.line}:{problem.column}", "code": problem.code, "warning": problem.level is Level.WARNING,
        "message": problem_message(problem, lang), "hint": problem_hint(problem, lang),
        "source": shown, "line": problem.line, "column": problem.column,
        "caret": " " * cell_len(shown[: max(0, column - 1)]) if shown is not None else "",
    }  # fmt: skip


FIELD_NAMES = {
    "corrects", "date", "title", "location", "hours", "start", "end", "participants", "team", "category", "tags", "external", "served",
    "target", "lead", "recorded_by", "content", "outcome", "id", "name", "gender", "id_number", "phone", "employment", "branch",
    "teams", "joined", "registered_on", "registration_no",
}  # fmt: skip


def _refusal_into(exc: WriteRefused, state: FormState, root: Path, lang: str) -> None:
    """Each refused problem, located in the text that would have been written, beside the field it concerns."""
    problems = list(exc.problems)
    locate(Files(root, exc.overrides), problems)
    cache: dict[str, QuotedFile] = {}
    for problem in problems:
        name = next((part for part in problem.path or () if isinstance(part, str) and part in FIELD_NAMES), None)
        if name is None and problem.args.get("field") in FIELD_NAMES:
            name = problem.args["field"]
        state.add(name or "", _problem_view(problem, root, lang, cache, exc.overrides))


def _activity_values(activity: Activity) -> dict[str, Any]:
    """An activity as the record form shows it, to be corrected: the same fields, `corrects` set."""
    values: dict[str, Any] = {
        "corrects": activity.id, "date": activity.date.isoformat(), "title": activity.title, "location": activity.location,
        "hours": hours_text(activity.hours) if activity.hours is not None else "", "team": activity.team or "",
        "start": f"{activity.start:%H:%M}" if activity.start else "", "end": f"{activity.end:%H:%M}" if activity.end else "",
        "category": activity.category or "", "tags": " ".join(activity.tags), "target": activity.target or "",
        "served": "" if activity.served is None else str(activity.served), "external": str(activity.external or ""),
        "lead": activity.lead or "", "recorded_by": activity.recorded_by or "", "content": activity.content or "",
        "outcome": activity.outcome or "", "participants": [p.volunteer for p in activity.participants],
        "overrides": " ".join(f"{p.volunteer}={hours_text(p.hours)}" for p in activity.participants if p.hours is not None),
    }  # fmt: skip
    return values


def _participants(values: dict[str, Any], state: FormState, lang: str) -> list[Any]:
    """The ticked volunteers, with `V0005=2.5` exceptions to the hours each (an exception alone adds its volunteer)."""
    exceptions: dict[str, Any] = {}
    for token in split_list(values.get("overrides", "")):
        parsed = parse_participant(token)
        if not isinstance(parsed, dict):
            if not any(e.get("code") == "bad-exception" for e in state.errors.get("overrides", [])):
                state.add("overrides", {"message": ui("web-bad-exception", lang, value=token), "code": "bad-exception"})
            continue
        exceptions.update(parsed)
    ticked = [str(v) for v in values.get("participants", [])]
    chosen: list[Any] = [{v: exceptions[v]} if v in exceptions else v for v in ticked]
    chosen += [{v: h} for v, h in exceptions.items() if v not in ticked]
    return chosen


def _form_date(text: str, name: str, state: FormState, lang: str, required: bool = False) -> date | None:
    text = text.strip()
    if not text:
        if required:
            state.add(name, {"message": ui("web-required", lang)})
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        state.add(name, {"message": ui("web-bad-date", lang, value=text)})
        return None


def _form_count(text: str, name: str, state: FormState, lang: str) -> int | None:
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        state.add(name, {"message": ui("web-bad-count", lang, value=text)})
        return None
    return int(text)


def _same_origin(request: Request) -> bool:
    """A browser says where a form came from; it must be this app (SameSite cookies are the first guard)."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin in (f"http://{host}", f"https://{host}")


class _environment:
    """Variables set for the length of one write (the clerk's name for git); writes hold the app's write lock."""

    def __init__(self, values: dict[str, str]) -> None:
        self.values = values
        self.saved: dict[str, str | None] = {}

    def __enter__(self) -> None:
        for key, value in self.values.items():
            self.saved[key] = os.environ.get(key)
            os.environ[key] = value

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _workbook_response(sheets: list[ExportSheet], filename: str, lang: str) -> Response:
    """Every workbook the app sends: each text cell masked as `vsledger export` and `report` mask theirs."""
    mask_sheets(sheets)
    return _file_response(lambda path: write_xlsx(sheets, path, lang), filename, XLSX)


def _real(value: str, choices: Collection[str]) -> str:
    """A value as a page showed it, masked (an id or a category holding eleven digits), back to the one real
    value it stands for among `choices`; anything else as given (an ambiguous mask is left to be refused)."""
    if "*" not in value or value in choices:
        return value
    found = [c for c in choices if mask_text(c) == value]
    return found[0] if len(found) == 1 else value


def _choices(ledger: UnitLedger) -> dict[str, Collection[str]]:
    """What each form field and filter offers from the ledger: the real values behind its masked options."""
    volunteers, teams = set(ledger.volunteers), set(ledger.names("team"))
    categories = {e.record.category for e in ledger.activities if e.record.category}
    return {"participants": volunteers, "lead": volunteers, "volunteer": volunteers, "team": teams, "teams": teams,
            "branch": set(ledger.names("branch")), "category": categories, "corrects": ledger.known_activity_ids}  # fmt: skip


def _correcting(ledger: UnitLedger, activity_id: str) -> dict[str, Any]:
    """The values the correction form showed for the activity it corrects (masked by the page); none for a new one."""
    found = next((e.record for e in ledger.activities if e.record.id == activity_id), None) if activity_id else None
    return _activity_values(found) if found is not None else {}


def _as_meant(values: dict[str, Any], ledger: UnitLedger, lang: str, corrected: dict[str, Any] | None = None) -> FormState:
    """A submitted form as the clerk meant it. The page showed numbers masked; a field that comes back as shown
    holds its real value again, as `vsledger correct` takes an unchanged field from the current entry: text from
    the entry being corrected (`corrected`, stretch by stretch), a choice from what the ledger offers. A number
    still masked (`137****7000`) with no real one behind it is refused beside its field: written, it would stand
    for good in place of the number."""
    corrected = corrected or {}
    choices = _choices(ledger)
    state = FormState()
    for name, value in values.items():
        offered, real = choices.get(name, ()), corrected.get(name)
        if isinstance(value, list):
            state.values[name] = [_real(v, offered) for v in value]
        else:
            state.values[name] = _real(unmask_unchanged(real, value) if isinstance(real, str) else value, offered)
        kept = " ".join(real) if isinstance(real, list) else str(real or "")
        for text in state.values[name] if isinstance(value, list) else [state.values[name]]:
            for number in masked_numbers(text):
                if number not in kept:
                    state.add(name if name in FIELD_NAMES else "", {"message": ui("web-masked-number", lang, value=number)})
    return state


def _file_response(write: Callable[[Path], None], filename: str, media_type: str) -> Response:
    """A generated file, written in a private temporary directory and sent; nothing from the workspace as is."""
    with tempfile.TemporaryDirectory(prefix="vsledger-web-") as directory:
        path = Path(directory) / filename
        write(path)
        body = path.read_bytes()
    return Response(body, media_type=media_type, headers={"content-disposition": f'attachment; filename="{filename}"'})
