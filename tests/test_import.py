"""`vsledger import`: spreadsheets with the offices' header variants; bad rows by number; all or nothing."""

from __future__ import annotations

import csv
import hashlib
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
    roster = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    assert roster.startswith(ROSTER)
    assert roster[len(ROSTER) :] == (
        "  - id: V0008\n    name: 张三\n    gender: 男\n    party_member: true\n    employment: staff\n    branch: b1\n"
        "    teams: [red, blue]\n    registered_on: 2021-03-02\n    skills: [急救, 义诊]\n"
        "  - id: V0009\n    name: 李四\n    gender: 女\n    employment: contract\n    teams: [red]\n    registered_on: 2022-01-05\n    skills: [摄影]\n"
    )
    assert (root / "ledgers/u1/personal.yaml").read_text(encoding="utf-8") == (
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
    assert "  - id: V0008\n    name: 王五\n    employment: retired\n    skills: [理发]\n" in (root / "ledgers/u1/roster.yaml").read_text(
        encoding="utf-8"
    )


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
    found = [(line.split(":")[1], line.split(": ")[1]) for line in result.stderr.splitlines() if line.startswith(str(sheet))]
    assert found == [
        ("3", "invalid-id-number"), ("4", "import-id-as-number"), ("5", "invalid-phone"), ("5", "import-employment"),
        ("5", "invalid-date"), ("6", "duplicate-id-number"), ("7", "duplicate-id-number"),
    ]  # fmt: skip
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
