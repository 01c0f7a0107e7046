"""The one write transaction: numbers chosen under the lock, a set of files all old or all new
(full disk, failed replace, crash), `--commit` that commits only its own change, and plain
messages for places that cannot be written. Real files, real processes, real git."""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_certificate import ledger
from test_writing import ADD, EXISTING, git, snapshot

from conftest import TODAY, Result

pytestmark = pytest.mark.usefixtures("git_identity")

ROSTER = "ledgers/u1/roster.yaml"
PERSONAL = "ledgers/u1/personal.yaml"
ACT = "ledgers/u1/activities/2022-05.yaml"
NUMBER, PHONE = "11010519491231002X", "13800001234"
ADD_VOLUNTEER = ("add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff", "--id-number", NUMBER, "--phone", PHONE)
ADD_ACTIVITY = (*ADD, "-p", "V0001")


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed entry point in its own process: what a clerk runs, internal-error handler included."""
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "en", **(env or {})}
    code = "from vsledger.cli.app import run; run()"
    return subprocess.run([sys.executable, "-c", code, "--root", str(root), *args], capture_output=True, text=True, env=env, timeout=300)


def test_ten_certificates_at_once_get_ten_numbers(workspace: Callable[..., Path], tmp_path: Path) -> None:
    root = ledger(workspace)
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "en"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "vsledger", "--root", str(root), "certificate", "--unit", "u1", "--volunteer", "V0001",
             "--out", str(tmp_path / f"c{i}.pdf")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(10)
    ]  # fmt: skip
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, [err for _, err in outputs]
    numbers = sorted(out.split("certificate ")[1].split(" ")[0] for out, _ in outputs)
    assert numbers == [f"u1-2024-{n:04d}" for n in range(1, 11)]
    register = (root / "ledgers/u1/certificates.yaml").read_text(encoding="utf-8").splitlines()
    assert sorted(line.split("number: ")[1].split(",")[0] for line in register if line.startswith("- ")) == numbers
    for i in range(10):  # each PDF carries the number its process reported
        assert (tmp_path / f"c{i}.pdf").read_bytes().startswith(b"%PDF")


def _fill(directory: Path) -> None:
    """Write until the file system says it is full."""
    with open(directory / "filler", "wb") as handle:
        chunk = b"\0" * 65536
        try:
            while True:
                handle.write(chunk)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            chunk = b"\0"
    while True:  # the last few bytes of the last page
        try:
            with open(directory / f"filler-{uuid.uuid4().hex}", "wb") as handle:
                handle.write(b"\0" * 4096)
        except OSError:
            break


@pytest.fixture
def small_disk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A 2 MB tmpfs: a real full disk, where this machine lets the tests mount one."""
    mount_point = tmp_path_factory.mktemp("disk")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("mounting a tmpfs is not permitted here; the injected-ENOSPC test covers the same path")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def test_a_full_disk_leaves_roster_and_personal_numbers_unchanged(
    small_disk: Path, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    source = workspace({PERSONAL: '- {id: V0002, phone: "13900001111"}\n'})
    root = small_disk / "w"
    root.mkdir()
    subprocess.run(["cp", "-a", str(source / "rules"), str(source / "ledgers"), str(root)], check=True)
    (root / ".vsledger.lock").touch()  # earlier writes left it, as they do
    before = snapshot(root)
    _fill(small_disk)
    result = run(root, *ADD_VOLUNTEER)
    assert result.returncode == 1, result.stderr
    assert snapshot(root) == before  # roster.yaml and personal.yaml byte for byte as they were
    assert ": disk-full: the disk is full" in result.stderr and "nothing was written" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert NUMBER not in result.stderr + result.stdout
    assert not [p for p in (root / "ledgers/u1").iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("full", ["roster.yaml", "personal.yaml"])
def test_an_injected_full_disk_leaves_both_files_unchanged(
    full: str, workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC while writing either file's new text: neither file is replaced, and the message says so."""
    from vsledger.core import files

    root = workspace({PERSONAL: '- {id: V0002, phone: "13900001111"}\n'})
    before = snapshot(root)
    real_open = open

    def full_disk_open(path: str, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and Path(path).name.startswith(f".{full}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(files, "open", full_disk_open, raising=False)
    result = cli(root, *ADD_VOLUNTEER, lang="en")
    assert result.exit_code == 1
    assert snapshot(root) == before
    assert (
        f"ledgers/u1/{full}:1:1: disk-full: the disk is full: ledgers/u1/{full} could not be written; nothing was written" in result.stderr
    )
    assert not [p for p in (root / "ledgers/u1").iterdir() if p.name.startswith(".")]


def test_a_failed_second_replace_puts_the_first_file_back(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsledger.core import files

    root = workspace({PERSONAL: '- {id: V0002, phone: "13900001111"}\n'})
    before = snapshot(root)
    real_replace = files.os.replace
    calls: list[str] = []

    def fail_second(src: str, dst: str) -> None:
        calls.append(Path(dst).name)
        if len(calls) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO), dst)
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", fail_second)
    result = cli(root, *ADD_VOLUNTEER, lang="en")
    assert result.exit_code == 1
    assert calls[:2] == ["roster.yaml", "personal.yaml"] and len(calls) == 3  # the third puts roster.yaml back
    assert snapshot(root) == before
    assert "write-failed: cannot write ledgers/u1/personal.yaml (Input/output error); nothing was written" in result.stderr


CRASH = """
import os, sys
from vsledger.core import files
real = files.os.replace
calls = []
def crash(src, dst):
    calls.append(dst)
    if len(calls) == 2:
        os._exit(9)  # the power goes between the two replaces
    real(src, dst)
files.os.replace = crash
from vsledger.cli.app import run
sys.argv[0] = "vsledger"
run()
"""


def test_a_crash_between_two_replaces_is_undone_by_the_next_write(workspace: Callable[..., Path]) -> None:
    root = workspace({PERSONAL: '- {id: V0002, phone: "13900001111"}\n', ACT: EXISTING})
    old = {rel: (root / rel).read_bytes() for rel in (ROSTER, PERSONAL)}
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_LANG": "en"}
    crashed = subprocess.run([sys.executable, "-c", CRASH, "--root", str(root), *ADD_VOLUNTEER], env=env, capture_output=True, text=True)
    assert crashed.returncode == 9
    assert (root / ROSTER).read_bytes() != old[ROSTER]  # half done: the roster is new, personal.yaml old
    assert (root / PERSONAL).read_bytes() == old[PERSONAL]
    assert (root / ".vsledger.journal").exists()
    after = run(root, *ADD_ACTIVITY)  # the next write takes the lock and first undoes the half-done set
    assert after.returncode == 0, after.stderr
    assert "write-rolled-back: warning: an interrupted earlier write was undone: ledgers/u1/roster.yaml" in after.stderr
    assert {rel: (root / rel).read_bytes() for rel in (ROSTER, PERSONAL)} == old
    assert not (root / ".vsledger.journal").exists()
    assert not [p for p in (root / "ledgers/u1").iterdir() if p.name.startswith(".")]
    assert run(root, "validate").returncode == 0


def _committed_workspace(workspace: Callable[..., Path]) -> Path:
    root = workspace({ACT: EXISTING, ".gitignore": ".vsledger.lock\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "台账")
    return root


def test_commit_refuses_when_the_month_file_has_a_clerks_uncommitted_edit(workspace: Callable[..., Path]) -> None:
    root = _committed_workspace(workspace)
    hand_edited = (root / ACT).read_text(encoding="utf-8").replace("title: 义诊", "title: 义诊(改)")
    (root / ACT).write_text(hand_edited, encoding="utf-8")  # a clerk's fix, not committed yet
    head = git(root, "rev-parse", "HEAD")
    result = run(root, *ADD_ACTIVITY, "--commit")
    assert result.returncode == 1
    assert f"{ACT}:1:1: uncommitted-edits: {ACT} has changes not yet committed to git" in result.stderr
    assert "nothing was written" in result.stderr
    assert git(root, "rev-parse", "HEAD") == head  # nothing committed under our message
    assert (root / ACT).read_text(encoding="utf-8") == hand_edited  # and nothing written
    git(root, "commit", "-qam", "文员的修改")
    again = run(root, *ADD_ACTIVITY, "--commit")
    assert again.returncode == 0, again.stderr
    assert git(root, "log", "-1", "--format=%s").startswith("add-activity: u1 20220520-")
    assert git(root, "status", "--porcelain") == ""


def test_a_commit_git_refuses_is_said_with_exit_1_and_the_write_kept(workspace: Callable[..., Path]) -> None:
    """A hook that rejects the commit: the record is written (and said so), the refusal is on stdout, exit 1."""
    root = _committed_workspace(workspace)
    hook = root / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'rejected by the office hook' >&2\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    head = git(root, "rev-parse", "HEAD")
    result = run(root, *ADD_ACTIVITY, "--commit")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "written, but git commit failed" in result.stdout and "rejected by the office hook" in result.stdout
    assert git(root, "rev-parse", "HEAD") == head
    assert "20220520-" in (root / ACT).read_text(encoding="utf-8")  # the record itself is written
    assert git(root, "diff", "HEAD", "--name-only").split() == [ACT]  # in the files, not in the history


def test_commit_leaves_other_files_edits_out(workspace: Callable[..., Path]) -> None:
    root = _committed_workspace(workspace)
    roster = (root / ROSTER).read_text(encoding="utf-8") + "  # 待核对\n"
    (root / ROSTER).write_text(roster, encoding="utf-8")
    git(root, "add", ROSTER)  # staged, even: still not ours to commit
    result = run(root, *ADD_ACTIVITY, "--commit")
    assert result.returncode == 0, result.stderr
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == [ACT]
    assert git(root, "diff", "--cached", "--name-only").split() == [ROSTER]


def test_a_read_only_roster_gets_a_plain_message(workspace: Callable[..., Path]) -> None:
    root = workspace()
    (root / ROSTER).chmod(0o444)
    before = snapshot(root)
    result = run(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff")
    assert result.returncode == 1
    assert f"{ROSTER}:1:1: file-read-only: {ROSTER} is read-only; nothing was written" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before
    zh = run(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff", env={"VSLEDGER_LANG": "zh"})
    assert f"{ROSTER} 是只读文件" in zh.stderr


def test_an_unwritable_lock_file_gets_a_plain_message(workspace: Callable[..., Path]) -> None:
    root = workspace({ACT: EXISTING})
    lock = root / ".vsledger.lock"
    lock.touch()
    lock.chmod(0o444)
    before = snapshot(root)
    result = run(root, *ADD_ACTIVITY)
    assert result.returncode == 1
    assert ".vsledger.lock:1:1: lock-not-writable: cannot take the lock .vsledger.lock" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(root) == before


def test_an_unwritable_directory_gets_a_plain_message(workspace: Callable[..., Path]) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes in any directory; the read-only file and lock tests cover the refusal")
    root = workspace({ACT: EXISTING})
    directory = root / "ledgers/u1/activities"
    directory.chmod(0o555)
    try:
        result = run(root, *ADD_ACTIVITY)
    finally:
        directory.chmod(0o755)
    assert result.returncode == 1 and "not-writable: cannot write in ledgers/u1/activities" in result.stderr


def test_import_numbers_follow_the_roster_found_under_the_lock(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A volunteer added by someone else before the import takes the lock: the rows are numbered under it, after theirs."""
    from vsledger.write import importing

    root = workspace()
    sheet = tmp_path / "花名册.csv"
    sheet.write_text("姓名,人员类别\n王五,在编\n赵六,聘用\n", encoding="utf-8")
    real = importing.transact

    def someone_adds_first(*args: object, **kwargs: object) -> object:
        with open(root / ROSTER, "a", encoding="utf-8") as roster:
            roster.write("  - {id: V0003, name: 孙七, employment: staff}\n")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "transact", someone_adds_first)
    result = cli(root, "import", str(sheet), "--unit", "u1", lang="en")
    assert result.exit_code == 0, result.stderr
    shown = re.findall(r"V000[3-5]-[0-9a-z]{3}", result.stdout)
    assert [i[:5] for i in shown] == ["V0004", "V0005"]  # the preview shows the ids written
    text = (root / ROSTER).read_text(encoding="utf-8")
    assert f"- id: {shown[0]}\n    name: 王五" in text and f"- id: {shown[1]}\n    name: 赵六" in text
    assert cli(root, "validate").exit_code == 0


def test_an_internal_error_after_a_write_does_not_say_nothing_was_written(
    workspace: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from vsledger.check import timebank
    from vsledger.cli import app as cli_module

    root = workspace({ACT: EXISTING})

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug after the write")

    monkeypatch.setattr(timebank, "time_bank", broken)
    argv = ["vsledger", "--root", str(root), "--lang", "en", "--today", TODAY, "redeem", "--unit", "u1", "-v", "V0001"]
    monkeypatch.setattr(sys, "argv", [*argv, "--hours", "1", "--what", "书", "--date", "2022-05-06"])
    monkeypatch.setenv("VSLEDGER_LANG", "en")
    monkeypatch.delenv("VSLEDGER_DEBUG", raising=False)
    with pytest.raises(SystemExit):
        cli_module.run()
    err = capsys.readouterr().err
    assert "internal error (RuntimeError): bug after the write" in err
    assert "these files had been written before the error:" in err and "redemptions.yaml" in err
    assert "nothing was written" not in err


def test_a_file_that_cannot_be_put_back_is_named_not_hidden(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second replace fails and so does putting the first back: the message says what is new."""
    from vsledger.core import files

    root = workspace({PERSONAL: '- {id: V0002, phone: "13900001111"}\n'})
    before = (root / ROSTER).read_bytes()
    real_replace = files.os.replace
    calls: list[str] = []

    def fail_after_first(src: str, dst: str) -> None:
        calls.append(Path(dst).name)
        if len(calls) > 1:
            raise OSError(errno.EIO, os.strerror(errno.EIO), dst)
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "replace", fail_after_first)
    result = cli(root, *ADD_VOLUNTEER, lang="en")
    assert result.exit_code == 1
    assert result.stderr.startswith("partly written:")
    assert f"{ROSTER}:1:1: write-partial: {ROSTER} could not be put back after a failed write: it holds the new text" in result.stderr
    assert "V0003" in (root / ROSTER).read_text(encoding="utf-8")  # what the message says is so
    assert "V0003" not in (root / PERSONAL).read_text(encoding="utf-8")
    kept = result.stderr.split("its old text is kept in ")[1].split(";")[0]
    assert (root / kept).read_bytes() == before  # the old roster is not lost


def test_a_directory_that_refuses_files_gets_a_plain_message(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """EACCES from the file system itself (root passes permission checks, so it is injected here)."""
    from vsledger.core import files

    root = workspace({ACT: EXISTING})
    before = snapshot(root)

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(kwargs.get("dir")))

    monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
    result = cli(root, *ADD_ACTIVITY, lang="en")
    assert result.exit_code == 1
    assert f"{ACT}:1:1: not-writable: cannot write in {ACT} (Permission denied); nothing was written" in result.stderr
    assert snapshot(root) == before


def test_a_certificate_whose_pdf_cannot_be_written_is_not_registered(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The register line and the PDF are one set: no number is used up by a PDF that was never written."""
    from vsledger.core import files

    root = ledger(workspace)
    real_open = open

    def full_disk_for_the_pdf(path: str, mode: str = "r", *args: object, **kwargs: object) -> object:
        if "w" in mode and Path(path).name.startswith(".c.pdf."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real_open(path, mode, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(files, "open", full_disk_for_the_pdf, raising=False)
    result = cli(root, "certificate", "--unit", "u1", "--volunteer", "V0001", "--out", str(tmp_path / "c.pdf"), lang="en")
    assert result.exit_code == 1
    assert "c.pdf:1:1: disk-full: the disk is full: c.pdf could not be written; nothing was written" in result.stderr
    assert not (root / "ledgers/u1/certificates.yaml").exists() and not (tmp_path / "c.pdf").exists()
    monkeypatch.undo()
    again = cli(root, "certificate", "--unit", "u1", "--volunteer", "V0001", "--out", str(tmp_path / "c.pdf"), lang="en")
    assert again.exit_code == 0 and "u1-2024-0001" in again.stdout  # the number was not used up


def test_commit_sees_foreign_edits_when_the_workspace_is_a_subdirectory_of_the_repository(
    workspace: Callable[..., Path], tmp_path: Path
) -> None:
    """git status names files from the top of the work tree; the workspace may sit below it."""
    root = workspace({ACT: EXISTING, ".gitignore": ".vsledger.lock\n"})
    top = tmp_path.parent / f"{tmp_path.name}-repo"
    top.mkdir()
    (root).rename(top / "台账")
    root = top / "台账"
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-qm", "台账")
    (root / ACT).write_text((root / ACT).read_text(encoding="utf-8") + "# 手工补记\n", encoding="utf-8")
    result = run(root, *ADD_ACTIVITY, "--commit")
    assert result.returncode == 1 and "uncommitted-edits" in result.stderr
    git(top, "checkout", "--", ".")
    assert run(root, *ADD_ACTIVITY, "--commit").returncode == 0
    assert git(top, "-c", "core.quotePath=false", "show", "--name-only", "--format=", "HEAD").split() == [f"台账/{ACT}"]
