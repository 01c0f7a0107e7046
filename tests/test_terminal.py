"""What a person at a terminal sees: bar charts, the coloured overview, progress on stderr.

Pictures and progress are decoration: they never reach json, csv or a pipe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.generate import Scale, generate
from conftest import REPO, TODAY, Result

ACTIVITIES = {
    "ledgers/u1/activities/2022-03.yaml": """
    - {id: a1, date: 2022-03-05, title: 义诊, team: red, category: 义诊, location: 社区, hours: 4, participants: [V0001, V0002]}
    """,
    "ledgers/u1/activities/2022-05.yaml": """
    - {id: a2, date: 2022-05-05, title: 清扫, team: red, category: 环保, location: 广场, hours: 2, participants: [V0001]}
    """,
}


def chart_lines(text: str) -> dict[str, str]:
    """Chart rows by label: `label │████ 8.00 h`."""
    return {line.split("│")[0].strip(): line for line in text.splitlines() if "│" in line and line.rstrip().endswith(" h")}


def test_hours_by_month_draws_every_month_to_the_cutoff(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace(ACTIVITIES)
    result = cli(root, "hours", "--year", "2022", "--by", "month", "--as-of", "2022-06-30")
    assert result.exit_code == 0, result.stdout
    assert "每月服务时长" in result.stdout
    bars = chart_lines(result.stdout)
    assert list(bars) == [f"2022-{m:02d}" for m in range(1, 7)]  # empty months are drawn, July on is not yet
    assert bars["2022-03"].count("█") > bars["2022-05"].count("█") > 0  # 8 h against 2 h
    assert "█" not in bars["2022-04"] and bars["2022-04"].endswith("0.00 h")
    assert bars["2022-03"].endswith("8.00 h")


def test_hours_by_team_chart_in_english(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace(ACTIVITIES)
    result = cli(root, "hours", "--year", "2022", "--by", "team", lang="en")
    assert "Service hours by team" in result.stdout
    assert chart_lines(result.stdout)["红队"].endswith("10.00 h")


@pytest.mark.parametrize("form", ["json", "csv"])
def test_charts_never_reach_json_or_csv(workspace: Callable[..., Path], cli: Callable[..., Result], form: str) -> None:
    root = workspace(ACTIVITIES)
    for command in (["hours", "--year", "2022", "--by", "month"], ["check", "--year", "2022"]):
        result = cli(root, *command, "--format", form)
        assert "█" not in result.stdout and "│" not in result.stdout
        if form == "json":
            json.loads(result.stdout)


def test_check_draws_each_units_months_unless_told_not_to(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace(ACTIVITIES)
    shown = cli(root, "check", "--year", "2022", "--as-of", "2022-12-31")
    assert "u1:每月服务时长" in shown.stdout and "u1:各服务队服务时长" in shown.stdout
    assert len([label for label in chart_lines(shown.stdout) if label.startswith("2022-")]) == 12
    hidden = cli(root, "check", "--year", "2022", "--as-of", "2022-12-31", "--no-chart")
    assert "每月服务时长" not in hidden.stdout and "█" not in hidden.stdout
    assert hidden.exit_code == shown.exit_code


def run_in_terminal(args: list[str], env: dict[str, str], stderr_tty: bool) -> tuple[int, bytes, bytes]:
    """The real command with stdout piped and stderr a pseudo-terminal (or a pipe)."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "vsledger", *args],
        stdout=subprocess.PIPE,
        stderr=slave if stderr_tty else subprocess.PIPE,
        env=env,
        cwd=REPO,
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    stdout, stderr = process.communicate()
    os.close(master)
    return process.returncode, stdout, seen if stderr_tty else stderr


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
@pytest.mark.parametrize("stderr_tty", [True, False])
def test_progress_only_on_a_terminal(tmp_path: Path, private_cache: Path, stderr_tty: bool) -> None:
    root = generate(Scale(70, 10, 1, 2), tmp_path / "ws")  # enough units for a bar while they are checked
    env = dict(os.environ, XDG_CACHE_HOME=str(private_cache), COLUMNS="100")
    args = ["--root", str(root), "--today", TODAY, "--lang", "zh", "--no-cache", "hours", "--year", "2022", "--by", "unit"]
    args += ["--format", "json"]
    code, stdout, stderr = run_in_terminal(args, env, stderr_tty)
    assert code in (0, 1)
    json.loads(stdout)  # the JSON is clean either way
    if stderr_tty:
        assert "检查各单位".encode() in stderr
    else:
        assert "检查各单位".encode() not in stderr and b"\x1b[" not in stderr


def test_no_color_and_pipes_get_plain_text(tmp_path: Path) -> None:
    env = dict(os.environ, NO_COLOR="1", FORCE_COLOR="")
    env.pop("FORCE_COLOR")
    result = subprocess.run(
        [sys.executable, "-m", "vsledger", "--root", str(REPO), "--today", TODAY, "check", "--year", "2022", "--no-chart"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    assert b"\x1b[" not in result.stdout
    assert "✔".encode() in result.stdout


def test_overview_colours_each_status_when_forced(tmp_path: Path) -> None:
    env = dict(os.environ, FORCE_COLOR="1", COLUMNS="160")
    env.pop("NO_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "vsledger", "--root", str(REPO), "--today", TODAY, "check", "--year", "2022", "--no-chart"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    overview = result.stdout.decode().split("\n\n")[0]
    assert "\x1b[32m✔" in overview and "\x1b[31m✘" in overview  # passes green, failures red
    assert "图例" in result.stdout.decode()


@pytest.mark.parametrize("columns", [80, 160])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_fits_the_terminal_and_keeps_ids_whole(tmp_path: Path, columns: int, lang: str) -> None:
    from rich.cells import cell_len

    env = dict(os.environ, COLUMNS=str(columns), NO_COLOR="1")
    result = subprocess.run(
        [sys.executable, "-m", "vsledger", "--root", str(REPO), "--today", TODAY, "--lang", lang, "check", "--year", "2022"],
        capture_output=True,
        env=env,
        cwd=tmp_path,
    )
    text = result.stdout.decode()
    assert all(cell_len(line) <= columns for line in text.splitlines())
    for unit in ("xinluo-cdc", "putian-party-school", "county-civil-affairs"):
        assert unit in text  # never folded across two lines
    # What falls short: one item a line on a narrow terminal, so no wrap parts an id from its name.
    assert ("V0006 蔡刚; V0011 程子" in text) == (columns >= 120)
    if columns < 120:
        assert any(line.rstrip(" │").endswith("│ V0006 蔡刚") for line in text.splitlines())


def test_a_long_line_is_shown_around_the_caret(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    people = ", ".join(f"V{n:04d}" for n in range(3, 30))
    root = workspace(
        {
            "ledgers/u1/activities/2022-05.yaml": f"- {{id: a1, date: 2022-05-05, title: 清扫, location: 广场, hours: 2, participants: [V0001, {people}]}}\n"
        }
    )
    result = cli(root, "validate")  # not a terminal: 80 columns
    lines = result.stdout.splitlines()
    first = next(i for i, line in enumerate(lines) if "unknown-volunteer" in line and "V0003" in line)
    source, caret = lines[first + 1], lines[first + 2]
    assert len(source) <= 80 and "…" in source
    assert source[caret.index("^") : caret.index("^") + 5] == "V0003"  # the caret still points at the culprit


@pytest.mark.parametrize("columns", [40, 60, 80, 160])
def test_request_list_keeps_ids_whole_at_any_width(tmp_path: Path, columns: int) -> None:
    env = dict(os.environ, COLUMNS=str(columns), NO_COLOR="1")
    for extra in ([], ["--unit", "xinluo-cdc"]):
        result = subprocess.run(
            [sys.executable, "-m", "vsledger", "--root", str(REPO), "--today", TODAY, "request", "list", "--all", *extra],
            capture_output=True,
            env=env,
            cwd=tmp_path,
        )
        text = result.stdout.decode()
        assert all(len(line) <= columns for line in text.splitlines())
        assert "R201801-1" in text and "V0001" in text  # neither folded into pieces
        assert ("需求内容" in text) == (bool(extra) or columns >= 100)  # the request's text when there is room
