"""`vsledger fmt`: the canonical layout, never a lost comment or record, meaning unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import REPO, Result

ACT = "ledgers/u1/activities/2022-05.yaml"
MESSY = """# 五月活动台账
- date: 2022-05-05   # 星期四
  id: a1
  title: 义诊
  # 地点改过一次
  location: 社区
  hours: 2.50
  start: 8:30
  end: '11:30'
  participants:
    - V0001
    - {V0002: 1.5}
# 第二条,有多行内容
- id: a2
  date: 2022-05-06
  title: "清扫: 广场"
  location: 广场
  hours: 3
  participants: [V0001]
  content: |
    多行
    # 这一行是内容,不是注释
- {id: a3, date: 2022-05-07, title: 宣讲, location: 礼堂, hours: 1, participants: [V0002]}


# 结尾注释
"""
CANONICAL = """# 五月活动台账
- id: a1
  date: 2022-05-05  # 星期四
  title: 义诊
  # 地点改过一次
  location: 社区
  start: "08:30"
  end: "11:30"
  hours: 2.5
  participants: [V0001, {V0002: 1.5}]

# 第二条,有多行内容
- id: a2
  date: 2022-05-06
  title: "清扫: 广场"
  location: 广场
  hours: 3
  participants: [V0001]
  content: |
    多行
    # 这一行是内容,不是注释

- id: a3
  date: 2022-05-07
  title: 宣讲
  location: 礼堂
  hours: 1
  participants: [V0002]

# 结尾注释
"""


def comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def test_fmt_rewrites_to_the_canonical_layout(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: MESSY})
    before_hours = cli(root, "hours", "--year", "2022", "--format", "json").json()
    assert cli(root, "fmt", "--check").exit_code == 1
    assert (root / ACT).read_text(encoding="utf-8") == MESSY  # --check writes nothing
    result = cli(root, "fmt")
    assert result.exit_code == 0 and ACT in result.stdout
    text = (root / ACT).read_text(encoding="utf-8")
    assert text == CANONICAL
    assert comments(text) == comments(MESSY)  # every comment kept, in order
    assert cli(root, "hours", "--year", "2022", "--format", "json").json() == before_hours  # meaning unchanged
    assert cli(root, "validate").exit_code == 0
    assert cli(root, "fmt", "--check").exit_code == 0  # idempotent
    assert (root / ACT).read_text(encoding="utf-8") == CANONICAL


def test_fmt_quotes_numbers_that_must_stay_text(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    roster = "volunteers:\n  # 组长\n  - {id: V0001, employment: staff, name: 张三, phone: 13800001234}\n  - id: V0002\n    name: 李四\n    employment: contract\n"
    root = workspace({"ledgers/u1/roster.yaml": roster})
    assert ": unquoted-number: " in cli(root, "validate").stdout
    assert cli(root, "fmt").exit_code == 0
    assert (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8") == (
        'volunteers:\n  # 组长\n  - id: V0001\n    name: 张三\n    phone: "13800001234"\n    employment: staff\n'
        "  - id: V0002\n    name: 李四\n    employment: contract\n"
    )
    assert cli(root, "validate").exit_code == 0


def test_fmt_leaves_a_broken_file_alone(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    broken = "- id: a1\n  title: [未闭合\n"
    root = workspace({ACT: broken})
    result = cli(root, "fmt")
    assert ": fmt-skipped: " in result.stderr
    assert (root / ACT).read_text(encoding="utf-8") == broken


def test_shipped_ledgers_are_canonical(cli: Callable[..., Result]) -> None:
    result = cli(REPO, "fmt", "--check")
    assert result.exit_code == 0, result.stdout + result.stderr


def test_written_records_are_already_canonical(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace()
    assert cli(root, "fmt").exit_code == 0  # the fixture's own roster is not in canonical order
    add = (
        "add-activity",
        "--unit",
        "u1",
        "--date",
        "2022-05-20",
        "--title",
        "清扫",
        "--location",
        "广场",
        "--start",
        "8:00",
        "--end",
        "10:30",
    )
    assert cli(root, *add, "-p", "V0001", "-p", "V0002=1.25", "--tag", "集中").exit_code == 0
    assert cli(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff", "--skill", "急救").exit_code == 0
    assert cli(root, "fmt", "--check").exit_code == 0
