"""Commands that look after the workspace itself: init, schema, fmt, personal split."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    pass

from vsledger.cli.common import (
    UnitOption,
    _load,
    _select_units,
    _settings,
    _show_refusal,
    _shown,
    _usage_error,
    app,
)


@app.command()
def init(
    ctx: typer.Context,
    directory: Annotated[Optional[Path], typer.Argument(help="新工作区目录 / where (default: .)")] = None,
) -> None:
    """新建工作区:方案、示例单位、.gitattributes、git init / a new workspace."""
    from vsledger.render.messages import ui
    from vsledger.write.init import WorkspaceExists, init_workspace
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    root = directory or settings.root
    try:
        init_workspace(root, settings.today, settings.lang)
    except WorkspaceExists:
        typer.echo(ui("init-not-empty", settings.lang, root=root), err=True)
        raise typer.Exit(1) from None
    except WriteRefused as exc:
        raise _show_refusal(exc, root, settings) from None
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

    for path in changed:
        typer.echo(ui("schema-written", settings.lang, path=_shown(path)))
    if not changed:
        typer.echo(ui("schema-current", settings.lang, path=_shown(directory), count=len(FILE_SCHEMAS)))
    typer.echo(ui("schema-hint", settings.lang))


@app.command()
def fmt(
    ctx: typer.Context,
    check_only: Annotated[bool, typer.Option("--check", help="只检查,需要整理时退出码为 1 / only say what would change")] = False,
) -> None:
    """整理为标准格式,不丢注释和记录;无法整理的文件或记录逐条列出,退出码为 1 / rewrite ledger files in the canonical layout."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.fmt import format_workspace
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    _load(settings)  # a readable workspace, or exit 2
    try:
        result = format_workspace(settings.root, check_only, settings.today)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    for rel in result.changed:
        typer.echo(ui("fmt-would-change" if check_only else "fmt-changed", settings.lang, file=rel))
    if result.skipped:  # never passed over in silence: named, counted, and the exit code says so
        render_problems(result.skipped, settings.root, settings.lang, file=sys.stderr, excerpts=False)
        typer.echo(ui("fmt-kept", settings.lang, count=len(result.skipped)), err=True)
    if not result.changed and not result.skipped:
        typer.echo(ui("fmt-clean", settings.lang))
    raise typer.Exit(1 if result.skipped or (check_only and result.changed) else 0)


personal_app = typer.Typer(help="身份证号和手机号 / personal numbers", no_args_is_help=True)


app.add_typer(personal_app, name="personal")


@personal_app.command("split")
def personal_split(
    ctx: typer.Context,
    unit: UnitOption = None,
) -> None:
    """把 roster.yaml 中的身份证号、手机号移到 personal.yaml / move personal numbers out of roster.yaml."""
    from vsledger.render.messages import ui
    from vsledger.write.personal_split import split_units
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    units = _select_units(_load(settings, locate=False, only_units=[]), unit, settings)
    try:
        results, ignored_added = split_units(settings.root, units, settings.today)
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    for result in results:
        if result.moved:
            typer.echo(ui("split-moved", settings.lang, unit=result.unit, count=len(result.moved)))
        if result.kept:
            typer.echo(ui("split-kept", settings.lang, unit=result.unit, ids=", ".join(result.kept)))
        if not result.moved and not result.kept:
            typer.echo(ui("split-nothing", settings.lang, unit=result.unit))
    if ignored_added:
        typer.echo(ui("split-gitignore", settings.lang))
    if any(result.moved for result in results):
        typer.echo(ui("split-history", settings.lang))
    if any(result.kept for result in results):
        raise typer.Exit(1)  # numbers are still in a tracked file: the job is not done


@app.command("git-setup")
def git_setup(ctx: typer.Context) -> None:
    """设置 git 合并程序:两个副本的记录逐条合并 / set up vsledger's git merge driver in this clone."""
    from vsledger.render.messages import ui
    from vsledger.write.merge import GitUnavailable
    from vsledger.write.merge import git_setup as setup

    settings = _settings(ctx)
    try:
        changed = setup(settings.root)
    except (GitUnavailable, OSError) as exc:
        typer.echo(ui("git-setup-no-git", settings.lang, root=settings.root, detail=str(exc)), err=True)
        raise typer.Exit(2) from None
    for rel in changed:
        typer.echo(ui("git-setup-done", settings.lang, file=rel))
    if not changed:
        typer.echo(ui("git-setup-current", settings.lang))


@app.command("merge-file", hidden=True)
def merge_file(
    ctx: typer.Context,
    base: Annotated[Path, typer.Argument(help="%O")],
    ours: Annotated[Path, typer.Argument(help="%A (the result is written here)")],
    theirs: Annotated[Path, typer.Argument(help="%B")],
    path: Annotated[Optional[str], typer.Argument(help="%P")] = None,
    marker_size: Annotated[int, typer.Option("--marker-size", help="%L")] = 7,
) -> None:
    """git 的合并程序(由 git 调用)/ git's merge driver for ledger files (git runs it)."""
    from vsledger.render.messages import ui
    from vsledger.write.merge import merge_file as merge

    settings = _settings(ctx)
    conflicts, why = merge(base, ours, theirs, path, max(1, min(marker_size, 64)))
    if why:
        typer.echo(ui("merge-whole-file", settings.lang, file=path or ours, detail=why), err=True)
    elif conflicts:
        typer.echo(ui("merge-conflicts", settings.lang, file=path or ours, count=conflicts), err=True)
    raise typer.Exit(1 if conflicts else 0)
