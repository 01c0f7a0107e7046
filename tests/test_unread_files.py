"""Files the loader does not read are named, never skipped in silence; `check` says whose ledger has errors.

A month file the loader passes over drops its hours from every total, and a misnamed reports.yaml
turns every report into 未交: each is a located problem with the name it was meant to have. A unit
whose ledger has errors is judged without the records in error: its row, its results' heading and
its JSON say so, so that exit 1 can be told from a missed target."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Result

ACTIVITIES = "ledgers/u1/activities"


def month(day: str, activity_id: str, hours: int = 2) -> str:
    return f"- {{id: {activity_id}, date: {day}, title: 义诊, location: 社区, hours: {hours}, participants: [V0001]}}\n"


def problems(cli: Callable[..., Result], root: Path, lang: str = "zh") -> tuple[int, list[dict[str, Any]]]:
    result = cli(root, "validate", "--format", "json", lang=lang)
    return result.exit_code, [{k: p[k] for k in ("file", "code", "level", "message")} for p in result.json()["problems"]]


def hours_of(cli: Callable[..., Result], root: Path) -> float:
    (row,) = cli(root, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()
    return float(row["hours"])


def test_every_activity_file_not_read_is_an_error_with_the_name_it_was_meant_to_have(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace({
        f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1"),
        f"{ACTIVITIES}/2022/09.yaml": month("2022-09-09", "a2"),  # a year's folder
        f"{ACTIVITIES}/2022-07.YAML": month("2022-07-07", "a3"),
        f"{ACTIVITIES}/2022-6.yml": month("2022-06-06", "a4"),
        f"{ACTIVITIES}/八月.yaml": month("2022-08-08", "a5"),
        f"{ACTIVITIES}/2022-05.yaml.orig": month("2022-05-05", "a1"),  # a merge's leftover beside its month
        f"{ACTIVITIES}/.2022-10.yaml": month("2022-10-10", "a6"),  # hidden: left unread on purpose
        "ledgers/u1/attachments/2022-05-05.jpg": "\x00\x01 not text",
    })  # fmt: skip
    (root / ACTIVITIES / "2022-11").mkdir()
    code, found = problems(cli, root)
    assert code == 1
    assert [(p["file"].removeprefix(f"{ACTIVITIES}/"), p["code"], p["level"]) for p in found] == [
        ("2022-05.yaml.orig", "bad-file-name", "error"),
        ("2022-07.YAML", "bad-file-name", "error"),
        ("2022-11", "bad-file-name", "error"),  # an empty folder, named itself
        ("2022-6.yml", "bad-file-name", "error"),
        ("2022/09.yaml", "bad-file-name", "error"),  # each file of the folder, not only the folder
        ("八月.yaml", "bad-file-name", "error"),
    ]
    messages = {p["file"].removeprefix(f"{ACTIVITIES}/"): p["message"] for p in found}
    assert messages["2022/09.yaml"].endswith("是否为 “2022-09.yaml”?")
    assert messages["2022-07.YAML"].endswith("是否为 “2022-07.yaml”?")
    assert messages["2022-6.yml"].endswith("是否为 “2022-06.yaml”?")
    assert "是否为" not in messages["2022-05.yaml.orig"]  # 2022-05.yaml is there: not a name to rename it to
    assert "是否为" not in messages["八月.yaml"] and "activities/年-月.yaml" in messages["八月.yaml"]
    _, english = problems(cli, root, lang="en")
    assert any(p["message"].endswith("did you mean '2022-09.yaml'?") for p in english)
    assert hours_of(cli, root) == 2.0  # only 2022-05.yaml counts, and the exit code says the rest does not

    text = cli(root, "validate").stdout
    assert "not text" not in text and "\\x00" not in text  # a file's name is the problem: nothing of it is quoted


def test_files_of_the_unit_not_read_are_named(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    report = "- {kind: plan, period: 2022, submitted_on: 2022-03-01}\n"
    root = workspace({
        "ledgers/u1/report.yaml": report,
        "ledgers/u1/Reports.yaml": report,
        "ledgers/u1/volunteers.yml": "[]\n",
        "ledgers/u1/说明.docx": "a document",  # documents and photos may sit anywhere in a unit
        "ledgers/u1/photos/2022-05-05.jpg": "x",
        "ledgers/u1/.gitignore": "personal.yaml\n",
        "ledgers/u1/attachments/notes.yaml": "x: 1\n",  # attachments/ is not read, so not judged
    })  # fmt: skip
    code, found = problems(cli, root)
    assert code == 0  # warnings: the files hold no hours
    assert [(p["file"], p["code"], p["level"]) for p in found] == [
        ("ledgers/u1/Reports.yaml", "unknown-file", "warning"),
        ("ledgers/u1/report.yaml", "unknown-file", "warning"),
        ("ledgers/u1/volunteers.yml", "unknown-file", "warning"),
    ]
    assert found[0]["message"].endswith("是否为 “reports.yaml”?") and found[1]["message"].endswith("是否为 “reports.yaml”?")
    assert "reports.yaml" in found[2]["message"] and "是否为" not in found[2]["message"]
    # The report is not read, so its rule misses; the unit's row says why one might look.
    check = cli(root, "check", "--year", "2022", "--as-of", "2022-12-31", "--format", "json").json()
    assert (check["units"][0]["errors"], check["units"][0]["warnings"]) == (0, 3)


def test_a_month_file_or_an_activities_folder_in_the_wrong_place_is_an_error(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace({
        "ledgers/u1/2022-07.yaml": month("2022-07-07", "a1"),
        "ledgers/u1/Activities/2022-08.yaml": month("2022-08-08", "a2"),
    })  # fmt: skip
    (root / "ledgers/u1/reports.yaml").mkdir()  # a folder where a file is read
    code, found = problems(cli, root)
    assert code == 1
    assert [(p["file"], p["code"], p["level"]) for p in found] == [
        ("ledgers/u1/2022-07.yaml", "bad-file-name", "error"),
        ("ledgers/u1/Activities", "bad-file-name", "error"),
        ("ledgers/u1/reports.yaml", "not-a-file", "error"),
    ]
    assert found[0]["message"].endswith("是否为 “activities/2022-07.yaml”?")
    assert found[1]["message"].endswith("是否为 “activities/”?")


@pytest.mark.skipif(os.name == "nt", reason="symbolic links")
def test_a_broken_link_is_not_a_file(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1")})
    (root / ACTIVITIES / "2022-06.yaml").symlink_to("moved-away.yaml")
    (root / "ledgers/u1/unit.yaml").unlink()
    (root / "ledgers/u1/unit.yaml").symlink_to("gone.yaml")
    code, found = problems(cli, root)
    assert code == 1
    assert [(p["file"], p["code"]) for p in found] == [
        (f"{ACTIVITIES}/2022-06.yaml", "not-a-file"),
        ("ledgers/u1/unit.yaml", "not-a-file"),  # said once, not also as missing
    ]


def test_a_fifo_is_named_and_never_read(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    root = workspace({f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1")})
    os.mkfifo(root / ACTIVITIES / "2022-06.yaml")
    result = cli(root, "validate")  # reading the pipe, or quoting it, would never return
    assert result.exit_code == 1 and f"{ACTIVITIES}/2022-06.yaml:1:1: not-a-file:" in result.stdout


def age(root: Path) -> None:
    """Files written a minute ago: old enough for the cache to trust their mtime."""
    past = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))


def test_an_added_or_renamed_stray_reaches_a_cached_check(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """The per-unit cache is keyed on the unit's files: an empty folder or a rename changes what is reported."""
    root = workspace({f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1"), "ledgers/u1/Reports.yaml": "[]\n"})
    age(root)
    args = ("check", "--year", "2022", "--as-of", "2022-12-31", "--format", "json")

    def counts() -> tuple[int, int]:
        unit = cli(root, *args).json()["units"][0]
        return unit["errors"], unit["warnings"]

    assert counts() == (0, 1)
    assert counts() == (0, 1)  # from the cache
    (root / ACTIVITIES / "2022").mkdir()
    assert counts() == (1, 1)
    (root / ACTIVITIES / "2022").rmdir()
    (root / "ledgers/u1/Reports.yaml").rename(root / "ledgers/u1/reports.yaml")
    age(root)
    assert counts() == (0, 0)


U2 = {
    "ledgers/u2/unit.yaml": "id: u2\nname: 第二单位\npolicy: p1\n",
    "ledgers/u2/roster.yaml": "volunteers:\n  - {id: V0001, name: 王五, employment: staff, registered_on: 2020-01-01}\n",
    "ledgers/u2/activities/2022-05.yaml": (
        "- {id: b1, date: 2022-05-05, title: 义诊, location: 社区, hours: 2, participants: [V0001, V0009]}\n"
    ),
}


def test_check_says_which_units_ledger_has_errors(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    root = workspace({f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1"), **U2})
    args = ("check", "--year", "2022", "--as-of", "2022-12-31")
    result = cli(root, *args, "--format", "json")
    assert result.exit_code == 1
    units = {u["unit"]: u for u in result.json()["units"]}
    assert (units["u1"]["errors"], units["u1"]["warnings"]) == (0, 0)
    assert (units["u2"]["errors"], units["u2"]["warnings"]) == (1, 0)
    assert all(r["status"] == "pass" for u in units.values() for r in u["rules"])  # exit 1 is the ledger, not a rule

    table = cli(root, *args, "--no-chart")
    assert table.exit_code == 1
    rows = [line for line in table.stdout.splitlines() if "第二单位" in line or "测试单位" in line]
    assert any("u2" in line and "台账 1 个错误" in line for line in rows), table.stdout
    assert not any("u1" in line and "台账" in line for line in rows)
    lines = [line.rstrip() for line in table.stdout.splitlines()]
    heading = lines.index("第二单位(u2)· 测试方案")  # the unit's results say it above themselves
    assert lines[heading + 1].startswith("台账有 1 个错误:有误的记录未计入以下结果"), table.stdout
    assert "台账有" not in lines[lines.index("测试单位(u1)· 测试方案") + 1]
    english = cli(root, *args, "--no-chart", lang="en").stdout
    assert "第二单位 · ledger: 1 error" in english and "the ledger has 1 error: records with errors are left out" in english

    assert cli(root, *args, "--unit", "u1", "--format", "json").exit_code == 0


def test_a_groups_counts_are_its_units(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({
        f"{ACTIVITIES}/2022-05.yaml": month("2022-05-05", "a1"),
        f"{ACTIVITIES}/2022-06.yml": month("2022-06-06", "a2"),
        **U2,
        "groups.yaml": "groups:\n  - {id: both, name: 两个单位, units: [u1, u2], policy: p1}\n",
    })  # fmt: skip
    result = cli(root, "check", "--year", "2022", "--as-of", "2022-12-31", "--group", "both", "--format", "json")
    (group,) = result.json()["groups"]
    assert (group["errors"], group["warnings"]) == (2, 0) and result.exit_code == 1
