"""Commands that read and judge: validate, hours, check, stars."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from vsledger.core.problems import Problem
    from vsledger.report.check import UnitCheck

from vsledger.cli.common import (
    By,
    Format,
    FormatOption,
    UnitOption,
    YearOption,
    _check_as_of,
    _load,
    _locate,
    _parse_date,
    _per_unit,
    _render_and_exit,
    _report_ledger_state,
    _select_groups,
    _select_units,
    _settings,
    _year,
    app,
)


@app.command()
def validate(
    ctx: typer.Context,
    format: FormatOption = Format.table,
    unit: UnitOption = None,
) -> None:
    """检查所有文件,一次列出全部问题 / check every file and list every problem."""
    from vsledger.render.views import problems_view

    settings = _settings(ctx)
    from vsledger.read.loader import locate_unit_problems

    units, _, problems = _per_unit(settings, unit, ("validate",), locate_unit_problems)
    from vsledger.write.personal_split import leaks_in_git

    problems = problems + leaks_in_git(settings.root)  # depends on git, not on the files alone: never cached
    if unit:
        prefixes = tuple(f"ledgers/{u}/" for u in units)
        problems = [p for p in problems if p.file.startswith(prefixes) or p.file.startswith("rules/")]
    _locate(problems, settings)
    _render_and_exit(format, problems_view(problems, settings.root, settings.lang), any(p.is_error for p in problems))


@app.command()
def hours(
    ctx: typer.Context,
    year: YearOption = None,
    unit: UnitOption = None,
    by: Annotated[By, typer.Option("--by", help="volunteer | team | month | category | unit")] = By.volunteer,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期 / up to this date (YYYY-MM-DD)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """服务时长合计 / total service hours."""
    from vsledger.render.views import hours_view
    from vsledger.report.hours import hours_report

    settings = _settings(ctx)
    year = _year(year, settings)
    cutoff = _parse_date(as_of, "--as-of") if as_of else None
    units, per_unit, problems = _per_unit(
        settings, unit, ("hours", year, cutoff, by.value), lambda ws, u: hours_report(ws, year, [u], by.value, cutoff)
    )
    rows = [row for u in units for row in per_unit[u]]
    _report_ledger_state(problems, settings)
    last_month = cutoff.month if cutoff is not None and cutoff.year == year else 12
    _render_and_exit(format, hours_view(rows, year, by.value, settings.lang, last_month), any(p.is_error for p in problems))


@app.command()
def check(
    ctx: typer.Context,
    year: YearOption = None,
    unit: UnitOption = None,
    group: Annotated[
        Optional[list[str]], typer.Option("--group", "-g", help="分组 id(groups.yaml),可多次给出 / group id, repeatable")
    ] = None,
    as_of: Annotated[
        Optional[str], typer.Option("--as-of", help="截至日期,默认今天;可晚于该年(报送按此日判定)/ as-of date, default today")
    ] = None,
    format: FormatOption = Format.table,
    chart: Annotated[bool, typer.Option("--chart/--no-chart", help="各单位每月、各队时长柱状图 / hours charts per unit")] = True,
) -> None:
    """对照方案检查各单位是否达标 / check every unit against its policy."""
    from vsledger.core.filekinds import GROUPS_FILE
    from vsledger.render.views import check_view
    from vsledger.report.check import CheckResult, governing_policy, run_check, run_group_check

    settings = _settings(ctx)
    year = _year(year, settings)
    cutoff = _check_as_of(year, as_of, settings)  # a past year gets its final verdicts, reports included
    units: list[str] = []
    problems: list[Problem] = []
    per_unit: dict[str, UnitCheck] = {}
    if unit or not group:
        units, per_unit, problems = _per_unit(
            settings, unit, ("check", year, cutoff), lambda ws, u: run_check(ws, year, cutoff, [u]).units[0]
        )
    groups: list[UnitCheck] = []
    if group or (not unit and (settings.root / GROUPS_FILE).is_file()):
        base = _load(settings, locate=False, only_units=[])  # groups.yaml, policies, the list of units: cheap
        group_ids = _select_groups(base, group, settings)
        judged = [g for g in group_ids if governing_policy(base, base.groups[g].group.policy_for(year), year) is not None]
        members = list(dict.fromkeys(u for g in judged for u in base.groups[g].units))
        workspace = _load(settings, locate=False, only_units=members) if members else base
        groups = run_group_check(workspace, year, cutoff, group_ids)
        # The groups' own problems (groups.yaml), and those of member units not already reported.
        problems += [
            p
            for p in workspace.problems
            if not units or p.file == "groups.yaml" or (p.file.startswith("ledgers/") and p.file.split("/")[1] not in units)
        ]
    result = CheckResult(year, cutoff, [per_unit[u] for u in units], groups)
    _report_ledger_state(problems, settings)
    _render_and_exit(format, check_view(result, settings.lang, chart), any(p.is_error for p in problems) or result.failed)


@app.command()
def stars(
    ctx: typer.Context,
    unit: UnitOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="YYYY-MM-DD (default: today)")] = None,
    format: FormatOption = Format.table,
) -> None:
    """累计服务时长与星级(默认 100/300/600/1000/1500 小时)/ cumulative hours and star level."""
    from vsledger.render.terminal import render_problems
    from vsledger.render.views import stars_view
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
    _render_and_exit(format, stars_view(rows, settings.lang), bool(workspace.errors or config_problems))
