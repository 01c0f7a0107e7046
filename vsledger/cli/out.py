"""Commands that take the ledger out or bring people in: export, import, report, certificate."""

from __future__ import annotations

import json
import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from vsledger.core.problems import Problem
    from vsledger.render.certificate import Certificate
    from vsledger.render.pdffont import FontFile

from vsledger.cli.common import (
    OneUnitOption,
    RecordFormat,
    RecordFormatOption,
    Settings,
    YearOption,
    _check_as_of,
    _complete_unit,
    _complete_volunteer,
    _default_out,
    _load,
    _load_single_unit,
    _locate,
    _parse_date,
    _report_ledger_state,
    _resolve_people,
    _select_units,
    _settings,
    _show_refusal,
    _shown,
    _unit_ids,
    _usage_error,
    _year,
    app,
)


class ExportFormat(StrEnum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    parquet = "parquet"


ForceOption = Annotated[bool, typer.Option("--force", help="覆盖不是 vsledger 导出的文件 / replace a file vsledger did not write")]


UnitsOption = Annotated[
    list[str],
    typer.Option("--unit", "-u", autocompletion=_complete_unit, help="单位 id,可多次给出,每单位一个文件 / unit id, repeatable"),
]


@app.command()
def export(
    ctx: typer.Context,
    unit: UnitsOption,
    year: YearOption = None,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="xlsx | csv | json | parquet")] = ExportFormat.xlsx,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件(csv 为目录;几个单位时为目录)/ where to write")] = None,
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="截至日期,默认今天 / as-of date (YYYY-MM-DD)")] = None,
    unmask: Annotated[bool, typer.Option("--unmask", help="导出完整的身份证号和手机号 / full ID and phone numbers")] = False,
    force: ForceOption = False,
) -> None:
    """导出单位台账:花名册、活动台账、参与明细、时长统计、达标情况;默认写入 exports/ / export each unit's ledger."""
    from vsledger.render.export import build_export, export_json, write_csv, write_xlsx
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_json
    from vsledger.report.ledger_export import ledger_export

    settings = _settings(ctx)
    year = _year(year, settings)
    cutoff = _check_as_of(year, as_of, settings)
    units = _unit_ids(unit, settings)
    if format is ExportFormat.parquet:
        raise typer.Exit(_export_parquet(settings, units, year, out, cutoff, unmask, force))
    workspace = _load(settings, only_units=units)
    units = _select_units(workspace, units, settings)
    targets = _export_targets(settings, units, year, format.value, out)
    refused = [t for t in targets.values() if t is not None and _refuse_out(settings, t, format.value, force)]  # each one said
    if refused:
        raise typer.Exit(2)  # nothing written: every target is checked before the first is
    _report_ledger_state(workspace.problems, settings)
    words = format is not ExportFormat.json  # people read words; JSON keeps the codes
    printed = []
    for unit_id, target in targets.items():
        content = ledger_export(workspace, unit_id, year, cutoff)
        sheets = build_export(content, settings.lang, unmask=unmask, words=words)
        if target is None:  # JSON on stdout
            printed.append(export_json(sheets, content))
            continue
        if format is ExportFormat.xlsx:
            from vsledger.render.progress import for_terminal

            write_xlsx(sheets, target, settings.lang, progress=for_terminal(settings.lang))
        elif format is ExportFormat.csv:
            write_csv(sheets, target, settings.lang)
        else:
            from vsledger.core.files import atomic_write

            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(target, (json.dumps(export_json(sheets, content), ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
        typer.echo(ui("exported", settings.lang, path=target))
    if printed:
        data = printed[0] if len(printed) == 1 else printed  # several units: one object each, in a list
        if unmask:  # the numbers were asked for: no masking pass over the output
            typer.echo(json.dumps(data, ensure_ascii=False))
        else:
            render_json(data)
    raise typer.Exit(1 if workspace.errors else 0)


def _export_targets(settings: Settings, units: list[str], year: int, fmt: str, out: Path | None) -> dict[str, Path | None]:
    """Where each unit's export goes (None: JSON to stdout). One unit: `--out` itself. Several: one
    file (a folder for csv) per unit, named by unit id — inside `--out` when it names a folder, beside
    it when it names a file of the format (台账.xlsx → 台账-u1.xlsx, 台账-u2.xlsx). Without `--out`:
    the workspace's exports/ folder, which git ignores."""
    from vsledger.render.export import EXPORT_SUFFIXES
    from vsledger.render.messages import ui

    suffix = EXPORT_SUFFIXES[fmt]
    names = {unit: f"{unit}-{year}{suffix}" for unit in units}
    if out is None:
        if fmt == "json":
            return dict.fromkeys(units)
        return {unit: _default_out(settings, name) for unit, name in names.items()}
    if len(units) == 1:
        return {units[0]: out}
    if suffix and out.suffix.lower() == suffix:
        return {unit: out.with_name(f"{out.stem}-{unit}{suffix}") for unit in units}
    if out.exists() and not out.is_dir():
        raise _usage_error(ui("export-out-several", settings.lang, path=out, suffix=suffix or "/"))
    return {unit: out / name for unit, name in names.items()}


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="花名册表格 .xlsx 或 .csv / the roster spreadsheet", exists=True, dir_okay=False)],
    unit: OneUnitOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="检查并预览,不写入 / every check, nothing written")] = False,
) -> None:
    """从表格导入志愿者(中文表头)/ add volunteers from a spreadsheet."""
    from vsledger.render.messages import ui
    from vsledger.render.terminal import render_terminal
    from vsledger.write.importing import import_volunteers, preview_table, problem_lines
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    _, unit = _load_single_unit(unit, settings)
    try:
        result = import_volunteers(settings.root, unit, file, settings.today, dry_run=dry_run)
    except WriteRefused as exc:  # files partly written: say which
        raise _show_refusal(exc, settings.root, settings) from None
    if result.problems:
        typer.echo("\n".join(problem_lines(result, settings.lang)), err=True)
    if result.refused:
        in_sheet = any(p.is_error and result.sheet is not None and p.file == result.sheet.label for p in result.problems)
        typer.echo(ui("import-refused" if in_sheet else "import-refused-workspace", settings.lang), err=True)
        raise typer.Exit(1)
    render_terminal([preview_table(result, settings.lang)])
    typer.echo(ui("import-done" if result.written else "import-dry-run", settings.lang, count=len(result.records)))


class ReportKindOption(StrEnum):
    monthly = "monthly"
    half_year = "half-year"


class ReportFormat(StrEnum):
    md = "md"
    xlsx = "xlsx"


ReportKindArgument = Annotated[ReportKindOption, typer.Argument(help="monthly(月报)| half-year(半年小结)")]


@app.command()
def report(
    ctx: typer.Context,
    kind: ReportKindArgument,
    unit: OneUnitOption,
    period: Annotated[str, typer.Option("--period", help="2022-05 | 2022-H1")],
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="md | xlsx")] = ReportFormat.md,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="输出文件 / where to write")] = None,
    submitted_on: Annotated[Optional[str], typer.Option("--submitted-on", help="记录报送日期 / record the hand-in (YYYY-MM-DD)")] = None,
    force: ForceOption = False,
) -> None:
    """月报和半年小结;--submitted-on 记入 reports.yaml / the monthly report or half-year summary."""
    from vsledger.core.files import atomic_write
    from vsledger.core.personal import mask_text
    from vsledger.render.export import MARKDOWN_MARK, mask_sheets, write_xlsx
    from vsledger.render.messages import ui
    from vsledger.render.period import render_markdown, report_sheets
    from vsledger.render.terminal import safe_text
    from vsledger.report.period import PeriodRefused, period_report
    from vsledger.write.layout import record_text
    from vsledger.write.transaction import Plan, WriteRefused, append_change, transact

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    try:
        result = period_report(workspace, unit, kind.value, period, settings.today)  # type: ignore[arg-type]
    except PeriodRefused as exc:
        raise _usage_error(ui(exc.key, settings.lang, **exc.values)) from None
    target = out if out is not None else (_default_out(settings, f"{unit}-{period}.xlsx") if format is ReportFormat.xlsx else None)
    if target is not None:
        fmt = "xlsx" if format is ReportFormat.xlsx else "md"
        if _refuse_out(settings, target, fmt, force):
            raise typer.Exit(2)
    _report_ledger_state(workspace.problems, settings)
    if format is ReportFormat.xlsx:
        assert target is not None
        sheets = report_sheets(result, settings.lang)
        mask_sheets(sheets)
        write_xlsx(sheets, target, settings.lang)
        typer.echo(ui("exported", settings.lang, path=target))
    elif target is not None:
        atomic_write(target, (MARKDOWN_MARK + mask_text(render_markdown(result, settings.lang))).encode("utf-8"))
        typer.echo(ui("exported", settings.lang, path=target))
    else:
        typer.echo(safe_text(render_markdown(result, settings.lang)), nl=False)
    if submitted_on:
        day = _parse_date(submitted_on, "--submitted-on")
        record = {"kind": kind.value, "period": period, "submitted_on": day, "file": str(target) if target is not None else None}
        line = record_text("reports", record)
        rel = f"ledgers/{unit}/reports.yaml"
        try:
            transact(settings.root, unit, settings.today, lambda _workspace: Plan([append_change(rel, line)]))
        except WriteRefused as exc:
            raise _show_refusal(exc, settings.root, settings) from None
        typer.echo(ui("report-recorded", settings.lang, file=rel, date=day.isoformat()))
    raise typer.Exit(1 if workspace.errors else 0)  # a report from a ledger with errors is not a clean one


@app.command()
def certificate(
    ctx: typer.Context,
    unit: OneUnitOption,
    volunteer: Annotated[
        str, typer.Option("--volunteer", "-v", autocompletion=_complete_volunteer, help="志愿者编号或姓名 / volunteer id or name")
    ],
    from_: Annotated[Optional[str], typer.Option("--from", help="YYYY-MM-DD (default: everything)")] = None,
    to: Annotated[Optional[str], typer.Option("--to", help="YYYY-MM-DD (default: today)")] = None,
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="PDF 文件 / the PDF to write")] = None,
    signer: Annotated[str, typer.Option("--signer", help="负责人 / person in charge")] = "",
    handler: Annotated[str, typer.Option("--handler", help="经办人 / handler")] = "",
    contact: Annotated[str, typer.Option("--contact", help="联系方式 / contact")] = "",
    unmask: Annotated[bool, typer.Option("--unmask", help="证明上印完整身份证号 / print the full ID card number")] = False,
    font: Annotated[
        Optional[Path],
        typer.Option("--font", envvar="VSLEDGER_FONT", help="嵌入 PDF 的中文字体文件(.ttf/.ttc/.otf)/ the Chinese font file to embed"),
    ] = None,
    force: ForceOption = False,
    format: RecordFormatOption = RecordFormat.table,
) -> None:
    """出具志愿服务记录证明(PDF,编号登记)/ issue a numbered service certificate."""
    from vsledger.render.messages import ui
    from vsledger.write.certificate import FontSettingRefused, certificate_font, issue_certificate
    from vsledger.write.transaction import WriteRefused

    settings = _settings(ctx)
    workspace, unit = _load_single_unit(unit, settings)
    volunteer = _resolve_people([volunteer], workspace, unit, settings)[0]  # an id or a name
    start = _parse_date(from_, "--from") if from_ else None
    end = _parse_date(to, "--to") if to else settings.today
    if start is not None and start > end:
        raise _usage_error(ui("bad-range", settings.lang, start=start.isoformat(), end=end.isoformat()))
    errors = [p for p in workspace.errors if p.file.startswith(f"ledgers/{unit}/")]
    if errors:  # hours from entries with errors are not hours to certify
        _report_ledger_state(errors, settings)
        typer.echo(ui("certificate-refused", settings.lang, errors=len(errors)), err=True)
        raise typer.Exit(1)
    if volunteer not in workspace.units[unit].volunteers:
        raise _usage_error(ui("unknown-volunteer-option", settings.lang, unit=unit, id=volunteer))
    if out is not None and _refuse_out(settings, out, "pdf", force):
        raise typer.Exit(2)
    try:
        chosen = certificate_font(settings.root, font)
    except FontSettingRefused as exc:
        raise _font_refused(exc.problem, settings) from None
    try:
        result, target = issue_certificate(
            settings.root, unit, volunteer, start, end, settings.today, signer, handler, contact, unmask,
            out, lambda path: _out_problem(settings, path, "pdf", force), chosen,
        )  # fmt: skip
    except WriteRefused as exc:
        raise _show_refusal(exc, settings.root, settings) from None
    _show_certificate(result, unit, target, chosen, format, settings)


def _font_refused(problem: Problem, settings: Settings) -> typer.Exit:
    """A font asked for that cannot be embedded: a usage error (exit 2), located when vsledger.yaml asked."""
    from vsledger.render.messages import problem_hint, problem_message, ui
    from vsledger.render.terminal import render_problems

    if not problem.file:
        hint = problem_hint(problem, settings.lang)
        return _usage_error(f"--font: {problem_message(problem, settings.lang)}\n{ui('hint', settings.lang)}: {hint}")
    _locate([problem], settings)
    render_problems([problem], settings.root, settings.lang, file=sys.stderr)
    return typer.Exit(2)


def _show_certificate(
    certificate: Certificate, unit: str, target: Path, font: FontFile | None, format: RecordFormat, settings: Settings
) -> None:
    """What was issued, in what font, and what the clerk should know before handing it over."""
    from vsledger.render.certificate import page_text
    from vsledger.render.messages import ui
    from vsledger.render.pdffont import FALLBACK
    from vsledger.render.terminal import render_json

    lang = settings.lang
    warnings: list[tuple[str, str]] = []
    if font is None:
        warnings.append(("font-not-embedded", ui("font-not-embedded", lang)))
    elif lacking := font.lacks(page_text(certificate)):
        warnings.append(("font-lacks-characters", ui("font-lacks-characters", lang, font=font.name, chars=lacking)))
    if certificate.id_number is None:
        warnings.append(("no-id-number", ui("no-id-number", lang, id=certificate.volunteer_id)))
    if format is RecordFormat.json:
        render_json({
            "number": certificate.number, "unit": unit, "volunteer": certificate.volunteer_id,
            "from": certificate.start.isoformat(), "to": certificate.end.isoformat(), "hours": float(certificate.hours),
            "activities": len(certificate.activities), "path": str(target),
            "font": {"embedded": font is not None, "name": font.name if font else FALLBACK, "file": str(font.path) if font else None},
            "warnings": [{"code": code, "message": message} for code, message in warnings],
        })  # fmt: skip
        return
    typer.echo(ui("certificate-issued", lang, number=certificate.number, path=_shown(target)))
    if font is not None:
        typer.echo(ui("certificate-font", lang, font=font.name, path=font.path))
    for _code, message in warnings:
        typer.echo(f"{ui('warning', lang)}: {message}", err=True)


def _refuse_out(settings: Settings, target: Path, fmt: str, force: bool = False) -> bool:
    """Say so and return True when an export must not be written at `target`."""
    from vsledger.render.terminal import render_problems

    refusal = _out_problem(settings, target, fmt, force)
    if refusal is not None:
        render_problems([refusal], settings.root, settings.lang, file=sys.stderr, excerpts=False)
    return refusal is not None


def _out_problem(settings: Settings, target: Path, fmt: str, force: bool = False) -> Problem | None:
    """Why an export must not be written at `target`, or None."""
    from vsledger.core.problems import Problem
    from vsledger.render.export import check_out_path

    code = check_out_path(settings.root, target, fmt, force)
    return Problem(str(target), code, {}, line=1, column=1) if code is not None else None


def _export_parquet(
    settings: Settings, units: list[str], year: int, out: Path | None, cutoff: date, unmask: bool = False, force: bool = False
) -> int:
    """Each unit's partitions of the year in one Parquet dataset; exit code."""
    from vsledger.render import parquet
    from vsledger.render.messages import ui
    from vsledger.report.ledger_export import ledger_export

    if not parquet.available():
        typer.echo(ui("parquet-missing", settings.lang), err=True)
        return 2
    target = out if out is not None else _default_out(settings, "vsledger-parquet")
    if _refuse_out(settings, target, "parquet", force):
        return 2
    workspace = _load(settings, only_units=units)
    units = _select_units(workspace, units, settings)
    _report_ledger_state(workspace.problems, settings)
    for unit in units:
        content = ledger_export(workspace, unit, year, cutoff, check=False)
        activities, participations = parquet.write_parquet(content, target, unmask)
        typer.echo(ui("parquet-written", settings.lang, unit=unit, path=target, activities=activities, participations=participations))
        if content.meetings:  # never silent: the dataset is service only
            typer.echo(ui("parquet-meetings", settings.lang, count=len(content.meetings)))
    return 1 if workspace.errors else 0
