"""The command line: parse options, call one library function, render its result.

Heavy modules are imported inside the commands so that `--help` starts fast.
Exit codes (SPEC §6): 0 fine; 1 invalid ledger or an error-level rule failed;
2 usage error (unknown option, unknown unit, unreadable workspace).
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from vsledger.core.ledger import Workspace
    from vsledger.core.problems import Problem

app = typer.Typer(
    name="vsledger",
    help="志愿服务台账 · volunteer-service ledgers kept as YAML in git.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


class By(StrEnum):
    volunteer = "volunteer"
    team = "team"
    month = "month"
    category = "category"
    unit = "unit"


@dataclass
class Settings:
    root: Path
    lang: str
    today: date
    use_cache: bool = True


def _complete_unit(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from vsledger.cli.completion import complete_unit

    return complete_unit(ctx, incomplete)


def _complete_volunteer(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from vsledger.cli.completion import complete_volunteer

    return complete_volunteer(ctx, incomplete)


def _complete_team(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    from vsledger.cli.completion import complete_team

    return complete_team(ctx, incomplete)


def _settings(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


@app.callback()
def main(
    ctx: typer.Context,
    root: Annotated[
        Optional[Path], typer.Option("--root", envvar="VSLEDGER_ROOT", help="工作区目录 / workspace directory (default: .)")
    ] = None,
    lang: Annotated[Optional[str], typer.Option("--lang", help="zh | en (default: VSLEDGER_LANG, LANG, zh)")] = None,
    today: Annotated[Optional[str], typer.Option("--today", hidden=True, envvar="VSLEDGER_TODAY")] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="不用缓存 / bypass the cache")] = False,
) -> None:
    from vsledger.render.messages import current_lang

    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("zh | en", param_hint="--lang")
    ctx.obj = Settings(
        root=root or Path.cwd(),
        lang=current_lang(lang),
        today=_parse_date(today, "--today") if today else date.today(),
        use_cache=not no_cache,
    )


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD", param_hint=option) from None


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"vsledger: {message}", err=True)
    return typer.Exit(2)


def _load(settings: Settings, locate: bool = True, only_units: list[str] | None = None) -> Workspace:
    from vsledger.check.pipeline import load_workspace
    from vsledger.read.loader import WorkspaceError
    from vsledger.render.messages import ui
    from vsledger.render.progress import for_terminal

    progress = for_terminal(settings.lang)
    try:
        return load_workspace(settings.root, settings.today, locate_problems=locate, only_units=only_units, progress=progress)
    except WorkspaceError:
        raise _usage_error(ui("bad-workspace", settings.lang, root=settings.root)) from None
    finally:
        progress.close()


def _select_units(workspace: Workspace, units: list[str] | None, settings: Settings) -> list[str]:
    from vsledger.render.messages import ui

    known = workspace.unit_ids
    if not units:
        return sorted(known)
    for unit in units:
        if unit not in known:
            raise _usage_error(ui("unknown-unit", settings.lang, unit=unit, known=", ".join(sorted(known)) or "–"))
    return list(dict.fromkeys(units))


def _report_ledger_state(problems: list[Problem], settings: Settings) -> None:
    """Reading commands say on stderr when the ledger has problems; validate shows them."""
    from vsledger.render.messages import ui

    errors = [p for p in problems if p.is_error]
    if errors:
        from vsledger.render.terminal import render_problems

        _locate(errors, settings)  # only what is shown needs a position
        render_problems(errors, settings.root, settings.lang, file=sys.stderr, excerpts=False)
        typer.echo(ui("ledger-invalid", settings.lang, errors=len(errors)), err=True)
    elif problems:
        typer.echo(ui("ledger-warnings", settings.lang, warnings=len(problems)), err=True)


def _locate(problems: list[Problem], settings: Settings) -> None:
    from vsledger.read.loader import Files, locate

    locate(Files(settings.root), problems)
    problems.sort(key=lambda p: p.sort_key())


def _per_unit(
    settings: Settings, units_wanted: list[str] | None, query: tuple[object, ...], compute: Callable[[Workspace, str], Any]
) -> tuple[list[str], dict[str, Any], list[Problem]]:
    """The units asked for, each one's result for `query`, and every problem: cached per unit."""
    from vsledger.report.cache import UnitCache, unit_results

    base = _load(settings, locate=False, only_units=[])  # policies and the list of units: cheap
    units = _select_units(base, units_wanted, settings)
    from vsledger.render.progress import for_terminal

    cache = UnitCache(settings.root, settings.today, enabled=settings.use_cache)
    progress = for_terminal(settings.lang)
    try:
        results, by_unit, _ = unit_results(cache, units, query, compute, progress=progress)
    finally:
        progress.close()
    problems = list(base.problems) + [p for unit in units for p in by_unit[unit]]
    return units, results, problems


UnitOption = Annotated[
    Optional[list[str]], typer.Option("--unit", "-u", autocompletion=_complete_unit, help="单位 id,可多次给出 / unit id, repeatable")
]
OneUnitOption = Annotated[str, typer.Option("--unit", "-u", autocompletion=_complete_unit, help="单位 id / unit id")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table | json | csv")]


@app.command()
def validate(
    ctx: typer.Context,
    format: FormatOption = Format.table,
    unit: UnitOption = None,
) -> None:
    """检查所有文件,一次列出全部问题 / check every file and list every problem."""
    from vsledger.render.terminal import problems_json, problems_table, render_csv, render_json, render_problems

    settings = _settings(ctx)
    units, _, problems = _per_unit(settings, unit, ("validate",), _locate_unit_problems)
    from vsledger.write.personal_split import leaks_in_git

    problems = problems + leaks_in_git(settings.root)  # depends on git, not on the files alone: never cached
    if unit:
        prefixes = tuple(f"ledgers/{u}/" for u in units)
        problems = [p for p in problems if p.file.startswith(prefixes) or p.file.startswith("rules/")]
    _locate(problems, settings)
    if format is Format.json:
        render_json(problems_json(problems, settings.lang))
    elif format is Format.csv:
        render_csv([problems_table(problems, settings.lang)])
    else:
        render_problems(problems, settings.root, settings.lang)
    raise typer.Exit(1 if any(p.is_error for p in problems) else 0)


def _locate_unit_problems(workspace: Workspace, unit: str) -> bool:
    """validate's "result" is its problems, located once and cached located."""
    from vsledger.read.loader import locate_workspace_problems

    locate_workspace_problems(workspace, [p for p in workspace.problems if p.file.startswith(f"ledgers/{unit}/")])
    return True


@app.command()
def hours(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", "-y", help="年度 / year")],
    unit: UnitOption = None,
    by: Annotated[By, typer.Option("--by", help="volunteer | team | month | category | unit")] = By.volunteer,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期 / up to this date (YYYY-MM-DD)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """服务时长合计 / total service hours."""
    from vsledger.render.terminal import render_csv, render_json, render_terminal
    from vsledger.render.views import hours_flat_table, hours_json, hours_tables
    from vsledger.report.hours import hours_report

    settings = _settings(ctx)
    cutoff = _parse_date(as_of, "--as-of") if as_of else None
    units, per_unit, problems = _per_unit(
        settings, unit, ("hours", year, cutoff, by.value), lambda ws, u: hours_report(ws, year, [u], by.value, cutoff)
    )
    rows = [row for u in units for row in per_unit[u]]
    _report_ledger_state(problems, settings)
    if format is Format.json:
        render_json(hours_json(rows))
    elif format is Format.csv:
        render_csv([hours_flat_table(rows)])
    else:
        last_month = cutoff.month if cutoff is not None and cutoff.year == year else 12
        render_terminal(hours_tables(rows, year, by.value, settings.lang, last_month))
    raise typer.Exit(1 if any(p.is_error for p in problems) else 0)


@app.command()
def check(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", "-y", help="年度 / year")],
    unit: UnitOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="统计截至日期,默认今天与 12 月 31 日中较早者 / as-of date")] = None,
    format: FormatOption = Format.table,
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="各单位每月、各队时长柱状图 / hours charts per unit")] = True,
) -> None:
    """对照方案检查各单位是否达标 / check every unit against its policy."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_csv, render_json, render_terminal
    from vsledger.render.views import check_flat_table, check_json, check_tables
    from vsledger.report.check import CheckResult, default_as_of, run_check

    settings = _settings(ctx)
    if as_of:
        cutoff = _parse_date(as_of, "--as-of")
        if cutoff.year != year:
            raise _usage_error(ui("bad-year", settings.lang, as_of=cutoff.isoformat(), year=year))
    else:
        if year > settings.today.year:
            raise _usage_error(ui("year-not-started", settings.lang, year=year))
        cutoff = default_as_of(year, settings.today)
    units, per_unit, problems = _per_unit(settings, unit, ("check", year, cutoff), lambda ws, u: run_check(ws, year, cutoff, [u]).units[0])
    result = CheckResult(year, cutoff, [per_unit[u] for u in units])
    _report_ledger_state(problems, settings)
    if format is Format.json:
        render_json(check_json(result))
    elif format is Format.csv:
        render_csv([check_flat_table(result, settings.lang)])
    else:
        render_terminal(check_tables(result, settings.lang, charts=chart))
    raise typer.Exit(1 if any(p.is_error for p in problems) or result.failed else 0)


def run() -> None:
    """Console-script entry point: a bug still ends in a sentence, not a traceback."""
    if os.environ.get("NO_COLOR") is not None:
        os.environ.setdefault("TERM", "dumb")
    # A command is a short-lived process that makes no cyclic garbage worth collecting; the
    # collector's passes over a large ledger's millions of objects would cost seconds.
    gc.disable()
    try:
        app(prog_name="vsledger")
    except Exception as exc:  # every expected failure is a Problem; this is a bug in vsledger
        if os.environ.get("VSLEDGER_DEBUG"):
            raise
        from vsledger.core.personal import mask_text

        typer.echo(f"vsledger: internal error ({type(exc).__name__}): {mask_text(str(exc))}", err=True)
        typer.echo("vsledger: nothing was written; VSLEDGER_DEBUG=1 shows the details for a bug report", err=True)
        sys.exit(1)


# --- writing commands ------------------------------------------------------------------


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _need(value: object, option: str, prompt_key: str, settings: Settings, default: str | None = None) -> str:
    """A required field: the flag's value, a prompt on a terminal, or a usage error."""
    from vsledger.render.messages import ui

    if value not in (None, "", []):
        return str(value)
    if not _interactive():
        raise _usage_error(ui("missing-option", settings.lang, option=option))
    return str(typer.prompt(ui(prompt_key, settings.lang), default=default))


def _split_people(answer: str) -> list[str]:
    """A prompt's answer as ids or names: spaces, commas and Chinese commas all separate."""
    return answer.replace(",", " ").replace(",", " ").split()


def _resolve_people(texts: list[str], workspace: Workspace, unit: str, settings: Settings) -> list[str]:
    """Participants by id or by name (a prompt lets a clerk type names)."""
    from vsledger.render.messages import ui

    ledger = workspace.units[unit]
    by_name: dict[str, list[str]] = {}
    for entry in ledger.volunteers.values():
        by_name.setdefault(entry.volunteer.name, []).append(entry.volunteer.id)
    resolved: list[str] = []
    for text in texts:
        key = text.split("=")[0].strip()
        if key in ledger.known_volunteer_ids or key not in by_name:
            resolved.append(text)
            continue
        ids = by_name[key]
        if len(ids) > 1:
            raise _usage_error(ui("ambiguous-name", settings.lang, name=key, ids=", ".join(ids)))
        resolved.append(ids[0] + text[len(text.split("=")[0]) :])
    return resolved


def _show_refusal(exc: Exception, root: Path, settings: Settings) -> typer.Exit:
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.transaction import WriteRefused

    assert isinstance(exc, WriteRefused)
    typer.echo(ui("refused", settings.lang), err=True)
    render_problems(exc.problems, root, settings.lang, file=sys.stderr, overrides=exc.overrides)
    return typer.Exit(1)


def _report_added(added: object, root: Path, settings: Settings) -> None:
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.add import Added

    assert isinstance(added, Added)
    typer.echo(ui("added", settings.lang, file=added.file, id=added.record_id))
    if added.result.warnings:
        render_problems(added.result.warnings, root, settings.lang, file=sys.stderr)
    if added.commit_error is not None:
        typer.echo(ui("commit-failed", settings.lang, error=added.commit_error), err=True)


def _confirm(block: str, file: str, yes: bool, settings: Settings) -> None:
    """On a terminal, show the record and ask before writing it."""
    from vsledger.render.messages import ui

    if yes or not _interactive():
        return
    typer.echo(ui("preview", settings.lang, file=file))
    typer.echo(block)
    if not typer.confirm(ui("confirm", settings.lang), default=True):
        typer.echo(ui("cancelled", settings.lang))
        raise typer.Exit(1)


def _load_single_unit(unit: str, settings: Settings) -> tuple[Workspace, str]:
    """A writing command touches one unit: load that one (and the policies), not the whole workspace."""
    from vsledger.core.model import UNIT_ID_RE

    if not UNIT_ID_RE.match(unit):
        raise _usage_error(f"--unit {unit!r}")
    workspace = _load(settings, only_units=[unit])
    return workspace, _select_units(workspace, [unit], settings)[0]


def _optional_date(text: str | None, option: str) -> date | None:
    return _parse_date(text, option) if text else None


@app.command("add-activity")
def add_activity_command(
    ctx: typer.Context,
    unit: OneUnitOption,
    date_: Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="活动名称 / title")] = None,
    location: Annotated[Optional[str], typer.Option("--location", help="地点 / where")] = None,
    hours: Annotated[Optional[str], typer.Option("--hours", help="每人时长 / hours per person")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="HH:MM")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="HH:MM")] = None,
    participant: Annotated[
        Optional[list[str]], typer.Option("--participant", "-p", autocompletion=_complete_volunteer, help="V0001 or V0001=2.5")
    ] = None,
    team: Annotated[Optional[str], typer.Option("--team", autocompletion=_complete_team, help="服务队 id / team id")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="类别,如 义诊 / category")] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="标签,可多次给出 / tag, repeatable")] = None,
    external: Annotated[Optional[int], typer.Option("--external", min=0, help="花名册外参与人次 / participants not on the roster")] = None,
    served: Annotated[Optional[int], typer.Option("--served", min=0, help="服务人次 / people served")] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="服务对象 / whom it served")] = None,
    lead: Annotated[Optional[str], typer.Option("--lead", autocompletion=_complete_volunteer, help="负责人编号 / who led it")] = None,
    recorded_by: Annotated[Optional[str], typer.Option("--recorded-by", help="记录人 / recorded by")] = None,
    content: Annotated[Optional[str], typer.Option("--content", help="活动内容 / what happened")] = None,
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="活动成效 / what came of it")] = None,
    attachment: Annotated[
        Optional[list[str]], typer.Option("--attachment", help="照片等附件路径,可多次给出 / attachment path, repeatable")
    ] = None,
    corrects: Annotated[Optional[str], typer.Option("--corrects", help="被更正的活动编号 / id of the activity this corrects")] = None,
    request: Annotated[Optional[str], typer.Option("--request", help="所服务的群众需求编号 / the request it serves")] = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="活动编号,默认自动生成 / activity id (default: generated)")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="git add + git commit")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不确认,直接写入 / write without asking")] = False,
) -> None:
    """记录一次活动(追加到当月文件)/ append one activity to its month file."""
    from vsledger.render.messages import ui
    from vsledger.write.add import activity_record, add_activity, parse_participant
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    day = _parse_date(_need(date_, "--date", "prompt-date", settings, settings.today.isoformat()), "--date")
    title = _need(title, "--title", "prompt-title", settings)
    location = _need(location, "--location", "prompt-location", settings)
    if hours is None and not (start and end):
        hours = _need(None, "--hours", "prompt-hours", settings)
    people = list(participant or [])
    if not people and corrects is None:
        if _interactive():
            roster = workspace.units[unit]
            choices = "  ".join(f"{e.volunteer.id} {e.volunteer.name}" for e in roster.volunteers.values() if e.volunteer.on_roster(day))
            typer.echo(ui("roster-choices", settings.lang) + " " + choices)
        people = _split_people(_need(None, "--participant", "prompt-participants", settings))
    people = _resolve_people(people, workspace, unit, settings)
    fields = {
        "id": id_, "date": day, "title": title, "team": team, "category": category, "tags": tag or [],
        "location": location, "target": target, "served": served, "start": start, "end": end, "hours": hours,
        "participants": [parse_participant(p) for p in people], "external": external, "lead": lead,
        "recorded_by": recorded_by, "content": content, "outcome": outcome, "attachments": attachment or [],
        "corrects": corrects, "request": request,
    }  # fmt: skip
    record = activity_record(fields, workspace, unit)
    record.setdefault("participants", [])
    from vsledger.write.layout import record_text

    _confirm(record_text("activities", record), f"ledgers/{unit}/activities/{day:%Y-%m}.yaml", yes, settings)
    try:
        added = add_activity(settings.root, unit, record, settings.today, commit=commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    _report_added(added, settings.root, settings)


@app.command("add-volunteer")
def add_volunteer_command(
    ctx: typer.Context,
    unit: OneUnitOption,
    name: Annotated[Optional[str], typer.Option("--name", help="姓名 / name")] = None,
    employment: Annotated[
        Optional[str], typer.Option("--employment", help="staff | contract | retired | resident | student | other")
    ] = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="default: the next V#### number")] = None,
    gender: Annotated[Optional[str], typer.Option("--gender", help="性别 / gender")] = None,
    id_number: Annotated[Optional[str], typer.Option("--id-number", help="身份证号,写入 personal.yaml / kept in personal.yaml")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="写入 personal.yaml / kept in personal.yaml")] = None,
    party_member: Annotated[bool, typer.Option("--party-member/--not-party-member", help="是否党员 / party member or not")] = False,
    branch: Annotated[Optional[str], typer.Option("--branch", help="党支部 id / branch id")] = None,
    team: Annotated[
        Optional[list[str]], typer.Option("--team", autocompletion=_complete_team, help="服务队 id,可多次给出 / team id, repeatable")
    ] = None,
    joined: Annotated[Optional[str], typer.Option("--joined", help="加入日期 / joined (YYYY-MM-DD)")] = None,
    left: Annotated[Optional[str], typer.Option("--left", help="离开日期 / left (YYYY-MM-DD)")] = None,
    registered_on: Annotated[
        Optional[str], typer.Option("--registered-on", help="平台注册日期 / registered on the platform (YYYY-MM-DD)")
    ] = None,
    registration_no: Annotated[Optional[str], typer.Option("--registration-no", help="平台志愿者编号 / the platform's number")] = None,
    platform: Annotated[Optional[str], typer.Option("--platform", help="注册平台 / which platform")] = None,
    checked_in_on: Annotated[
        Optional[str], typer.Option("--checked-in-on", help="到社区报到日期 / checked in with the community (YYYY-MM-DD)")
    ] = None,
    community: Annotated[Optional[str], typer.Option("--community", help="报到社区 / community")] = None,
    skill: Annotated[Optional[list[str]], typer.Option("--skill", help="技能,可多次给出 / skill, repeatable")] = None,
    prior_hours: Annotated[Optional[str], typer.Option("--prior-hours", help="以往服务时长 / hours served before this ledger")] = None,
    commit: Annotated[bool, typer.Option("--commit", help="git add + git commit (roster.yaml only)")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="不确认,直接写入 / write without asking")] = False,
) -> None:
    """登记一名志愿者 / add one volunteer to the roster."""
    from vsledger.core.filekinds import PERSONAL_FIELDS
    from vsledger.write.add import add_volunteer
    from vsledger.write.layout import record_text
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    record = {
        "id": id_,
        "name": _need(name, "--name", "prompt-name", settings),
        "gender": gender,
        "id_number": id_number,
        "phone": phone,
        "party_member": party_member or None,
        "employment": _need(employment, "--employment", "prompt-employment", settings, "staff"),
        "branch": branch,
        "teams": team or [],
        "joined": _optional_date(joined, "--joined"),
        "left": _optional_date(left, "--left"),
        "registered_on": _optional_date(registered_on, "--registered-on"),
        "registration_no": registration_no,
        "platform": platform,
        "checked_in_on": _optional_date(checked_in_on, "--checked-in-on"),
        "community": community,
        "skills": skill or [],
        "prior_hours": prior_hours,
    }
    shown = {k: v for k, v in record.items() if k not in PERSONAL_FIELDS}
    _confirm(
        record_text("roster", {k: v for k, v in shown.items() if v not in (None, [], "")}), f"ledgers/{unit}/roster.yaml", yes, settings
    )
    try:
        added = add_volunteer(settings.root, unit, record, workspace, settings.today, commit=commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    _report_added(added, settings.root, settings)


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[Optional[Path], typer.Argument(help="新工作区目录 / where (default: .)")] = None,
) -> None:
    """新建工作区:方案、示例单位、.gitattributes、git init / a new workspace."""
    from vsledger.render.messages import ui
    from vsledger.write.init import WorkspaceExists, init_workspace

    settings = _settings(ctx)
    root = directory or settings.root
    try:
        init_workspace(root, settings.today, settings.lang)
    except WorkspaceExists:
        typer.echo(ui("init-not-empty", settings.lang, root=root), err=True)
        raise typer.Exit(1) from None
    typer.echo(ui("init-done", settings.lang, root=root))


@app.command()
def schema(
    ctx: typer.Context,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="写到哪个目录(默认 工作区/schemas)/ where to write")] = None,
) -> None:
    """写出编辑器用的 JSON Schema,在 VS Code 里边输入边检查 / JSON Schemas for editors."""
    from vsledger.core.filekinds import SCHEMA_DIR
    from vsledger.core.filekinds import SCHEMA_NAMES as FILE_SCHEMAS
    from vsledger.render.messages import ui
    from vsledger.render.schema import write_schemas

    settings = _settings(ctx)
    directory = out if out is not None else settings.root / SCHEMA_DIR
    if directory.exists() and not directory.is_dir():
        raise _usage_error(ui("not-a-directory", settings.lang, path=directory))
    changed = write_schemas(directory, settings.lang)

    def shown(path: Path) -> str:  # as the user would type it: relative to where they are
        return os.path.relpath(path) if path.is_absolute() and path.resolve().is_relative_to(Path.cwd()) else str(path)

    for path in changed:
        typer.echo(ui("schema-written", settings.lang, path=shown(path)))
    if not changed:
        typer.echo(ui("schema-current", settings.lang, path=shown(directory), count=len(FILE_SCHEMAS)))
    typer.echo(ui("schema-hint", settings.lang))


@app.command()
def fmt(
    ctx: typer.Context,
    check_only: Annotated[bool, typer.Option("--check", help="只检查,需要整理时退出码为 1 / exit 1 when a file would change")] = False,
) -> None:
    """整理为标准格式,不丢注释和记录 / rewrite ledger files in the canonical layout."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.fmt import format_workspace

    settings = _settings(ctx)
    _load(settings)  # a readable workspace, or exit 2
    result = format_workspace(settings.root, check=check_only)
    for rel in result.changed:
        typer.echo(ui("fmt-would-change" if check_only else "fmt-changed", settings.lang, file=rel))
    if result.skipped:
        render_problems(result.skipped, settings.root, settings.lang, file=sys.stderr, excerpts=False)
    if not result.changed and not result.skipped:
        typer.echo(ui("fmt-clean", settings.lang))
    raise typer.Exit(1 if check_only and result.changed else 0)


personal_app = typer.Typer(help="身份证号和手机号 / personal numbers", no_args_is_help=True)
app.add_typer(personal_app, name="personal")


@personal_app.command("split")
def personal_split(
    ctx: typer.Context,
    unit: UnitOption = None,
) -> None:
    """把 roster.yaml 中的身份证号、手机号移到 personal.yaml / move personal numbers out of roster.yaml."""
    from vsledger.render.messages import ui
    from vsledger.write.personal_split import split_unit
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    units = _select_units(_load(settings, locate=False, only_units=[]), unit, settings)
    moved_any = False
    for name in units:
        try:
            result = split_unit(settings.root, name, settings.today)
        except WriteRefused as exc:
            raise _show_refusal(exc, settings.root, settings) from None
        if result.moved:
            moved_any = True
            typer.echo(ui("split-moved", settings.lang, unit=name, count=len(result.moved)))
        if result.kept:
            typer.echo(ui("split-kept", settings.lang, unit=name, ids=", ".join(result.kept)), err=True)
        if not result.moved and not result.kept:
            typer.echo(ui("split-nothing", settings.lang, unit=name))
        if result.ignored_added:
            typer.echo(ui("split-gitignore", settings.lang))
    if moved_any:
        typer.echo(ui("split-history", settings.lang))


request_app = typer.Typer(help="群众需求:点单、派单、接单、结单 / community requests and small wishes", no_args_is_help=True)
app.add_typer(request_app, name="request")


class RequestKindOption(StrEnum):
    project = "project"
    wish = "wish"


RequestArgument = Annotated[str, typer.Argument(help="需求编号 / request id")]
StepDateOption = Annotated[Optional[str], typer.Option("--date", help="YYYY-MM-DD (default: today)")]
CommitOption = Annotated[bool, typer.Option("--commit", help="git add + git commit")]


def _record_step(settings: Settings, workspace: Workspace, unit: str, record: dict[str, Any], commit: bool) -> None:
    from vsledger.render.messages import ui
    from vsledger.write.add import add_request_step
    from vsledger.write.transaction import WriteRefused

    try:
        added = add_request_step(settings.root, unit, record, workspace, settings.today, commit=commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    step = ui(f"step-{record['step']}", settings.lang)
    typer.echo(ui("request-recorded", settings.lang, step=step, id=added.record_id, file=added.file))
    if added.result.warnings:
        from vsledger.render.terminal import render_problems

        render_problems(added.result.warnings, settings.root, settings.lang, file=sys.stderr)
    if added.commit_error is not None:
        typer.echo(ui("commit-failed", settings.lang, error=added.commit_error), err=True)


def _step_date(text: str | None, settings: Settings) -> date:
    return _parse_date(text, "--date") if text else settings.today


@request_app.command("add")
def request_add(
    ctx: typer.Context,
    unit: OneUnitOption,
    from_: Annotated[Optional[str], typer.Option("--from", help="提出需求的社区或居民 / who asks")] = None,
    ask: Annotated[Optional[str], typer.Option("--ask", help="需求内容 / what is asked")] = None,
    kind: Annotated[Optional[RequestKindOption], typer.Option("--kind", help="project(服务项目)| wish(微心愿)")] = None,
    date_: StepDateOption = None,
    id_: Annotated[Optional[str], typer.Option("--id", help="default: R + date + random")] = None,
    commit: CommitOption = False,
) -> None:
    """点单:登记一项群众需求或微心愿 / record a request received."""
    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    record = {
        "request": id_, "step": "received", "date": _step_date(date_, settings),
        "from": _need(from_, "--from", "prompt-request-from", settings),
        "ask": _need(ask, "--ask", "prompt-request-ask", settings),
        "kind": kind.value if kind else _need(None, "--kind", "prompt-request-kind", settings, "wish"),
    }  # fmt: skip
    _record_step(settings, workspace, unit, record, commit)


@request_app.command("assign")
def request_assign(
    ctx: typer.Context,
    request: RequestArgument,
    unit: OneUnitOption,
    team: Annotated[Optional[str], typer.Option("--team", autocompletion=_complete_team, help="服务队 id / team id")] = None,
    date_: StepDateOption = None,
    commit: CommitOption = False,
) -> None:
    """派单:把需求派给一个服务队 / assign a request to a team."""
    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    record = {
        "request": request,
        "step": "assigned",
        "date": _step_date(date_, settings),
        "team": _need(team, "--team", "prompt-team", settings),
    }
    _record_step(settings, workspace, unit, record, commit)


@request_app.command("claim")
def request_claim(
    ctx: typer.Context,
    request: RequestArgument,
    unit: OneUnitOption,
    volunteer: Annotated[
        Optional[list[str]],
        typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="编号或姓名,可多次给出 / id or name, repeatable"),
    ] = None,
    date_: StepDateOption = None,
    commit: CommitOption = False,
) -> None:
    """接单:志愿者(党员)认领需求 / volunteers claim a request."""
    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    people = list(volunteer or []) or _split_people(_need(None, "--volunteer", "prompt-claimants", settings))
    people = _resolve_people(people, workspace, unit, settings)
    record = {"request": request, "step": "claimed", "date": _step_date(date_, settings), "volunteers": people}
    _record_step(settings, workspace, unit, record, commit)


@request_app.command("close")
def request_close(
    ctx: typer.Context,
    request: RequestArgument,
    unit: OneUnitOption,
    reason: Annotated[Optional[str], typer.Option("--reason", help="结单理由 / why it is closed")] = None,
    date_: StepDateOption = None,
    commit: CommitOption = False,
) -> None:
    """结单:说明理由后关闭需求 / close a request, with the reason."""
    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    record = {
        "request": request,
        "step": "closed",
        "date": _step_date(date_, settings),
        "reason": _need(reason, "--reason", "prompt-reason", settings),
    }
    _record_step(settings, workspace, unit, record, commit)


@request_app.command("list")
def request_list(
    ctx: typer.Context,
    unit: UnitOption = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出已回应的 / answered ones too")] = False,
    team: Annotated[Optional[str], typer.Option("--team", autocompletion=_complete_team, help="只看派给该队的 / only this team's")] = None,
    volunteer: Annotated[
        Optional[str], typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="只看该志愿者接的 / only this claimant's")
    ] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD (default: today)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """未回应的群众需求,按等待天数排列 / open requests, longest waiting first."""
    from vsledger.render.terminal import render_csv, render_json, render_terminal
    from vsledger.render.views import requests_flat_table, requests_json, requests_table
    from vsledger.report.requests import requests_report

    settings = _settings(ctx)
    cutoff = _parse_date(as_of, "--as-of") if as_of else settings.today
    workspace = _load(settings, locate=False, only_units=unit)
    units = _select_units(workspace, unit, settings)
    rows = requests_report(workspace, units, cutoff, all_, team, volunteer)
    _report_ledger_state(workspace.problems, settings)
    if format is Format.json:
        render_json(requests_json(rows))
    elif format is Format.csv:
        render_csv([requests_flat_table(rows)])
    else:
        render_terminal([requests_table(rows, cutoff, settings.lang)])
    raise typer.Exit(1 if workspace.errors else 0)


@app.command()
def redeem(
    ctx: typer.Context,
    unit: OneUnitOption,
    volunteer: Annotated[
        Optional[str], typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="编号或姓名 / id or name")
    ] = None,
    hours: Annotated[Optional[str], typer.Option("--hours", help="兑换小时数 / hours to spend")] = None,
    what: Annotated[Optional[str], typer.Option("--what", help="兑换了什么 / what they were exchanged for")] = None,
    date_: StepDateOption = None,
    commit: CommitOption = False,
) -> None:
    """时间银行:兑换服务时长,余额不足时拒绝 / spend time-bank hours; refused beyond the balance."""
    from decimal import Decimal, InvalidOperation

    from vsledger.check.timebank import time_bank
    from vsledger.render.messages import ui
    from vsledger.write.add import add_redemption
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    who = _resolve_people([_need(volunteer, "--volunteer", "prompt-volunteer", settings)], workspace, unit, settings)[0]
    amount_text = _need(hours, "--hours", "prompt-redeem-hours", settings)
    try:
        amount: Decimal | str = Decimal(amount_text)
    except InvalidOperation:
        amount = amount_text  # the model reports it, located
    day = _step_date(date_, settings)
    record = {"volunteer": who, "date": day, "hours": amount, "what": _need(what, "--what", "prompt-redeem-what", settings)}
    try:
        added = add_redemption(settings.root, unit, record, settings.today, commit=commit)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    after = _load(settings, only_units=[unit])
    balance = time_bank(after.units[unit], settings.today).get(who)
    typer.echo(ui("redeemed", settings.lang, id=who, hours=amount, balance=balance.balance if balance else 0))
    if added.commit_error is not None:
        typer.echo(ui("commit-failed", settings.lang, error=added.commit_error), err=True)


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    parquet = "parquet"


@app.command()
def export(
    ctx: typer.Context,
    unit: OneUnitOption,
    year: Annotated[int, typer.Option("--year", "-y", help="年度 / year")],
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="xlsx | csv | json | parquet")] = ExportFormat.xlsx,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件(csv 为目录)/ where to write")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD")] = None,
    unmask: Annotated[bool, typer.Option("--unmask", help="导出完整的身份证号和手机号 / full ID and phone numbers")] = False,
) -> None:
    """导出单位台账:花名册、活动台账、参与明细、时长统计、达标情况 / export the unit's ledger."""
    from vsledger.render.export import EXPORT_SUFFIXES, build_export, export_json, write_csv, write_xlsx
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_json
    from vsledger.report.check import default_as_of

    settings = _settings(ctx)
    if format is ExportFormat.parquet:
        raise typer.Exit(_export_parquet(settings, unit, year, out, as_of))
    workspace, unit = _load_single_unit(unit, settings)
    cutoff = _parse_date(as_of, "--as-of") if as_of else default_as_of(year, settings.today)
    target = out if out is not None else Path(f"{unit}-{year}{EXPORT_SUFFIXES[format.value]}")
    if (format is not ExportFormat.json or out is not None) and _refuse_out(settings, target, format.value):
        raise typer.Exit(2)
    _report_ledger_state(workspace.problems, settings)
    sheets = build_export(workspace, unit, year, cutoff, settings.lang, unmask=unmask)
    if format is ExportFormat.xlsx:
        from vsledger.render.progress import for_terminal

        write_xlsx(sheets, target, settings.lang, progress=for_terminal(settings.lang))
    elif format is ExportFormat.csv:
        write_csv(sheets, target, settings.lang)
    elif out is None:
        data = export_json(sheets, unit, year)
        if unmask:  # the numbers were asked for: no masking pass over the output
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            render_json(data)
        raise typer.Exit(1 if workspace.errors else 0)
    else:
        from vsledger.write.transaction import atomic_write

        atomic_write(target, (json.dumps(export_json(sheets, unit, year), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    typer.echo(ui("exported", settings.lang, path=target))
    raise typer.Exit(1 if workspace.errors else 0)


@app.command()
def stars(
    ctx: typer.Context,
    unit: UnitOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD (default: today)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """累计服务时长与星级(默认 100/300/600/1000/1500 小时)/ cumulative hours and star level."""
    from vsledger.render.terminal import render_csv, render_json, render_problems, render_terminal
    from vsledger.render.views import stars_json, stars_table
    from vsledger.report.stars import star_thresholds, stars_report

    settings = _settings(ctx)
    cutoff = _parse_date(as_of, "--as-of") if as_of else settings.today
    workspace = _load(settings, locate=False)
    units = _select_units(workspace, unit, settings)
    config_problems: list[Problem] = []
    thresholds = star_thresholds(settings.root, config_problems)
    if config_problems:
        _locate(config_problems, settings)
        render_problems(config_problems, settings.root, settings.lang, file=sys.stderr)
    rows = stars_report(workspace, units, cutoff, thresholds)
    _report_ledger_state(workspace.problems, settings)
    if format is Format.json:
        render_json(stars_json(rows))
    elif format is Format.csv:
        render_csv([stars_table(rows, settings.lang)])
    else:
        render_terminal([stars_table(rows, settings.lang)])
    raise typer.Exit(1 if workspace.errors or config_problems else 0)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="花名册表格 .xlsx 或 .csv / the roster spreadsheet", exists=True, dir_okay=False)],
    unit: OneUnitOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只预览,不写入 / preview only")] = False,
) -> None:
    """从表格导入志愿者(中文表头)/ add volunteers from a spreadsheet."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems, render_terminal
    from vsledger.write.add import next_volunteer_id
    from vsledger.write.importing import import_volunteers, parse_rows, preview_table
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    start = int(next_volunteer_id(workspace, unit)[1:])
    result = parse_rows(file, workspace, unit, start)
    if result.problems:
        render_problems(result.problems, settings.root, settings.lang, file=sys.stderr, excerpts=False)
        typer.echo(ui("import-refused", settings.lang), err=True)
        raise typer.Exit(1)
    render_terminal([preview_table(result, settings.lang)])
    if dry_run:
        return
    try:
        import_volunteers(settings.root, unit, result.records, settings.today)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    typer.echo(ui("import-done", settings.lang, count=len(result.records)))


class ReportKindOption(StrEnum):
    monthly = "monthly"
    half_year = "half-year"


class ReportFormat(StrEnum):
    md = "md"
    xlsx = "xlsx"


@app.command()
def report(
    ctx: typer.Context,
    kind: Annotated[ReportKindOption, typer.Argument(help="monthly(月报)| half-year(半年小结)")],
    unit: OneUnitOption,
    period: Annotated[str, typer.Option("--period", "-p", help="2022-05 | 2022-H1")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md | xlsx")] = ReportFormat.md,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件 / where to write")] = None,
    submitted_on: Annotated[Optional[str], typer.Option("--submitted-on", help="记录报送日期 / record the hand-in (YYYY-MM-DD)")] = None,
) -> None:
    """月报和半年小结;--submitted-on 记入 reports.yaml / the monthly report or half-year summary."""
    from vsledger.core.files import atomic_write
    from vsledger.render.export import write_xlsx
    from vsledger.render.messages import ui
    from vsledger.render.period import render_markdown, report_sheets
    from vsledger.report.period import period_report
    from vsledger.write.layout import record_text
    from vsledger.write.transaction import Change, WriteRefused, append_line, apply_changes

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    result = period_report(workspace, unit, kind.value, period, settings.today)  # type: ignore[arg-type]
    if result is None:
        raise _usage_error(ui("bad-period", settings.lang, period=period))
    target = out if out is not None else (Path(f"{unit}-{period}.xlsx") if format is ReportFormat.xlsx else None)
    if target is not None:
        fmt = "xlsx" if format is ReportFormat.xlsx else "md"
        if _refuse_out(settings, target, fmt):
            raise typer.Exit(2)
    _report_ledger_state(workspace.problems, settings)
    if format is ReportFormat.xlsx:
        assert target is not None
        write_xlsx(report_sheets(result, settings.lang), target, settings.lang)
        typer.echo(ui("exported", settings.lang, path=target))
    elif target is not None:
        atomic_write(target, render_markdown(result, settings.lang).encode("utf-8"))
        typer.echo(ui("exported", settings.lang, path=target))
    else:
        typer.echo(render_markdown(result, settings.lang), nl=False)
    if submitted_on:
        day = _parse_date(submitted_on, "--submitted-on")
        record = {"kind": kind.value, "period": period, "submitted_on": day, "file": str(target) if target is not None else None}
        line = record_text("reports", record)
        rel = f"ledgers/{unit}/reports.yaml"
        try:
            apply_changes(settings.root, unit, [Change(rel, lambda old: append_line(old, line))], settings.today)
        except WriteRefused as exc:
            raise _show_refusal(exc, settings.root, settings) from None
        typer.echo(ui("report-recorded", settings.lang, file=rel, date=day.isoformat()))


@app.command()
def certificate(
    ctx: typer.Context,
    unit: OneUnitOption,
    volunteer: Annotated[str, typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="志愿者编号 / volunteer id")],
    from_: Annotated[Optional[str], typer.Option("--from", help="YYYY-MM-DD (default: everything)")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="YYYY-MM-DD (default: today)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="PDF 文件 / the PDF to write")] = None,
    signer: Annotated[str, typer.Option("--signer", help="负责人 / person in charge")] = "",
    handler: Annotated[str, typer.Option("--handler", help="经办人 / handler")] = "",
    contact: Annotated[str, typer.Option("--contact", help="联系方式 / contact")] = "",
    unmask: Annotated[bool, typer.Option("--unmask", help="证明上印完整身份证号 / print the full ID card number")] = False,
) -> None:
    """出具志愿服务记录证明(PDF,编号登记)/ issue a numbered service certificate."""
    from vsledger.render.messages import ui
    from vsledger.write.certificate import build_certificate, register, write_pdf
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    start = _parse_date(from_, "--from") if from_ else date(1900, 1, 1)
    end = _parse_date(to, "--to") if to else settings.today
    result = build_certificate(workspace, unit, volunteer, start, end, settings.today, signer, handler, contact, unmask)
    if result is None:
        raise _usage_error(ui("unknown-volunteer-option", settings.lang, unit=unit, id=volunteer))
    if from_ is None and result.activities:
        result.start = result.activities[0][0].date
    target = out if out is not None else Path(f"{result.number}.pdf")
    if _refuse_out(settings, target, "pdf"):
        raise typer.Exit(2)
    if result.id_number is None:
        typer.echo(ui("no-id-number", settings.lang, id=volunteer), err=True)
    write_pdf(result, target)
    try:
        register(settings.root, unit, result, settings.today)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    typer.echo(ui("certificate-issued", settings.lang, number=result.number, path=target))


def _refuse_out(settings: Settings, target: Path, fmt: str) -> bool:
    """Say so and return True when an export must not be written at `target`."""
    from vsledger.core.problems import Problem
    from vsledger.render.export import check_out_path
    from vsledger.render.terminal import render_problems

    code = check_out_path(settings.root, target, fmt)
    if code is not None:
        refusal = [Problem(str(target), code, {}, line=1, column=1)]
        render_problems(refusal, settings.root, settings.lang, file=sys.stderr, excerpts=False)
    return code is not None


def _export_parquet(settings: Settings, unit: str, year: int, out: Path | None, as_of: str | None) -> int:
    """Partitions of one unit's year in a Parquet dataset; exit code."""
    from vsledger.render import parquet
    from vsledger.render.messages import ui
    from vsledger.report.check import default_as_of

    if not parquet.available():
        typer.echo(ui("parquet-missing", settings.lang), err=True)
        return 2
    target = out if out is not None else Path("vsledger-parquet")
    if _refuse_out(settings, target, "parquet"):
        return 2
    workspace, unit = _load_single_unit(unit, settings)
    cutoff = _parse_date(as_of, "--as-of") if as_of else default_as_of(year, settings.today)
    _report_ledger_state(workspace.problems, settings)
    activities, participations = parquet.write_parquet(workspace, unit, year, cutoff, target)
    typer.echo(ui("parquet-written", settings.lang, path=target, activities=activities, participations=participations))
    return 1 if workspace.errors else 0
