"""Commands between a unit and its supervising body: bundle, collect, summary."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

if TYPE_CHECKING:
    from vsledger.core.problems import Problem
    from vsledger.write.collect import Collected

from vsledger.cli.common import (
    CommitOption,
    OneUnitOption,
    RecordFormat,
    RecordFormatOption,
    Settings,
    UnitOption,
    YearOption,
    _check_as_of,
    _complete_unit,
    _default_out,
    _load,
    _load_single_unit,
    _per_unit,
    _report_ledger_state,
    _select_groups,
    _settings,
    _year,
    app,
)
from vsledger.cli.out import _refuse_out

MAX_ITEMS = 8


@app.command()
def bundle(
    ctx: typer.Context,
    unit: OneUnitOption,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="压缩包文件名 / the archive to write (.tar.gz)")] = None,
) -> None:
    """把单位台账打成一个压缩包报送上级(不含 personal.yaml)/ one archive of a unit's ledger for the supervising body."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_problems
    from vsledger.write.bundle import BundleRefused, build_bundle

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    target = out if out is not None else _default_out(settings, f"{unit}-{settings.today.isoformat()}.tar.gz")
    if _refuse_out(settings, target, "bundle"):
        raise typer.Exit(2)
    try:
        bundled = build_bundle(settings.root, unit, settings.today, target)
    except BundleRefused as exc:
        typer.echo(ui("bundle-refused", settings.lang), err=True)
        # Only a number's line is worth quoting; a link, device or oversized file is never read (a link could point
        # anywhere on the machine), so those are shown with their hint and no excerpt.
        unread = {p.file: b"" for p in exc.problems if p.code != "bundle-personal-number"}
        problems = sorted(exc.problems, key=lambda p: p.sort_key())
        render_problems(problems, settings.root, settings.lang, file=sys.stderr, overrides=unread)
        raise typer.Exit(1) from None
    manifest = bundled.manifest
    commit = ui("bundle-commit", settings.lang, commit=manifest.commit[:12]) if manifest.commit else ui("bundle-no-commit", settings.lang)
    typer.echo(ui("bundle-written", settings.lang, path=target, unit=unit, files=len(manifest.files), commit=commit))
    if bundled.personal_left_out:
        typer.echo(ui("bundle-personal-left-out", settings.lang))
    if bundled.skipped:
        typer.echo(ui("bundle-skipped", settings.lang, files=", ".join(bundled.skipped)))
    if manifest.modified:
        typer.echo(ui("bundle-modified", settings.lang))
    _report_ledger_state(workspace.problems, settings)
    raise typer.Exit(1 if workspace.errors else 0)


@app.command()
def collect(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="各单位报送的压缩包 / the bundles", exists=True, dir_okay=False)],
    unit: Annotated[
        Optional[str],
        typer.Option("--unit", "-u", autocompletion=_complete_unit, help="只收这个单位的包 / the bundle must be of this unit"),
    ] = None,
    commit: CommitOption = False,
    format: RecordFormatOption = RecordFormat.table,
) -> None:
    """收取各单位报送的压缩包:校验后放入 ledgers/<单位>/,列出变化 / take units' bundles in, verified, with what changed."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import problems_json, render_json, render_problems
    from vsledger.write.bundle import BundleRefused
    from vsledger.write.collect import collect_bundles

    settings = _settings(ctx)
    _load(settings, locate=False, only_units=[])  # a workspace, or a usage error
    try:
        collection = collect_bundles(settings.root, [(path, str(path)) for path in files], settings.today, unit, commit)
    except BundleRefused as exc:
        # Warnings: what an interrupted collect had left behind, cleared before this one was refused.
        _show_leftovers([p for p in exc.problems if not p.is_error], settings)
        typer.echo(ui("collect-refused", settings.lang), err=True)
        render_problems([p for p in exc.problems if p.is_error], settings.root, settings.lang, file=sys.stderr, excerpts=False)
        raise typer.Exit(1) from None
    collected = collection.units
    _show_leftovers(collection.leftovers, settings)
    if format is RecordFormat.json:
        render_json({"collected": [_collected_json(c) for c in collected], **problems_json(collection.leftovers, settings.lang)})
    else:
        for item in collected:
            _show_collected(item, settings)
    for item in collected:
        if item.commit_error is not None:
            typer.echo(ui("commit-failed", settings.lang, error=item.commit_error), err=True)
        elif item.committed:
            typer.echo(ui("committed", settings.lang))
    workspace = _load(settings, locate=False, only_units=[c.unit for c in collected])
    prefixes = tuple(f"ledgers/{c.unit}/" for c in collected)
    problems = [p for p in workspace.problems if p.file.startswith(prefixes)]
    _report_ledger_state(problems, settings)
    failed = any(p.is_error for p in problems) or any(c.commit_error is not None for c in collected)
    raise typer.Exit(1 if failed else 0)


def _show_leftovers(leftovers: list[Problem], settings: Settings) -> None:
    """What an interrupted collect had left in ledgers/, with hints; never read (a link could point anywhere)."""
    from vsledger.render.terminal import render_problems

    if leftovers:
        unread = {p.file: b"" for p in leftovers}
        render_problems(leftovers, settings.root, settings.lang, file=sys.stderr, overrides=unread)


def _items(texts: list[str], lang: str) -> str:
    from vsledger.render.messages import ui

    shown = texts[:MAX_ITEMS]
    if len(texts) > MAX_ITEMS:
        shown.append(ui("or-more", lang, count=len(texts) - MAX_ITEMS))
    return "; ".join(shown)


def _show_collected(item: Collected, settings: Settings) -> None:
    from vsledger.core.personal import mask_text
    from vsledger.render.messages import ui

    lang = settings.lang
    manifest = item.manifest
    commit = ui("bundle-commit", lang, commit=manifest.commit[:12]) if manifest.commit else ui("bundle-no-commit", lang)
    typer.echo(
        mask_text(
            ui(f"collect-{item.state}", lang, unit=item.unit, name=item.name, file=item.label, created=manifest.created, commit=commit)
        )
    )
    lines: list[tuple[str, list[str]]] = [
        ("collect-activities-added", [f"{i} {day} {title}" for i, day, title in item.activities_added]),
        ("collect-activities-corrected", [f"{old} → {new} {title}" for new, old, title in item.activities_corrected]),
        ("collect-activities-withdrawn", [f"{old} → {new}" for new, old, _ in item.activities_withdrawn]),
        ("collect-activities-removed", item.activities_removed),
        ("collect-volunteers-added", [f"{i} {name}" for i, name in item.volunteers_added]),
        (
            "collect-volunteers-leaving",
            [f"{i} {name} ({left.isoformat() if left else ui('collect-left-roster', lang)})" for i, name, left in item.volunteers_leaving],
        ),
    ]
    for key, texts in lines:
        if texts:
            typer.echo("  " + mask_text(ui(key, lang, count=len(texts), items=_items(texts, lang))))
    if item.state != "unchanged":
        files = ui("collect-files", lang, added=len(item.files_added), changed=len(item.files_changed), removed=len(item.files_removed))
        typer.echo("  " + files)


def _collected_json(item: Collected) -> dict[str, Any]:
    manifest = item.manifest
    return {
        "unit": item.unit,
        "name": item.name,
        "file": item.label,
        "state": item.state,
        "created": manifest.created,
        "commit": manifest.commit,
        "modified": manifest.modified,
        "activities_added": [{"id": i, "date": d.isoformat(), "title": t} for i, d, t in item.activities_added],
        "activities_corrected": [{"id": i, "corrects": c, "title": t} for i, c, t in item.activities_corrected],
        "activities_withdrawn": [{"id": i, "corrects": c} for i, c, _ in item.activities_withdrawn],
        "activities_removed": item.activities_removed,
        "volunteers_added": [{"id": i, "name": n} for i, n in item.volunteers_added],
        "volunteers_leaving": [{"id": i, "name": n, "left": d.isoformat() if d else None} for i, n, d in item.volunteers_leaving],
        "files_added": item.files_added,
        "files_changed": item.files_changed,
        "files_removed": item.files_removed,
        "committed": item.committed,
    }


class SummaryFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    md = "md"


@app.command()
def summary(
    ctx: typer.Context,
    year: YearOption = None,
    group: Annotated[Optional[str], typer.Option("--group", "-g", help="只汇总这个组 / one group (groups.yaml)")] = None,
    unit: UnitOption = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="统计截至日期 / as-of date (YYYY-MM-DD)")] = None,
    format: Annotated[SummaryFormat, typer.Option("--format", "-f", help="xlsx | csv | json | md")] = SummaryFormat.xlsx,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件(csv 为目录)/ where to write")] = None,
) -> None:
    """上级汇总表:各单位 × 规则、注册率、参与率、人均时长、各月时长 / the supervising body's roll-up of every unit."""
    from vsledger.core.filekinds import GROUPS_FILE
    from vsledger.report.check import run_group_check
    from vsledger.report.summary import build_summary, group_summary, unit_summary

    settings = _settings(ctx)
    year = _year(year, settings)
    cutoff = _check_as_of(year, as_of, settings)  # as check judges it: the summary is its table
    units: list[str] = []
    per_unit: dict[str, Any] = {}
    problems: list[Any] = []
    if unit or group is None:
        units, per_unit, problems = _per_unit(settings, unit, ("summary", year, cutoff), lambda ws, u: unit_summary(ws, year, cutoff, u))
    group_rows = []
    if group is not None or (not unit and (settings.root / GROUPS_FILE).is_file()):
        base = _load(settings, locate=False, only_units=[])  # groups.yaml, policies, the list of units: cheap
        group_ids = _select_groups(base, [group] if group else None, settings)
        members = list(dict.fromkeys(u for g in group_ids for u in base.groups[g].units))
        workspace = _load(settings, locate=False, only_units=members) if group_ids else base
        for group_id, check in zip(group_ids, run_group_check(workspace, year, cutoff, group_ids), strict=True):
            entry = workspace.groups[group_id]
            rows = [unit_summary(workspace, year, cutoff, u) for u in entry.units]
            group_rows.append(group_summary(group_id, entry.group.name, check, rows))
        # The groups' own problems (groups.yaml), and those of member units not already reported.
        problems += [
            p
            for p in workspace.problems
            if not units or p.file == "groups.yaml" or (p.file.startswith("ledgers/") and p.file.split("/")[1] not in units)
        ]
    result = build_summary(year, cutoff, [per_unit[u] for u in units], group_rows)
    defaults = {SummaryFormat.xlsx: f"summary-{year}.xlsx", SummaryFormat.csv: f"summary-{year}"}
    target = out if out is not None else _default_out(settings, defaults[format]) if format in defaults else None
    if target is not None and _refuse_out(settings, target, format.value):
        raise typer.Exit(2)
    _report_ledger_state(problems, settings)
    _write_summary(result, format, target, settings)
    raise typer.Exit(1 if result.failed or any(p.is_error for p in problems) else 0)


def _write_summary(result: Any, format: SummaryFormat, target: Path | None, settings: Settings) -> None:
    from vsledger.core.files import atomic_write
    from vsledger.render.export import MARKDOWN_MARK, write_csv, write_xlsx
    from vsledger.render.messages import ui
    from vsledger.render.summary import summary_json, summary_markdown, summary_sheets
    from vsledger.render.terminal import render_json

    if format is SummaryFormat.xlsx:
        assert target is not None
        from vsledger.render.progress import for_terminal

        write_xlsx(summary_sheets(result, settings.lang), target, settings.lang, progress=for_terminal(settings.lang))
    elif format is SummaryFormat.csv:
        assert target is not None
        write_csv(summary_sheets(result, settings.lang), target, settings.lang)
    elif target is None:
        if format is SummaryFormat.json:
            render_json(summary_json(result))
        else:
            typer.echo(summary_markdown(result, settings.lang), nl=False)
        return
    else:
        import json

        from vsledger.core.personal import mask_text

        text = (
            json.dumps(summary_json(result), ensure_ascii=False, indent=2) + "\n"
            if format is SummaryFormat.json
            else MARKDOWN_MARK + summary_markdown(result, settings.lang)  # the mark lets the next summary replace it
        )
        atomic_write(target, mask_text(text).encode("utf-8"))
    typer.echo(ui("exported", settings.lang, path=target))
