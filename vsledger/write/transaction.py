"""Writing records into hand-edited files that live in git.

Every write is an append that keeps every existing byte, done like this:
1. take the workspace lock (a separate lock file: a lock on the data file
   itself stays on the old inode after `os.replace` and lets writers race);
2. read the file and build its new bytes;
3. load the unit as it would be after the write, and refuse if the new text
   brings any error the ledger did not already have;
4. refuse if the file changed on disk since step 2;
5. write a temporary file beside it, fsync, and `os.replace` it into place,
   so a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import secrets
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from filelock import FileLock, Timeout

from vsledger.check.pipeline import load_workspace
from vsledger.core.filekinds import modeline
from vsledger.core.files import atomic_write
from vsledger.core.ledger import Workspace
from vsledger.core.personal import mask_text
from vsledger.core.problems import Level, Problem

LOCK_NAME = ".vsledger.lock"
LOCK_TIMEOUT_SECONDS = 30


class WriteRefused(Exception):
    """The record was not written; `problems` say why (the files are untouched)."""

    def __init__(self, problems: list[Problem], overrides: dict[str, bytes] | None = None) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems
        self.overrides = overrides or {}


@dataclass
class Change:
    """New bytes for one file, with what the change is for."""

    rel: str
    build: Callable[[bytes | None], bytes]
    """Old bytes (None when the file does not exist yet) → new bytes."""


@dataclass
class WriteResult:
    files: list[str]
    warnings: list[Problem] = field(default_factory=list)
    created: list[str] = field(default_factory=list)


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


def apply_changes(
    root: Path, unit: str, changes: list[Change], today: date, expect: Callable[[Workspace], bool] | None = None
) -> WriteResult:
    """Validate, then write every change atomically; raise WriteRefused and write nothing otherwise."""

    root = Path(root)
    try:
        with FileLock(str(root / LOCK_NAME), timeout=LOCK_TIMEOUT_SECONDS):
            old: dict[str, bytes | None] = {}
            new: dict[str, bytes] = {}
            for change in changes:
                path = root / change.rel
                old[change.rel] = path.read_bytes() if path.exists() else None
                new[change.rel] = change.build(old[change.rel])
                if old[change.rel] is None:  # a new file names its editor schema in its first line
                    new[change.rel] = modeline(change.rel).encode("utf-8") + new[change.rel]
            before = load_workspace(root, today, only_units=[unit])
            after = load_workspace(root, today, overrides=new, only_units=[unit])
            introduced = _introduced(before.problems, after.problems)
            errors = [p for p in introduced if p.level is Level.ERROR]
            if errors:
                raise WriteRefused(errors, new)
            if expect is not None and not expect(after):
                # The file is laid out so that an append does not land where it should.
                raise WriteRefused([Problem(changes[0].rel, "layout-unexpected", {}, line=1, column=1)], new)
            for rel, content in old.items():
                path = root / rel
                current = path.read_bytes() if path.exists() else None
                if current != content:
                    raise WriteRefused([Problem(rel, "changed-underneath", {}, line=1, column=1)])
            # Each file is replaced atomically; a pair of files cannot be. Personal numbers go first:
            # a crash between the two leaves them in both places, or an entry whose volunteer is not
            # on the roster yet (validate reports either), never nowhere.
            for rel, content in sorted(new.items(), key=lambda item: not item[0].endswith("/personal.yaml")):
                atomic_write(root / rel, content, private=rel.endswith("/personal.yaml"))
            created = [rel for rel, content in old.items() if content is None]
            return WriteResult(list(new), [p for p in introduced if p.level is Level.WARNING], created)
    except Timeout:
        raise WriteRefused([Problem(LOCK_NAME, "locked", {}, line=1, column=1)]) from None


def append_block(old: bytes | None, block: str) -> bytes:
    """The old bytes untouched, then a blank line, then the record."""
    if not old:
        return block.encode("utf-8")
    text = old
    if not text.endswith(b"\n"):
        text += b"\n"
    if not text.endswith(b"\n\n"):
        text += b"\n"
    return text + block.encode("utf-8")


def append_line(old: bytes | None, text: str) -> bytes:
    """The old bytes untouched (a final newline added if missing), then one-line records."""
    start = old or b""
    if start and not start.endswith(b"\n"):
        start += b"\n"
    return start + text.encode("utf-8")


def append_volunteer(old: bytes | None, block: str) -> bytes:
    """Append under `volunteers:`; an empty roster (`volunteers: []`) gets its first entry."""
    if not old or not old.strip():
        return ("volunteers:\n" + block).encode("utf-8")
    stripped = old.rstrip()
    if stripped.endswith(b"volunteers: []"):
        return stripped[: -len(b" []")] + b"\n" + block.encode("utf-8")
    text = old if old.endswith(b"\n") else old + b"\n"
    return text + block.encode("utf-8")


def git_commit(root: Path, files: list[str], message: str) -> str | None:
    """`git add` the files and commit them; the error text when git refuses.

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
