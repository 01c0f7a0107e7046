"""Writing records: appends that keep every byte, refusals that change nothing, real git."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, TODAY, Result

ACT = "ledgers/u1/activities/2022-05.yaml"
EXISTING = """
# 五月活动台账
- id: a1
  date: 2022-05-05
  title: 义诊   # 东城社区
  location: 社区
  hours: 2
  participants: [V0001]
"""


pytestmark = pytest.mark.usefixtures("git_identity")


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts and p.name != ".vsledger.lock"
    }


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def vsledger(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "zh"}
    return subprocess.run([sys.executable, "-m", "vsledger", "--root", str(root), *args], capture_output=True, text=True, env=env)


ADD = ("add-activity", "--unit", "u1", "--date", "2022-05-20", "--title", "清扫", "--location", "广场", "--hours", "2.5")


def test_add_activity_appends_and_counts(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: EXISTING})
    old = (root / ACT).read_bytes()
    result = cli(root, *ADD, "-p", "V0001", "-p", "V0002=1.5", "--tag", "集中")
    assert result.exit_code == 0, result.stderr
    new = (root / ACT).read_bytes()
    assert new.startswith(old)  # every existing byte, comments included, kept
    assert new[len(old) :].decode().startswith("\n- id: 20220520-")
    assert "  participants: [V0001, {V0002: 1.5}]\n" in new.decode()
    totals = cli(root, "hours", "--year", "2022", "--format", "json").json()
    assert [(r["id"], r["hours"]) for r in totals] == [("V0001", 4.5), ("V0002", 1.5)]


def test_tags_typed_with_a_full_width_comma_are_separate_tags(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """`--tag "集中，社区"` was one tag 集中，社区, which a rule's `where: {tags: [集中]}` then missed."""
    root = workspace({ACT: EXISTING})
    result = cli(root, *ADD, "-p", "V0001", "--tag", "集中，社区", "--tag", "党员、助老/助残")
    assert result.exit_code == 0, result.stderr
    assert "  tags: [集中, 社区, 党员, 助老/助残]\n" in (root / ACT).read_text(encoding="utf-8")  # a slash is part of a word


def test_new_month_file_is_created(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: EXISTING})
    result = cli(
        root,
        "add-activity",
        "--unit",
        "u1",
        "--date",
        "2022-07-01",
        "--title",
        "宣讲",
        "--location",
        "礼堂",
        "--start",
        "09:00",
        "--end",
        "11:30",
        "-p",
        "李四",
        "--id",
        "x-1",
    )
    assert result.exit_code == 0, result.stderr
    text = (root / "ledgers/u1/activities/2022-07.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/activities.schema.json\n- id: x-1\n  date: 2022-07-01\n")
    assert '  start: "09:00"\n  end: "11:30"\n  participants: [V0002]\n' in text
    assert cli(root, "hours", "--year", "2022", "--by", "month", "--format", "json").json()[-1] == {
        "unit": "u1", "id": "2022-07", "name": "", "hours": 2.5, "activities": 1
    }  # fmt: skip


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (("-p", "V0099"), "unknown-volunteer"),
        (("-p", "V0001", "--date", "2099-01-01"), "future-date"),
        (("-p", "V0001", "--hours", "30"), "hours-range"),
        (("-p", "V0001", "--id", "a1"), "duplicate-id"),
        (("-p", "V0001", "--team", "nope"), "unknown-team"),
    ],
)
def test_refused_add_changes_nothing(extra: tuple[str, ...], code: str, workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: EXISTING})
    before = snapshot(root)
    args = list(ADD)
    for flag, value in zip(extra[::2], extra[1::2], strict=True):
        if flag in args:
            args[args.index(flag) + 1] = value
        else:
            args += [flag, value]
    result = cli(root, *args)
    assert result.exit_code == 1
    assert f": {code}: " in result.stderr
    assert snapshot(root) == before


def test_not_on_roster_that_day_and_day_over_24_are_refused(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    roster = "volunteers:\n  - {id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01, left: 2022-05-10}\n"
    root = workspace({ACT: EXISTING.replace("hours: 2", "hours: 20"), "ledgers/u1/roster.yaml": roster})
    before = snapshot(root)
    late = cli(root, *ADD, "-p", "V0001")
    assert late.exit_code == 1 and ": not-on-roster: " in late.stderr
    same_day = cli(root, *[a if a != "2022-05-20" else "2022-05-05" for a in ADD[:-1]], "5", "-p", "V0001")
    assert same_day.exit_code == 1 and ": day-over-24: " in same_day.stderr
    assert snapshot(root) == before


def test_adding_an_activity_already_recorded_is_written_with_a_warning(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A clerk who records the 义诊 a colleague already recorded hears it at once; a second session is still recorded."""
    root = workspace({ACT: EXISTING})
    again = cli(
        root, "add-activity", "--unit", "u1", "--date", "2022-05-05", "--title", "义诊", "--location", "社区", "--hours", "2", "-p", "V0001"
    )
    assert again.exit_code == 0
    assert ": duplicate-activity: 警告: 与 a1 是同一次活动(2022-05-05 义诊)" in again.stderr
    assert (root / ACT).read_text(encoding="utf-8").count("title: 义诊") == 2


def test_missing_field_without_a_terminal_is_a_usage_error(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: EXISTING})
    before = snapshot(root)
    result = cli(root, "add-activity", "--unit", "u1", "--date", "2022-05-20", "--title", "清扫", "--hours", "2", "-p", "V0001")
    assert result.exit_code == 2
    assert "--location" in result.stderr
    assert snapshot(root) == before


def test_prompts_on_a_terminal(workspace: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from vsledger.cli import app as cli_module
    from vsledger.cli import common, record

    root = workspace({ACT: EXISTING})
    for module in (common, record):  # as if stdin and stdout were a terminal
        monkeypatch.setattr(module, "_interactive", lambda: True)
    # date, title, team (skipped), category (skipped), location, start (skipped: then the hours),
    # hours, participants (names, an IME's comma), then five optional fields skipped, and yes
    answers = "\n".join(["2022-05-21", "读书会", "", "", "图书馆", "", "1.5", "张三，李四", "", "", "", "", "", "y"]) + "\n"
    result = CliRunner().invoke(cli_module.app, ["--root", str(root), "--today", TODAY, "add-activity", "--unit", "u1"], input=answers)
    assert result.exit_code == 0, result.output
    assert "V0001 张三  V0002 李四" in result.output  # the roster to choose from
    assert "将写入 ledgers/u1/activities/2022-05.yaml" in result.output  # the preview
    assert "  participants: [V0001, V0002]\n" in (root / ACT).read_text(encoding="utf-8")


def test_crash_before_replace_leaves_the_old_file(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsledger.core import files

    root = workspace({ACT: EXISTING})
    before = snapshot(root)

    def crash(*args: object) -> None:
        raise KeyboardInterrupt  # the process dies between the temporary file and the replace

    monkeypatch.setattr(files.os, "replace", crash)
    result = cli(root, *ADD, "-p", "V0001")
    assert result.exit_code != 0  # click reports the interrupt as an abort
    assert snapshot(root) == before
    assert not list((root / ACT).parent.glob(".*.tmp"))  # no temporary file left behind


def test_file_changed_underneath_is_not_overwritten(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsledger.write import transaction

    root = workspace({ACT: EXISTING})
    edited = EXISTING + "# 另一位文员刚刚保存\n"
    real_load = transaction.load_workspace
    calls = []

    def load_while_someone_edits(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 2:  # between reading the file and writing it
            (root / ACT).write_text(edited, encoding="utf-8")
        return real_load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(transaction, "load_workspace", load_while_someone_edits)
    result = cli(root, *ADD, "-p", "V0001")
    assert result.exit_code == 1 and ": changed-underneath: " in result.stderr
    assert (root / ACT).read_text(encoding="utf-8") == edited  # the other clerk's save stands


def test_two_processes_adding_at_once_both_land(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({ACT: EXISTING})
    env = {**os.environ, "VSLEDGER_TODAY": TODAY}
    procs = [
        subprocess.Popen([sys.executable, "-m", "vsledger", "--root", str(root), *ADD, "-p", "V0001", "--id", f"p{i}"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(6)
    ]  # fmt: skip
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 6, [p.stderr.read() for p in procs if p.stderr]
    ids = {r["id"] for r in cli(root, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()}
    assert ids == {"u1"}
    text = (root / ACT).read_text(encoding="utf-8")
    assert all(f"- id: p{i}\n" in text for i in range(6))
    assert cli(root, "validate").exit_code == 0


def test_commit_names_the_record(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "w"
    assert cli(root, "init", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    result = cli(
        root,
        "add-activity",
        "--unit",
        "example",
        "--date",
        "2024-05-20",
        "--title",
        "清扫",
        "--location",
        "广场",
        "--hours",
        "2",
        "-p",
        "V0001",
        "--id",
        "c-1",
        "--commit",
    )
    assert result.exit_code == 0, result.stderr
    assert git(root, "log", "-1", "--format=%s").strip() == "add-activity: example c-1 清扫"
    assert git(root, "status", "--porcelain").strip() == ""


@pytest.mark.usefixtures("vsledger_on_path")
def test_two_clones_merge_without_conflict(tmp_path: Path, cli: Callable[..., Result]) -> None:
    origin = tmp_path / "origin"
    assert cli(origin, "init", str(origin)).exit_code == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "init")
    a, b = tmp_path / "a", tmp_path / "b"
    subprocess.run(["git", "clone", "-q", str(origin), str(a)], check=True)
    subprocess.run(["git", "clone", "-q", str(origin), str(b)], check=True)
    for clone in (a, b):  # each clone sets up the merge driver (README: a second clerk's clone)
        assert cli(clone, "git-setup").exit_code == 0
    month = ("--date", "2024-05-28", "--location", "广场", "--hours", "2", "--commit")
    assert cli(a, "add-activity", "--unit", "example", "--title", "甲的活动", "-p", "V0001", *month).exit_code == 0
    assert cli(b, "add-activity", "--unit", "example", "--title", "乙的活动", "-p", "V0002", *month).exit_code == 0
    git(a, "push", "-q", "origin", "HEAD:refs/heads/incoming")
    git(b, "pull", "-q", "--no-rebase", "--no-edit", "origin", "incoming")  # through vsledger's merge driver
    text = (b / "ledgers/example/activities/2024-05.yaml").read_text(encoding="utf-8")
    assert "甲的活动" in text and "乙的活动" in text
    assert "<<<<<<<" not in text
    merged = cli(b, "validate", "--format", "json")
    assert merged.exit_code == 0 and merged.json() == {"problems": []}
    titles = cli(b, "hours", "--year", "2024", "--format", "json").json()
    assert {r["id"]: r["hours"] for r in titles} == {"V0001": 4.0, "V0002": 4.0}


def test_add_volunteer_keeps_numbers_out_of_git(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "w"
    assert cli(root, "init", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "commit", "-qm", "init")
    number, phone = "11010519491231002X", "13800001234"
    result = cli(
        root,
        "add-volunteer",
        "--unit",
        "example",
        "--name",
        "王五",
        "--employment",
        "staff",
        "--id-number",
        number,
        "--phone",
        phone,
        "--commit",
    )
    assert result.exit_code == 0, result.stderr
    generated = result.stdout.strip().rsplit(":", 1)[1]  # the next number and three random characters
    assert re.fullmatch(r"V0003-[0-9a-hjkmnp-tv-z]{3}", generated)
    roster = (root / "ledgers/example/roster.yaml").read_text(encoding="utf-8")
    assert f"  - id: {generated}\n    name: 王五\n    employment: staff\n" in roster
    personal = (root / "ledgers/example/personal.yaml").read_text(encoding="utf-8")
    assert (
        personal
        == "# yaml-language-server: $schema=../../schemas/personal.schema.json\n"
        + f'- {{id: {generated}, id_number: "{number}", phone: "{phone}"}}\n'
    )
    assert subprocess.run(["git", "grep", "-q", number], cwd=root).returncode == 1  # not in any tracked file
    assert subprocess.run(["git", "grep", "-q", phone], cwd=root).returncode == 1
    assert "personal.yaml" not in git(root, "ls-files")
    before = snapshot(root)
    again = cli(root, "add-volunteer", "--unit", "example", "--name", "赵六", "--employment", "staff", "--id-number", number.lower())
    assert again.exit_code == 1 and "duplicate-id-number" in again.stderr
    assert number not in again.stderr + again.stdout
    assert snapshot(root) == before


def test_init_workspace_checks_at_once_and_refuses_twice(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "office"
    assert cli(root, "init", str(root)).exit_code == 0
    assert (root / ".gitattributes").read_text(encoding="utf-8").count("merge=vsledger") == 6
    assert "personal.yaml" in (root / ".gitignore").read_text(encoding="utf-8")
    assert (root / ".git").is_dir() and (root / "README.md").is_file()
    assert sorted(p.name for p in (root / "rules").glob("*.yaml")) == sorted(p.name for p in (REPO / "rules").glob("*.yaml"))
    assert cli(root, "validate").exit_code == 0
    check = cli(root, "check", "--year", "2024", "--format", "json")
    assert check.json()["units"][0]["policy"] == "long-term-mechanism"  # a policy with no end: it governs this year
    assert cli(root, "init", str(root)).exit_code == 1


def test_packaged_policies_are_the_shipped_rules() -> None:
    shipped = {p.name: p.read_bytes() for p in (REPO / "rules").glob("*.yaml")}
    packaged = {p.name: p.read_bytes() for p in (REPO / "vsledger" / "policies").glob("*.yaml")}
    assert packaged == shipped


def test_module_entry_point_runs() -> None:
    result = vsledger(REPO, "--help")
    assert result.returncode == 0 and "add-activity" in result.stdout


def test_killed_at_any_moment_the_file_is_old_or_new(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """SIGKILL a writer at spread-out moments: each time the month file is whole and the old bytes are its prefix."""
    import random
    import signal
    import time

    root = workspace({ACT: EXISTING})
    env = {**os.environ, "VSLEDGER_TODAY": TODAY}
    rng = random.Random(7)
    for attempt in range(6):
        old = (root / ACT).read_bytes()
        proc = subprocess.Popen([sys.executable, "-m", "vsledger", "--root", str(root), *ADD, "-p", "V0001", "--id", f"k{attempt}"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        new = (root / ACT).read_bytes()
        assert new == old or (new.startswith(old) and f"- id: k{attempt}\n".encode() in new)
        assert not list((root / ACT).parent.glob(".*.tmp")) or new == old  # a temp file may remain only if nothing was replaced
        for stale in (root / ACT).parent.glob(".*.tmp"):
            stale.unlink()
    assert cli(root, "validate").exit_code == 0


def test_teams_and_branches_by_their_names(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A clerk types the names unit.yaml gives (红队, 第一党支部); the files get the ids, an unknown name is refused."""
    root = workspace()
    added = cli(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--team", "红队", "--branch", "第一党支部", "--yes")
    assert added.exit_code == 0, added.stderr
    roster = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    assert "teams: [red]" in roster and "branch: b1" in roster and "红队" not in roster
    activity = cli(root, *ADD, "-p", "V0001", "--team", "红队", "--yes")
    assert activity.exit_code == 0, activity.stderr
    assert "team: red" in (root / "ledgers/u1/activities/2022-05.yaml").read_text(encoding="utf-8")
    unknown = cli(root, *ADD, "-p", "V0001", "--team", "蓝队", "--yes")
    assert unknown.exit_code == 1 and "蓝队" in unknown.stderr
