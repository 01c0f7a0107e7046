"""Tables at every terminal width: key columns whole, ids never wrapped, no column shrunk to nothing.

Below the width a row needs, a table is shown one block per record (`label: value` lines under the
record's id and name); where the rows fit it stays a grid. Each test runs the real CLI at 40, 60,
80 and 120 columns, in both languages, and reads the screen as a person would."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len

from conftest import REPO, Result

WIDTHS = [40, 60, 80, 120]
LANGS = ["zh", "en"]


def whole(value: str, text: str) -> bool:
    """`value` appears with nothing of an id glued to either side: not cut, not folded over a line."""
    return re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", text) is not None


def record_lines(text: str, *keys: str) -> list[int]:
    """Lines holding every key value whole: a grid row, or the head of a block."""
    return [i for i, line in enumerate(text.splitlines()) if all(whole(key, line) for key in keys)]


def at_width(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, columns: int, root: Path, *args: str, lang: str) -> str:
    monkeypatch.setenv("COLUMNS", str(columns))
    monkeypatch.setenv("NO_COLOR", "1")
    text = cli(root, *args, lang=lang).stdout
    assert all(cell_len(line) <= columns for line in text.splitlines()), text  # nothing runs off the window
    return text


def unit_yaml(unit: str, name: str) -> str:
    return f"id: {unit}\nname: {name}\npolicy: p1\nteams:\n  - {{id: red, name: 红队}}\n"


# Long unit ids beside one another: the unit column alone takes a quarter of 80 columns.
UNITS = {"county-civil-affairs": "县民政局", "putian-party-school": "中共莆田市委党校", "u1": "测试单位"}
STARS_ROSTER = """
volunteers:
  - {id: V0001, name: 欧阳晓峰, employment: staff, prior_hours: 120}
  - {id: V0002, name: 李四, employment: staff, prior_hours: 350}
  - {id: V0003, name: 王五, employment: staff}
"""


@pytest.fixture
def several_units(workspace: Callable[..., Path]) -> Path:
    files: dict[str, str] = {}
    for unit, name in UNITS.items():
        files[f"ledgers/{unit}/unit.yaml"] = unit_yaml(unit, name)
        files[f"ledgers/{unit}/roster.yaml"] = STARS_ROSTER
        files[f"ledgers/{unit}/activities/2022-05.yaml"] = (
            "- {id: 20220505-01, date: 2022-05-05, title: 义诊, team: red, location: 社区, hours: 4, participants: [V0001, V0003]}\n"
        )
    return workspace(files)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("columns", WIDTHS)
def test_stars_keep_the_star_column_and_every_id(
    several_units: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, columns: int, lang: str
) -> None:
    rows = cli(several_units, "stars", "--format", "json").json()
    text = at_width(cli, monkeypatch, columns, several_units, "stars", lang=lang)
    lines = text.splitlines()
    for row in rows:
        found = record_lines(text, row["unit"], row["id"], row["name"])
        assert len(found) == 1, (row, text)  # unit, id and name whole on one line: the grid row or the block's head
        # The stars are on that row, or in the block beneath its head (before the next record).
        record = lines[found[0] : found[0] + 7]
        stars = "★" * row["stars"] or "–"
        assert any(re.search(rf"(^|[\s│]){stars}($|[\s│])", line) for line in record), (row, text)
    # A grid while a row fits (unit ids and numbers whole), blocks below: never a squeezed grid.
    # At 80 columns it depends on the language (English headers are single long words).
    if columns != 80:
        assert ("┃" in text) == (columns > 80)
    headers = "".join(line for line in lines if "┃" in line)
    if headers and columns < 120:  # time bank redemptions are the first to leave the grid
        assert "已兑换" not in headers and "redeemed" not in headers


def failing_ids(result: dict[str, Any]) -> set[str]:
    """What falls short, named by ids seen nowhere else on the check screen (activities, people, requests)."""
    ids = set()
    for unit in result["units"]:
        for rule in unit["rules"]:
            for item in rule["failing"][:8]:
                if re.fullmatch(r"V\d{4}|\d{8}-\d{2}|R\d{6}-\d+", str(item["id"])):
                    ids.add(str(item["id"]))
    return ids


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("columns", WIDTHS)
def test_check_shows_what_falls_short_at_every_width(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, columns: int, lang: str
) -> None:
    result = cli(REPO, "check", "--year", "2022", "--format", "json").json()
    text = at_width(cli, monkeypatch, columns, REPO, "check", "--year", "2022", "--no-chart", lang=lang)
    shown = failing_ids(result)
    assert len(shown) > 10  # the sample ledger falls short in many ways
    missing = sorted(i for i in shown if not whole(i, text))
    assert not missing, text  # at 60 columns the 未达标项 column was empty: every item must be there, whole
    for unit in result["units"]:
        assert len(record_lines(text, unit["unit"])) >= 1
        for rule in unit["rules"]:
            assert whole(rule["id"], text), rule["id"]
    label = "未达标项:" if lang == "zh" else "falls short:"
    if columns != 80:  # rules in blocks at 40 and 60 columns, a grid at 120
        assert (label in text) == (columns < 80)
    assert ("┃" in text) == (columns >= 80)  # at 60 even the overview is blocks


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("columns", WIDTHS)
def test_hours_never_wrap_an_id(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, columns: int, lang: str) -> None:
    rows = cli(REPO, "hours", "--year", "2022", "--format", "json").json()
    text = at_width(cli, monkeypatch, columns, REPO, "hours", "--year", "2022", lang=lang)
    for row in rows:  # at 40 columns ids were folded (`V000` / `1`) and names split
        assert record_lines(text, row["unit"], row["id"], row["name"]), row


@pytest.mark.parametrize("columns", WIDTHS)
def test_a_block_head_is_the_records_id_and_name(
    several_units: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    text = at_width(cli, monkeypatch, columns, several_units, "hours", "--year", "2022", "-u", "putian-party-school", lang="zh")
    lines = text.splitlines()
    head = record_lines(text, "V0001", "欧阳晓峰")
    assert len(head) == 1
    if "┃" in text:  # a grid: the row holds its hours
        assert lines[head[0]].split("│")[4].strip() == "4.00"
    else:  # a block: the head alone on its line, each other column a `label: value` line beneath
        assert lines[head[0]] == "putian-party-school V0001 欧阳晓峰"
        assert lines[head[0] + 1].split() == ["时长:", "4.00"]
        assert lines[head[0] + 2].split() == ["活动数:", "1"]
    assert ("┃" in text) == (columns >= 60)


@pytest.mark.parametrize("columns", WIDTHS)
def test_charts_keep_every_figure_whole(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, workspace: Callable[..., Path], columns: int
) -> None:
    """A team chart with long team names: at 40 columns the bar goes under its label, the hours stay whole."""
    teams = "teams:\n  - {id: red, name: 红色党员先锋志愿服务队}\n  - {id: blue, name: 蓝色法律援助志愿服务队}\n"
    activities = (
        "- {id: a1, date: 2022-03-05, title: 义诊, location: 社区, team: red, hours: 20.5, participants: [V0001]}\n"
        "- {id: a2, date: 2022-03-06, title: 普法, location: 社区, team: blue, hours: 12.25, participants: [V0002]}\n"
    )
    root = workspace({
        "ledgers/u1/unit.yaml": "id: u1\nname: 测试单位\npolicy: p1\nbranches:\n  - {id: b1, name: 第一党支部}\n" + teams,
        "ledgers/u1/activities/2022-03.yaml": activities,
    })  # fmt: skip
    text = at_width(cli, monkeypatch, columns, root, "check", "--year", "2022", lang="zh")
    for name, hours in (("红色党员先锋志愿服务队", "20.50 h"), ("蓝色法律援助志愿服务队", "12.25 h")):
        assert [line for line in text.splitlines() if name in line and hours in line], text
