"""One write transaction for every command that writes.

1. take the workspace lock (a separate lock file: a lock on a data file itself stays
   on the old inode after `os.replace` and lets writers race), and put back the files
   of a set a crash interrupted;
2. load the unit afresh and let the caller decide, on that state, what to write: ids
   and numbers it hands out are chosen here, where no other writer can choose them too;
3. build every file's new bytes (an append to a file laid out so that a record cannot
   follow is refused here, `layout-unexpected`); load the unit as it would be after, and
   refuse if that brings any error the ledger did not already have; a full ID card or
   mobile number brought into a file git keeps is a warning, and with `--commit` a refusal
   (`_numbers_brought`);
4. refuse a file that is read-only or in a place that cannot be written, and, with
   `--commit`, a file that holds someone's uncommitted edits (they would be committed
   under our message);
5. replace every changed file as one set (`core.files.replace_all`): on a full disk,
   after a failed replace and after a crash, all files are old or all new;
6. commit, still under the lock, only the files of this change.

A dry run (`dry_run=True`) goes through steps 1 to 4, the same checks, and stops before 5:
a preview that says "fine" is a write that would succeed.

A refusal or failure is a `WriteRefused` whose problems say, with the path, what
happened; nothing was written unless it says otherwise (`partial`).
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from vsledger.check.pipeline import load_workspace
from vsledger.core.filekinds import kind_of, merged_kind_of, modeline
from vsledger.core.files import SetNotWritten, recover, replace_all
from vsledger.core.ledger import Workspace
from vsledger.core.personal import mask_text, numbers_in_data
from vsledger.core.problems import Level, Problem
from vsledger.write.layout import LayoutMismatch, append_records

LOCK_NAME = ".vsledger.lock"
JOURNAL_NAME = ".vsledger.journal"
LOCK_TIMEOUT_SECONDS = 30


class WriteRefused(Exception):
    """The change was not written; `problems` say why. `partial`: some files could not be put back."""

    def __init__(self, problems: list[Problem], overrides: dict[str, bytes] | None = None, partial: bool = False) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems
        self.overrides = overrides or {}
        self.partial = partial


@dataclass
class Change:
    """New bytes for one file: a path relative to the workspace, or an absolute one (a PDF)."""

    rel: str
    build: Callable[[bytes | None], bytes]
    """Old bytes (None when the file does not exist yet) → new bytes."""
    appends: bool = False
    """Records appended at the end (`append_change`): a YAML error they bring is the file's layout, never the record."""


@dataclass
class Plan:
    """What a command decided to write, on the state it found under the lock."""

    changes: list[Change]
    value: Any = None
    """What the command hands back (the id or number it chose)."""
    expect: Callable[[Workspace], bool] | None = None
    """True when the change landed as meant in the unit as loaded after it."""
    message: str = ""
    """The git commit message, for `--commit`."""
    problems: list[Problem] = field(default_factory=list)
    """What the command found wrong itself while deciding (a bad row of a spreadsheet): the change is
    validated all the same, so that one refusal says everything; an error among them refuses it."""


@dataclass
class WriteResult:
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    value: Any = None
    committed: list[str] = field(default_factory=list)
    commit_error: str | None = None
    contents: dict[str, bytes] = field(default_factory=dict)
    """The new bytes of each changed file (written, or in a dry run what would have been)."""


def new_activity_id(day: date, taken: set[str], prefix: str = "") -> str:
    """`YYYYMMDD-` and 24 random bits: two clones adding on the same day do not pick the same id."""
    while True:
        candidate = f"{prefix}{day:%Y%m%d}-{secrets.token_hex(3)}"
        if candidate not in taken:
            return candidate


def _key(problem: Problem) -> tuple[object, ...]:
    """What a problem is, not where: an edit that moves lines does not make old problems new."""
    return (problem.file, problem.code, problem.level, tuple(sorted((k, str(v)) for k, v in problem.args.items())))


def _introduced(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The problems `after` has beyond those `before` had, counted with multiplicity."""
    remaining = Counter(_key(p) for p in before)
    new = []
    for problem in after:
        key = _key(problem)
        if remaining[key]:
            remaining[key] -= 1
        else:
            new.append(problem)
    return new


def _problem(file: str, code: str, /, **args: Any) -> Problem:
    return Problem(file, code, args, line=1, column=1)


def _shown(root: Path, path: Path) -> str:
    """A path as messages show it: relative to the workspace when inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _io_problem(root: Path, path: Path, error: OSError) -> Problem:
    """An operating-system failure as a located problem with the path, never a traceback."""
    shown = _shown(root, path)
    detail = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return _problem(shown, "disk-full", path=shown)
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return _problem(shown, "not-writable", path=shown, detail=detail)
    return _problem(shown, "write-failed", path=shown, detail=detail)


def _read_only(path: Path) -> bool:
    """A file marked read-only is respected, even by a user (root) the system would let through."""
    return path.exists() and (not path.stat().st_mode & 0o200 or not os.access(path, os.W_OK))


@contextmanager
def workspace_lock(root: Path) -> Iterator[list[Path]]:
    """Hold the workspace lock; yields the files a crashed write's set had changed and that were put back."""
    lock_path = root / LOCK_NAME
    if _read_only(lock_path):
        raise WriteRefused([_problem(LOCK_NAME, "lock-not-writable", path=LOCK_NAME, detail=os.strerror(errno.EACCES))])
    lock = FileLock(str(lock_path), timeout=LOCK_TIMEOUT_SECONDS)
    try:
        lock.acquire()
    except Timeout:
        raise WriteRefused([_problem(LOCK_NAME, "locked")]) from None
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise WriteRefused([_io_problem(root, lock_path, exc)]) from None
        raise WriteRefused([_problem(LOCK_NAME, "lock-not-writable", path=LOCK_NAME, detail=exc.strerror or str(exc))]) from None
    try:
        try:
            restored = recover(root / JOURNAL_NAME)
        except OSError as exc:
            raise WriteRefused([_io_problem(root, root / JOURNAL_NAME, exc)]) from None
        yield restored
    finally:
        lock.release()


def write_files(root: Path, contents: dict[str, bytes], private: frozenset[str] = frozenset()) -> None:
    """Replace these files (paths relative to `root`) as one set; WriteRefused, with the path, when they cannot be."""
    targets = {root / rel: content for rel, content in contents.items()}
    refused = _unwritable(root, list(targets))
    if refused:
        raise WriteRefused(refused)
    try:
        replace_all(targets, frozenset(root / rel for rel in private), journal=root / JOURNAL_NAME)
    except SetNotWritten as exc:
        problems = [_io_problem(root, exc.path, exc.error)]
        problems += [
            _problem(_shown(root, left), "write-partial", path=_shown(root, left), old=_shown(root, old) if old else "-")
            for left, old in exc.left.items()
        ]
        raise WriteRefused(problems, partial=bool(exc.left)) from None


def _unwritable(root: Path, paths: list[Path]) -> list[Problem]:
    """A read-only file, or a directory in which no file can be created, for every path that has one."""
    problems = []
    for path in paths:
        shown = _shown(root, path)
        if _read_only(path):
            problems.append(_problem(shown, "file-read-only", path=shown))
            continue
        directory = path.parent
        while not directory.exists() and directory != directory.parent:
            directory = directory.parent
        if not os.access(directory, os.W_OK | os.X_OK):
            where = _shown(root, directory)
            problems.append(_problem(shown, "not-writable", path=where, detail=os.strerror(errno.EACCES)))
    return problems


def transact(
    root: Path, unit: str | None, today: date, decide: Callable[[Workspace], Plan], commit: bool = False, dry_run: bool = False
) -> WriteResult:
    """Decide under the lock, validate, write every change as one set, commit if asked.

    `unit` is the unit loaded and checked (None: every unit). `dry_run`: every check, nothing written."""
    root = Path(root)
    only_units = [unit] if unit is not None else None
    with workspace_lock(root) as restored:
        before = load_workspace(root, today, only_units=only_units)
        plan = decide(before)
        old: dict[str, bytes | None] = {}
        new: dict[str, bytes] = {}
        for change in plan.changes:
            old[change.rel] = _read(root, change.rel)
            new[change.rel] = change.build(old[change.rel])
            if old[change.rel] is None:  # a new file names its editor schema in its first line
                new[change.rel] = modeline(change.rel).encode("utf-8") + new[change.rel]
        new = {rel: content for rel, content in new.items() if content != old[rel]}
        after = load_workspace(root, today, overrides=new, only_units=only_units)
        introduced = _introduced(before.problems, after.problems)
        errors = _unappended(plan.changes, old, before.problems, introduced) or [p for p in introduced if p.level is Level.ERROR]
        to_commit = [rel for rel in new if _committed_with(rel)] if commit else []
        numbers = _numbers_brought(root, old, new, to_commit)
        errors += [p for p in numbers if p.level is Level.ERROR]
        if errors or any(p.level is Level.ERROR for p in plan.problems):
            raise WriteRefused([*plan.problems, *errors], new)
        if plan.expect is not None and not plan.expect(after):
            # The file is laid out so that an append does not land where it should.
            raise WriteRefused([_problem(plan.changes[0].rel, "layout-unexpected", shape="other")], new)
        refused = _unwritable(root, [root / rel for rel in new])
        refused += foreign_edits(root, to_commit)
        if refused:
            raise WriteRefused(refused)
        for rel, content in old.items():
            if _read(root, rel) != content:
                raise WriteRefused([_problem(_shown(root, root / rel), "changed-underneath")])
        if not dry_run:
            write_files(root, new, frozenset(rel for rel in new if rel.endswith("/personal.yaml")))
        result = WriteResult(
            list(new),
            [*plan.problems, *(p for p in introduced if p.level is Level.WARNING), *numbers],
            [rel for rel in new if old[rel] is None],
            plan.value,
        )
        result.contents = new
        undone = [_shown(root, path) for path in restored]
        result.warnings[:0] = [Problem(rel, "write-rolled-back", {"path": rel}, Level.WARNING, line=1, column=1) for rel in undone]
        if to_commit and not dry_run:
            result.commit_error = git_commit(root, to_commit, plan.message)
            result.committed = [] if result.commit_error else to_commit
        return result


_PARSE_CODES = frozenset({"yaml-syntax", "yaml-multiple-documents", "duplicate-key"})
"""What a record appended in the canonical layout never brings itself: only a layout it cannot follow does."""


def _unappended(changes: list[Change], old: dict[str, bytes | None], before: list[Problem], introduced: list[Problem]) -> list[Problem]:
    """One `layout-unexpected` for each file that read as YAML before and not after records were appended
    to it, at the old file's last line, instead of the YAML error at the new record and the errors that
    follow from the file no longer being read (every volunteer "not on the roster"). A net under
    `append_records`, which refuses every layout it knows of before anything is built."""
    broken = {p.file for p in introduced if p.code in _PARSE_CODES and p.level is Level.ERROR}
    broken -= {p.file for p in before if p.code in _PARSE_CODES}
    return [
        Problem(change.rel, "layout-unexpected", {"shape": "other"}, line=(old[change.rel] or b"").rstrip().count(b"\n") + 1, column=1)
        for change in changes
        if change.appends and change.rel in broken
    ]


def _numbers_brought(root: Path, old: dict[str, bytes | None], new: dict[str, bytes], to_commit: list[str]) -> list[Problem]:
    """Full ID card and mobile numbers this write brings into files git keeps, at their lines.

    The detector is validate's (`personal-data-in-git`); only numbers the file did not hold count.
    A file `--commit` commits is refused (`personal-number-commit`): history keeps a number in every
    clone for good, and no later edit takes it out. Any other file git would carry (tracked, or not
    ignored) is written with a warning (`personal-number-written`), while the number can still be
    edited out before a commit. personal.yaml, which git never gets, is not looked at."""
    found = {rel: spots for rel, content in new.items() if _committed_with(rel) and (spots := _new_numbers(rel, old.get(rel), content))}
    if not found:
        return []
    carried = set(to_commit) | set(_not_ignored(root, [rel for rel in found if rel not in to_commit]))
    problems: list[Problem] = []
    for rel, spots in found.items():
        if rel in carried:
            code, level = ("personal-number-commit", Level.ERROR) if rel in to_commit else ("personal-number-written", Level.WARNING)
            problems += [Problem(rel, code, spot.args, level, line=spot.line, column=spot.column) for spot in spots]
    return problems


def _new_numbers(rel: str, old: bytes | None, new: bytes) -> list[Problem]:
    """The lines of `new` with a full number that `old` does not have: in an append only the appended
    lines are searched; in a rewrite, a number already in the old file (moved, reindented) is not new."""
    if old and new.startswith(old):
        base = old.count(b"\n")
        return [_moved(spot, base) for spot in numbers_in_data(rel, new[len(old) :], "", Level.WARNING)]
    spots = numbers_in_data(rel, new, "", Level.WARNING)
    if not spots or not old:
        return spots
    had = Counter(_numbers_at(old, numbers_in_data(rel, old, "", Level.WARNING)))
    fresh = []
    for spot, number in zip(spots, _numbers_at(new, spots), strict=True):
        if had[number]:
            had[number] -= 1
        else:
            fresh.append(spot)
    return fresh


def _moved(spot: Problem, lines: int) -> Problem:
    return Problem(spot.file, spot.code, spot.args, spot.level, line=spot.line + lines, column=spot.column)


def _numbers_at(data: bytes, spots: list[Problem]) -> list[str]:
    """The number each spot of `numbers_in_data` points at (its line, its column)."""
    lines = data.split(b"\n") if spots else []
    found = []
    for spot in spots:
        line = lines[spot.line - 1].decode("utf-8", "replace").removeprefix("\ufeff")
        found.append(re.match(r"\d*[Xx]?", line[spot.column - 1 :]).group())  # type: ignore[union-attr]  # always matches
    return found


def _not_ignored(root: Path, files: list[str]) -> list[str]:
    """The files git would carry (tracked, or not ignored); none outside a git work tree."""
    if not files:
        return []
    try:
        run = subprocess.run(
            ["git", "check-ignore", "-z", "--stdin"], input="\0".join(files).encode("utf-8"), cwd=root, capture_output=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if run.returncode not in (0, 1):  # 128: not a git work tree
        return []
    ignored = set(run.stdout.decode("utf-8", "replace").split("\0"))
    return [rel for rel in files if rel not in ignored]


def _read(root: Path, rel: str) -> bytes | None:
    """A file's bytes, None when it does not exist; an unreadable one refuses the write, with its path."""
    path = root / rel
    try:
        return path.read_bytes() if path.exists() else None
    except OSError as exc:
        raise WriteRefused([_problem(_shown(root, path), "unreadable-file", detail=exc.strerror or str(exc))]) from None


def _committed_with(rel: str) -> bool:
    """What `--commit` commits: files of the workspace, never personal.yaml (it stays out of git)."""
    return not rel.endswith("/personal.yaml") and not Path(rel).is_absolute()


def foreign_edits(root: Path, files: list[str]) -> list[Problem]:
    """Files of `files` that hold changes git has not committed: `--commit` would commit them too."""
    existing = [rel for rel in files if (root / rel).exists()]
    if not existing:
        return []
    try:
        out = subprocess.run(
            ["git", "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *existing],
            cwd=root, capture_output=True, check=True, timeout=60,
        ).stdout.decode("utf-8", "replace")  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return []  # not a git work tree: the commit itself will say so
    changed = {entry[3:] for entry in out.split("\0") if len(entry) > 3}
    prefix = _repo_prefix(root)
    return [_problem(rel, "uncommitted-edits", file=rel) for rel in existing if prefix + rel in changed]


def _repo_prefix(root: Path) -> str:
    """The workspace's path inside its git work tree ("" at the top): git status names files from there."""
    try:
        return subprocess.run(
            ["git", "rev-parse", "--show-prefix"], cwd=root, capture_output=True, check=True, text=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def append_line(old: bytes | None, text: str) -> bytes:
    """The old bytes untouched (a final newline added if missing), then the text: for a file that is not a ledger's (.gitignore)."""
    start = old or b""
    if start and not start.endswith(b"\n"):
        start += b"\n"
    return start + text.encode("utf-8")


def append_change(rel: str, text: str) -> Change:
    """Records (`text`, in the canonical layout of the file's kind) appended to the end of `rel`, joining
    the list there however it is indented (`layout.append_records`); a layout they cannot follow
    refuses the write with one located `layout-unexpected` that says to run `fmt`."""
    kind = kind_of(rel) or merged_kind_of(rel)

    def build(old: bytes | None) -> bytes:
        if not text:  # nothing to append (an import with no rows): the file as it is
            return old or b""
        if kind is None:
            return append_line(old, text)
        new = append_records(old, text, kind)
        if isinstance(new, LayoutMismatch):
            raise WriteRefused([Problem(rel, "layout-unexpected", {"shape": new.shape}, line=new.line, column=new.column)])
        return new

    return Change(rel, build, appends=True)


def git_commit(root: Path, files: list[str], message: str) -> str | None:
    """`git add` the files and commit only them; the error text when git refuses.

    History is forever and never `--unmask`ed: a number in a title is masked in the message."""
    message = mask_text(message)
    try:
        subprocess.run(["git", "add", "--", *files], cwd=root, check=True, capture_output=True, text=True)
        subprocess.run(["git", "commit", "-q", "-m", message, "--", *files], cwd=root, check=True, capture_output=True, text=True)
    except FileNotFoundError:
        return "git not found"
    except subprocess.CalledProcessError as exc:
        return (exc.stderr or exc.stdout or str(exc)).strip()
    return None
