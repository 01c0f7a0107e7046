"""`vsledger report monthly|half-year`: figures by hand, xlsx read back, the hand-in recorded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from conftest import Result
from test_hours import MAY, UNIT, ledger_files

POLICY = "id: p1\ntitle: 方案\nrules:\n  - {id: monthly-report, kind: report_due, report: monthly, due: 5, text: 每月5日前报送}\n"


def ledger(workspace: Callable[..., Path]) -> Path:
    unit = UNIT.replace("name: 测试单位\n", "name: 测试单位\npolicy: p1\n")
    may = MAY.replace(
        "participants: [V0001, V0002, {V0003: 1.5}]", "participants: [V0001, V0002, {V0003: 1.5}]\n  served: 40\n  external: 5"
    )
    return workspace(ledger_files(unit=unit, may=may, **{"rules/p1.yaml": POLICY}), base=False)


def test_monthly_report_figures(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = cli(ledger(workspace), "report", "monthly", "--unit", "u1", "--period", "2022-05")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# 测试单位 2022-05 志愿服务活动情况月报\n")
    # May after corrections: a1 (3 people + 5 external, 7.5 h, 40 served) and a3 (V0001, 2 h)
    for line in ("- 开展活动:2", "- 参与人次(含外部):9", "- 参与志愿者:3", "- 服务时长(小时):9.50", "- 服务群众(人次):40"):
        assert line + "\n" in text
    assert "| 2022-05-05 | 义诊 | red | 社区 | 8 | 7.50 | 40 |" in text
    assert "| monthly-report | 未达标 |" in text  # nothing handed in by 2022-05-31: April's report is late


def test_half_year_summary_as_xlsx(workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "h1.xlsx"
    result = cli(
        ledger(workspace), "report", "half-year", "--unit", "u1", "--period", "2022-H1", "--format", "xlsx", "--out", str(out), lang="en"
    )
    assert result.exit_code == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Summary", "Activities", "Against the policy"]
    summary = dict(book["Summary"].iter_rows(min_row=2, values_only=True))
    assert summary["Activities held"] == 3 and summary["Service hours"] == 11.75 and summary["Volunteers taking part"] == 3
    assert [r[1] for r in book["Activities"].iter_rows(min_row=2, values_only=True)] == ["义诊", "清扫", "宣讲"]


def test_submitted_on_is_recorded_for_report_due(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = ledger(workspace)
    for month, day in (("2022-01", "2022-02-03"), ("2022-02", "2022-03-04"), ("2022-03", "2022-04-01"), ("2022-04", "2022-05-05")):
        result = cli(root, "report", "monthly", "--unit", "u1", "--period", month, "--submitted-on", day)
        assert result.exit_code == 0, result.stderr
    assert (root / "ledgers/u1/reports.yaml").read_text(encoding="utf-8") == (
        "# yaml-language-server: $schema=../../schemas/reports.schema.json\n"
        "- {kind: monthly, period: 2022-01, submitted_on: 2022-02-03}\n- {kind: monthly, period: 2022-02, submitted_on: 2022-03-04}\n"
        "- {kind: monthly, period: 2022-03, submitted_on: 2022-04-01}\n- {kind: monthly, period: 2022-04, submitted_on: 2022-05-05}\n"
    )
    rule = cli(root, "check", "--year", "2022", "--as-of", "2022-05-31", "--format", "json").json()["units"][0]["rules"][0]
    assert (rule["status"], rule["actual"], rule["target"]) == ("pending", 4, 4)  # May's is not due until 06-05
    assert cli(root, "validate").exit_code == 0


def test_bad_period_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = cli(ledger(workspace), "report", "monthly", "--unit", "u1", "--period", "2022-H1")
    assert result.exit_code == 2 and "2022-H1" in result.stderr


def test_a_period_not_yet_begun_is_refused(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A month to come gave an empty report, exit 0, "统计截至" a day before the month began."""
    root = ledger(workspace)
    result = cli(root, "report", "monthly", "--unit", "u1", "--period", "2024-07")  # today is 2024-06-01
    assert result.exit_code == 2 and "2024-07 还没有开始(今天是 2024-06-01)" in result.stderr
    assert cli(root, "report", "monthly", "--unit", "u1", "--period", "2024-06").exit_code == 0  # under way: up to today
    future = cli(root, "check", "--year", "2024", "--as-of", "2025-01-10")
    assert future.exit_code == 2 and "统计截至日 2025-01-10 晚于今天(2024-06-01)" in future.stderr


def test_a_bad_date_is_said_before_any_question(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """`request add --date 2024-13-01`: the date is checked first, not after the clerk has answered every prompt."""
    root = ledger(workspace)
    result = cli(root, "request", "add", "-u", "u1", "--date", "2024-13-01")
    assert result.exit_code == 2 and "--date 的值不对:YYYY-MM-DD" in result.stderr  # not "--from is missing"


def test_recording_a_hand_in_keeps_every_existing_byte(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = ledger(workspace)
    existing = (
        "# 报送记录\n- {kind: plan, period: 2022, submitted_on: 2022-03-01}\n\n- {kind: monthly, period: 2022-01, submitted_on: 2022-02-03}"
    )
    (root / "ledgers/u1/reports.yaml").write_text(existing, encoding="utf-8")  # a blank line kept by hand, no final newline
    assert cli(root, "report", "monthly", "--unit", "u1", "--period", "2022-02", "--submitted-on", "2022-03-04").exit_code == 0
    text = (root / "ledgers/u1/reports.yaml").read_text(encoding="utf-8")
    assert text == existing + "\n- {kind: monthly, period: 2022-02, submitted_on: 2022-03-04}\n"
