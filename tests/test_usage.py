"""The command line as a clerk types it: global options anywhere, usage errors in the reader's
language with the nearest words, `--year` defaulting to this year, one meaning per short flag."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import TODAY, Result
from vsledger.cli.app import app
from vsledger.cli.usage import hoist_global_options

ACTIVITY = """
- id: a1
  date: 2024-03-02
  title: 清扫
  location: 广场
  hours: 2
  participants: [V0001]
"""


def invoke(*args: str, env: dict[str, str] | None = None) -> Result:
    result = CliRunner().invoke(app, list(args), env={"VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "", "LANG": "C.UTF-8", **(env or {})})
    return Result(result.exit_code, result.stdout, result.stderr)


def test_global_options_after_the_command_are_taken(workspace: Callable[..., Path]) -> None:
    root = workspace({"ledgers/u1/activities/2024-03.yaml": ACTIVITY})
    before = invoke("--root", str(root), "hours", "--year", "2024", "--format", "json")
    after = invoke("hours", "--year", "2024", "--root", str(root), "--format", "json", "--no-cache", "--lang", "en")
    assert before.exit_code == after.exit_code == 0, after.stderr
    assert before.json() == after.json() == [{"unit": "u1", "id": "V0001", "name": "张三", "hours": 2.0, "activities": 1}]


def test_hoisting_keeps_values_with_their_options_and_leaves_the_rest() -> None:
    commands = {"check", "add-activity"}
    assert hoist_global_options(["check", "--year", "2022", "--root", "D", "--lang=en"], commands) == [
        "--root", "D", "--lang=en", "check", "--year", "2022",
    ]  # fmt: skip
    # a value that looks like a command name stays the option's value
    assert hoist_global_options(["--root", "check", "check"], commands) == ["--root", "check", "check"]
    # after `--` nothing is an option
    assert hoist_global_options(["add-activity", "--", "--root"], commands) == ["add-activity", "--", "--root"]


def test_year_defaults_to_this_year(workspace: Callable[..., Path]) -> None:
    root = workspace({"ledgers/u1/activities/2024-03.yaml": ACTIVITY})  # TODAY is in 2024
    result = invoke("--root", str(root), "hours", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()[0]["hours"] == 2.0
    check = invoke("--root", str(root), "check", "--format", "json")
    assert check.exit_code in (0, 1) and check.json()["year"] == 2024


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (
            ("check", "--yaer", "2022"),
            "vsledger check: 没有 --yaer 这个选项;是否为 --year",
            "there is no option --yaer; did you mean --year",
        ),
        (("chek",), "vsledger: 没有 chek 这个命令;是否为 check", "there is no command chek; did you mean check"),
        (("add-activity", "--unit", "u1", "--date", "2024-13-01"), "“2024-13-01”不是日期:请写成 2022-05-21", "'2024-13-01' is not a date"),
        (("--today", "2024-13-01", "hours"), "--today 的值不对:YYYY-MM-DD", "invalid value for --today: YYYY-MM-DD"),
        (
            ("add-activity", "--unit", "u1", "--served", "many"),
            "--served 的值不对:不小于 0 的整数",
            "invalid value for --served: a whole number, 0 or more",
        ),
        (("export", "--unit", "u1", "--format", "pdf"), "--format 的值不对:应为 xlsx | csv | json | parquet 之一", "one of xlsx | csv"),
    ],
)
def test_usage_errors_in_the_readers_language(workspace: Callable[..., Path], args: tuple[str, ...], zh: str, en: str) -> None:
    root = workspace()
    chinese = invoke("--root", str(root), *args)
    assert chinese.exit_code == 2
    assert zh in chinese.stderr
    assert "Usage:" not in chinese.stderr + chinese.stdout and "Error" not in chinese.stderr
    english = invoke("--root", str(root), *args, "--lang", "en")  # --lang after the command too
    assert english.exit_code == 2
    assert en in english.stderr and "Traceback" not in english.stderr


def test_a_missing_required_option_is_named_with_where_to_look(workspace: Callable[..., Path]) -> None:
    result = invoke("--root", str(workspace()), "export")
    assert result.exit_code == 2
    assert result.stderr == "vsledger export: 缺少 --unit\n用法见:vsledger export --help\n"


def test_short_flags_mean_one_thing_in_every_command() -> None:
    """`-y` is `--year` wherever it exists; no command gives a short flag two meanings."""
    import typer.main

    group = typer.main.get_command(app)
    meanings: dict[str, set[str]] = {}

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            shorts = [o for o in param.opts if not o.startswith("--")]
            longs = [o for o in param.opts if o.startswith("--")]
            for short in shorts:
                meanings.setdefault(short, set()).update(longs)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(group)
    assert {short: names for short, names in meanings.items() if len(names) > 1} == {}
    assert meanings["-y"] == {"--year"}


def test_an_interrupted_prompt_says_nothing_was_written(workspace: Callable[..., Path]) -> None:
    root = workspace()
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "zh", "PYTHONPATH": str(Path(__file__).parents[1])}
    proc = subprocess.run(
        [sys.executable, "-m", "vsledger", "--root", str(root), "withdraw-nothing"], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "没有 withdraw-nothing 这个命令" in proc.stderr


def test_the_global_options_known_to_the_parser_are_the_root_commands() -> None:
    """Hoisting and unknown-command detection must know every global option, or its value reads as a command."""
    import typer.main

    from vsledger.cli.usage import GLOBAL_FLAGS, GLOBAL_VALUE_OPTIONS

    root = typer.main.get_command(app)
    declared = {opt for param in root.params for opt in param.opts if opt.startswith("--")}
    declared -= {"--install-completion", "--show-completion", "--help"}
    assert declared == set(GLOBAL_VALUE_OPTIONS) | set(GLOBAL_FLAGS)


@pytest.mark.parametrize("year", ["0", "-5", "99999"])
def test_a_year_out_of_range_is_a_usage_error_that_says_the_range(
    workspace: Callable[..., Path], cli: Callable[..., Result], year: str
) -> None:
    """`--year 0` was an internal error (ValueError from the date library) in English."""
    root = workspace()
    for command in ("hours", "check", "summary"):
        result = cli(root, command, "--year", year)
        assert result.exit_code == 2, (command, result.stdout, result.stderr)
        assert "--year 的值不对:1900 到 9999 之间的整数" in result.stderr and "internal error" not in result.stderr
