"""The supervising body takes bundles in (`vsledger collect`).

An archive from outside is hostile until shown otherwise. Every member is checked
before anything is written: no absolute path, no `..`, no link or device, nothing
oversized, nothing outside its own unit, no personal.yaml, every file listed in
the manifest with the digest it has, and unit.yaml naming the unit the manifest
names. Only when every archive given passes is anything extracted: each unit
beside `ledgers/<unit>` (tarfile's `data` filter as a second guard), its digests
checked again on disk. Only when every unit is staged so is any put in place:
the supervisor's own personal.yaml linked into the new copy, and the two
directories exchanged at once; the old copy stays whole until the new one is
complete. A bundle identical to what is there writes nothing.

A collect killed on the way (SIGKILL, power lost) leaves its staging folder
`ledgers/.<unit>.collect-*` behind; the loader skips it, and the next collect,
under the same lock, removes it and says so (see `sweep_leftovers`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import re
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from vsledger.core.files import _fsync_directory
from vsledger.core.ledger import UnitLedger
from vsledger.core.model import UNIT_ID_RE
from vsledger.core.problems import Level, Problem
from vsledger.read.loader import read_workspace
from vsledger.read.yamlsource import decode, parse_text
from vsledger.write.bundle import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_TOTAL_BYTES,
    PERSONAL_FILE,
    BundleRefused,
    Manifest,
    parse_manifest,
    safe_member_path,
)
from vsledger.write.transaction import WriteRefused, _io_problem, _shown, git_commit, workspace_lock

_CHUNK = 1 << 20
_STAGING_MARK = ".collect-"
_PARKED = "old"
"""Where, inside a staging folder, the old copy waits while the two change places without an atomic exchange."""
_STAGING_RE = re.compile(rf"\.(?P<unit>{UNIT_ID_RE.pattern.strip('^$')}){re.escape(_STAGING_MARK)}[a-z0-9_]{{8}}")
"""A staging folder's name as `tempfile.mkdtemp` makes it: `.<unit>.collect-` and 8 characters of [a-z0-9_]."""


@dataclass
class Verified:
    archive: Path
    label: str
    manifest: Manifest


@dataclass
class Collected:
    """One unit taken in, and what changed since the copy it replaced."""

    unit: str
    name: str
    label: str
    manifest: Manifest
    state: str = "unchanged"
    """`new` (the unit was not here), `updated`, or `unchanged` (nothing written)."""
    activities_added: list[tuple[str, date, str]] = field(default_factory=list)
    activities_corrected: list[tuple[str, str, str]] = field(default_factory=list)
    """(correcting id, corrected id, title)."""
    activities_withdrawn: list[tuple[str, str, str]] = field(default_factory=list)
    activities_removed: list[str] = field(default_factory=list)
    """Entries the old copy had and the new one does not: records are corrected, never removed."""
    volunteers_added: list[tuple[str, str]] = field(default_factory=list)
    volunteers_leaving: list[tuple[str, str, date | None]] = field(default_factory=list)
    """Given a `left` date (or a new one), or gone from the roster (None)."""
    files_added: list[str] = field(default_factory=list)
    files_changed: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    commit_error: str | None = None
    committed: bool = False


@dataclass
class Collection:
    """What one collect did."""

    units: list[Collected]
    leftovers: list[Problem] = field(default_factory=list)
    """Staging folders an interrupted collect had left behind, and what became of each (warnings)."""


def _problem(label: str, code: str, level: Level = Level.ERROR, **args: object) -> Problem:
    return Problem(label, code, dict(args), level, line=1, column=1)


def verify_bundle(archive: Path, label: str, expected_unit: str | None = None) -> tuple[Manifest | None, list[Problem]]:
    """Read the whole archive once, member by member, without writing anything."""
    problems: list[Problem] = []
    digests: dict[str, tuple[str, int]] = {}
    manifest_raw: bytes | None = None
    unit_yaml: dict[str, bytes] = {}
    try:
        tar = tarfile.open(archive, mode="r:gz")  # noqa: SIM115 - the `with tar:` below closes it; opening is what may fail
    except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
        return None, [_problem(label, "bundle-unreadable", detail=str(exc))]
    with tar:
        count = total = 0
        while True:
            try:
                member = tar.next()
            except (tarfile.TarError, OSError, EOFError, zlib.error) as exc:
                problems.append(_problem(label, "bundle-unreadable", detail=str(exc)))
                break
            if member is None:
                break
            count += 1
            if count > MAX_MEMBERS:
                problems.append(_problem(label, "bundle-too-many-members", limit=MAX_MEMBERS))
                break
            name = member.name
            if not safe_member_path(name):
                problems.append(_problem(label, "bundle-unsafe-path", member=name))
                continue
            if member.issym() or member.islnk():
                problems.append(_problem(label, "bundle-link", member=name, target=member.linkname))
                continue
            if member.isdir():
                continue
            if not member.isreg():
                problems.append(_problem(label, "bundle-special-file", member=name))
                continue
            if member.size > MAX_MEMBER_BYTES or total + member.size > MAX_TOTAL_BYTES:
                # Stop here: reading on would decompress whatever the header promises.
                problems.append(_problem(label, "bundle-member-too-large", member=name, size=member.size, limit=MAX_MEMBER_BYTES))
                break
            total += member.size
            if name in digests:
                problems.append(_problem(label, "bundle-duplicate-member", member=name))
                continue
            keep = name == MANIFEST or name.endswith("/unit.yaml")
            digest, data = _read_member(tar, member, keep)
            digests[name] = (digest, member.size)
            if name == MANIFEST:
                manifest_raw = data
            elif keep and data is not None:
                unit_yaml[name] = data
    if manifest_raw is None:
        if not problems:
            problems.append(_problem(label, "bundle-no-manifest"))
        return None, problems
    if len(manifest_raw) > MAX_MANIFEST_BYTES:
        return None, [*problems, _problem(label, "bundle-bad-manifest", detail="too large")]
    manifest, found = parse_manifest(manifest_raw, label)
    problems += found
    if manifest is None:
        return None, problems
    unit = manifest.unit
    if expected_unit is not None and unit != expected_unit:
        problems.append(_problem(label, "bundle-unit-mismatch", unit=unit, expected=expected_unit))
    listed = {f.path: f for f in manifest.files}
    prefix = f"{unit}/"
    for name, (digest, size) in sorted(digests.items()):
        if name == MANIFEST:
            continue
        if not name.startswith(prefix):
            problems.append(_problem(label, "bundle-outside-unit", member=name, unit=unit))
            continue
        rel = name[len(prefix) :]
        if rel == PERSONAL_FILE:
            problems.append(_problem(label, "bundle-personal-file", member=name))
        elif rel not in listed:
            problems.append(_problem(label, "bundle-unlisted-file", member=name))
        elif listed[rel].sha256 != digest or listed[rel].size != size:
            problems.append(_problem(label, "bundle-digest-mismatch", member=name))
    for rel in sorted(listed):
        if prefix + rel not in digests:
            problems.append(_problem(label, "bundle-missing-file", member=prefix + rel))
    own = unit_yaml.get(f"{prefix}unit.yaml")
    if own is None:
        if f"{prefix}unit.yaml" not in digests:
            problems.append(_problem(label, "bundle-missing-file", member=f"{prefix}unit.yaml"))
    else:
        text, _ = decode(own, f"ledgers/{unit}/unit.yaml")
        data = parse_text(text, f"ledgers/{unit}/unit.yaml").data if text is not None else None
        declared = data.get("id") if isinstance(data, dict) else None
        # A unit.yaml that does not parse is the ledger's problem, for validate to show once collected.
        if declared is not None and declared != unit:
            problems.append(_problem(label, "bundle-unit-mismatch", unit=str(declared), expected=unit))
    return manifest, problems


def _read_member(tar: tarfile.TarFile, member: tarfile.TarInfo, keep: bool) -> tuple[str, bytes | None]:
    digest = hashlib.sha256()
    kept = bytearray() if keep else None
    handle = tar.extractfile(member)
    if handle is not None:
        with handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                if kept is not None and len(kept) <= MAX_MANIFEST_BYTES:
                    kept += chunk
    return digest.hexdigest(), bytes(kept) if kept is not None else None


def collect_bundles(
    root: Path, archives: list[tuple[Path, str]], today: date, expected_unit: str | None = None, commit: bool = False
) -> Collection:
    """Verify every archive, then place each unit; BundleRefused (nothing written) when any archive fails,
    with every problem of every archive (and, as warnings, the leftovers already cleared)."""
    root = Path(root)
    problems: list[Problem] = []
    verified: list[Verified] = []
    for archive, label in archives:
        manifest, found = verify_bundle(archive, label, expected_unit)
        problems += found
        if manifest is not None and not found:
            verified.append(Verified(archive, label, manifest))
    units = [v.manifest.unit for v in verified]
    for item in verified:
        if units.count(item.manifest.unit) > 1:
            problems.append(_problem(item.label, "bundle-same-unit-twice", unit=item.manifest.unit))
    target_dirs = {v.manifest.unit: root / "ledgers" / v.manifest.unit for v in verified}
    for unit, target in target_dirs.items():
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            problems.append(_problem(f"ledgers/{unit}", "collect-target-not-directory", unit=unit))
    if (root / "ledgers").is_symlink():
        problems.append(_problem("ledgers", "collect-target-not-directory", unit=""))
    if problems:
        raise BundleRefused(problems)
    (root / "ledgers").mkdir(exist_ok=True)
    try:
        with workspace_lock(root) as restored:  # the lock every write takes, with its recovery of a crashed write
            leftovers = [
                Problem(_shown(root, path), "write-rolled-back", {"path": _shown(root, path)}, Level.WARNING, line=1, column=1)
                for path in restored
            ]
            leftovers += sweep_leftovers(root / "ledgers")
            if any(p.is_error for p in leftovers):
                raise BundleRefused(leftovers)
            try:
                return Collection(_place_all(root, verified, today, commit), leftovers)
            except BundleRefused as exc:
                exc.problems[:0] = leftovers
                raise
            except OSError as exc:  # a full disk or a folder that cannot be written: the old copies stand, said plainly
                where = Path(exc.filename) if isinstance(exc.filename, str) else root / "ledgers"
                raise BundleRefused([*leftovers, _io_problem(root, where, exc)]) from None
    except WriteRefused as exc:  # locked, or the lock or journal cannot be written
        raise BundleRefused(exc.problems) from None


def sweep_leftovers(ledgers: Path) -> list[Problem]:
    """Remove the staging folders of collects that died before removing them; a warning for each.

    Call it holding the workspace lock. Every collect holds that lock for as long as it has a
    staging folder, and the system lets go of a lock when its holder dies (flock is released
    when the process's descriptors close, a SIGKILL included): so no folder seen here belongs
    to a collect still running. Only real directories named as `_stage` names them are
    touched; a link is never followed (rmtree does not follow links inside either). A collect
    killed between moving the old copy aside and putting the new one in place (no atomic
    exchange) left the unit's only copy in the folder: that copy goes back first, and when it
    cannot, the folder stays and the problem is an error (the caller collects nothing: a unit
    collected anew there would leave that copy to the next sweep)."""
    try:
        with os.scandir(ledgers) as found:
            entries = sorted(found, key=lambda e: e.name)
    except OSError:
        return []  # no ledgers/ to sweep: placing will say what is wrong with it
    problems: list[Problem] = []
    for entry in entries:
        match = _STAGING_RE.fullmatch(entry.name)
        if match is None:
            continue
        shown = f"ledgers/{entry.name}"
        if not entry.is_dir(follow_symlinks=False):
            problems.append(_problem(shown, "collect-leftover-kept", Level.WARNING, path=shown))
            continue
        unit = match["unit"]
        parked = Path(entry.path) / _PARKED
        restored = False
        if not os.path.lexists(ledgers / unit) and parked.is_dir() and not parked.is_symlink():
            try:
                os.rename(parked, ledgers / unit)
            except OSError as exc:  # the folder holds the unit's only copy: it stays, and nothing is collected
                problems.append(_problem(shown, "collect-leftover-not-restored", path=shown, unit=unit, detail=exc.strerror or str(exc)))
                continue
            restored = True
        try:
            shutil.rmtree(entry.path)
        except OSError as exc:
            problems.append(_problem(shown, "collect-leftover-not-removed", Level.WARNING, path=shown, detail=exc.strerror or str(exc)))
        if restored:
            problems.append(_problem(f"ledgers/{unit}", "collect-leftover-restored", Level.WARNING, path=shown, unit=unit))
        elif not os.path.lexists(entry.path):
            problems.append(_problem(shown, "collect-leftover-removed", Level.WARNING, path=shown))
    if problems:
        _fsync_directory(ledgers)
    return problems


@dataclass
class _Staged:
    """A unit extracted and checked beside its place, waiting to be exchanged with the old copy."""

    staging: Path
    new_dir: Path
    collected: Collected


def _place_all(root: Path, verified: list[Verified], today: date, commit: bool) -> list[Collected]:
    """Every unit staged and checked first; only then is any of them put in place."""
    staged: list[_Staged] = []
    try:
        for item in verified:
            staged.append(_stage(root, item, today))
        for entry in staged:
            if entry.collected.state != "unchanged":
                _put_in_place(root / "ledgers" / entry.collected.unit, entry)
    finally:
        for entry in staged:
            shutil.rmtree(entry.staging, ignore_errors=True)
    for entry in staged:
        collected = entry.collected
        if commit and collected.state != "unchanged":
            paths = [f"ledgers/{collected.unit}", f":(exclude)ledgers/{collected.unit}/{PERSONAL_FILE}"]  # numbers stay out of git
            collected.commit_error = git_commit(root, paths, _commit_message(collected))
            collected.committed = collected.commit_error is None
    return [entry.collected for entry in staged]


def _stage(root: Path, item: Verified, today: date) -> _Staged:
    """Extract the unit beside `ledgers/<unit>`, check it on disk, and work out what changed; BundleRefused otherwise."""
    unit = item.manifest.unit
    target = root / "ledgers" / unit
    staging = Path(tempfile.mkdtemp(dir=root / "ledgers", prefix=f".{unit}{_STAGING_MARK}"))
    try:
        new_dir = staging / "ledgers" / unit
        new_dir.mkdir(parents=True)
        _extract(item, staging / "ledgers")
        refused = _check_on_disk(item, new_dir)
        if refused:
            raise BundleRefused(refused)
        old_files = _digests(target) if target.is_dir() else None
        new_files = _digests(new_dir)
        collected = Collected(unit, unit, item.label, item.manifest)
        new_ledger = _read_unit(staging, unit, today)
        collected.name = new_ledger.name if new_ledger else unit
        if old_files != new_files:  # the same bundle again writes nothing
            collected.state = "new" if old_files is None else "updated"
            _file_changes(collected, old_files or {}, new_files)
            old_ledger = _read_unit(root, unit, today) if old_files is not None else None
            if new_ledger is not None:
                _record_changes(collected, old_ledger, new_ledger)
        return _Staged(staging, new_dir, collected)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _file_changes(collected: Collected, old_files: dict[str, str], new_files: dict[str, str]) -> None:
    collected.files_added = sorted(set(new_files) - set(old_files))
    collected.files_removed = sorted(set(old_files) - set(new_files))
    collected.files_changed = sorted(rel for rel in set(new_files) & set(old_files) if new_files[rel] != old_files[rel])


def _put_in_place(target: Path, entry: _Staged) -> None:
    """The supervisor's personal.yaml joins the new copy (the same file, never rewritten), then the copies change places."""
    personal = target / PERSONAL_FILE
    if personal.is_file() and not personal.is_symlink():
        try:
            os.link(personal, entry.new_dir / PERSONAL_FILE)
        except OSError:
            shutil.copy2(personal, entry.new_dir / PERSONAL_FILE)
    _swap(target, entry.new_dir, entry.staging / _PARKED)


def _extract(item: Verified, destination: Path) -> None:
    """The unit's files only; tarfile's `data` filter (where Python has it) refuses anything unsafe again."""
    prefix = f"{item.manifest.unit}/"
    with tarfile.open(item.archive, mode="r:gz") as tar:
        members = [m for m in tar.getmembers() if m.isreg() and m.name.startswith(prefix) and safe_member_path(m.name)]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(destination, members=members, filter="data")
        else:  # pragma: no cover - Python without PEP 706; every member was checked above
            tar.extractall(destination, members=members)


def _check_on_disk(item: Verified, new_dir: Path) -> list[Problem]:
    """The archive could have changed since it was verified: what landed must be what the manifest says."""
    found = _digests(new_dir)
    expected = {f.path: f.sha256 for f in item.manifest.files}
    differing = sorted(rel for rel in set(found) | set(expected) if found.get(rel) != expected.get(rel))
    return [_problem(item.label, "bundle-digest-mismatch", member=f"{item.manifest.unit}/{rel}") for rel in differing]


def _digests(directory: Path) -> dict[str, str]:
    """Every file under `directory` (personal.yaml aside) and its SHA-256."""
    out: dict[str, str] = {}
    for path in sorted(directory.rglob("*")):
        rel = path.relative_to(directory).as_posix()
        if rel == PERSONAL_FILE or path.is_dir():
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        out[rel] = digest.hexdigest()
    return out


def _read_unit(root: Path, unit: str, today: date) -> UnitLedger | None:
    workspace = read_workspace(root, today, only_units=[unit])
    return workspace.units.get(unit)


def _record_changes(collected: Collected, old: UnitLedger | None, new: UnitLedger) -> None:
    """Records the new copy has that the old one (None: no old copy) did not, and the other way round."""
    if old is None:
        old = UnitLedger(id=new.id, directory=new.directory)
    before = {e.record.id for e in old.activities}
    for entry in new.activities:
        activity = entry.record
        if activity.id in before:
            continue
        if activity.corrects is None:
            collected.activities_added.append((activity.id, activity.date, activity.title))
        elif activity.is_deletion:
            collected.activities_withdrawn.append((activity.id, activity.corrects, activity.title))
        else:
            collected.activities_corrected.append((activity.id, activity.corrects, activity.title))
    after = {e.record.id for e in new.activities}
    collected.activities_removed = sorted(before - after)
    for vid, entry in new.volunteers.items():
        if vid not in old.volunteers:
            collected.volunteers_added.append((vid, entry.record.name))
        elif entry.record.left is not None and entry.record.left != old.volunteers[vid].record.left:
            collected.volunteers_leaving.append((vid, entry.record.name, entry.record.left))
    for vid, entry in old.volunteers.items():
        if vid not in new.volunteers:
            collected.volunteers_leaving.append((vid, entry.record.name, None))


def _commit_message(collected: Collected) -> str:
    source = f" at {collected.manifest.commit[:12]}" if collected.manifest.commit else ""
    counts = (
        f"+{len(collected.activities_added)} activities, {len(collected.activities_corrected)} corrected, "
        f"{len(collected.activities_withdrawn)} withdrawn, +{len(collected.volunteers_added)} volunteers, "
        f"{len(collected.volunteers_leaving)} leaving"
    )
    return f"collect: {collected.unit} bundle of {collected.manifest.created}{source} ({counts})"


_RENAME_EXCHANGE = 2


def _swap(target: Path, new_dir: Path, parking: Path) -> None:
    """`new_dir` becomes `target` at once where the system can exchange two names (Linux renameat2);
    elsewhere the old copy is moved aside first and removed only after the new one is in place."""
    if not target.exists():
        os.rename(new_dir, target)
    elif not _exchange(new_dir, target):
        os.rename(target, parking)
        try:
            os.rename(new_dir, target)
        except OSError:
            os.rename(parking, target)
            raise
    _fsync_directory(target.parent)


def _exchange(a: Path, b: Path) -> bool:
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE) == 0
