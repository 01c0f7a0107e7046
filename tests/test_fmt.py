"""`vsledger fmt`: the canonical layout, never a lost comment or record, meaning unchanged."""

from __future__ import annotations

import json
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


BLOCKS = """- hours: 2.50
  participants: [V0001]
  location: 社区
  title: 义诊
  date: 2022-05-05
  id: a1
  content: |
    第一行
    # 这一行是内容,不是注释

      缩进的一行
  # 关于成效
  outcome: >-
    折叠
    的文字
- {id: a2, date: 2022-05-06, title: 宣讲, location: 礼堂, hours: 1, participants: [V0002], tags: []}  # 一行写完
"""
BLOCKS_CANONICAL = """- id: a1
  date: 2022-05-05
  title: 义诊
  location: 社区
  hours: 2.5
  participants: [V0001]
  content: |
    第一行
    # 这一行是内容,不是注释

      缩进的一行
  # 关于成效
  outcome: 折叠 的文字

- id: a2  # 一行写完
  date: 2022-05-06
  title: 宣讲
  location: 礼堂
  hours: 1
  participants: [V0002]
"""


def test_fmt_formats_records_with_block_scalars(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A record with `content: |` is formatted like any other, its text kept to the character."""
    root = workspace({ACT: BLOCKS})
    before = cli(root, "export", "--unit", "u1", "--year", "2022", "--format", "json").json()["activities"]
    assert cli(root, "fmt", "--check").exit_code == 1
    result = cli(root, "fmt")
    assert result.exit_code == 0, result.stderr
    assert (root / ACT).read_text(encoding="utf-8") == BLOCKS_CANONICAL
    after = cli(root, "export", "--unit", "u1", "--year", "2022", "--format", "json").json()["activities"]
    assert after == before and after[0]["content"] == "第一行\n# 这一行是内容,不是注释\n\n  缩进的一行\n"
    assert cli(root, "fmt", "--check").stdout.strip() == "所有文件已是标准格式"


def test_fmt_names_each_record_it_keeps_as_written(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A comment with no place in the canonical layout keeps its record as written: said, located, exit 1."""
    text = "- id: a1\n  date: 2022-05-05\n  title: 义诊\n  location: 社区\n  hours: 2.50\n  participants: [V0001,\n    # 后来补的\n    V0002]\n"
    root = workspace({ACT: text})
    for args in (("fmt",), ("fmt", "--check")):
        result = cli(root, *args)
        assert result.exit_code == 1
        assert f"{ACT}:1:1: fmt-record-kept: " in result.stderr and "1 个文件或记录未整理" in result.stderr
        assert "所有文件已是标准格式" not in result.stdout
    assert (root / ACT).read_text(encoding="utf-8") == text


def test_fmt_quotes_text_a_flow_list_would_misread(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """`k: 0:?` is text, but `[0:?]` is a syntax error: inside [...] and {...} such text is quoted."""
    tags = ["0:?", "a:b", "a: b", "#x", "x,y", "?", "-", "*-05", "null", "08:30", "1.50"]
    record = "- id: a1\n  date: 2022-05-05\n  title: 义诊\n  location: 社区\n  hours: 1\n  participants: [V0001]\n  tags:\n"
    root = workspace({ACT: record + "".join(f"    - {json.dumps(tag, ensure_ascii=False)}\n" for tag in tags)})
    assert cli(root, "fmt").exit_code == 0
    assert "tags: [" in (root / ACT).read_text(encoding="utf-8")
    assert cli(root, "validate").exit_code == 0
    exported = cli(root, "export", "--unit", "u1", "--year", "2022", "--format", "json").json()
    assert exported["activities"][0]["tags"] == "、".join(tags)
