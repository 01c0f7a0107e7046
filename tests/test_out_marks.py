"""`--out` never replaces a file vsledger did not write: every export carries a mark, anything
unmarked is refused (exit 2, the file untouched) unless `--force`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import Result
from test_hours import ROSTER, ledger_files

EXPORT = ("export", "--unit", "u1", "--year", "2022")


@pytest.fixture
def ledger(workspace: Callable[..., Path]) -> Path:
    return workspace(ledger_files(ROSTER), base=False)


def test_report_out_refuses_the_readme(ledger: Path, cli: Callable[..., Result]) -> None:
    readme = ledger / "README.md"
    readme.write_text("# 本单位台账说明\n", encoding="utf-8")
    result = cli(ledger, "report", "monthly", "--unit", "u1", "--period", "2022-05", "--out", str(readme))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert readme.read_text(encoding="utf-8") == "# 本单位台账说明\n"
    forced = cli(ledger, "report", "monthly", "--unit", "u1", "--period", "2022-05", "--out", str(readme), "--force")
    assert forced.exit_code in (0, 1) and readme.read_text(encoding="utf-8").startswith("<!-- vsledger-export")


def test_json_out_refuses_a_schema(ledger: Path, cli: Callable[..., Result]) -> None:
    assert cli(ledger, "schema").exit_code == 0
    schema = ledger / "schemas" / "roster.schema.json"
    before = schema.read_bytes()
    result = cli(ledger, *EXPORT, "--format", "json", "--out", str(schema))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert schema.read_bytes() == before


def test_xlsx_out_refuses_a_clerks_own_workbook(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    own = tmp_path / "人员名单.xlsx"
    book = Workbook()
    book.active.append(["姓名", "电话"])
    book.save(own)
    before = own.read_bytes()
    result = cli(ledger, *EXPORT, "-o", str(own))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert own.read_bytes() == before


@pytest.mark.parametrize(
    ("fmt", "name"), [("xlsx", "台账.xlsx"), ("json", "台账.json"), ("csv", "台账csv"), ("md", "月报.md"), ("pdf", "证明.pdf")]
)
def test_what_vsledger_wrote_it_may_replace(ledger: Path, cli: Callable[..., Result], tmp_path: Path, fmt: str, name: str) -> None:
    target = tmp_path / name
    if fmt == "md":
        args: tuple[str, ...] = ("report", "monthly", "--unit", "u1", "--period", "2022-05")
    elif fmt == "pdf":
        args = ("certificate", "--unit", "u1", "--volunteer", "V0001")
    else:
        args = (*EXPORT, "--format", fmt)
    for _ in range(2):  # the second run replaces the first one's file
        result = cli(ledger, *args, "--out", str(target))
        assert result.exit_code in (0, 1), result.stderr
        assert "out-not-export" not in result.stderr


def test_a_csv_directory_of_someone_elses_files_is_refused(ledger: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    directory = tmp_path / "表格"
    directory.mkdir()
    (directory / "名单.csv").write_text("姓名\n张三\n", encoding="utf-8")
    result = cli(ledger, *EXPORT, "--format", "csv", "--out", str(directory))
    assert result.exit_code == 2 and "out-not-export" in result.stderr
    assert [p.name for p in directory.iterdir()] == ["名单.csv"]
