"""`correct` and `withdraw`: a clerk names what changes; the rest comes from the entry that counts."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import Result

MAY = """
- id: a1
  date: 2024-05-02
  title: 社区清扫
  team: red
  location: 东城广场
  start: "08:00"
  end: "10:00"
  participants: [V0001, V0002]
"""
FILE = "ledgers/u1/activities/2024-05.yaml"


def hours_of(cli: Callable[..., Result], root: Path) -> dict[str, float]:
    result = cli(root, "hours", "--year", "2024", "--format", "json")
    assert result.exit_code == 0, result.stderr
    return {row["id"]: row["hours"] for row in result.json()}


def test_correct_takes_the_rest_from_the_corrected_entry(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({FILE: MAY})
    before = (root / FILE).read_bytes()
    assert hours_of(cli, root) == {"V0001": 2.0, "V0002": 2.0}
    result = cli(root, "correct", "a1", "--hours", "3", "-p", "张三", "--yes")
    assert result.exit_code == 0, result.stderr
    text = (root / FILE).read_text(encoding="utf-8")
    assert text.startswith(before.decode("utf-8"))  # the old entry stays, byte for byte
    added = text[len(before) :]
    assert "  corrects: a1\n" in added and "  title: 社区清扫\n" in added and "  team: red\n" in added
    assert "  hours: 3\n" in added and "start" not in added  # new hours replace the times
    assert hours_of(cli, root) == {"V0001": 3.0}
    # a second correction corrects the one that counts now, not the original (a chain, no conflict), and says so
    first = re.findall(r"^- id: (\S+)", text, flags=re.MULTILINE)[1]  # the correction just written
    second = cli(root, "correct", "a1", "--title", "社区大扫除", "--yes")
    assert second.exit_code == 0 and f"a1 之前更正过:这次更正的是它的最新版本 {first}" in second.stdout
    assert cli(root, "validate").exit_code == 0
    assert hours_of(cli, root) == {"V0001": 3.0}


def test_withdraw_removes_it_from_every_total_and_keeps_the_record(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({FILE: MAY})
    result = cli(root, "withdraw", "a1", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "  participants: []\n" in (root / FILE).read_text(encoding="utf-8")
    assert cli(root, "validate").exit_code == 0
    assert hours_of(cli, root) == {}
    again = cli(root, "withdraw", "a1", "--yes")  # already withdrawn: by which entry, and how to undo it
    withdrawal = re.findall(r"^- id: (\S+)", (root / FILE).read_text(encoding="utf-8"), flags=re.MULTILINE)[1]
    assert (
        again.exit_code == 2
        and f"a1 已被 {withdrawal} 撤回;要恢复,就更正这条撤回:vsledger add-activity --corrects {withdrawal}" in again.stderr
    )


def test_correct_refuses_unknown_ids_and_empty_corrections(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({FILE: MAY})
    before = (root / FILE).read_bytes()
    unknown = cli(root, "correct", "zz", "--hours", "1", "--yes")
    assert unknown.exit_code == 2 and "没有哪个单位有活动 zz" in unknown.stderr and "()" not in unknown.stderr
    nothing = cli(root, "correct", "a1", "--yes")
    assert nothing.exit_code == 2 and "没有要更正的内容" in nothing.stderr
    refused = cli(root, "correct", "a1", "--hours", "30", "--yes")  # the ledger's own checks still apply
    assert refused.exit_code == 1 and "hours-range" in refused.stderr
    assert (root / FILE).read_bytes() == before


def test_correct_changes_every_field_add_activity_takes(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A clerk who mistyped --external, a tag, the lead or an attachment can put it right with `correct`."""
    root = workspace({FILE: MAY, "ledgers/u1/attachments/a1.jpg": "jpeg"})
    args = ["--tag", "环保", "--tag", "清扫", "--external", "4", "--lead", "V0002", "--recorded-by", "李四"]
    result = cli(root, "correct", "a1", *args, "--attachment", "ledgers/u1/attachments/a1.jpg", "--yes")
    assert result.exit_code == 0, result.stderr
    added = (root / FILE).read_text(encoding="utf-8").split("corrects: a1")[0].rsplit("- id:", 1)[1]
    for line in ("tags: [环保, 清扫]", "external: 4", "lead: V0002", "recorded_by: 李四", "attachments: [ledgers/u1/attachments/a1.jpg]"):
        assert f"  {line}\n" in added, added
    assert "  title: 社区清扫\n" in added and '  start: "08:00"\n' in added  # the rest is the corrected entry's
    assert cli(root, "validate").exit_code == 0
    assert hours_of(cli, root) == {"V0001": 2.0, "V0002": 2.0}


def test_correct_offers_every_activity_option_add_activity_offers() -> None:
    """The two commands share one declaration of an activity's options: a field added to one is in the other."""
    import typer.main

    from vsledger.cli.app import app

    group = typer.main.get_command(app)
    ctx = typer.Context(group)

    def options(name: str) -> set[str]:
        command = group.get_command(ctx, name)  # type: ignore[attr-defined]
        return {opt for param in command.params for opt in param.opts}

    assert options("add-activity") - options("correct") == {"--id", "--corrects"}
    assert options("correct") - options("add-activity") == {"activity"}  # the id it corrects
