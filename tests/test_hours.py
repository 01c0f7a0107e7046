"""`vsledger hours`: totals over the activities that count, checked against hand sums."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result

UNIT = """
id: u1
name: 测试单位
teams:
  - {id: red, name: 红队}
  - {id: blue, name: 蓝队}
"""
ROSTER = """
volunteers:
  - {id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}
  - {id: V0002, name: 李四, employment: staff, registered_on: 2020-01-01}
  - {id: V0003, name: 王五, employment: contract, registered_on: 2020-01-01}
"""
MAY = """
# start/end gives 3 h; V0003 overrides with 1.5 h
- id: a1
  date: 2022-05-05
  title: 义诊
  team: red
  category: 义诊
  location: 社区
  start: "08:30"
  end: "11:30"
  participants: [V0001, V0002, {V0003: 1.5}]
# entered as 4 h, corrected below to 2 h with V0003 removed
- id: a2
  date: 2022-05-10
  title: 清扫
  team: blue
  category: 环保
  location: 广场
  hours: 4
  participants: [V0001, V0003]
- id: a3
  date: 2022-05-10
  title: 清扫
  team: blue
  category: 环保
  location: 广场
  hours: 2
  participants: [V0001]
  corrects: a2
"""
JUNE = """
- id: b1
  date: 2022-06-01
  title: 宣讲
  location: 礼堂
  hours: 2.25
  participants: [V0002]
# a chain: b2 is corrected by b3, which is deleted by b4
- id: b2
  date: 2022-06-02
  title: 宣讲
  location: 礼堂
  hours: 5
  participants: [V0001]
- id: b3
  date: 2022-06-02
  title: 宣讲
  location: 礼堂
  hours: 6
  participants: [V0001]
  corrects: b2
- id: b4
  date: 2022-06-02
  title: 宣讲
  location: 礼堂
  hours: 6
  participants: []
  corrects: b3
"""
DEC_2021 = """
- id: c1
  date: 2021-12-31
  title: 跨年
  location: 广场
  hours: 8
  participants: [V0001]
"""


def ledger_files(roster: str = ROSTER, unit: str = UNIT, may: str = MAY, **extra: str) -> dict[str, str]:
    """This scenario's files, for the tests of other commands that start from it."""
    return {
        "ledgers/u1/unit.yaml": unit,
        "ledgers/u1/roster.yaml": roster,
        "ledgers/u1/activities/2022-05.yaml": may,
        "ledgers/u1/activities/2022-06.yaml": JUNE,
        "ledgers/u1/activities/2021-12.yaml": DEC_2021,
        **extra,
    }


def make(workspace: Callable[..., Path]) -> Path:
    return workspace(ledger_files(), base=False)


def test_by_volunteer_applies_corrections_overrides_and_start_end(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = cli(make(workspace), "hours", "--year", "2022", "--format", "json")
    assert result.exit_code == 0, result.stderr
    # V0001: a1 3 + a3 2 (a2 corrected; b2→b3→b4 deleted) = 5; V0002: 3 + 2.25; V0003: 1.5 (a2 gone)
    assert result.json() == [
        {"unit": "u1", "id": "V0001", "name": "张三", "hours": 5.0, "activities": 2},
        {"unit": "u1", "id": "V0002", "name": "李四", "hours": 5.25, "activities": 2},
        {"unit": "u1", "id": "V0003", "name": "王五", "hours": 1.5, "activities": 1},
    ]


def test_by_team_month_category_unit(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = make(workspace)

    def by(key: str) -> list[tuple[str, float, int]]:
        rows = cli(root, "hours", "--year", "2022", "--by", key, "--format", "json").json()
        return [(r["id"], r["hours"], r["activities"]) for r in rows]

    assert by("team") == [("", 2.25, 1), ("blue", 2.0, 1), ("red", 7.5, 1)]
    assert by("month") == [("2022-05", 9.5, 2), ("2022-06", 2.25, 1)]
    assert by("category") == [("", 2.25, 1), ("义诊", 7.5, 1), ("环保", 2.0, 1)]
    assert by("unit") == [("u1", 11.75, 3)]
    assert by("volunteer") != by("unit")


def test_other_years_and_as_of(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = make(workspace)
    assert cli(root, "hours", "--year", "2021", "--by", "unit", "--format", "json").json()[0]["hours"] == 8.0
    rows = cli(root, "hours", "--year", "2022", "--as-of", "2022-05-31", "--by", "unit", "--format", "json").json()
    assert rows[0]["hours"] == 9.5


def test_csv_and_table(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = make(workspace)
    csv_out = cli(root, "hours", "--year", "2022", "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "单位,编号,名称,时长,活动次数"  # headers follow --lang, as every table's do
    assert cli(root, "hours", "--year", "2022", "--format", "csv", lang="en").stdout.splitlines()[0] == "unit,id,name,hours,activities"
    assert csv_out[1] == "u1,V0001,张三,5.00,2"
    table = cli(root, "hours", "--year", "2022").stdout
    assert "张三" in table and "5.00" in table and "合计: 11.75 h" in table


def test_the_total_is_written_as_the_cells_are() -> None:
    """Two places, as every hours cell: the caption said 5.0 (2.5 + 2.5) or 3 as the sum fell."""
    from decimal import Decimal

    from vsledger.render.views import hours_tables
    from vsledger.report.hours import HoursRow

    rows = [HoursRow("u1", "V0001", "张三", Decimal("2.5"), 1), HoursRow("u1", "V0002", "李四", Decimal("2.5"), 1)]
    (table,) = hours_tables(rows, 2022, "volunteer", "zh")
    assert table.caption == "合计: 5.00 h"


def test_unknown_unit_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    result = cli(make(workspace), "hours", "--year", "2022", "--unit", "nope")
    assert result.exit_code == 2
    assert "未知单位:nope" in result.stderr


def test_one_volunteers_hours_agree_everywhere(cli: Callable[..., Result], tmp_path: Path) -> None:
    """`hours`, `stars` (its time bank), the export and a certificate count one volunteer's year alike."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "rules", root / "rules")
    shutil.copytree(REPO / "ledgers" / "xinluo-cdc", root / "ledgers" / "xinluo-cdc")
    year = ("--year", "2018")
    hours = {r["id"]: r["hours"] for r in cli(root, "hours", *year, "--by", "volunteer", "--format", "json").json()}
    stars_rows = cli(root, "stars", "--as-of", "2018-12-31", "--format", "json").json()
    stars = {r["id"]: r["time_bank"]["earned"] for r in stars_rows if r["time_bank"]["earned"]}  # hours lists only who served
    export = cli(root, "export", "--unit", "xinluo-cdc", *year, "--format", "json").json()
    sheet = {r["volunteer"]: r["total"] for r in export["hours"]}
    listed: dict[str, float] = {}
    for row in export["participations"]:
        listed[row["volunteer"]] = listed.get(row["volunteer"], 0) + row["hours"]
    assert len(hours) > 10 and sheet.pop("total") == pytest.approx(sum(hours.values()))
    assert sheet == hours and stars == hours and listed == pytest.approx(hours)
    busiest = sorted(hours, key=lambda v: -hours[v])[:3]
    for volunteer in busiest:
        pdf = tmp_path / f"{volunteer}.pdf"
        args = ("--unit", "xinluo-cdc", "--volunteer", volunteer, "--from", "2018-01-01", "--to", "2018-12-31", "--out", str(pdf))
        assert cli(root, "certificate", *args).exit_code == 0
    register = (root / "ledgers/xinluo-cdc/certificates.yaml").read_text(encoding="utf-8")
    issued = {m[0]: float(m[1]) for m in re.findall(r"volunteer: (\S+), .*hours: ([0-9.]+)", register)}
    assert issued == {v: hours[v] for v in busiest}
