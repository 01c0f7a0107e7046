"""`vsledger import`: volunteers from the spreadsheets offices already have.

Headers are matched in their usual Chinese variants; every bad row is reported
by row and column; nothing is written unless the whole file is valid, and then
it is written like `add-volunteer` writes (roster.yaml, numbers in personal.yaml).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from vsledger.core.filekinds import PERSONAL_FIELDS
from vsledger.core.ledger import Workspace
from vsledger.core.model import Volunteer
from vsledger.core.personal import mask_id_number, mask_phone
from vsledger.core.problems import Problem
from vsledger.core.typed import EMPLOYMENT_WORDS, TypedError, parse_date
from vsledger.read.loader import problems_from_validation
from vsledger.render.messages import ui
from vsledger.render.terminal import Column, Table
from vsledger.write.add import next_volunteer_id
from vsledger.write.layout import record_text
from vsledger.write.transaction import Change, Plan, append_line, append_volunteer, transact

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
_SPLIT = re.compile(r"[、,，;；/\s]+")


@dataclass
class ImportResult:
    records: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    """The spreadsheet row of each record."""
    problems: list[Problem] = field(default_factory=list)


def read_sheet(path: Path) -> list[list[Any]]:
    """The cells of the first sheet (xlsx) or of the file (csv: UTF-8, with or without BOM, or GB18030)."""
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")  # what Excel on a Chinese Windows saves as "CSV"
    return [list(row) for row in csv.reader(text.splitlines())]


def _header_key(text: Any) -> str | None:
    if text is None:
        return None
    cleaned = re.split(r"[(（]", str(text).strip())[0].strip().replace(" ", "").replace("*", "")
    return HEADERS.get(cleaned)


def parse_rows(path: Path, workspace: Workspace, unit: str, start_id: int) -> ImportResult:
    result = ImportResult()
    label = str(path)
    try:
        table = read_sheet(path)
    except Exception as exc:  # an unreadable spreadsheet: one located problem, not a traceback
        result.problems.append(Problem(label, "import-unreadable", {"detail": type(exc).__name__}, line=1, column=1))
        return result
    if not table:
        result.problems.append(Problem(label, "import-no-header", {}, line=1, column=1))
        return result
    columns = {i: _header_key(text) for i, text in enumerate(table[0])}
    if "name" not in columns.values():
        result.problems.append(Problem(label, "import-no-header", {}, line=1, column=1))
        return result
    ledger = workspace.units[unit]
    branch_ids = {b.name: b.id for b in ledger.unit.branches} if ledger.unit else {}
    team_ids = {t.name: t.id for t in ledger.unit.teams} if ledger.unit else {}
    known_numbers = {e.record.id_number: e.record.id for e in ledger.volunteers.values() if e.record.id_number}
    next_id = start_id
    for row_number, row in enumerate(table[1:], start=2):
        if all(v in (None, "") for v in row):
            continue
        record, where, row_problems = _parse_row(row, row_number, columns, label, branch_ids, team_ids)
        record = {"id": f"V{next_id:04d}", **record}
        try:
            Volunteer.model_validate(record)
        except ValidationError as exc:
            for problem in problems_from_validation(exc, label, ()):
                column = where.get(str(problem.path[0]) if problem.path else "", 0)
                row_problems.append(_row_problem(label, problem.code, row_number, column, problem.args))
        number = record.get("id_number")
        if number and not row_problems:
            holder = known_numbers.get(number)
            if holder is not None:
                row_problems.append(_row_problem(label, "duplicate-id-number", row_number, where["id_number"], {"id": holder}))
            else:
                known_numbers[number] = record["id"]
        if row_problems:
            result.problems.extend(row_problems)
            continue
        result.records.append(record)
        result.rows.append(row_number)
        next_id += 1
    result.problems.sort(key=Problem.sort_key)
    return result


def _row_problem(label: str, code: str, row: int, column: int, args: dict[str, Any]) -> Problem:
    return Problem(label, code, {"row": row, **args}, line=row, column=column + 1)


def _parse_row(
    row: list[Any], row_number: int, columns: dict[int, str | None], label: str, branch_ids: dict[str, str], team_ids: dict[str, str]
) -> tuple[dict[str, Any], dict[str, int], list[Problem]]:
    """One spreadsheet row as roster fields, where each came from, and what is wrong with it."""
    record: dict[str, Any] = {}
    where: dict[str, int] = {}
    problems: list[Problem] = []
    for index, value in enumerate(row):
        key = columns.get(index)
        if key is None or value in (None, ""):
            continue
        where[key] = index
        text = str(value).strip()
        if key == "id_number":
            if isinstance(value, (int, float)):
                problems.append(_row_problem(label, "import-id-as-number", row_number, index, {}))
                continue
            record[key] = text.upper()
        elif key == "phone":
            record[key] = str(int(value)) if isinstance(value, (int, float)) else text
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
            kind = next((k for k, words in EMPLOYMENT_WORDS.items() if any(w in text for w in words)), None)
            if kind is None:
                problems.append(_row_problem(label, "import-employment", row_number, index, {"value": text}))
                continue
            record[key] = kind
        elif key == "branch":
            record[key] = branch_ids.get(text, text)
        elif key == "teams":
            record[key] = [team_ids.get(t, t) for t in _SPLIT.split(text) if t]
        elif key == "skills":
            record[key] = [s for s in _SPLIT.split(text) if s]
        else:
            record[key] = text
    record.setdefault("employment", "other")
    return record, where, problems


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return parse_date(str(value))
    except TypedError:
        return None


def import_volunteers(root: Path, unit: str, records: list[dict[str, Any]], today: date) -> list[str]:
    """Every record in one validated transaction: roster.yaml and personal.yaml as one set.

    The `V####` ids follow the roster as found under the lock (the preview's, unless someone
    added volunteers meanwhile); the ids written."""

    def decide(workspace: Workspace) -> Plan:
        first = int(next_volunteer_id(workspace, unit)[1:])
        personal_lines = []
        blocks = []
        for offset, given in enumerate(records):
            record = {**given, "id": f"V{first + offset:04d}"}
            numbers = {k: record.pop(k) for k in PERSONAL_FIELDS if k in record}
            blocks.append(record_text("roster", record))
            if numbers:
                personal_lines.append(record_text("personal", {"id": record["id"], **numbers}))

        def roster(old: bytes | None) -> bytes:
            new = old
            for block in blocks:
                new = append_volunteer(new, block)
            return new or b""

        changes = [Change(f"ledgers/{unit}/roster.yaml", roster)]
        if personal_lines:
            text = "".join(personal_lines)
            changes.append(Change(f"ledgers/{unit}/personal.yaml", lambda old: append_line(old, text)))
        return Plan(changes, [f"V{first + offset:04d}" for offset in range(len(records))])

    ids: list[str] = transact(root, unit, today, decide).value
    return ids


def preview_table(result: ImportResult, lang: str) -> Any:
    table = Table(
        ui("import-preview", lang, count=len(result.records)),
        [Column(ui("row", lang), "right"), Column(ui("by-volunteer", lang)), Column(ui("name", lang)), Column("employment"),
         Column(ui("party", lang)), Column("id_number"), Column("phone"), Column(ui("by-team", lang))],
    )  # fmt: skip
    for row, record in zip(result.rows, result.records, strict=True):
        number, phone = record.get("id_number"), record.get("phone")
        table.rows.append([
            row, record["id"], record.get("name"), record.get("employment"), "✔" if record.get("party_member") else "",
            mask_id_number(number) if number else "", mask_phone(phone) if phone else "", "、".join(record.get("teams", [])),
        ])  # fmt: skip
    return table
