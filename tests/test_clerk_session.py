"""A clerk's day typed into a real terminal (a pty, through pexpect), typos included: each wrong
answer is said and only that field asked again; nothing typed right is lost."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import TODAY

pexpect = pytest.importorskip("pexpect")

ACTIVITY_FILE = "ledgers/u1/activities/2024-05.yaml"


def spawn(root: Path, *args: str, columns: int, lang: str = "zh") -> object:
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": lang, "COLUMNS": str(columns), "NO_COLOR": "1"}
    child = pexpect.spawn(
        sys.executable, ["-m", "vsledger", "--root", str(root), *args], env=env, encoding="utf-8", timeout=60, dimensions=(40, columns)
    )
    return child


def confirm_and_finish(child: Any) -> None:
    """Say yes to the preview; the command ends well."""
    child.expect(r"写入\? \[Y/n\]")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_recording_an_activity_with_the_typos_people_make(workspace: Callable[..., Path], columns: int) -> None:
    root = workspace()
    child = spawn(root, "add-activity", "--unit", "u1", columns=columns)
    child.expect("日期")
    child.sendline("2099-01-01")  # a day that has not come
    child.expect("还没到")
    child.expect("日期")
    child.sendline("２０２４年５月２日")  # full-width digits, Chinese date
    child.expect("活动名称")
    child.sendline("社区清扫")
    child.expect("red 红队")  # the unit's teams are offered
    child.expect("服务队")
    child.sendline("蓝队")  # not a team of this unit
    child.expect("不是本单位的服务队")
    child.expect("服务队")
    child.sendline("红队")  # by name
    child.expect("活动类别")
    child.sendline("")
    child.expect("地点")
    child.sendline("东城广场")
    child.expect("开始时间")
    child.sendline("")  # no times: then the hours
    child.expect("每人时长")
    child.sendline("09:00")  # a time typed where the hours go
    child.expect("是时刻,不是时长")
    child.expect("每人时长")
    child.sendline("２.5")
    child.expect("V0001 张三")  # the roster is offered
    child.expect("参与者")
    child.sendline("V0001，王芳")  # an IME's comma, and a name not on the roster
    child.expect("花名册上没有:王芳")
    child.expect("参与者")
    child.sendline("张三、李四")
    for _ in range(5):  # target, served, content, outcome, recorded_by: skipped
        child.expect("回车跳过")
        child.sendline("")
    confirm_and_finish(child)
    text = (root / ACTIVITY_FILE).read_text(encoding="utf-8")
    assert "  date: 2024-05-02\n" in text and "  team: red\n" in text and "  hours: 2.5\n" in text
    assert "  participants: [V0001, V0002]\n" in text


def test_the_same_session_in_english(workspace: Callable[..., Path]) -> None:
    root = workspace()
    child = spawn(root, "add-activity", "--unit", "u1", "--lang", "en", columns=80)
    child.expect("date")
    child.sendline("2024-05-02")
    child.expect("title")
    child.sendline("cleanup")
    child.expect("team")
    child.sendline("")
    child.expect("category")
    child.sendline("")
    child.expect("location")
    child.sendline("square")
    child.expect("start time")
    child.sendline("22:00")
    child.expect("end time")
    child.sendline("02:00")  # past midnight
    child.expect("for an activity past midnight give its hours")
    child.expect("end time")
    child.sendline("23:30")
    child.expect("participants")
    child.sendline("V0001")
    for _ in range(5):
        child.expect("Enter to skip")
        child.sendline("")
    child.expect(r"\[Y/n\]")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert not (root / ACTIVITY_FILE).exists()  # declined: nothing written


def test_registering_a_volunteer_asks_every_field_and_reads_chinese_words(workspace: Callable[..., Path]) -> None:
    root = workspace()
    child = spawn(root, "add-volunteer", "--unit", "u1", columns=80)
    child.expect("姓名")
    child.sendline("王芳")
    child.expect("性别")
    child.sendline("女")
    child.expect("在编、聘用")  # the employment words offered
    child.expect("人员类别")
    child.sendline("保安")  # not a word we know (合同工 is: it holds 合同, as the import reads it)
    child.expect("不是人员类别")
    child.expect("人员类别")
    child.sendline("聘用")
    child.expect("是否党员")
    child.sendline("是")
    child.expect("b1 第一党支部")
    child.expect("所属党支部")
    child.sendline("第一党支部")
    child.expect("服务队")
    child.sendline("red")
    child.expect("身份证号")
    child.sendline("１１０１０５１９４９１００１００１")  # full-width, wrong check digit
    child.expect("身份证号不对")
    child.expect("身份证号")
    child.sendline("")
    child.expect("电话")
    child.sendline("0597-2233445")  # a landline
    child.expect("平台注册日期")
    child.sendline("2023年3月1日")
    child.expect("平台志愿者编号")
    child.sendline("")
    confirm_and_finish(child)
    roster = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    assert "name: 王芳" in roster and "employment: contract" in roster and "branch: b1" in roster
    assert "registered_on: 2023-03-01" in roster and "party_member: true" in roster
    assert '"0597-2233445"' in (root / "ledgers/u1/personal.yaml").read_text(encoding="utf-8")


def test_flags_take_the_words_offices_use(workspace: Callable[..., Path], cli: Callable[..., object]) -> None:
    root = workspace()
    result = cli(root, "add-volunteer", "--unit", "u1", "--name", "赵六", "--employment", "在编", "--phone", "0597-2233445", "--yes")
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "employment: staff" in (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    shown = cli(root, "export", "--unit", "u1", "--format", "json")
    assert "0597-***3445" in shown.stdout and "2233445" not in shown.stdout  # type: ignore[attr-defined]
