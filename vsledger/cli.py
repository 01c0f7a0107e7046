"""The command line: parse options, call one library function, render its result.

Heavy modules are imported inside the commands so that `--help` starts fast.
Exit codes (SPEC §6): 0 fine; 1 invalid ledger or an error-level rule failed;
2 usage error (unknown option, unknown unit, unreadable workspace).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from .ledger import Workspace

app = typer.Typer(
    name="vsledger",
    help="志愿服务台账 · volunteer-service ledgers kept as YAML in git.",
    no_args_is_help=True,
    add_completion=False,
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
) -> None:
    from .messages import current_lang

    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("zh | en", param_hint="--lang")
    ctx.obj = Settings(root=root or Path.cwd(), lang=current_lang(lang), today=_parse_date(today, "--today") if today else date.today())


def _parse_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter("YYYY-MM-DD", param_hint=option) from None


def _usage_error(message: str) -> typer.Exit:
    typer.echo(f"vsledger: {message}", err=True)
    return typer.Exit(2)


def _load(settings: Settings) -> Workspace:
    from .loader import WorkspaceError, load_workspace
    from .messages import ui

    try:
        return load_workspace(settings.root, settings.today)
    except WorkspaceError:
        raise _usage_error(ui("bad-workspace", settings.lang, root=settings.root)) from None


def _select_units(workspace: Workspace, units: list[str] | None, settings: Settings) -> list[str]:
    from .messages import ui

    if not units:
        return sorted(workspace.units)
    for unit in units:
        if unit not in workspace.units:
            raise _usage_error(ui("unknown-unit", settings.lang, unit=unit, known=", ".join(sorted(workspace.units)) or "–"))
    return list(dict.fromkeys(units))


def _report_ledger_state(workspace: Workspace, settings: Settings) -> None:
    """Reading commands say on stderr when the ledger has problems; validate shows them."""
    from .messages import ui

    if workspace.errors:
        from .render import render_problems

        render_problems(workspace.errors, workspace.root, settings.lang, file=sys.stderr, excerpts=False)
        typer.echo(ui("ledger-invalid", settings.lang, errors=len(workspace.errors)), err=True)
    elif workspace.warnings:
        typer.echo(ui("ledger-warnings", settings.lang, warnings=len(workspace.warnings)), err=True)


UnitOption = Annotated[Optional[list[str]], typer.Option("--unit", "-u", help="单位 id,可多次给出 / unit id, repeatable")]
FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table | json | csv")]


@app.command()
def validate(
    ctx: typer.Context,
    format: FormatOption = Format.table,
    unit: UnitOption = None,
) -> None:
    """检查所有文件,一次列出全部问题 / check every file and list every problem."""
    from .render import problems_json, problems_table, render_csv, render_json, render_problems

    settings = _settings(ctx)
    workspace = _load(settings)
    problems = workspace.problems
    if unit:
        selected = _select_units(workspace, unit, settings)
        prefixes = tuple(f"ledgers/{u}/" for u in selected)
        problems = [p for p in problems if p.file.startswith(prefixes) or p.file.startswith("rules/")]
    if format is Format.json:
        render_json(problems_json(problems, settings.lang))
    elif format is Format.csv:
        render_csv([problems_table(problems, settings.lang)])
    else:
        render_problems(problems, workspace.root, settings.lang)
    raise typer.Exit(1 if any(p.is_error for p in problems) else 0)


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
    from .render import render_csv, render_json, render_terminal
    from .reports.hours import hours_flat_table, hours_json, hours_report, hours_tables

    settings = _settings(ctx)
    cutoff = _parse_date(as_of, "--as-of") if as_of else None
    workspace = _load(settings)
    units = _select_units(workspace, unit, settings)
    rows = hours_report(workspace, year, units, by.value, cutoff)
    _report_ledger_state(workspace, settings)
    if format is Format.json:
        render_json(hours_json(rows))
    elif format is Format.csv:
        render_csv([hours_flat_table(rows)])
    else:
        render_terminal(hours_tables(rows, year, by.value, settings.lang))
    raise typer.Exit(1 if workspace.errors else 0)


@app.command()
def check(
    ctx: typer.Context,
    year: Annotated[int, typer.Option("--year", "-y", help="年度 / year")],
    unit: UnitOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="统计截至日期,默认今天与 12 月 31 日中较早者 / as-of date")] = None,
    format: FormatOption = Format.table,
) -> None:
    """对照方案检查各单位是否达标 / check every unit against its policy."""
    from .messages import ui
    from .render import render_csv, render_json, render_terminal
    from .reports.check import check_flat_table, check_json, check_tables, default_as_of, run_check

    settings = _settings(ctx)
    if as_of:
        cutoff = _parse_date(as_of, "--as-of")
        if cutoff.year != year:
            raise _usage_error(ui("bad-year", settings.lang, as_of=cutoff.isoformat(), year=year))
    else:
        if year > settings.today.year:
            raise _usage_error(ui("year-not-started", settings.lang, year=year))
        cutoff = default_as_of(year, settings.today)
    workspace = _load(settings)
    units = _select_units(workspace, unit, settings)
    result = run_check(workspace, year, cutoff, units)
    _report_ledger_state(workspace, settings)
    if format is Format.json:
        render_json(check_json(result))
    elif format is Format.csv:
        render_csv([check_flat_table(result, settings.lang)])
    else:
        render_terminal(check_tables(result, settings.lang))
    raise typer.Exit(1 if workspace.errors or result.failed else 0)


def run() -> None:
    """Console-script entry point."""
    if os.environ.get("NO_COLOR") is not None:
        os.environ.setdefault("TERM", "dumb")
    app()
