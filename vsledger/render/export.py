"""The 台账 an office hands in: five sheets of one unit's year, as xlsx, csv or json.

One model (`ExportSheet`s) and one writer per format. Safety in every format:
ID card and phone numbers masked unless asked (`unmask`), no cell that a
spreadsheet would run as a formula, and the file written atomically.
"""

from __future__ import annotations

import csv
import io
import json
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

from pydantic import BaseModel

from vsledger import __version__
from vsledger.check.rules.registry import round_half_up
from vsledger.core.employment import EMPLOYMENT_WORDS
from vsledger.core.filekinds import BUNDLE_FORMAT, BUNDLE_MANIFEST, EXPORTS_DIR, KINDS
from vsledger.core.files import atomic_save, atomic_write
from vsledger.core.model import Activity, Training, Volunteer
from vsledger.core.personal import mask_id_number, mask_phone, mask_text
from vsledger.core.progress import SILENT, Progress
from vsledger.render.messages import translate, ui
from vsledger.render.terminal import csv_safe
from vsledger.render.views import describe_failing, json_number, json_value
from vsledger.report.ledger_export import LedgerExport

Kind = Literal["text", "date", "number", "hours"]
EXPORT_SUFFIXES = {"xlsx": ".xlsx", "csv": "", "json": ".json", "pdf": ".pdf", "md": ".md", "parquet": "", "bundle": ".gz"}


@dataclass(frozen=True)
class ExportColumn:
    key: str
    en: str
    """The header in English; `header` gives it in the user's language (messages.translate)."""
    kind: Kind = "text"
    context: str = ""

    def __post_init__(self) -> None:
        if not self.context:
            object.__setattr__(self, "context", f"column:{self.key}")

    def header(self, lang: str) -> str:
        return translate(self.context, self.en, lang)


@dataclass
class ExportSheet:
    key: str
    en: str
    columns: list[ExportColumn]
    rows: list[list[Any]] = field(default_factory=list)
    context: str = ""

    def title(self, lang: str) -> str:
        return translate(self.context or f"sheet:{self.key}", self.en, lang)


def _c(key: str, en: str, kind: Kind = "text") -> ExportColumn:
    return ExportColumn(key, en, kind)


def _kind_of(model: type[BaseModel], key: str) -> Kind:
    """How a field's values align and read in a sheet, from its type: dates, hours, counts, or text."""
    kinds: list[tuple[type, Kind]] = [(date, "date"), (Decimal, "hours"), (int, "number")]
    annotation: Any = model.model_fields[key].annotation
    while get_origin(annotation) is Annotated or type(None) in get_args(annotation):  # `Hours | None` → Decimal
        annotation = next(t for t in get_args(annotation) if t is not type(None))
    return next((kind for base, kind in kinds if annotation is base), "text")


def record_columns(kind: str, computed: dict[str, ExportColumn] | None = None) -> list[ExportColumn]:
    """One column per field of a file kind's records, in the file's key order: a field added to the model
    reaches the workbook, CSV and JSON with no edit here (Parquet names its choice, render/parquet.py).
    `computed` columns stand after the field they are keyed by. The English header is the field's
    pydantic `title`, else its name."""
    record_kind = KINDS[kind]
    assert record_kind.model is not None
    columns: list[ExportColumn] = []
    for key in record_kind.keys:
        title = record_kind.model.model_fields[key].title or key.replace("_", " ")
        columns.append(ExportColumn(key, title, _kind_of(record_kind.model, key)))
        if computed and key in computed:
            columns.append(computed[key])
    return columns


ROSTER_COLUMNS = record_columns("roster")
ACTIVITY_COLUMNS = record_columns("activities", {"external": _c("total_hours", "total hours", "hours")})
PARTICIPATION_COLUMNS = [
    _c("activity", "activity"), _c("date", "date", "date"), _c("title", "title"),
    _c("volunteer", "volunteer"), _c("name", "name"), _c("hours", "hours", "hours"),
]  # fmt: skip
MONTHS = [_c(f"m{m:02d}", f"{m:02d}", "hours") for m in range(1, 13)]
HOURS_COLUMNS = [_c("volunteer", "volunteer"), _c("name", "name"), *MONTHS, _c("total", "total", "hours")]
COMPLIANCE_COLUMNS = [
    _c("rule", "rule"), _c("text", "clause"), _c("level", "level"), _c("status", "status"),
    _c("actual", "actual", "number"), _c("target", "target", "number"), _c("failing", "falls short"),
]  # fmt: skip
ALL_COLUMNS = [*ROSTER_COLUMNS, *ACTIVITY_COLUMNS, *PARTICIPATION_COLUMNS, *HOURS_COLUMNS, *COMPLIANCE_COLUMNS, _c("total-row", "total")]
SHEET_TITLES = {
    "roster": "Roster",
    "activities": "Activities",
    "participations": "Participations",
    "hours": "Hours",
    "compliance": "Compliance",
}


def _joined(values: list[Any]) -> str:
    return "、".join(str(v) for v in values)


def labelled(code: str | None, names: dict[str, str]) -> str | None:
    """`红队 (red)`: the name people know, the id the files use; an unknown id as it is."""
    if code is None:
        return None
    return f"{names[code]} ({code})" if code in names else code


def employment_label(code: str | None, lang: str) -> str | None:
    if code is None or lang != "zh":
        return code
    return EMPLOYMENT_WORDS.get(code, (code,))[0]


def _record_row(record: Any, columns: list[ExportColumn], shown: dict[str, Callable[[Any], Any]]) -> list[Any]:
    """A record's cells: as `shown` says for the fields people read as words, else the value as it is
    (lists joined with 、, clock times as HH:MM)."""
    row = []
    for column in columns:
        if column.key in shown:
            row.append(shown[column.key](record))
            continue
        value = getattr(record, column.key)
        if isinstance(value, list):
            value = _joined(value)
        elif isinstance(value, time):
            value = f"{value:%H:%M}"
        row.append(value)
    return row


def _training(training: Training) -> str:
    hours = f" {training.hours}h" if training.hours is not None else ""
    return f"{training.date.isoformat()} {training.topic}{hours}"


def build_export(export: LedgerExport, lang: str, unmask: bool = False, words: bool = True) -> list[ExportSheet]:
    """The five sheets of a unit's year, laid out: nothing is computed here. People read `words`
    (在编, 达标, 红队 (red), 会议), never bare codes; the JSON export asks for the codes."""
    teams, branches = (export.teams, export.branches) if words else ({}, {})

    def word(code: str, key: str = "{}") -> str:
        return ui(key.format(code), lang) if words else code

    roster = ExportSheet("roster", SHEET_TITLES["roster"], ROSTER_COLUMNS)
    shown_volunteer: dict[str, Callable[[Volunteer], Any]] = {
        "id_number": lambda v: v.id_number if unmask or v.id_number is None else mask_id_number(v.id_number),
        "phone": lambda v: v.phone if unmask or v.phone is None else mask_phone(v.phone),
        "party_member": lambda v: word("yes" if v.party_member else "no"),
        "employment": lambda v: employment_label(v.employment, lang) if words else v.employment,
        "branch": lambda v: labelled(v.branch, branches),
        "teams": lambda v: _joined([labelled(t, teams) for t in v.teams]),
        "trainings": lambda v: _joined([_training(t) for t in v.trainings]),
    }
    roster.rows = [_record_row(v, ROSTER_COLUMNS, shown_volunteer) for v in export.volunteers]

    activities = ExportSheet("activities", SHEET_TITLES["activities"], ACTIVITY_COLUMNS)
    totals = {line.activity.id: line.total_hours for line in export.activities}  # a meeting is listed, marked, with no total
    shown_activity: dict[str, Callable[[Activity], Any]] = {
        "type": lambda a: word(a.type, "activity-type-{}"),
        "team": lambda a: labelled(a.team, teams),
        "hours": lambda a: a.default_hours,
        "participants": lambda a: len(a.participants),
        "total_hours": lambda a: totals.get(a.id),
    }
    listed = sorted([line.activity for line in export.activities] + export.meetings, key=lambda a: (a.date, a.id))
    activities.rows = [_record_row(activity, ACTIVITY_COLUMNS, shown_activity) for activity in listed]

    participations = ExportSheet("participations", SHEET_TITLES["participations"], PARTICIPATION_COLUMNS)
    participations.rows = [[p.activity.id, p.activity.date, p.activity.title, p.volunteer, p.name, p.hours] for p in export.participations]

    hours = ExportSheet("hours", SHEET_TITLES["hours"], HOURS_COLUMNS)
    hours.rows = [[row.volunteer, row.name, *row.months, row.total] for row in export.monthly]
    total_label = translate("column:total-row", "total", lang) if words else "total"  # JSON keeps codes, not 合计
    hours.rows.append([total_label, "", *export.month_totals, export.total_hours])

    compliance = ExportSheet("compliance", SHEET_TITLES["compliance"], COMPLIANCE_COLUMNS)
    for result in export.compliance:
        actual = json_number(result.outcome.actual, result.measure)
        target = json_number(result.outcome.target, result.measure)
        compliance.rows.append([
            result.rule.id, result.rule.text, word(result.rule.level), word(result.outcome.status.value),
            round_half_up(Decimal(str(actual)), Decimal("0.0001")) if actual is not None else None,
            round_half_up(Decimal(str(target)), Decimal("0.0001")) if target is not None else None,
            "; ".join(describe_failing(item) for item in result.outcome.failing),
        ])  # fmt: skip
    sheets = [roster, activities, participations, hours, compliance]
    if not unmask:
        mask_sheets(sheets)
    return sheets


def mask_sheets(sheets: list[ExportSheet]) -> None:
    """A safety net over every text cell, names and free text included."""
    for sheet in sheets:
        sheet.rows = [[mask_text(v) if isinstance(v, str) else v for v in row] for row in sheet.rows]


# --- writers --------------------------------------------------------------------------


def _cell_width(value: Any) -> int:
    from rich.cells import cell_len

    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return cell_len(str(value))


def write_xlsx(sheets: list[ExportSheet], path: Path, lang: str, progress: Progress = SILENT) -> None:
    """Streamed (write-only), so a unit of 100,000 rows exports in seconds."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties
    from openpyxl.worksheet.worksheet import Worksheet

    workbook = Workbook(write_only=True)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    progress.phase("progress-exporting", sum(len(sheet.rows) for sheet in sheets))
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title(lang))
        ws.freeze_panes = "A2"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        # Excel and LibreOffice honour fitToWidth only with fitToPage on; fitToHeight 0 lets the
        # pages run as long as the rows do, while every page keeps the full width.
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_title_rows = "1:1"
        for index, column in enumerate(sheet.columns, start=1):
            widest = max([_cell_width(column.header(lang))] + [_cell_width(row[index - 1]) for row in sheet.rows[:2000]])
            ws.column_dimensions[get_column_letter(index)].width = min(max(widest + 2, 6), 60)
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(ws, value=column.header(lang))
            cell.font, cell.fill = bold, fill
            header.append(cell)
        ws.append(header)
        for number, row in enumerate(sheet.rows, start=1):
            ws.append([_xlsx_value(ws, value, WriteOnlyCell, ILLEGAL_CHARACTERS_RE) for value in row])
            if number % 1000 == 0:
                progress.advance(1000)
        progress.advance(len(sheet.rows) % 1000)
        if sheet.key == "hours":
            chart = BarChart()
            chart.title = ui("chart-hours-by-month", lang)
            chart.y_axis.title = ui("chart-hours-axis", lang)
            last = len(sheet.rows) + 1  # the totals row
            chart.add_data(Reference(ws, min_col=3, max_col=14, min_row=last, max_row=last), from_rows=True, titles_from_data=False)
            chart.set_categories(Reference(ws, min_col=3, max_col=14, min_row=1, max_row=1))
            chart.legend = None
            ws.add_chart(chart, f"B{last + 3}")
    from openpyxl.packaging.custom import StringProperty

    workbook.custom_doc_props.append(StringProperty(name=EXPORT_MARK, value=__version__))
    progress.phase("progress-saving", 1)
    atomic_save(path, workbook.save)
    progress.close()


def _xlsx_value(ws: Any, value: Any, cell_type: Any, illegal: Any) -> Any:
    """Plain values where that is safe (fast); text that openpyxl would store as a formula is typed as text."""
    if isinstance(value, str):
        value = illegal.sub("", value)
        if value.startswith("="):
            cell = cell_type(ws, value=value)
            cell.data_type = "s"  # "=1+1" stays the text it is, never a formula
            return cell
    return value


def write_csv(sheets: list[ExportSheet], directory: Path, lang: str) -> list[Path]:
    """One file per sheet, UTF-8 with a BOM (Excel and WPS open it right), formulas neutralised."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in sheets:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([c.header(lang) for c in sheet.columns])
        for row in sheet.rows:
            writer.writerow([_csv_value(v) for v in row])
        path = directory / f"{sheet.title(lang)}.csv"
        atomic_write(path, ("\ufeff" + buffer.getvalue()).encode("utf-8"))
        written.append(path)
    mark_directory(directory)
    return written


EXPORTS_IGNORE = "# vsledger's exports (workbooks, reports, certificates, bundles): not the ledger, never committed\n*\n"


def exports_dir(root: Path) -> Path:
    """The workspace's exports/ folder, made when first needed with a .gitignore of its own (`*`):
    git ignores what is written there even in a workspace whose .gitignore does not name it."""
    directory = root / EXPORTS_DIR
    ignore = directory / ".gitignore"
    if not ignore.exists():
        directory.mkdir(parents=True, exist_ok=True)
        atomic_write(ignore, EXPORTS_IGNORE.encode("utf-8"))
    return directory


def mark_directory(directory: Path) -> None:
    """The sidecar that says a CSV or Parquet directory is vsledger's to replace (a CSV has no place for a comment)."""
    atomic_write(directory / SIDECAR, f"written by vsledger {__version__}; the next export replaces this directory\n".encode())


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return csv_safe(str(value)) if isinstance(value, str) else str(value)


def export_json(sheets: list[ExportSheet], export: LedgerExport) -> dict[str, Any]:
    """The same content, keyed in English (JSON keys are a contract, not a display)."""

    return {
        "unit": export.unit,
        "year": export.year,
        "as_of": export.as_of.isoformat(),
        "evaluation_day": export.evaluation_day.isoformat(),
        **{s.key: [{c.key: json_value(v) for c, v in zip(s.columns, row, strict=True)} for row in s.rows] for s in sheets},
    }


EXPORT_MARK = "vsledger-export"
"""What marks a file vsledger wrote: a workbook's custom property, the sidecar of a CSV or Parquet
directory, the Creator of a certificate; a report's first line is MARKDOWN_MARK."""
MARKDOWN_MARK = "<!-- vsledger-export: written by vsledger, replaced by the next export -->\n"
SIDECAR = ".vsledger-export"
MAX_MARK_PROBE = 512 * 1024 * 1024
"""A JSON export is recognised by its shape; a file larger than this is not read to find out."""


def check_out_path(root: Path, out: Path, fmt: str, force: bool = False) -> str | None:
    """A problem code when `out` must not be written: inside the ledger's own folders, or over
    anything vsledger did not write (unless `force`): a README, a schema, a clerk's own workbook."""
    target = out.resolve()
    for protected in ("ledgers", "rules"):
        try:
            target.relative_to((root / protected).resolve())
            return "out-inside-ledger"
        except ValueError:
            pass
    if force or (not target.exists() and not out.is_symlink()):
        return None
    if fmt in ("csv", "parquet"):  # a directory of the export's own files, with its sidecar
        if not target.is_dir():
            return "out-not-export"
        names = {p.name for p in target.iterdir()}
        allowed = (lambda n: n.endswith(".csv")) if fmt == "csv" else (lambda n: n in ("activities", "participations"))
        if names and (SIDECAR not in names or any(not allowed(n) for n in names - {SIDECAR})):
            return "out-not-export"
        return None
    if target.is_dir() or target.suffix.lower() != EXPORT_SUFFIXES.get(fmt, f".{fmt}") or not is_marked(target, fmt):
        return "out-not-export"
    return None


def is_marked(path: Path, fmt: str) -> bool:
    """Whether a file carries the mark vsledger writes into every export of its kind."""
    try:
        if fmt == "xlsx":
            with zipfile.ZipFile(path) as book:
                custom = book.read("docProps/custom.xml") if "docProps/custom.xml" in book.namelist() else b""
            return f'name="{EXPORT_MARK}"'.encode() in custom
        if fmt == "md":
            with path.open("rb") as handle:
                return handle.readline().decode("utf-8", "replace") == MARKDOWN_MARK
        if fmt == "pdf":
            return f"/Creator ({EXPORT_MARK})".encode() in path.read_bytes()
        if fmt == "json":  # no comment in JSON: its shape is the mark, keys a schema or a config never has
            if path.stat().st_size > MAX_MARK_PROBE:
                return False
            data = json.loads(path.read_bytes())
            shapes = ({"unit", "year", "roster", "participations"}, {"year", "as_of", "units", "groups", "summary"})  # export, summary
            return isinstance(data, dict) and any(shape <= set(data) for shape in shapes)
        if fmt == "bundle":  # a bundle's manifest names its format
            with tarfile.open(path, "r:gz") as archive:
                member = archive.next()
                while member is not None and member.name != BUNDLE_MANIFEST:
                    member = archive.next()
                handle = archive.extractfile(member) if member is not None and member.size <= MAX_MARK_PROBE else None
                return handle is not None and json.loads(handle.read()).get("format") == BUNDLE_FORMAT
    except (OSError, ValueError, AttributeError, zipfile.BadZipFile, tarfile.TarError, KeyError):
        return False
    return False
