"""`vsledger import`: spreadsheets with the offices' header variants; bad rows by number; all or nothing."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import Result

UNIT = "id: u1\nname: 单位\nbranches:\n  - {id: b1, name: 第一党支部}\nteams:\n  - {id: red, name: 红队}\n  - {id: blue, name: 蓝队}\n"
ROSTER = "volunteers:\n  - {id: V0007, name: 老队员, employment: staff}\n"
GOOD = [
    ["张三", "男", "11010519491231002X", "13800001234", "中共党员", "在编", "2021/3/2", "第一党支部", "红队、蓝队", "急救,义诊"],
    ["李四", "女", "", "13900001234", "群众", "聘用人员", "2022年1月5日", "", "red", "摄影"],
]
HEADER = ["姓名", "性别", "证件号码", "联系电话", "政治面貌", "人员类别(必填)", "注册时间", "所属支部", "服务队", "特长"]


def xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


GENERATED = re.compile(r"\b(V\d{4})-[0-9a-hjkmnp-tv-z]{3}\b")


def read_numbered(path: Path) -> str:
    """A file the import wrote, each generated id (`V0008-k7q`) as its number (`V0008`): the three
    characters follow from the sheet's bytes, which an xlsx's timestamp changes from run to run."""
    text = path.read_text(encoding="utf-8")
    assert GENERATED.search(text), text
    return GENERATED.sub(r"\1", text)


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".vsledger.lock"
    }


def test_xlsx_with_header_variants(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")  # the preview table, unfolded
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = xlsx(tmp_path / "花名册.xlsx", GOOD)
    preview = cli(root, "import", str(sheet), "--unit", "u1", "--dry-run")
    assert preview.exit_code == 0, preview.stderr
    assert "将导入 2 名志愿者" in preview.stdout and "110105********002X" in preview.stdout
    assert (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8") == ROSTER  # a dry run writes nothing
    result = cli(root, "import", str(sheet), "--unit", "u1")
    assert result.exit_code == 0, result.stderr
    roster = read_numbered(root / "ledgers/u1/roster.yaml")
    assert roster.startswith(ROSTER)
    assert roster[len(ROSTER) :] == (
        "  - id: V0008\n    name: 张三\n    gender: 男\n    party_member: true\n    employment: staff\n    branch: b1\n"
        "    teams: [red, blue]\n    registered_on: 2021-03-02\n    skills: [急救, 义诊]\n"
        "  - id: V0009\n    name: 李四\n    gender: 女\n    employment: contract\n    teams: [red]\n    registered_on: 2022-01-05\n    skills: [摄影]\n"
    )
    assert read_numbered(root / "ledgers/u1/personal.yaml") == (
        "# yaml-language-server: $schema=../../schemas/personal.schema.json\n"
        '- {id: V0008, id_number: "11010519491231002X", phone: "13800001234"}\n- {id: V0009, phone: "13900001234"}\n'
    )
    assert cli(root, "validate").exit_code == 0


def test_gb18030_csv_is_read(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    path = tmp_path / "花名册.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["姓名", "手机号码", "编制", "特长"])
        writer.writerow(["王五", "13700001234", "退休", "理发"])
    assert cli(root, "import", str(path), "--unit", "u1").exit_code == 0
    assert "  - id: V0008\n    name: 王五\n    employment: retired\n    skills: [理发]\n" in read_numbered(root / "ledgers/u1/roster.yaml")


def test_every_bad_row_reported_and_nothing_written(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace(
        {
            "ledgers/u1/unit.yaml": UNIT,
            "ledgers/u1/roster.yaml": ROSTER,
            "ledgers/u1/personal.yaml": '- {id: V0007, id_number: "110105194912310038"}\n',
        },
        base=False,
    )
    rows = [
        GOOD[0],
        ["赵六", "男", "110105194912310021", "", "群众", "在编", "", "", "", ""],  # bad check digit
        ["钱七", "男", 110105194912310000, "", "群众", "在编", "", "", "", ""],  # Excel stored the number as a number
        ["孙八", "女", "", "23800001234", "群众", "保安", "2022-13-01", "", "", ""],  # bad phone, category, date
        ["周九", "男", "11010519491231002x", "", "群众", "在编", "", "", "", ""],  # the same person as row 2
        ["吴十", "男", "110105194912310038", "", "群众", "在编", "", "", "", ""],  # already on the roster
    ]
    sheet = xlsx(tmp_path / "bad.xlsx", rows)
    before = snapshot(root)
    result = cli(root, "import", str(sheet), "--unit", "u1")
    assert result.exit_code == 1
    found = [line.split(": ")[:2] for line in result.stderr.splitlines() if line.startswith(str(sheet))]
    assert found == [
        [f"{sheet}:Sheet!C3", "invalid-id-number"], [f"{sheet}:Sheet!C4", "import-id-as-number"],
        [f"{sheet}:Sheet!D5", "invalid-phone"], [f"{sheet}:Sheet!F5", "import-employment"], [f"{sheet}:Sheet!G5", "invalid-date"],
        [f"{sheet}:Sheet!C6", "duplicate-id-number"], [f"{sheet}:Sheet!C7", "duplicate-id-number"],
    ]  # the cells as Excel names them  # fmt: skip
    assert "表格有错误,未导入任何记录" in result.stderr
    assert "110105194912310021" not in result.stderr and "23800001234" not in result.stderr
    assert snapshot(root) == before


def test_a_sheet_without_a_name_column(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = xlsx(tmp_path / "x.xlsx", [["a", "b"]], header=["序号", "备注"])
    result = cli(root, "import", str(sheet), "--unit", "u1")
    assert result.exit_code == 1 and "import-no-header" in result.stderr


def test_imported_numbers_stay_out_of_git(tmp_path: Path, cli: Callable[..., Result], git_identity: None) -> None:
    import subprocess

    root = tmp_path / "office"
    assert cli(root, "init", str(root)).exit_code == 0
    sheet = xlsx(
        tmp_path / "花名册.xlsx", [["张三", "男", "11010519491231002X", "13800001234", "中共党员", "在编", "2021/3/2", "", "", "急救"]]
    )
    assert cli(root, "import", str(sheet), "--unit", "example").exit_code == 0
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "import"], cwd=root, check=True, capture_output=True)
    for secret in ("11010519491231002X", "13800001234"):
        assert subprocess.run(["git", "grep", "-q", secret], cwd=root).returncode == 1
    assert "11010519491231002X" in (root / "ledgers/example/personal.yaml").read_text(encoding="utf-8")
    assert all(p["code"] != "personal-data-in-git" for p in cli(root, "validate", "--format", "json").json()["problems"])


def run_both(cli: Callable[..., Result], root: Path, sheet: Path, *extra: str) -> tuple[Result, Result]:
    """The dry run, then the import itself, of one spreadsheet."""
    return cli(root, "import", str(sheet), "--unit", "u1", "--dry-run", *extra), cli(root, "import", str(sheet), "--unit", "u1", *extra)


def csv_file(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def spreadsheet(kind: str, directory: Path, rows: list[list[object]]) -> Path:
    """The rows, header first, as people.csv or as the sheet "Sheet" of roster.xlsx."""
    if kind == "csv":
        return csv_file(directory / "people.csv", rows)
    return xlsx(directory / "roster.xlsx", rows[1:], header=[str(cell) for cell in rows[0]])


def located(result: Result, sheet: Path) -> list[tuple[str, str]]:
    """(place in the sheet, code) of every problem the command placed in it, in the order shown."""
    prefix = f"{sheet}:"
    return [(line[len(prefix) :].split(": ")[0], line.split(": ")[1]) for line in result.stderr.splitlines() if line.startswith(prefix)]


REFERENCES: list[list[object]] = [
    ["姓名", "人员类别", "所属支部", "服务队", "手机号"],
    ["王五", "在编", "第一党支部", "红队", "13700001234"],  # by name: fine
    ["赵六", "聘用", "b9", "red、green", "13700001235"],  # ids unit.yaml does not define
    ["钱七", "退休", "", "绿队", ""],  # a name that is no team's
]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_dry_run_refuses_what_the_import_refuses_at_the_cell(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, kind: str
) -> None:
    """A branch or team unit.yaml does not define is found on the roster as it would be, and placed in the sheet."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = spreadsheet(kind, tmp_path, REFERENCES)
    before = snapshot(root)
    dry, real = run_both(cli, root, sheet)
    assert (dry.exit_code, real.exit_code) == (1, 1)
    assert dry.stderr == real.stderr  # the same checks, the same words
    places = {"csv": ["3:3", "3:4", "4:4"], "xlsx": ["Sheet!C3", "Sheet!D3", "Sheet!D4"]}[kind]
    assert located(real, sheet) == list(zip(places, ["unknown-branch", "unknown-team", "unknown-team"], strict=True))
    assert "“b9”" in real.stderr and "“green”" in real.stderr and "“绿队”" in real.stderr
    assert "roster.yaml" not in real.stderr  # never the lines of a file that was not written
    assert "表格有错误,未导入任何记录" in real.stderr and "将导入" not in dry.stdout
    assert snapshot(root) == before


def test_dry_run_takes_the_checks_of_a_write(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    """A roster the import could not replace is refused by the dry run too, not only by the import."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = csv_file(tmp_path / "people.csv", REFERENCES[:2])
    (root / "ledgers/u1/roster.yaml").chmod(0o444)
    try:
        dry, real = run_both(cli, root, sheet)
    finally:
        (root / "ledgers/u1/roster.yaml").chmod(0o644)
    assert (dry.exit_code, real.exit_code) == (1, 1)
    assert "file-read-only" in dry.stderr and dry.stderr == real.stderr
    assert "工作区拒绝写入" in dry.stderr and "表格有错误" not in dry.stderr  # the sheet is fine: the roster is not writable


def test_a_clean_dry_run_is_the_import_that_follows(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = csv_file(tmp_path / "people.csv", REFERENCES[:2])
    before = snapshot(root)
    dry = cli(root, "import", str(sheet), "--unit", "u1", "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    assert "试运行" in dry.stdout and "未写入任何文件" in dry.stdout
    assert snapshot(root) == before
    real = cli(root, "import", str(sheet), "--unit", "u1")
    assert real.exit_code == 0 and "已导入 1 名志愿者" in real.stdout
    assert dry.stdout.split("\n")[:-2] == real.stdout.split("\n")[:-2]  # the same preview, the same ids
    assert "  - id: V0008\n    name: 王五\n    employment: staff\n    branch: b1\n    teams: [red]\n" in read_numbered(
        root / "ledgers/u1/roster.yaml"
    )


def test_the_preview_speaks_chinese_and_masks(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = xlsx(tmp_path / "花名册.xlsx", [GOOD[0], ["李四", "女", "", "0597-2233445", "群众", "聘用人员", "", "", "", ""]])
    result = cli(root, "import", str(sheet), "--unit", "u1", "--dry-run")
    assert result.exit_code == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if "姓名" in line)
    for label in ("行", "志愿者", "姓名", "人员类别", "党员", "身份证号", "手机号", "支部", "服务队"):
        assert label in header
    for code in ("employment", "id_number", "phone", "名称"):
        assert code not in result.stdout
    assert "在编" in result.stdout and "聘用" in result.stdout and "staff" not in result.stdout
    assert "第一党支部 (b1)" in result.stdout and "红队 (red)、蓝队 (blue)" in result.stdout
    assert "110105********002X" in result.stdout and "0597-***3445" in result.stdout and "2233445" not in result.stdout


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_columns_not_imported_are_named(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, kind: str) -> None:
    """备注, a second phone column and a column without a header are listed, and the rest imported."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = spreadsheet(
        kind, tmp_path, [["姓名", "备注", "手机号", "联系电话", ""], ["王五", "老党员", "13700001234", "13700009999", "某某"]]
    )
    dry, real = run_both(cli, root, sheet)
    assert (dry.exit_code, real.exit_code) == (0, 0), real.stderr
    assert dry.stderr == real.stderr
    places = {"csv": ["1:2", "1:4", "1:5"], "xlsx": ["Sheet!B1", "Sheet!D1", "Sheet!E1"]}[kind]
    codes = ["import-column-ignored", "import-column-repeated", "import-column-unnamed"]
    assert located(real, sheet) == list(zip(places, codes, strict=True))
    assert "“备注”列不是花名册字段,未导入" in real.stderr
    assert "“联系电话”列与“手机号”列是同一字段,只导入了“手机号”列" in real.stderr
    assert "0 个错误,3 个警告" in real.stderr
    assert "已导入 1 名志愿者" in real.stdout
    assert '- {id: V0008, phone: "13700001234"}' in read_numbered(root / "ledgers/u1/personal.yaml")
    assert "老党员" not in (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")


def test_the_other_sheets_of_a_workbook_are_named(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    book = Workbook()
    book.active.title = "在职"
    book.active.append(["姓名"])
    book.active.append(["王五"])
    book.create_sheet("退休").append(["姓名"])
    book.create_sheet("空白")
    book.save(tmp_path / "两页.xlsx")
    result = cli(root, "import", str(tmp_path / "两页.xlsx"), "--unit", "u1", lang="en")
    assert result.exit_code == 0
    assert (
        f"{tmp_path}/两页.xlsx:在职!A1: import-other-sheet: warning: only the first sheet '在职' is read: sheet '退休' was not imported"
        in (result.stderr)
    )
    assert "空白" not in result.stderr  # an empty sheet holds nothing to miss


def test_a_sheet_name_with_a_space_is_quoted_as_excel_does(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    book = Workbook()
    book.active.title = "花名册 2022"
    book.active.append(["姓名", "人员类别"])
    book.active.append(["王五", "保安"])
    book.save(tmp_path / "a.xlsx")
    result = cli(root, "import", str(tmp_path / "a.xlsx"), "--unit", "u1")
    assert f"{tmp_path}/a.xlsx:'花名册 2022'!B2: import-employment:" in result.stderr


@pytest.mark.parametrize(("column", "value"), [("身份证号", "1.10105E+17"), ("手机号", "1.38E+10"), ("志愿者编号", "3.508E+13")])
def test_scientific_notation_gets_its_own_hint(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, column: str, value: str
) -> None:
    """A CSV saved from a General column: the number is gone, and the clerk is told why, not "check digit"."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = csv_file(tmp_path / "people.csv", [["姓名", column], ["王五", value]])
    before = snapshot(root)
    dry, real = run_both(cli, root, sheet)
    assert (dry.exit_code, real.exit_code) == (1, 1) and dry.stderr == real.stderr
    lines = real.stderr.splitlines()
    assert (
        lines[0]
        == f"{sheet}:2:2: import-scientific-notation: 第 2 行:单元格内容为 {value}:Excel 把长号码显示成了科学计数法并照此保存,号码已不完整"
    )
    assert lines[1].strip() == "提示: Excel 把号码(如身份证号)显示成了科学计数法:把该列设为“文本”格式,重新填入完整号码后再导出"
    assert "invalid-id-number" not in real.stderr and "invalid-phone" not in real.stderr and "校验位" not in real.stderr
    assert snapshot(root) == before
    english = cli(root, "import", str(sheet), "--unit", "u1", lang="en").stderr
    assert "scientific notation" in english and "format the column as Text" in english


def test_employment_and_phone_read_alike_in_the_import_and_the_cli(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    """在编, 聘用人员, 退休职工 and the landline formats offices write: what the import takes, the flags take."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    typed = [("在编", "0597-2233445"), ("聘用人员", "(0597) 2233446"), ("退休职工", "０５９７－２２３３４４７"), ("居民", "010 12345678")]
    sheet = csv_file(tmp_path / "people.csv", [["姓名", "人员类别", "联系电话"], *[[f"甲{i}", e, p] for i, (e, p) in enumerate(typed)]])
    assert cli(root, "import", str(sheet), "--unit", "u1").exit_code == 0
    for i, (employment, phone) in enumerate(typed):
        result = cli(root, "add-volunteer", "--unit", "u1", "--name", f"乙{i}", "--employment", employment, "--phone", phone, "--yes")
        assert result.exit_code == 0, result.stderr
    roster = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    codes = ["staff", "contract", "retired", "resident"]
    for i, code in enumerate(codes):
        assert f"name: 甲{i}\n    employment: {code}\n" in roster and f"name: 乙{i}\n    employment: {code}\n" in roster
    personal = (root / "ledgers/u1/personal.yaml").read_text(encoding="utf-8")
    numbers = ["0597-2233445", "0597-2233446", "0597-2233447", "010-12345678"]
    assert [line.split('phone: "')[1][:-2] for line in personal.splitlines()[1:]] == numbers * 2
    assert cli(root, "validate").exit_code == 0
    shown = cli(root, "export", "--unit", "u1", "--year", "2024", "--format", "json")
    assert "0597-***3445" in shown.stdout and "010-****5678" in shown.stdout
    assert not any(number in shown.stdout for number in numbers)


def test_a_phone_the_cli_cannot_read_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    result = cli(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--phone", "0597-22334", "--yes")
    assert result.exit_code == 2
    assert "带区号的座机" in result.stderr
    assert (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8") == ROSTER


def test_a_landline_in_free_text_is_masked_too(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """The safety net over every output covers a landline written with its area code, as it covers a mobile."""
    activity = (
        "- {id: a1, date: 2024-05-05, title: 义诊, location: 社区, hours: 2, participants: [V0007],"
        " content: '咨询电话 0597-2233445、(0591) 87654321、010 12345678'}\n"
    )
    root = workspace(
        {"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER, "ledgers/u1/activities/2024-05.yaml": activity}, base=False
    )
    shown = cli(root, "export", "--unit", "u1", "--year", "2024", "--format", "json").stdout
    assert "咨询电话 0597-***3445、(0591) ****4321、010 ****5678" in shown
    assert not any(number in shown for number in ("2233445", "87654321", "12345678"))


def test_a_bad_phone_in_a_sheet_is_explained_without_a_masked_example(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path
) -> None:
    """The message says how a landline is written; an example number in it came out masked (0597-***3445)."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    sheet = csv_file(tmp_path / "people.csv", [["姓名", "人员类别", "手机号"], ["王五", "在编", "12345"]])
    for lang, words in (("zh", "区号-号码"), ("en", "area code-number")):
        result = cli(root, "import", str(sheet), "--unit", "u1", "--dry-run", lang=lang)
        assert result.exit_code == 1 and "people.csv:2:3: invalid-phone" in result.stderr
        assert words in result.stderr and "***3445" not in result.stderr


@pytest.mark.parametrize(("typed", "kept"), [("不在编", "contract"), ("非正式", "contract"), ("编制外人员", "contract"), ("非职工", None)])
def test_a_negated_employment_word_is_not_read_as_staff(
    workspace: Callable[..., Path], cli: Callable[..., Result], typed: str, kept: str | None
) -> None:
    """不在编 holds 在编 but means the opposite; a negation the tool does not know is refused, never guessed."""
    root = workspace({"ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": ROSTER}, base=False)
    result = cli(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--employment", typed, "--yes")
    roster = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    if kept is None:
        assert result.exit_code == 2 and roster == ROSTER
    else:
        assert result.exit_code == 0, result.stderr
        assert f"employment: {kept}" in roster.split("王五")[1]
