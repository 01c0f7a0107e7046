"""The exported 台账, read back cell by cell: sheets, totals, chart, print set-up, and safety."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import TODAY, Result
from test_hours import JUNE, ROSTER, ledger_files

NUMBER, PHONE = "11010519491231002X", "13800001234"
FORMULA_NAME = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def ledger(workspace: Callable[..., Path]) -> Path:
    roster = (
        ROSTER + f'  - {{id: V0004, name: "{FORMULA_NAME.replace(chr(34), chr(92) + chr(34))}", employment: staff, phone: "{PHONE}"}}\n'
    )
    return workspace(ledger_files(roster, **{"ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{NUMBER}"}}\n'}), base=False)


def test_workbook_sheets_rows_totals_and_layout(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "u1.xlsx"
    result = cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["花名册", "活动台账", "参与明细", "时长统计", "达标情况"]
    # one participation row per participant, after corrections (a2 → a3; b2 → b3 → deleted by b4)
    rows = list(book["参与明细"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3], r[5]) for r in rows] == [
        ("a1", "V0001", 3),
        ("a1", "V0002", 3),
        ("a1", "V0003", 1.5),
        ("a3", "V0001", 2),
        ("b1", "V0002", 2.25),
    ]
    assert isinstance(rows[0][1], datetime) and rows[0][1].date().isoformat() == "2022-05-05"  # dates are dates
    activity_ids = [r[0] for r in book["活动台账"].iter_rows(min_row=2, values_only=True)]
    assert activity_ids == ["a1", "a3", "b1"]
    hours = list(book["时长统计"].iter_rows(values_only=True))
    assert hours[0][:4] == ("志愿者编号", "姓名", "1月", "2月") and hours[0][-1] == "合计"
    assert hours[-1][0] == "合计" and hours[-1][-1] == 11.75  # the year's total, as `hours --by unit` gives it
    assert hours[-1][6] == 9.5 and hours[-1][7] == 2.25  # May and June
    by_unit = cli(ledger, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()
    assert by_unit[0]["hours"] == hours[-1][-1]
    assert len(book["时长统计"]._charts) == 1
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9  # A4
        assert sheet.print_title_rows == "$1:$1"
        assert sheet.column_dimensions["B"].width >= 6
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)  # never a formula


def test_numbers_masked_and_formulas_inert_unless_asked(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    masked = tmp_path / "masked.xlsx"
    cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(masked))
    roster = list(load_workbook(masked)["花名册"].iter_rows(values_only=True))
    by_id = {row[0]: row for row in roster[1:]}
    assert by_id["V0001"][3] == "110105********002X"
    assert by_id["V0004"][4] == "138****1234"
    assert by_id["V0004"][1] == FORMULA_NAME  # kept as the text it is, not run
    full = tmp_path / "full.xlsx"
    cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(full), "--unmask")
    by_id = {row[0]: row for row in list(load_workbook(full)["花名册"].iter_rows(values_only=True))[1:]}
    assert by_id["V0001"][3] == NUMBER and by_id["V0004"][4] == PHONE
    cells = [c for row in load_workbook(full)["花名册"].iter_rows() for c in row if c.value == FORMULA_NAME]
    assert cells and all(c.data_type == "s" for c in cells)


def test_csv_one_file_per_sheet_with_bom_and_no_live_formula(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert cli(ledger, "export", "--unit", "u1", "--year", "2022", "--format", "csv", "--out", str(out)).exit_code == 0
    expected = ["花名册.csv", "活动台账.csv", "参与明细.csv", "时长统计.csv", "达标情况.csv", ".vsledger-export"]  # and the export mark
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)
    raw = (out / "花名册.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["编号", "姓名", "性别"]
    names = [row[1] for row in rows[1:]]
    assert "'" + FORMULA_NAME in names  # OWASP: a leading quote makes it text
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    text = raw.decode("utf-8-sig")
    assert NUMBER not in text and PHONE not in text and "138****1234" in text


def test_json_has_the_same_content(ledger: Path, cli: Callable[..., Result]) -> None:
    data = cli(ledger, "export", "--unit", "u1", "--year", "2022", "--format", "json").json()
    assert set(data) == {"unit", "year", "as_of", "evaluation_day", "roster", "activities", "participations", "hours", "compliance"}
    assert (data["as_of"], data["evaluation_day"]) == ("2024-06-01", "2022-12-31")  # today, as `check` judges the year
    assert [p["hours"] for p in data["participations"]] == [3.0, 3.0, 1.5, 2.0, 2.25]
    assert data["hours"][-1]["total"] == 11.75
    assert data["hours"][-1]["volunteer"] == "total"  # a code, as every JSON value; the workbook says 合计
    assert NUMBER not in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("where", ["ledgers/u1/export.xlsx", "rules/x.xlsx", "ledgers/u1/roster.yaml"])
def test_out_never_lands_in_the_ledger(where: str, ledger: Path, cli: Callable[..., Result]) -> None:
    before = (ledger / "ledgers/u1/roster.yaml").read_bytes()
    result = cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(ledger / where))
    assert result.exit_code == 2 and "out-inside-ledger" in result.stderr
    assert (ledger / "ledgers/u1/roster.yaml").read_bytes() == before
    assert not (ledger / "ledgers/u1/export.xlsx").exists()


def test_out_does_not_overwrite_a_file_that_is_not_an_export(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("重要", encoding="utf-8")
    result = cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(notes))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert notes.read_text(encoding="utf-8") == "重要"
    link = ledger / "elsewhere.xlsx"
    link.symlink_to(ledger / "ledgers/u1/roster.yaml")  # a symlink does not get around it
    assert "out-inside-ledger" in cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(link)).stderr


def test_people_read_words_and_names_the_json_keeps_codes(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "u1.xlsx"
    assert cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(out)).exit_code == 0
    book = load_workbook(out)
    roster = list(book["花名册"].iter_rows(values_only=True))
    column = roster[0].index("人员类别")
    assert {row[column] for row in roster[1:]} <= {"在编", "聘用", "退休", "居民", "学生", "其他"}
    assert "staff" not in {row[column] for row in roster[1:]}
    compliance = list(book["达标情况"].iter_rows(values_only=True))
    status = compliance[0].index("结果")
    assert {row[status] for row in compliance[1:]} <= {"达标", "未达标", "进行中", "不适用", "规则有误"}
    level = compliance[0].index("级别")
    assert {row[level] for row in compliance[1:]} <= {"错误", "警告"}
    activities = list(book["活动台账"].iter_rows(values_only=True))
    team = activities[0].index("服务队")
    assert {row[team] for row in activities[1:]} - {None} <= {"红队 (red)", "蓝队 (blue)"}
    assert {row[team] for row in activities[1:]} - {None}  # the ledger has team activities
    data = json.loads(cli(ledger, "export", "--unit", "u1", "--year", "2022", "--format", "json").stdout)
    assert {a["team"] for a in data["activities"]} - {None} <= {"red", "blue"}
    assert {r["employment"] for r in data["roster"]} <= {"staff", "contract", "retired", "resident", "student", "other"}
    assert {r["status"] for r in data["compliance"]} <= {"pass", "fail", "pending", "n/a", "invalid"}


def test_every_sheet_prints_on_the_page_width(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    """fitToWidth alone is ignored by Excel and LibreOffice: fitToPage must be on, the height unbounded."""
    out = tmp_path / "u1.xlsx"
    assert cli(ledger, "export", "--unit", "u1", "--year", "2022", "--out", str(out)).exit_code == 0
    for sheet in load_workbook(out).worksheets:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, sheet.title
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0, sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows in ("1:1", "$1:$1")


def two_units(ledger: Path) -> Path:
    """A second unit beside u1, with its own activity, so each workbook can be told apart."""
    (ledger / "ledgers/u2/activities").mkdir(parents=True)
    (ledger / "ledgers/u2/unit.yaml").write_text("id: u2\nname: 第二单位\n", encoding="utf-8")
    (ledger / "ledgers/u2/roster.yaml").write_text("volunteers:\n  - {id: V0001, name: 赵六, employment: staff}\n", encoding="utf-8")
    (ledger / "ledgers/u2/activities/2022-03.yaml").write_text(
        "- {id: z1, date: 2022-03-05, title: 植树, location: 山上, hours: 4, participants: [V0001]}\n", encoding="utf-8"
    )
    return ledger


def activity_ids(path: Path) -> list[str]:
    return [row[0] for row in load_workbook(path)["活动台账"].iter_rows(min_row=2, values_only=True)]


def test_several_units_give_one_workbook_each_where_git_does_not_look(ledger: Path, cli: Callable[..., Result], git_identity: None) -> None:
    """`-u u1 -u u2` exported only u2, silently. Now each unit has its workbook, named by its id, in
    exports/, which git ignores: the year-end `git add -A` commits none of them."""
    import subprocess

    root = two_units(ledger)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    result = cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022")
    assert result.exit_code == 0, result.stderr
    assert activity_ids(root / "exports/u1-2022.xlsx") == ["a1", "a3", "b1"]
    assert activity_ids(root / "exports/u2-2022.xlsx") == ["z1"]
    assert result.stdout.count("已导出") == 2 and "u1-2022.xlsx" in result.stdout and "u2-2022.xlsx" in result.stdout
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True)
    assert "exports" not in status.stdout and "ledgers/u2/unit.yaml" in status.stdout


def test_several_units_into_a_folder_beside_a_name_or_to_stdout(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    root = two_units(ledger)
    folder = tmp_path / "年底"
    assert cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022", "-o", str(folder)).exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == ["u1-2022.xlsx", "u2-2022.xlsx"]
    assert cli(root, "export", "-u", "u2", "-u", "u1", "--year", "2022", "-o", str(tmp_path / "台账.xlsx")).exit_code == 0
    assert activity_ids(tmp_path / "台账-u2.xlsx") == ["z1"] and activity_ids(tmp_path / "台账-u1.xlsx")[0] == "a1"
    assert cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022", "-f", "csv", "-o", str(tmp_path / "csv")).exit_code == 0
    assert (tmp_path / "csv/u1-2022/活动台账.csv").is_file() and (tmp_path / "csv/u2-2022/活动台账.csv").is_file()
    data = cli(root, "export", "-u", "u1", "-u", "u2", "-u", "u1", "--year", "2022", "-f", "json").json()
    assert [d["unit"] for d in data] == ["u1", "u2"]  # one object per unit, each once
    assert [a["id"] for a in data[1]["activities"]] == ["z1"]


def test_several_units_write_nothing_unless_every_file_may_be_written(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    root = two_units(ledger)
    folder = tmp_path / "年底"
    folder.mkdir()
    (folder / "u2-2022.xlsx").write_text("科室自己的表", encoding="utf-8")  # not an export: never replaced
    result = cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022", "-o", str(folder))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["u2-2022.xlsx"]  # u1's was not written either
    notes = tmp_path / "notes.txt"
    notes.write_text("重要", encoding="utf-8")
    result = cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022", "-o", str(notes))
    assert result.exit_code == 2 and "--out" in result.stderr and "目录" in result.stderr
    assert notes.read_text(encoding="utf-8") == "重要"
    result = cli(root, "export", "-u", "u1", "-u", "U2", "--year", "2022")
    assert result.exit_code == 2 and "--unit U2:不是单位编号" in result.stderr
    assert not (root / "exports").exists()


MEETING = """
- id: m1
  date: 2022-06-20
  title: 半年协调会
  location: 会议室
  hours: 1.5
  participants: [V0001, V0002]
  type: meeting
"""
NEXT_JANUARY = "- {id: n1, date: 2023-01-10, title: 新年义诊, location: 社区, hours: 5, participants: [V0001]}\n"


def test_a_years_workbook_holds_that_year_and_lists_its_meetings(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """An as-of date in the next year added January's activities to this year's sheets (and their hours to
    January); a meeting was left out without a word. Now the year stops at 31 December, as `check` judges
    it, and a meeting is a row of 活动台账, marked, with no service hours."""
    files = ledger_files(**{"ledgers/u1/activities/2022-06.yaml": JUNE + MEETING})
    root = workspace({**files, "ledgers/u1/activities/2023-01.yaml": NEXT_JANUARY}, base=False)
    out = root / "u1.xlsx"
    result = cli(root, "export", "-u", "u1", "--year", "2022", "--as-of", "2023-01-31", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    rows = list(book["活动台账"].iter_rows(values_only=True))
    head = rows[0]
    by_id = {row[0]: dict(zip(head, row, strict=True)) for row in rows[1:]}
    assert list(by_id) == ["a1", "a3", "b1", "m1"]  # n1 is 2023's
    assert by_id["m1"]["类型"] == "会议(不计服务时长)" and by_id["m1"]["合计时长"] is None
    assert by_id["a1"]["类型"] == "志愿服务"
    assert [r[0] for r in book["参与明细"].iter_rows(min_row=2, values_only=True)] == ["a1", "a1", "a1", "a3", "b1"]  # no meeting
    hours = list(book["时长统计"].iter_rows(values_only=True))
    assert hours[-1][2] == 0 and hours[-1][-1] == 11.75  # January empty, the year's total unchanged
    data = cli(root, "export", "-u", "u1", "--year", "2022", "--as-of", "2023-01-31", "-f", "json").json()
    assert (data["as_of"], data["evaluation_day"]) == ("2023-01-31", "2022-12-31")
    assert [(a["id"], a["type"], a["total_hours"]) for a in data["activities"]][-1] == ("m1", "meeting", None)
    before = cli(root, "export", "-u", "u1", "--year", "2022", "--as-of", "2021-12-31")
    assert before.exit_code == 2 and "2021-12-31" in before.stderr


def test_parquet_takes_several_units_and_says_what_it_leaves_out(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    pytest.importorskip("pyarrow")
    import pyarrow.dataset as ds

    files = ledger_files(**{"ledgers/u1/activities/2022-06.yaml": JUNE + MEETING})
    root = two_units(workspace(files, base=False))
    result = cli(root, "export", "-u", "u1", "-u", "u2", "--year", "2022", "-f", "parquet")
    assert result.exit_code == 0, result.stderr
    assert "u1:已写入" in result.stdout and "u2:已写入" in result.stdout and "另有 1 次会议未写入" in result.stdout
    table = ds.dataset(root / "exports/vsledger-parquet/activities", partitioning="hive").to_table()
    assert sorted(table.column("id").to_pylist()) == ["a1", "a3", "b1", "z1"]


def test_init_keeps_exports_out_of_git(tmp_path: Path, cli: Callable[..., Result]) -> None:
    assert cli(tmp_path / "台账", "init").exit_code == 0
    assert "exports/" in (tmp_path / "台账/.gitignore").read_text(encoding="utf-8").splitlines()


def test_every_file_for_people_defaults_to_exports(workspace: Callable[..., Path], cli: Callable[..., Result], git_identity: None) -> None:
    """Not only the 台账: a report's workbook, a certificate, a bundle and the summary land in exports/ too."""
    import subprocess

    root = workspace(ledger_files(), base=False)
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "台账"], cwd=root, check=True)
    for args in (("report", "monthly", "-u", "u1", "--period", "2022-05", "-f", "xlsx"), ("bundle", "-u", "u1"),
                 ("summary", "--year", "2022"), ("certificate", "-u", "u1", "-v", "V0001")):  # fmt: skip
        result = cli(root, *args)
        assert result.exit_code == 0, (args, result.stderr)
    names = sorted(p.name for p in (root / "exports").iterdir())
    assert names == [".gitignore", "summary-2022.xlsx", "u1-2022-05.xlsx", "u1-2024-0001.pdf", f"u1-{TODAY}.tar.gz"]
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=root, capture_output=True, text=True)
    assert "?? ledgers/u1/certificates.yaml" in status.stdout.splitlines()  # the register is the ledger's; the PDF is not
    assert "exports" not in status.stdout and ".pdf" not in status.stdout and ".xlsx" not in status.stdout


def test_every_field_of_a_record_is_a_column_of_its_sheet(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """The sheets follow the file kinds: a field the files hold is a column, with nothing to add by hand
    (the activity sheet had no `request` and the roster none for `trainings`)."""
    from vsledger.core.model import Activity, Volunteer

    roster = ROSTER.replace("{id: V0001,", "{id: V0001, trainings: [{date: 2022-03-01, topic: 急救, hours: 4}],")
    requests = (
        "- {request: R1, step: received, date: 2022-06-01, from: 东城社区, ask: 上门理发, kind: wish}\n"
        "- {request: R1, step: assigned, date: 2022-06-01, team: red}\n"
        "- {request: R1, step: claimed, date: 2022-06-01, volunteers: [V0002]}\n"
    )
    june = JUNE.replace("  title:", "  request: R1\n  title:", 1)
    files = ledger_files(roster, **{"ledgers/u1/activities/2022-06.yaml": june, "ledgers/u1/requests.yaml": requests})
    root = workspace(files, base=False)
    assert cli(root, "validate").exit_code == 0
    data = cli(root, "export", "-u", "u1", "--year", "2022", "-f", "json").json()
    assert set(Volunteer.model_fields) <= set(data["roster"][0])
    assert set(Activity.model_fields) <= set(data["activities"][0])
    out = root / "u1.xlsx"
    assert cli(root, "export", "-u", "u1", "--year", "2022", "-o", str(out)).exit_code == 0
    book = load_workbook(out)
    people = list(book["花名册"].iter_rows(values_only=True))
    v1 = dict(zip(people[0], next(row for row in people if row[0] == "V0001"), strict=True))
    assert v1["培训记录"] == "2022-03-01 急救 4h"
    rows = list(book["活动台账"].iter_rows(values_only=True))
    served = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [row["所服务的需求编号"] for row in served if row["所服务的需求编号"]] == ["R1"]


def test_parquet_places_every_activity_field(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """The analysis table takes a field, or names why it leaves it out: a new field cannot slip out unseen."""
    pytest.importorskip("pyarrow")
    import pyarrow.dataset as ds

    from vsledger.core.model import Activity
    from vsledger.render.parquet import LEFT_OUT

    root = workspace(ledger_files(), base=False)
    assert cli(root, "export", "-u", "u1", "--year", "2022", "-f", "parquet").exit_code == 0
    table = ds.dataset(root / "exports/vsledger-parquet/activities", partitioning="hive").to_table()
    assert set(table.column_names) & set(LEFT_OUT) == set()
    assert set(Activity.model_fields) - set(LEFT_OUT) <= set(table.column_names)
