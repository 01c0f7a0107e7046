"""A unit's ledger as one archive for the supervising body (`vsledger bundle`).

A unit that does not push to the supervisor's git sends a bundle instead: a
tar.gz of `ledgers/<unit>/` with a manifest (every file's SHA-256, the unit's
git commit, the vsledger version) that `collect` verifies before it writes a
byte. personal.yaml never travels (docs/format.md §5), nor does a file that holds a full
ID card or mobile number; a symlink is refused, since what it points at is not
the unit's to send.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import stat
import subprocess
import tarfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vsledger import __version__
from vsledger.core.filekinds import BUNDLE_FORMAT, BUNDLE_MANIFEST
from vsledger.core.files import atomic_save
from vsledger.core.model import UNIT_ID_RE
from vsledger.core.personal import numbers_in_text
from vsledger.core.problems import Level, Problem

BUNDLE_VERSION = 1
MANIFEST = BUNDLE_MANIFEST
PERSONAL_FILE = "personal.yaml"
MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""A larger file (a video among the attachments) is not part of a ledger; collect refuses it."""
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_MEMBERS = 50_000
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
_TEXT_SUFFIXES = (".yaml", ".yml", ".csv", ".txt", ".md", ".json")


class BundleRefused(Exception):
    """A bundle not made, or not taken in: nothing was written; `problems` say why, all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.problems = problems


@dataclass
class BundleFile:
    path: str
    """Relative to the unit directory, forward slashes."""
    sha256: str
    size: int


@dataclass
class Manifest:
    unit: str
    vsledger: str
    created: str
    commit: str | None
    """The unit's git commit (HEAD of the repository holding it), when there is one."""
    modified: bool
    """The unit directory had changes not yet committed when it was bundled."""
    files: list[BundleFile] = field(default_factory=list)

    def to_json(self) -> bytes:
        data = {
            "format": BUNDLE_FORMAT,
            "version": BUNDLE_VERSION,
            "unit": self.unit,
            "vsledger": self.vsledger,
            "created": self.created,
            "commit": self.commit,
            "modified": self.modified,
            "files": [{"path": f.path, "sha256": f.sha256, "size": f.size} for f in self.files],
        }
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass
class Bundled:
    path: Path
    manifest: Manifest
    skipped: list[str]
    """Files left out besides personal.yaml (hidden files: editor and system leftovers)."""
    personal_left_out: bool


def safe_member_path(name: str) -> bool:
    """A relative path with no `..`, no backslash, no empty or absolute part: it stays where it is put."""
    if not name or name.startswith(("/", "\\")) or "\\" in name or "\0" in name or (len(name) > 1 and name[1] == ":"):
        return False
    parts = name.split("/")
    return all(part not in ("", ".", "..") for part in parts)


def unit_files(root: Path, unit: str) -> tuple[list[str], list[str], list[Problem], bool]:
    """The unit's files to send (relative to its directory), those skipped, problems, and whether personal.yaml was left out."""
    base = root / "ledgers" / unit
    files: list[str] = []
    skipped: list[str] = []
    problems: list[Problem] = []
    personal = False
    if base.is_symlink():  # os.walk would follow it: the unit itself would be somewhere else
        rel = base.relative_to(root).as_posix()
        return [], [], [Problem(rel, "bundle-symlink", {"member": rel}, line=1, column=1)], False
    for directory, dirs, names in os.walk(base, followlinks=False):
        here = Path(directory)
        for name in sorted(dirs):
            if (here / name).is_symlink():
                rel = (here / name).relative_to(root).as_posix()
                problems.append(Problem(rel, "bundle-symlink", {"member": rel}, line=1, column=1))
        dirs[:] = sorted(d for d in dirs if not (here / d).is_symlink() and not d.startswith("."))
        for name in sorted(names):
            path = here / name
            rel_unit = path.relative_to(base).as_posix()
            rel = path.relative_to(root).as_posix()
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                problems.append(Problem(rel, "bundle-symlink", {"member": rel}, line=1, column=1))
            elif rel_unit == PERSONAL_FILE:
                personal = True
            elif name.startswith("."):
                skipped.append(rel_unit)
            elif not stat.S_ISREG(info.st_mode):
                problems.append(Problem(rel, "bundle-special-file", {"member": rel}, line=1, column=1))
            elif info.st_size > MAX_MEMBER_BYTES:
                problems.append(Problem(rel, "bundle-file-too-large", {"size": info.st_size, "limit": MAX_MEMBER_BYTES}, line=1, column=1))
            else:
                files.append(rel_unit)
    return sorted(files), skipped, problems, personal


def git_state(root: Path, unit: str) -> tuple[str | None, bool]:
    """HEAD's commit of the repository holding the unit, and whether the unit has uncommitted changes."""
    base = root / "ledgers" / unit

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(["git", *args], cwd=base, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout if done.returncode == 0 else None

    head = git("rev-parse", "--verify", "-q", "HEAD")
    if head is None:
        return None, False
    status = git("status", "--porcelain", "--untracked-files=all", "--", ".", f":(exclude){PERSONAL_FILE}")
    return head.strip(), bool(status and status.strip())


def build_bundle(root: Path, unit: str, today: date, out: Path) -> Bundled:
    """Write the unit's bundle to `out` atomically; BundleRefused (and nothing written) when it must not travel."""
    files, skipped, problems, personal = unit_files(root, unit)
    contents: dict[str, bytes] = {}
    for rel_unit in files:
        data = (root / "ledgers" / unit / rel_unit).read_bytes()
        contents[rel_unit] = data
        if rel_unit.endswith(_TEXT_SUFFIXES):
            text = data.decode("utf-8-sig", errors="replace")
            problems += numbers_in_text(f"ledgers/{unit}/{rel_unit}", text, "bundle-personal-number", Level.ERROR)
    if problems:
        raise BundleRefused(problems)
    commit, modified = git_state(root, unit)
    manifest = Manifest(unit, __version__, today.isoformat(), commit, modified)
    manifest.files = [BundleFile(rel, hashlib.sha256(data).hexdigest(), len(data)) for rel, data in contents.items()]

    def save(temp: str) -> None:
        with open(temp, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as compressed:
            with tarfile.open(fileobj=compressed, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add(tar, MANIFEST, manifest.to_json())
                for rel_unit, data in contents.items():
                    _add(tar, f"{unit}/{rel_unit}", data)
            compressed.flush()
        with open(temp, "rb+") as handle:
            os.fsync(handle.fileno())

    atomic_save(out, save)
    return Bundled(out, manifest, skipped, personal)


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    """A plain file member with no owner or time: the same ledger gives the same archive."""
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime, info.type = len(data), 0o644, 0, tarfile.REGTYPE
    tar.addfile(info, io.BytesIO(data))


def parse_manifest(raw: bytes, label: str) -> tuple[Manifest | None, list[Problem]]:
    """The manifest, or the problems that make it unusable."""

    def bad(detail: str) -> tuple[None, list[Problem]]:
        return None, [Problem(label, "bundle-bad-manifest", {"detail": detail}, line=1, column=1)]

    try:
        data: Any = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return bad(str(exc))
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        return bad(f"format is not {BUNDLE_FORMAT}")
    if data.get("version") != BUNDLE_VERSION:
        return None, [Problem(label, "bundle-version", {"version": data.get("version")}, line=1, column=1)]
    unit = data.get("unit")
    if not isinstance(unit, str) or not UNIT_ID_RE.match(unit):
        return bad(f"unit {unit!r}")
    files = data.get("files")
    if not isinstance(files, list):
        return bad("files")
    manifest = Manifest(
        unit,
        str(data.get("vsledger", "")),
        str(data.get("created", "")),
        data.get("commit") if isinstance(data.get("commit"), str) else None,
        bool(data.get("modified", False)),
    )
    for item in files:
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("path"), str)
            or not isinstance(item.get("sha256"), str)
            or len(item["sha256"]) != 64
            or not isinstance(item.get("size"), int)
        ):
            return bad(f"files entry {item!r}"[:200])
        if not safe_member_path(item["path"]):
            return None, [Problem(label, "bundle-unsafe-path", {"member": item["path"]}, line=1, column=1)]
        manifest.files.append(BundleFile(item["path"], item["sha256"].lower(), item["size"]))
    if len({f.path for f in manifest.files}) != len(manifest.files):
        return bad("a file is listed twice")
    return manifest, []
