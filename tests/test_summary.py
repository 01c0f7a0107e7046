"""summary: the 汇总表's figures, worked out by hand for a small workspace, and the workbook's conventions."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

import conftest
from conftest import Result

POLICY = (
    conftest.POLICY
    + """  - id: hours-per-capita
    kind: hours_per_capita
    min: 10
    text: 人均每年不低于10小时
"""
)

FILES = {
    "rules/p1.yaml": POLICY,
    "ledgers/u1/unit.yaml": "id: u1\nname: 一号单位\npolicy: p1\n",
    "ledgers/u1/roster.yaml": """
        volunteers:
          - {id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}
          - {id: V0002, name: 李四, employment: staff, registered_on: 2020-01-01}
          - {id: V0003, name: 王五, employment: staff, joined: 2024-01-01}
          - {id: V0004, name: 赵六, employment: staff, registered_on: 2020-01-01, left: 2024-02-28}
        """,
    "ledgers/u1/activities/2024-01.yaml": """
        - {id: a1, date: 2024-01-05, title: 义诊, location: 东城, hours: 2, participants: [V0001, V0002, V0004]}
        """,
    "ledgers/u1/activities/2024-02.yaml": """
        - {id: a2, date: 2024-02-10, title: 宣讲, location: 西城, hours: 3, participants: [V0001, {V0003: 1.5}]}
        """,
    "ledgers/u1/activities/2024-03.yaml": """
        - {id: a3, date: 2024-03-15, title: 义诊, location: 东城, hours: 2.5, participants: [V0001]}
        - {id: a4, date: 2024-03-20, title: 探访, location: 南城, hours: 4, participants: [V0002]}
        - {id: a5, date: 2024-03-20, title: 探访, location: 南城, hours: 1, participants: [V0002], corrects: a4}
        """,
    "ledgers/u1/activities/2024-06.yaml": """
        - {id: a6, date: 2024-06-01, title: 义诊, location: 东城, hours: 8, participants: [V0001]}
        """,
    "ledgers/u2/unit.yaml": "id: u2\nname: 二号单位\npolicy: p1\n",
    "ledgers/u2/roster.yaml": "volunteers:\n  - {id: V0001, name: 孙七, employment: staff, registered_on: 2021-05-01}\n",
    "ledgers/u2/activities/2024-04.yaml": """
        - {id: b1, date: 2024-04-01, title: 清扫, location: 北城, team: nosuch, hours: 5, participants: [V0001]}
        """,
    "ledgers/u3/unit.yaml": "id: u3\nname: '=1+1 联系 13812345678'\n",
    "ledgers/u3/roster.yaml": "volunteers:\n  - {id: V0001, name: 周八, employment: staff}\n",
}
ARGS = ("summary", "--year", "2024", "--as-of", "2024-05-31")


@pytest.fixture
def root(workspace: Callable[..., Path]) -> Path:
    return workspace(FILES, base=False)


def test_figures_worked_out_by_hand(cli: Callable[..., Result], root: Path) -> None:
    result = cli(root, *ARGS, "--format", "json")
    data = result.json()
    assert result.exit_code == 1  # u2's ledger has an error, u1 misses an error-level target
    assert data["year"] == 2024 and data["as_of"] == "2024-05-31" and data["groups"] == []
    # u2 has an error in its ledger (an unknown team): listed first.
    assert [u["unit"] for u in data["units"]] == ["u2", "u1", "u3"]
    u2, u1, u3 = data["units"]
    assert (u2["errors"], u1["errors"], u3["errors"]) == (1, 0, 0)
    assert u1["warnings"] == 1  # V0003 served before registering
    # u1 on 31 May: V0001, V0002, V0003 on the roster (V0004 left on 28 February); V0003 not registered.
    assert (u1["roster"], u1["registered"], u1["registration_rate"]) == (3, 2, 0.6667)
    # All three served; a6 (1 June) is after the as-of date.
    assert (u1["participants"], u1["participation_rate"]) == (3, 1.0)
    # Every hour that counts: a1 2×3 + a2 3+1.5 + a3 2.5 + a5 1 (a4 corrected by a5) = 14, V0004's 2 included.
    assert (u1["hours"], u1["activities"]) == (14.0, 4)
    # Per capita over those on the roster: V0001 2+3+2.5, V0002 2+1, V0003 1.5 = 12 over 3.
    assert u1["hours_per_capita"] == 4.0
    assert u1["hours_by_month"] == {"2024-01": 6.0, "2024-02": 4.5, "2024-03": 3.5, "2024-04": 0.0, "2024-05": 0.0}
    rules = {r["id"]: r for r in u1["rules"]}
    assert rules["registration"]["status"] == "fail" and rules["registration"]["actual"] == 0.6667
    # 10 h × 152/366 days = 4.15 h by 31 May: 4.00 is short, and the year is not over.
    assert rules["hours-per-capita"]["status"] == "pending" and rules["hours-per-capita"]["target"] == 4.15
    assert (u2["roster"], u2["registered"], u2["participants"], u2["hours"], u2["hours_per_capita"]) == (1, 1, 1, 5.0, 5.0)
    assert {r["id"]: r["status"] for r in u2["rules"]} == {"registration": "pass", "hours-per-capita": "pass"}
    assert u2["hours_by_month"]["2024-04"] == 5.0
    assert u3["policy"] is None and u3["rules"] == [] and u3["hours"] == 0.0 and u3["hours_per_capita"] == 0.0
    assert u3["registration_rate"] == 0.0 and u3["name"] == "=1+1 联系 138****5678"
    assert data["summary"] == {"pass": 2, "fail": 1, "pending": 1, "n/a": 0, "invalid": 0}


def test_the_figures_agree_with_hours_and_check(cli: Callable[..., Result], root: Path) -> None:
    """The summary reuses the hours and check results: it can never disagree with them."""
    data = cli(root, *ARGS, "--format", "json").json()
    by_unit = {
        row["unit"]: row["hours"]
        for row in cli(root, "hours", "--year", "2024", "--as-of", "2024-05-31", "--by", "unit", "--format", "json").json()
    }
    assert {u["unit"]: u["hours"] for u in data["units"]} == by_unit
    check = cli(root, "check", "--year", "2024", "--as-of", "2024-05-31", "--format", "json").json()
    assert {u["unit"]: u["rules"] for u in data["units"]} == {u["unit"]: u["rules"] for u in check["units"]}


def test_workbook_keeps_the_exports_conventions(cli: Callable[..., Result], root: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "汇总表.xlsx"
    result = cli(root, *ARGS, "--out", str(out))
    assert result.exit_code == 1 and out.is_file()
    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "达标明细", "月度时长"]
    overview = book["汇总"]
    header = [c.value for c in overview[1]]
    assert header[:6] == ["类别", "编号", "名称", "方案", "台账错误", "台账警告"] and "人均时长" in header and "注册率(%)" in header
    assert [row[1] for row in overview.iter_rows(min_row=2, values_only=True)] == ["u2", "u1", "u3"]
    u1 = dict(zip(header, next(r for r in overview.iter_rows(min_row=2, values_only=True) if r[1] == "u1"), strict=True))
    assert (u1["在册人数"], u1["已注册"], u1["注册率(%)"], u1["参与人数"], u1["服务时长"], u1["人均时长"]) == (3, 2, 66.7, 3, 14, 4)
    assert u1["未达标规则"] == "registration"
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4 and sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                assert "13812345678" not in str(cell.value)
    u3_name = next(r[2] for r in overview.iter_rows(min_row=2, values_only=True) if r[1] == "u3")
    assert u3_name == "=1+1 联系 138****5678"
    months = book["月度时长"]
    assert [c.value for c in months[1]][3:5] == ["1月", "2月"]
    u1_months = next(r for r in months.iter_rows(min_row=2, values_only=True) if r[1] == "u1")
    assert list(u1_months[3:]) == [6, 4.5, 3.5, 0, 0, None, None, None, None, None, None, None, 14]
    rules = book["达标明细"]
    rows = [r for r in rules.iter_rows(min_row=2, values_only=True) if r[1] == "u1"]
    assert rows[0][4:5] + rows[0][7:11] == ("registration", "未达标", 0.6667, 1, "V0003 王五")


def test_csv_and_markdown(cli: Callable[..., Result], root: Path, tmp_path: Path) -> None:
    out = tmp_path / "csv"
    assert cli(root, *ARGS, "--format", "csv", "--out", str(out)).exit_code == 1
    assert sorted(p.name for p in out.iterdir()) == sorted([".vsledger-export", "汇总.csv", "达标明细.csv", "月度时长.csv"])  # and the mark
    again = cli(root, *ARGS, "--format", "csv", "--out", str(out))  # its own earlier output is replaced, not refused
    assert again.exit_code == 1 and "out-not-export" not in again.stderr
    for fmt in ("md", "json"):
        target = tmp_path / f"汇总.{fmt}"
        assert cli(root, *ARGS, "--format", fmt, "--out", str(target)).exit_code == 1
        rerun = cli(root, *ARGS, "--format", fmt, "--out", str(target))
        assert rerun.exit_code == 1 and "out-not-export" not in rerun.stderr, fmt
    raw = (out / "汇总.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][:3] == ["类别", "编号", "名称"] and [r[1] for r in rows[1:]] == ["u2", "u1", "u3"]
    assert rows[3][2] == "'=1+1 联系 138****5678"  # never a formula in a spreadsheet
    md = cli(root, *ARGS, "--format", "md").stdout
    again = cli(root, *ARGS, "--format", "csv", "--out", str(out))  # its own earlier output is replaced, not refused
    assert again.exit_code == 1 and "out-not-export" not in again.stderr
    assert md.startswith("# 2024 年志愿服务汇总表(截至 2024-05-31)\n")
    assert "| 单位 | u1 | 一号单位 | p1 | 0 | 1 | 3 | 2 | 66.7 | 3 | 100.0 | 14.00 | 4.00 | 4 | 0 | 1 | 1 | 0 | 0 | registration |" in md
    assert "13812345678" not in md


def test_one_unit_and_english(cli: Callable[..., Result], root: Path) -> None:
    data = cli(root, *ARGS, "--unit", "u1", "--format", "json").json()
    assert [u["unit"] for u in data["units"]] == ["u1"]
    md = cli(root, *ARGS, "--unit", "u1", "--format", "md", lang="en").stdout
    assert md.startswith("# Volunteer service summary 2024 (as of 2024-05-31)") and "| unit or group | id | name |" in md


def test_a_group_of_two_units_worked_out_by_hand(cli: Callable[..., Result], root: Path, tmp_path: Path) -> None:
    (root / "groups.yaml").write_text("groups:\n  - {id: town, name: 全镇, units: [u1, u2], policy: p1}\n", encoding="utf-8")
    data = cli(root, *ARGS, "--group", "town", "--format", "json").json()
    assert data["units"] == []  # --group alone: the group, not every unit
    (town,) = data["groups"]
    assert (town["group"], town["name"], town["units"]) == ("town", "全镇", ["u1", "u2"])
    # u1: 3 on the roster, 2 registered, 3 took part, 14 h (12 h of those on the roster); u2: 1, 1, 1, 5 h.
    assert (town["roster"], town["registered"], town["participants"], town["hours"]) == (4, 3, 4, 19.0)
    assert town["registration_rate"] == 0.75 and town["hours_per_capita"] == 4.25  # (12 + 5) / 4
    # Its own check, as one unit: registration 3 of 4 fails the 100% rule.
    assert {r["id"]: r["status"] for r in town["rules"]}["registration"] == "fail"
    everything = cli(root, *ARGS, "--format", "json").json()  # without --group: every unit, then every group
    assert [u["unit"] for u in everything["units"]] == ["u2", "u1", "u3"] and [g["group"] for g in everything["groups"]] == ["town"]
    unknown = cli(root, *ARGS, "--group", "nowhere", "--out", str(tmp_path / "x.xlsx"))
    assert unknown.exit_code == 2 and "nowhere" in unknown.stderr and not (tmp_path / "x.xlsx").exists()


def test_bad_as_of_and_unknown_unit_are_usage_errors(cli: Callable[..., Result], root: Path) -> None:
    assert cli(root, "summary", "--year", "2024", "--as-of", "2023-05-31", "--format", "json").exit_code == 2
    assert cli(root, *ARGS, "--unit", "nobody", "--format", "json").exit_code == 2


def test_out_inside_the_ledger_is_refused(cli: Callable[..., Result], root: Path) -> None:
    result = cli(root, *ARGS, "--out", str(root / "ledgers" / "u1" / "汇总.xlsx"))
    assert result.exit_code == 2 and "out-inside-ledger" in result.stderr
    assert not (root / "ledgers" / "u1" / "汇总.xlsx").exists()


def test_group_rows_add_up_their_units() -> None:
    """A group's figures are its units' added up, its rules its own."""
    from datetime import date
    from decimal import Decimal

    from vsledger.report.summary import Figures, SummaryRow, build_summary, group_summary

    def row(unit: str, errors: int, figures: Figures, months: list[tuple[str, Decimal]]) -> SummaryRow:
        return SummaryRow("unit", unit, unit, None, [], figures, months, errors, 0, [unit])

    a = row("a", 0, Figures(4, 3, 2, Decimal("10.5"), 3, Decimal("9")), [("2024-01", Decimal("10.5"))])
    b = row("b", 2, Figures(6, 6, 5, Decimal("20"), 4, Decimal("20")), [("2024-01", Decimal("5")), ("2024-02", Decimal("15"))])
    group = group_summary("g", "组", None, [a, b])
    assert group.figures == Figures(10, 9, 7, Decimal("30.5"), 7, Decimal("29"))
    assert group.figures.hours_per_capita == Decimal("2.9") and group.figures.registration_rate == Decimal("0.9")
    assert group.hours_by_month == [("2024-01", Decimal("15.5")), ("2024-02", Decimal("15"))]
    assert (group.errors, group.units, group.kind) == (2, ["a", "b"], "group")
    result = build_summary(2024, date(2024, 5, 31), [a, b], [group])
    assert [r.id for r in result.units] == ["b", "a"] and [r.id for r in result.groups] == ["g"]


def test_a_past_year_without_as_of_is_judged_as_check_judges_it(cli: Callable[..., Result], workspace: Callable[..., Path]) -> None:
    """2023's December report is due 5 January 2024: with today's date (2024-06-01) both judge it
    handed in late, where an as-of capped at 31 December would leave it pending in the summary alone."""
    policy = conftest.POLICY + "  - {id: monthly, kind: report_due, report: monthly, due: 5, text: 每月5日前报送}\n"
    reports = "".join(f"- {{report: monthly, period: 2023-{m:02d}, submitted: 2023-{m + 1:02d}-03}}\n" for m in range(1, 12))
    root = workspace(
        {"rules/p1.yaml": policy, "ledgers/u1/reports.yaml": reports + "- {report: monthly, period: 2023-12, submitted: 2024-01-09}\n"}
    )
    check = cli(root, "check", "--year", "2023", "--format", "json").json()
    summary = cli(root, "summary", "--year", "2023", "--format", "json").json()
    assert summary["as_of"] == check["as_of"] == conftest.TODAY
    monthly = [r for r in check["units"][0]["rules"] if r["id"] == "monthly"]
    assert monthly and monthly[0]["status"] == "fail"
    assert {u["unit"]: u["rules"] for u in summary["units"]} == {u["unit"]: u["rules"] for u in check["units"]}
