"""Personal numbers stay out of git and out of sight: the leak warning, `personal split`, masking."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result, write_files

ID_NUMBER, PHONE, PHONE2 = "11010519491231002X", "13800001234", "13900001234"
ROSTER = f"""
volunteers:
  - id: V0001
    name: 张三
    employment: staff
    registered_on: 2020-01-01
  - id: V0002
    name: 李四
    id_number: "{ID_NUMBER}"
    phone: "{PHONE}"
    employment: contract
    registered_on: 2020-01-01
  - {{id: V0003, name: 王五, employment: staff, phone: "{PHONE2}"}}
"""
ACT = "ledgers/u1/activities/2022-05.yaml"
ACTIVITY = "- {id: a1, date: 2022-05-05, title: 义诊, location: 社区, hours: 2, participants: [V0001, V0002, V0003]}\n"


pytestmark = pytest.mark.usefixtures("git_identity")


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def committed(workspace: Callable[..., Path], roster: str = ROSTER, ignore: str | None = None) -> Path:
    root = workspace({"ledgers/u1/roster.yaml": roster, ACT: ACTIVITY, **({".gitignore": ignore} if ignore is not None else {})})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "ledger with numbers inline")
    return root


def test_numbers_in_tracked_files_are_warned_at_their_line(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = committed(workspace)
    result = cli(root, "validate", "--format", "json")
    leaks = [(p["line"], p["column"], p["level"]) for p in result.json()["problems"] if p["code"] == "personal-data-in-git"]
    assert leaks == [(8, 17, "warning"), (9, 13, "warning"), (12, 54, "warning")]
    text = cli(root, "validate").stdout
    assert "vsledger personal split" in text
    for secret in (ID_NUMBER, PHONE, PHONE2):
        assert secret not in text  # the warning and its excerpt are masked too


def test_untracked_numbers_are_not_warned(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": ROSTER})  # not a git repository
    assert all(p["code"] != "personal-data-in-git" for p in cli(root, "validate", "--format", "json").json()["problems"])


def test_split_moves_only_the_numbers(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = committed(workspace)
    before_hours = cli(root, "hours", "--year", "2022", "--format", "json").stdout
    result = cli(root, "personal", "split")
    assert result.exit_code == 0, result.stderr
    assert "已把 2 名志愿者的号码移到 personal.yaml" in result.stdout
    assert "git filter-repo --replace-text" in result.stdout  # how to purge the history
    assert ID_NUMBER not in result.stdout + result.stderr
    diff = git(root, "diff", "-U0", "--", "ledgers/u1/roster.yaml").stdout
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert removed == [
        f'-    id_number: "{ID_NUMBER}"',
        f'-    phone: "{PHONE}"',
        f'-  - {{id: V0003, name: 王五, employment: staff, phone: "{PHONE2}"}}',
    ]
    assert added == ["+  - {id: V0003, name: 王五, employment: staff}"]
    personal = root / "ledgers/u1/personal.yaml"
    assert (
        personal.read_text(encoding="utf-8") == "# yaml-language-server: $schema=../../schemas/personal.schema.json\n"
        f'- {{id: V0002, id_number: "{ID_NUMBER}", phone: "{PHONE}"}}\n- {{id: V0003, phone: "{PHONE2}"}}\n'
    )
    assert stat.S_IMODE(personal.stat().st_mode) == 0o600
    assert "ledgers/*/personal.yaml" in (root / ".gitignore").read_text(encoding="utf-8")
    validated = cli(root, "validate", "--format", "json")
    assert [p for p in validated.json()["problems"] if p["code"] == "personal-data-in-git"] == []
    assert validated.exit_code == 0
    assert cli(root, "hours", "--year", "2022", "--format", "json").stdout == before_hours
    git(root, "add", "-A")
    git(root, "commit", "-qm", "numbers out")
    for secret in (ID_NUMBER, PHONE, PHONE2):
        assert git(root, "grep", "-q", secret).returncode == 1  # no tracked file holds it now


def test_split_leaves_a_number_beside_a_comment(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    roster = ROSTER.replace(f'phone: "{PHONE}"', f'phone: "{PHONE}"  # 本人同意登记')
    root = committed(workspace, roster)
    result = cli(root, "personal", "split")
    assert result.exit_code == 1  # a number is still in a tracked file
    assert "V0002" in result.stdout and "手工移到 personal.yaml" in result.stdout  # named, for moving by hand
    text = (root / "ledgers/u1/roster.yaml").read_text(encoding="utf-8")
    assert "# 本人同意登记" in text and PHONE in text
    assert f'# yaml-language-server: $schema=../../schemas/personal.schema.json\n- {{id: V0003, phone: "{PHONE2}"}}\n' == (
        root / "ledgers/u1/personal.yaml"
    ).read_text(encoding="utf-8")


def test_split_keeps_the_byte_order_mark_and_names_a_number_written_over_lines(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    """A BOM at the head of roster.yaml was dropped by the split; a number as a folded block was kept
    with a reason that did not fit it (\"shares a line with a comment\")."""
    roster = ROSTER.replace(f'    phone: "{PHONE}"\n', f"    phone: >-\n      {PHONE}\n")
    root = committed(workspace, roster)
    (root / "ledgers/u1/roster.yaml").write_bytes(b"\xef\xbb\xbf" + (root / "ledgers/u1/roster.yaml").read_bytes())
    result = cli(root, "personal", "split")
    assert result.exit_code == 1  # V0002's phone is still in the tracked roster
    assert "V0002" in result.stdout and "分几行写" in result.stdout
    after = (root / "ledgers/u1/roster.yaml").read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and PHONE2.encode() not in after  # V0003 moved, the BOM kept
    assert cli(root, "validate").exit_code == 0


def test_split_over_several_units_is_one_write(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A unit that cannot be written stops the split of every unit: no roster is left half done."""
    root = committed(workspace)
    u2 = {
        f"ledgers/u2/{name}": (root / "ledgers/u1" / name).read_text(encoding="utf-8").replace("u1", "u2")
        for name in ("unit.yaml", "roster.yaml")
    }
    write_files(root, u2)
    (root / "ledgers/u2/roster.yaml").chmod(0o444)
    before = {
        rel: (root / rel).read_bytes()
        for rel in ("ledgers/u1/roster.yaml", "ledgers/u2/roster.yaml", ".gitignore")
        if (root / rel).exists()
    }
    refused = cli(root, "personal", "split")
    assert refused.exit_code == 1 and "ledgers/u2/roster.yaml" in refused.stderr
    assert {rel: (root / rel).read_bytes() for rel in before} == before
    assert not (root / "ledgers/u1/personal.yaml").exists() and not (root / "ledgers/u2/personal.yaml").exists()
    (root / "ledgers/u2/roster.yaml").chmod(0o644)
    write_files(root, {"ledgers/u3/unit.yaml": "id: u3\nname: 新单位\n"})  # no roster yet: nothing to move there
    done = cli(root, "personal", "split")
    assert done.exit_code == 0, done.stdout + done.stderr
    assert "u1:已把 2 名志愿者" in done.stdout and "u2:已把 2 名志愿者" in done.stdout
    assert done.stdout.count(".gitignore 已加入") == 1


def test_no_command_prints_a_full_number(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = committed(workspace, ROSTER.replace(f'"{PHONE2}"', "13900001234"))  # one unquoted, an error
    outputs = []
    for args in (
        ("validate",), ("validate", "--format", "json"), ("validate", "--format", "csv"),
        ("check", "--year", "2022"), ("check", "--year", "2022", "--format", "json"), ("hours", "--year", "2022"),
        ("fmt", "--check"), ("personal", "split"),
        ("add-volunteer", "--unit", "u1", "--name", "重复", "--employment", "staff", "--id-number", ID_NUMBER.lower()),
    ):  # fmt: skip
        result = cli(root, *args)
        outputs.append(result.stdout + result.stderr)
    joined = "\n".join(outputs)
    assert "duplicate-id-number" in joined
    for secret in (ID_NUMBER, ID_NUMBER.lower(), PHONE, PHONE2):
        assert secret not in joined


def test_internal_errors_are_a_sentence_not_a_traceback(
    workspace: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    from vsledger.cli import app as cli_module
    from vsledger.report import hours as hours_module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"bug near {ID_NUMBER}")

    monkeypatch.setattr(hours_module, "hours_report", broken)
    monkeypatch.setattr(sys, "argv", ["vsledger", "--root", str(workspace()), "--no-cache", "hours", "--year", "2022"])
    monkeypatch.delenv("VSLEDGER_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.run()
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert "vsledger: internal error (RuntimeError): bug near 110105********002X" in err
    assert "Traceback" not in err and ID_NUMBER not in err


def test_a_crash_between_the_two_files_leaves_both_as_they_were(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted between the two replaces, the split puts the first file back: no number lost, none in two places."""
    from vsledger.core import files

    root = committed(workspace)
    before = {
        name: (root / "ledgers/u1" / name).read_bytes()
        for name in ("roster.yaml", "personal.yaml")
        if (root / "ledgers/u1" / name).exists()
    }
    real = files.os.replace
    calls: list[str] = []

    def crash_on_second(src: str, dst: str) -> None:
        calls.append(Path(dst).name)
        if len(calls) == 2:
            raise KeyboardInterrupt  # interrupted between the two replaces
        real(src, dst)

    monkeypatch.setattr(files.os, "replace", crash_on_second)
    assert cli(root, "personal", "split").exit_code != 0
    assert len(calls) >= 2
    after = {
        name: (root / "ledgers/u1" / name).read_bytes()
        for name in ("roster.yaml", "personal.yaml")
        if (root / "ledgers/u1" / name).exists()
    }
    assert after == before
    assert not [p for p in (root / "ledgers/u1").iterdir() if p.name.endswith((".tmp", ".old"))]


def test_the_scan_respects_the_file_size_cap(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 200 MB tracked file took 58 s and 1.4 GB: a file over the cap is named as not scanned, never read."""
    from vsledger.write import personal_split

    root = workspace({"ledgers/u1/roster.yaml": ROSTER, ACT: ACTIVITY, "notes/big.txt": f"电话 {PHONE}\n" * 200})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "a big file")
    size = (root / "notes/big.txt").stat().st_size
    monkeypatch.setattr(personal_split, "MAX_FILE_BYTES", size - 1)
    read: list[str] = []
    real = Path.read_bytes

    def spy(path: Path) -> bytes:
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", spy)
    problems = personal_split.leaks_in_git(root)
    assert "big.txt" not in read
    assert [(p.file, p.code, p.line) for p in problems if p.file == "notes/big.txt"] == [("notes/big.txt", "personal-scan-skipped", 1)]
    assert [(p.line, p.column) for p in problems if p.file == "ledgers/u1/roster.yaml"] == [(8, 17), (9, 13), (12, 54)]
    monkeypatch.undo()
    found = [p for p in cli(root, "validate", "--format", "json").json()["problems"] if p["file"] == "notes/big.txt"]
    assert len(found) == 200 and found[-1]["line"] == 200 and found[0]["column"] == 4


NUMBER_TITLE = f"联系{PHONE}义诊"
ADD_WITH_NUMBER = (
    "add-activity",
    "-u",
    "u1",
    "--date",
    "2022-05-20",
    "--title",
    NUMBER_TITLE,
    "--location",
    "社区",
    "--hours",
    "2",
    "-p",
    "V0001",
)


def _tracked(workspace: Callable[..., Path]) -> Path:
    """A committed ledger whose .gitignore keeps personal.yaml and the lock out, as `init` writes it."""
    return committed(workspace, ignore=".vsledger.lock\nledgers/*/personal.yaml\n")


def test_commit_refuses_a_record_that_would_put_a_number_in_history(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """History keeps a number in every clone for good: the commit is refused, and nothing is written either."""
    root = _tracked(workspace)
    before, head = (root / ACT).read_bytes(), git(root, "rev-parse", "HEAD").stdout
    result = cli(root, *ADD_WITH_NUMBER, "--commit", lang="en")
    assert result.exit_code == 1
    line = ACTIVITY.count("\n") + 4  # the record after a blank line: id, date, then its title
    assert f"{ACT}:{line}:12: personal-number-commit: --commit would put a full phone number into git history" in result.stderr
    assert "nothing was written or committed" in result.stderr and "personal.yaml" in result.stderr
    assert "联系138****1234义诊" in result.stderr  # the would-be line is shown, masked
    assert PHONE not in result.stdout + result.stderr
    assert (root / ACT).read_bytes() == before
    assert git(root, "rev-parse", "HEAD").stdout == head and git(root, "status", "--porcelain").stdout == ""
    masked = cli(root, *ADD_WITH_NUMBER[:6], "联系138****1234义诊", *ADD_WITH_NUMBER[7:], "--commit")
    assert masked.exit_code == 0, masked.stderr  # the text without the full number commits
    assert git(root, "status", "--porcelain").stdout == ""


def test_a_record_with_a_number_written_without_commit_is_warned_at_its_line(
    workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = _tracked(workspace)
    result = cli(root, *ADD_WITH_NUMBER, lang="en")
    assert result.exit_code == 0, result.stderr
    line = ACTIVITY.count("\n") + 4
    assert (
        f"{ACT}:{line}:12: personal-number-written: warning: the new record puts a full phone number in a file git keeps" in result.stderr
    )
    assert "edit the number out of the file before you commit it" in result.stderr
    assert PHONE not in result.stdout + result.stderr
    assert (root / ACT).read_text(encoding="utf-8").splitlines()[line - 1] == f"  title: {NUMBER_TITLE}"  # written as typed


def test_numbers_in_personal_yaml_are_not_warned(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """personal.yaml is where numbers belong: git never gets it."""
    root = _tracked(workspace)
    added = cli(
        root, "add-volunteer", "-u", "u1", "--name", "赵六", "--phone", PHONE2, "--id-number", "110101199003074514", "--yes", "--commit"
    )
    assert added.exit_code == 0, added.stderr
    assert "personal-number" not in added.stderr
    assert git(root, "status", "--porcelain").stdout == ""  # roster committed; personal.yaml ignored
    assert PHONE2 in (root / "ledgers/u1/personal.yaml").read_text(encoding="utf-8")


def test_a_workspace_outside_git_is_not_warned(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"ledgers/u1/roster.yaml": ROSTER})  # no git here: no history to keep the number
    written = cli(root, *ADD_WITH_NUMBER)
    assert written.exit_code == 0 and "personal-number" not in written.stderr


def test_numbers_already_in_a_file_do_not_hold_up_a_new_record(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A roster that still holds numbers (validate warns about those): only what this write adds counts."""
    root = _tracked(workspace)
    result = cli(root, "add-volunteer", "-u", "u1", "--name", "赵六", "--yes", "--commit")
    assert result.exit_code == 0, result.stderr
    assert "personal-number" not in result.stderr
    assert git(root, "log", "-1", "--format=%s").stdout.startswith("add-volunteer: u1 V0004-")
