"""The command line: parse options, call one library function, render its result.

Heavy modules are imported inside the commands so that `--help` starts fast.
Exit codes (docs/format.md §14): 0 fine; 1 invalid ledger or an error-level rule failed;
2 usage error (unknown option, unknown unit, unreadable workspace).
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import sys
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

import typer

from vsledger.cli.usage import LocalizedGroup

if TYPE_CHECKING:
    from vsledger.core.ledger import Workspace
    from vsledger.core.problems import Problem
    from vsledger.render.views import View


app = typer.Typer(
    cls=LocalizedGroup,
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


class RecordFormat(StrEnum):
    """The output of a command that reports a record or a list per unit, not a table: no csv."""

    table = "table"
    json = "json"


RecordFormatOption = Annotated[RecordFormat, typer.Option("--format", "-f", help="table | json")]


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
    scheduler: str | None = None


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
    scheduler: Annotated[
        Optional[str],
        typer.Option(
            "--scheduler", envvar="VSLEDGER_SCHEDULER", help="Dask 集群调度器地址,各单位在集群上计算 / Dask scheduler (tcp://host:port)"
        ),
    ] = None,
) -> None:
    from vsledger.render.messages import current_lang

    if lang is not None and lang not in ("zh", "en"):
        raise typer.BadParameter("zh | en", param_hint="--lang")
    ctx.obj = Settings(
        root=root or Path.cwd(),
        lang=current_lang(lang),
        today=_parse_date(today, "--today") if today else date.today(),
        use_cache=not no_cache,
        scheduler=scheduler or None,
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
    from vsledger.check.executor import SchedulerUnavailable, executor_for
    from vsledger.render.messages import ui
    from vsledger.render.progress import for_terminal

    cache = UnitCache(settings.root, settings.today, enabled=settings.use_cache)
    progress = for_terminal(settings.lang)
    try:
        executor = executor_for(settings.scheduler, len(units))
        results, by_unit = unit_results(cache, units, query, compute, progress=progress, executor=executor)
    except SchedulerUnavailable as exc:
        raise _usage_error(ui("scheduler-unavailable", settings.lang, address=settings.scheduler, detail=str(exc))) from None
    finally:
        progress.close()
    problems = list(base.problems) + [p for unit in units for p in by_unit[unit]]
    return units, results, problems


UnitOption = Annotated[
    Optional[list[str]], typer.Option("--unit", "-u", autocompletion=_complete_unit, help="单位 id,可多次给出 / unit id, repeatable")
]


OneUnitOption = Annotated[str, typer.Option("--unit", "-u", autocompletion=_complete_unit, help="单位 id / unit id")]


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="table | json | csv")]


YearOption = Annotated[Optional[int], typer.Option("--year", "-y", min=1900, max=9999, help="年度,默认今年 / year (default: this year)")]


def _render_and_exit(format: Format, view: View, failed: bool) -> NoReturn:
    """A reading command's result in the format asked for (JSON, one CSV table, or shown on the terminal),
    then its exit code: 1 when `failed` (errors in the ledger, a missed target), else 0."""
    from vsledger.render.terminal import render_csv, render_json

    if format is Format.json:
        render_json(view.json())
    elif format is Format.csv:
        render_csv([view.csv()])
    else:
        view.show()
    raise typer.Exit(1 if failed else 0)


def _year(year: int | None, settings: Settings) -> int:
    """`--year`, or this year: a clerk checks the year they are in."""
    return year if year is not None else settings.today.year


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
    """A prompt's answer as ids or names: spaces, commas (full-width too) and 、 all separate."""
    from vsledger.core.typed import split_list

    return split_list(answer)


def _resolve_people(texts: list[str], workspace: Workspace, unit: str, settings: Settings) -> list[str]:
    """Participants by id or by name (a prompt lets a clerk type names); a usage error names the unknown."""
    from vsledger.cli.prompts import resolve_people, say_typed_error
    from vsledger.core.typed import TypedError

    try:
        return resolve_people(texts, workspace.units[unit], strict=False)
    except TypedError as exc:
        raise _usage_error(say_typed_error(exc, settings.lang)) from None


def _show_refusal(exc: Exception, root: Path, settings: Settings) -> typer.Exit:
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.transaction import WriteRefused

    assert isinstance(exc, WriteRefused)
    typer.echo(ui("partly-written" if exc.partial else "refused", settings.lang), err=True)
    render_problems(exc.problems, root, settings.lang, file=sys.stderr, overrides=exc.overrides)
    return typer.Exit(1)


def _report_added(added: object, root: Path, settings: Settings, said: str | None = None) -> None:
    """What a write wrote (`said`, else the file and the record's id), its warnings, and a --commit git refused."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.add import Added

    assert isinstance(added, Added)
    typer.echo(said if said is not None else ui("added", settings.lang, file=", ".join(added.result.files), id=added.record_id))
    if added.result.warnings:
        render_problems(added.result.warnings, root, settings.lang, file=sys.stderr)
    if added.commit_error is not None:  # git refused after the files were written: said beside them, exit 1
        typer.echo(ui("commit-failed", settings.lang, error=added.commit_error))
        raise typer.Exit(1)


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


def _unit_ids(units: list[str], settings: Settings) -> list[str]:
    """The units asked for, each once, in order; a malformed id is a usage error before anything is read."""
    from vsledger.core.model import UNIT_ID_RE
    from vsledger.render.messages import ui

    for unit in units:
        if not UNIT_ID_RE.match(unit):
            raise _usage_error(ui("bad-unit-option", settings.lang, unit=unit))
    return list(dict.fromkeys(units))


def _load_single_unit(unit: str, settings: Settings) -> tuple[Workspace, str]:
    """A writing command touches one unit: load that one (and the policies), not the whole workspace."""
    workspace = _load(settings, only_units=_unit_ids([unit], settings))
    return workspace, _select_units(workspace, [unit], settings)[0]


def _optional_date(text: str | None, option: str) -> date | None:
    return _parse_date(text, option) if text else None


CommitOption = Annotated[bool, typer.Option("--commit", help="git add + git commit")]


def option_group(parameter: str, group: type) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let a command take the dataclass `group` of typer options as its one `parameter`.

    typer reads options from the command's signature and has no option groups (fastapi/typer
    #153, #264), so options two commands share would be listed twice, and a new one added twice.
    Here the group's fields stand in the signature in place of `parameter`, in their declared order,
    and are gathered back into one `group` when the command runs.
    """
    fields = [field.name for field in dataclasses.fields(group)]
    hints = typing.get_type_hints(group, include_extras=True)

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(command, eval_str=True)
        keyword = inspect.Parameter.KEYWORD_ONLY  # typer passes every option by name, as `run` takes them
        parameters: list[inspect.Parameter] = []
        for param in signature.parameters.values():
            if param.name != parameter:
                parameters.append(param.replace(kind=keyword))
                continue
            for field in dataclasses.fields(group):
                default = inspect.Parameter.empty if field.default is dataclasses.MISSING else field.default
                parameters.append(inspect.Parameter(field.name, keyword, default=default, annotation=hints[field.name]))

        @functools.wraps(command)
        def run(**options: Any) -> Any:
            grouped = group(**{name: options.pop(name) for name in fields})
            return command(**options, **{parameter: grouped})

        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": signature.return_annotation}
        return run

    return decorate


def _check_as_of(year: int, as_of: str | None, settings: Settings) -> date:
    """The as-of date of a year's check (and of its 台账): given, or today; a refusal is a usage error."""
    from vsledger.render.messages import ui
    from vsledger.report.check import as_of_refusal

    cutoff = _parse_date(as_of, "--as-of") if as_of else None
    refusal = as_of_refusal(year, cutoff, settings.today)
    if refusal is not None:
        key, values = refusal
        raise _usage_error(ui(key, settings.lang, **values))
    return cutoff or settings.today


def _default_out(settings: Settings, name: str) -> Path:
    """Where a file for people goes without --out: the workspace's exports/ folder, which git ignores."""
    from vsledger.render.export import exports_dir

    return Path(_shown(exports_dir(settings.root) / name))


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to where they are, when it is below it."""
    import os

    return os.path.relpath(path) if path.is_absolute() and path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)


def _select_groups(workspace: Workspace, wanted: list[str] | None, settings: Settings) -> list[str]:
    """The groups asked for (every group that holds when none is named); an unknown one is a usage error."""
    from vsledger.render.messages import ui

    if not wanted:
        return list(workspace.groups)
    known = [entry.group.id for entry in workspace.group_entries]
    for group_id in wanted:
        if group_id not in known:
            raise _usage_error(ui("unknown-group", settings.lang, group=group_id, known=", ".join(sorted(known)) or "–"))
    return [g for g in dict.fromkeys(wanted) if g in workspace.groups]
