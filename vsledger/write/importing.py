"""`vsledger import`: volunteers from the spreadsheets offices already have.

Headers are matched in their usual Chinese variants; a column that is none of them is named,
not dropped in silence. The rows are read, checked and written in one transaction
(`write.transaction.transact`): a dry run is the same run stopped before the write, so it
refuses what the import would refuse. Every problem is placed in the spreadsheet — a row's own
(a bad check digit) and the workspace's (a branch unit.yaml does not define, found by loading
the roster as it would be) — at its row and column, `people.csv:7:3` or `roster.xlsx:Sheet1!C7`.
Nothing is written unless the whole file is valid, and then it is written like `add-volunteer`
writes (roster.yaml, numbers in personal.yaml).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vsledger.core.filekinds import PERSONAL_FIELDS
from vsledger.core.ledger import Workspace
from vsledger.core.model import RECORD_ID_RE, Volunteer
from vsledger.core.personal import mask_id_number, mask_phone
from vsledger.core.problems import Level, Problem
from vsledger.core.typed import TypedError, id_by_name, parse_date, parse_employment, parse_phone
from vsledger.read.loader import problems_from_validation
from vsledger.render.export import ROSTER_COLUMNS, employment_label, labelled
from vsledger.render.messages import problem_hint, problem_message, ui
from vsledger.render.terminal import Column, Table, safe_text
from vsledger.write.add import next_volunteer_id, volunteer_id
from vsledger.write.layout import record_text
from vsledger.write.transaction import Plan, WriteRefused, append_change, transact

HEADERS = {
    "姓名": "name", "名字": "name",
    "性别": "gender",
    "身份证号": "id_number", "身份证号码": "id_number", "身份证": "id_number", "证件号码": "id_number", "证件号": "id_number",
    "手机号": "phone", "手机号码": "phone", "手机": "phone", "联系电话": "phone", "电话": "phone",
    "政治面貌": "politics", "党员": "party_member", "是否党员": "party_member",
    "人员类别": "employment", "编制": "employment", "人员性质": "employment", "身份": "employment", "类别": "employment",
    "注册时间": "registered_on", "注册日期": "registered_on",
    "志愿者编号": "registration_no", "注册编号": "registration_no",
    "所属支部": "branch", "支部": "branch", "党支部": "branch",
    "服务队": "teams", "所属服务队": "teams", "志愿服务队": "teams",
    "特长": "skills", "技能": "skills", "专长": "skills",
    "加入时间": "joined", "加入日期": "joined",
    "社区": "community", "报到社区": "community",
    "报到时间": "checked_in_on", "报到日期": "checked_in_on",
}  # fmt: skip
FIELD_OF_KEY = {"politics": "party_member"}
"""The roster field a column's key fills, where the two differ (政治面貌 says whether one is a party member)."""
_SPLIT = re.compile(r"[、,，;；/\s]+")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE]\+?\d+$")
"""`1.10105E+17`: how Excel shows a long number in a General cell, and how it saves it to CSV."""
_NUMBER_KEYS = ("id_number", "phone", "registration_no")


@dataclass
class Sheet:
    """The cells read, and how to name a place in them the way the clerk's program does."""

    label: str
    """The file as the user named it."""
    cells: list[list[Any]]
    title: str | None = None
    """The worksheet's name (xlsx); None for a CSV, whose places are `row:column`."""
    others: list[str] = field(default_factory=list)
    """The workbook's other sheets that hold something: not read, and said so."""
    digest: bytes = b""
    """SHA-256 of the bytes read: generated ids follow from it (`volunteer_id`'s seed)."""

    def place(self, row: int, column: int) -> str:
        """`people.csv:7:3`, or `roster.xlsx:Sheet1!C7` as Excel and WPS name a cell."""
        if self.title is None:
            return f"{self.label}:{row}:{column}"
        title = self.title if re.fullmatch(r"\w+", self.title) else "'" + self.title.replace("'", "''") + "'"
        return f"{self.label}:{title}!{column_letters(column)}{row}"


@dataclass
class ImportResult:
    label: str
    sheet: Sheet | None = None
    records: list[dict[str, Any]] = field(default_factory=list)
    """The volunteers imported (or, in a dry run or when refused, that would be), with their ids."""
    rows: list[int] = field(default_factory=list)
    """The spreadsheet row of each record."""
    problems: list[Problem] = field(default_factory=list)
    """Every problem, errors and warnings; those of the spreadsheet are placed in it."""
    written: bool = False
    branch_names: dict[str, str] = field(default_factory=dict)
    team_names: dict[str, str] = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return any(p.level is Level.ERROR for p in self.problems)


@dataclass
class _Row:
    """One valid spreadsheet row on its way to the roster."""

    number: int
    record: dict[str, Any]
    where: dict[str, int]
    """Each roster field → the 0-based column it came from."""
    checked_only: bool = False
    """A row with errors of its own, its good cells checked with the rest; never written."""


def column_letters(column: int) -> str:
    """1 → A, 27 → AA: the column as the spreadsheet program labels it."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_sheet(path: Path) -> Sheet:
    """The cells of the first sheet (xlsx) or of the file (csv: UTF-8, with or without BOM, or GB18030)."""
    label = str(path)
    raw = path.read_bytes()  # once: the cells and the digest come from the same bytes
    digest = hashlib.sha256(raw).digest()
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        try:
            first, *rest = workbook.worksheets
            others = [ws.title for ws in rest if any(v not in (None, "") for row in ws.iter_rows(values_only=True) for v in row)]
            return Sheet(label, [list(row) for row in first.iter_rows(values_only=True)], first.title, others, digest)
        finally:
            workbook.close()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # what Excel on a Chinese Windows saves as "CSV"
    return Sheet(label, [list(row) for row in csv.reader(io.StringIO(text, newline=""))], digest=digest)


def _header_key(text: Any) -> str | None:
    if text is None:
        return None
    cleaned = re.split(r"[(（]", str(text).strip())[0].strip().replace(" ", "").replace("*", "")
    return HEADERS.get(cleaned)


def _columns(sheet: Sheet) -> tuple[dict[int, str], list[Problem]]:
    """The field each header names; every column left out is said, with why."""
    columns: dict[int, str] = {}
    first_of: dict[str, int] = {}
    problems: list[Problem] = []
    header = sheet.cells[0]
    width = max(len(row) for row in sheet.cells)
    for index in range(width):
        text = header[index] if index < len(header) else None
        heading = "" if text is None else str(text).strip()
        key = _header_key(text)
        if key is None:
            if heading:
                problems.append(_warning(sheet, "import-column-ignored", index, {"header": heading}))
            elif any(index < len(row) and row[index] not in (None, "") for row in sheet.cells[1:]):
                problems.append(_warning(sheet, "import-column-unnamed", index, {"column": column_letters(index + 1)}))
            continue
        field_name = FIELD_OF_KEY.get(key, key)
        if field_name in first_of:
            first = str(header[first_of[field_name]]).strip()
            problems.append(_warning(sheet, "import-column-repeated", index, {"header": heading, "first": first}))
            continue
        first_of[field_name] = index
        columns[index] = key
    for title in sheet.others:
        problems.append(_warning(sheet, "import-other-sheet", 0, {"sheet": title, "first": sheet.title or ""}))
    return columns, problems


def _warning(sheet: Sheet, code: str, column: int, args: dict[str, Any]) -> Problem:
    """A warning about the header row."""
    return Problem(sheet.label, code, args, Level.WARNING, line=1, column=column + 1)


def _row_problem(label: str, code: str, row: int, column: int, args: dict[str, Any]) -> Problem:
    return Problem(label, code, {"row": row, **args}, line=row, column=column + 1)


def _parse_rows(sheet: Sheet, columns: dict[int, str], workspace: Workspace, unit: str) -> tuple[list[_Row], list[Problem]]:
    """The valid rows, numbered from the roster's next id, and what is wrong with the others."""
    ledger = workspace.units[unit]
    branch_ids, team_ids = ledger.names("branch"), ledger.names("team")
    known_numbers = {e.record.id_number: e.record.id for e in ledger.volunteers.values() if e.record.id_number}
    next_id = int(next_volunteer_id(workspace, unit)[1:])
    rows: list[_Row] = []
    problems: list[Problem] = []
    for row_number, cells in enumerate(sheet.cells[1:], start=2):
        if all(v in (None, "") for v in cells):
            continue
        record, where, row_problems = _parse_row(cells, row_number, columns, sheet.label, branch_ids, team_ids)
        record = {"id": volunteer_id(next_id, sheet.digest), **record}  # from the sheet's bytes: dry run = import
        try:
            Volunteer.model_validate(record)
        except ValidationError as exc:
            for problem in problems_from_validation(exc, sheet.label, ()):
                column = where.get(str(problem.path[0]) if problem.path else "", 0)
                row_problems.append(_row_problem(sheet.label, problem.code, row_number, column, problem.args))
        number = record.get("id_number")
        if number and not row_problems:
            holder = known_numbers.get(number)
            if holder is not None:
                row_problems.append(_row_problem(sheet.label, "duplicate-id-number", row_number, where["id_number"], {"id": holder}))
            else:
                known_numbers[number] = record["id"]
        if row_problems:
            problems.extend(row_problems)
            record = _without(record, where, {p.column - 1 for p in row_problems})
            if record is None:
                continue
        rows.append(_Row(row_number, record, where, checked_only=bool(row_problems)))
        next_id += 1
    return rows, problems


def _without(record: dict[str, Any], where: dict[str, int], bad: set[int]) -> dict[str, Any] | None:
    """A bad row without its bad cells, when that much is a volunteer: checked against the roster
    with the good rows, so that one refusal names the row's other problems too (never written)."""
    kept = {k: v for k, v in record.items() if where.get(k) not in bad}
    kept.setdefault("employment", "other")
    try:
        Volunteer.model_validate(kept)
    except ValidationError:
        return None
    return kept


def _parse_row(
    row: list[Any], row_number: int, columns: dict[int, str], label: str, branch_ids: dict[str, str], team_ids: dict[str, str]
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """One spreadsheet row as roster fields, where each came from, and what is wrong with it."""
    record: dict[str, Any] = {}
    where: dict[str, int] = {}
    problems: list[Problem] = []
    for index, value in enumerate(row):
        key = columns.get(index)
        if key is None or value in (None, ""):
            continue
        where[FIELD_OF_KEY.get(key, key)] = index
        text = str(value).strip()
        if key in _NUMBER_KEYS and isinstance(value, str) and _SCIENTIFIC.match(text):
            problems.append(_row_problem(label, "import-scientific-notation", row_number, index, {"value": text}))
            continue
        if key == "id_number":
            if isinstance(value, (int, float)):
                problems.append(_row_problem(label, "import-id-as-number", row_number, index, {}))
                continue
            record[key] = text.upper()
        elif key == "phone":
            text = str(int(value)) if isinstance(value, (int, float)) else text
            try:
                record[key] = parse_phone(text)
            except TypedError:
                record[key] = text  # the roster's own check says what is wrong with it
        elif key in ("registered_on", "joined", "checked_in_on"):
            day = _as_date(value)
            if day is None:
                problems.append(_row_problem(label, "invalid-date", row_number, index, {"field": key, "value": text}))
                continue
            record[key] = day
        elif key in ("politics", "party_member"):  # 政治面貌 "中共党员", or a yes/no column
            if "党员" in text or text in ("是", "Y", "y", "yes", "1", "True", "true"):
                record["party_member"] = True  # false is the default and is not written
        elif key == "employment":
            try:
                record[key] = parse_employment(text)
            except TypedError:
                problems.append(_row_problem(label, "import-employment", row_number, index, {"value": text}))
        elif key == "branch":
            branch = _reference(text, branch_ids, "unknown-branch", row_number, index, label, problems)
            if branch is not None:
                record[key] = branch
        elif key == "teams":
            teams = [_reference(t, team_ids, "unknown-team", row_number, index, label, problems) for t in _SPLIT.split(text) if t]
            if None not in teams:
                record[key] = teams
        elif key == "skills":
            record[key] = [s for s in _SPLIT.split(text) if s]
        elif key == "registration_no" and isinstance(value, (int, float)) and float(value).is_integer():
            record[key] = str(int(value))  # a number cell of a workbook
        else:
            record[key] = text
    record.setdefault("employment", "other")
    return record, where, problems


def _reference(text: str, names: dict[str, str], code: str, row: int, column: int, label: str, problems: list[Problem]) -> str | None:
    """A branch or team by its name or id. Whether an id is defined is the roster check's to say,
    on the roster as it would be; a name that is none of them could never be an id, and is said here."""
    found = id_by_name(text, names)
    if found is not None or RECORD_ID_RE.match(text):
        return found or text
    problems.append(_row_problem(label, code, row, column, {"id": text}))
    return None


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except TypedError:
        return None


def import_volunteers(root: Path, unit: str, path: Path, today: date, dry_run: bool = False) -> ImportResult:
    """Read, check and write the spreadsheet's volunteers as one transaction; `dry_run`: all of it but the write.

    The rows are read against the unit as found under the lock, so the `V####` ids are those
    written even when someone else added volunteers meanwhile. Raises WriteRefused only when
    files were partly written (`partial`); any other refusal is in the result's problems."""
    result = ImportResult(str(path))
    try:
        sheet = read_sheet(path)
    except Exception as exc:  # an unreadable spreadsheet: one located problem, not a traceback
        result.problems.append(Problem(result.label, "import-unreadable", {"detail": type(exc).__name__}, line=1, column=1))
        return result
    result.sheet = sheet
    columns_read, column_problems = _columns(sheet) if sheet.cells else ({}, [])
    if "name" not in columns_read.values():
        result.problems.append(Problem(result.label, "import-no-header", {}, line=1, column=1))
        return result
    roster_rel, personal_rel = f"ledgers/{unit}/roster.yaml", f"ledgers/{unit}/personal.yaml"
    appended: dict[str, list[tuple[_Row, int]]] = {}

    def decide(workspace: Workspace) -> Plan:
        rows, row_problems = _parse_rows(sheet, columns_read, workspace, unit)
        good = [row for row in rows if not row.checked_only]
        result.records, result.rows = [row.record for row in good], [row.number for row in good]
        result.branch_names, result.team_names = workspace.units[unit].names("branch"), workspace.units[unit].names("team")
        blocks: list[str] = []
        personal_lines: list[str] = []
        appended.clear()
        for row in rows:
            record = dict(row.record)
            numbers = {k: record.pop(k) for k in PERSONAL_FIELDS if k in record}
            blocks.append(record_text("roster", record))
            appended.setdefault(roster_rel, []).append((row, blocks[-1].count("\n")))
            if numbers:
                personal_lines.append(record_text("personal", {"id": record["id"], **numbers}))
                appended.setdefault(personal_rel, []).append((row, personal_lines[-1].count("\n")))

        changes = [append_change(roster_rel, "".join(blocks))]
        if personal_lines:
            changes.append(append_change(personal_rel, "".join(personal_lines)))
        ids = [row.record["id"] for row in rows]

        def landed(after: Workspace) -> bool:
            return all(i in after.units[unit].volunteers for i in ids)

        return Plan(changes, ids, landed, f"import: {unit} {len(ids)}", [*column_problems, *row_problems])

    try:
        outcome = transact(root, unit, today, decide, dry_run=dry_run)
    except WriteRefused as exc:
        if exc.partial:
            raise
        result.problems = _placed(exc.problems, exc.overrides, appended, sheet)
    else:
        result.problems = _placed(outcome.warnings, outcome.contents, appended, sheet)
        result.written = not dry_run
    result.problems.sort(key=lambda p: (p.file != sheet.label, *p.sort_key()))
    return result


def _placed(
    problems: list[Problem], contents: dict[str, bytes], appended: dict[str, list[tuple[_Row, int]]], sheet: Sheet
) -> list[Problem]:
    """Problems found in the roster as it would be, moved to the spreadsheet row and column they came from.

    The imported records are the last lines of roster.yaml and personal.yaml; a problem on one of
    them is the row's, at the column of the field its document path names (the row's first
    column when it names none). A problem elsewhere is about the workspace as it is, and stays."""
    placed = []
    for problem in problems:
        row, column = _source_of(problem, contents, appended)
        if row is None:
            placed.append(problem)
            continue
        placed.append(
            Problem(sheet.label, problem.code, {"row": row.number, **problem.args}, problem.level, line=row.number, column=column)
        )
    return placed


def _source_of(problem: Problem, contents: dict[str, bytes], appended: dict[str, list[tuple[_Row, int]]]) -> tuple[_Row | None, int]:
    blocks = appended.get(problem.file)
    content = contents.get(problem.file)
    if not blocks or content is None:
        return None, 0
    end = content.count(b"\n") + (0 if content.endswith(b"\n") else 1)  # the last line's number
    for row, lines in reversed(blocks):
        start = end - lines + 1
        if start <= problem.line <= end:
            names = [part for part in problem.path or () if isinstance(part, str) and part != "volunteers"]
            index = row.where.get(names[0]) if names else None
            return row, (index if index is not None else 0) + 1
        end = start - 1
    return None, 0


def problem_lines(result: ImportResult, lang: str) -> list[str]:
    """`people.csv:7:3: code: message` (`roster.xlsx:Sheet1!C7: …` for a workbook), each with its hint;
    a problem about a workspace file as `validate` places it."""
    lines = []
    for problem in result.problems:
        if result.sheet is not None and problem.file == result.sheet.label:
            place = result.sheet.place(problem.line, problem.column)
        else:
            place = f"{problem.file}:{problem.line}:{problem.column}"
        level = "" if problem.level is Level.ERROR else f"{ui('warning', lang)}: "
        lines.append(safe_text(f"{place}: {problem.code}: {level}{problem_message(problem, lang)}", one_line=True))
        hint = problem_hint(problem, lang)
        if hint:
            lines.append(f"      {ui('hint', lang)}: {safe_text(hint, one_line=True)}")
    errors = sum(1 for p in result.problems if p.level is Level.ERROR)
    lines.append(ui("problems-summary", lang, errors=errors, warnings=len(result.problems) - errors))
    return lines


def preview_table(result: ImportResult, lang: str) -> Table:
    """The volunteers as they go onto the roster, in the words of the roster sheet; numbers masked."""
    heading = {c.key: c.header(lang) for c in ROSTER_COLUMNS}
    keys = ("name", "employment", "party_member", "id_number", "phone", "branch", "teams")
    table = Table(
        ui("import-preview", lang, count=len(result.records)),
        [
            Column(ui("row", lang), "right"),
            Column(ui("by-volunteer", lang), no_wrap=True, key=True),
            *(Column(heading[k], key=k == "name") for k in keys),
        ],
    )
    for row, record in zip(result.rows, result.records, strict=True):
        number, phone = record.get("id_number"), record.get("phone")
        table.rows.append([
            row, record["id"], record.get("name"), employment_label(record.get("employment"), lang),
            "✔" if record.get("party_member") else "", mask_id_number(number) if number else "", mask_phone(phone) if phone else "",
            labelled(record.get("branch"), result.branch_names) or "",
            "、".join(labelled(t, result.team_names) or "" for t in record.get("teams", [])),
        ])  # fmt: skip
    return table
