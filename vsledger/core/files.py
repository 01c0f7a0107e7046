"""Replacing files at once: readers and crashes see the old files or the new ones, never half, never a mix."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def atomic_write(path: Path, content: bytes, private: bool = False) -> None:
    """Write beside the target, fsync, replace: readers see the old file or the new one.

    `private` files (personal numbers) are owner-only."""
    replace_all({path: content}, frozenset({path}) if private else frozenset())


def atomic_save(path: Path, save: Callable[[str], object], private: bool = False) -> None:
    """`save` writes the whole file at the path it is given; that file then replaces `path` at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = 0o600 if private else path.stat().st_mode & 0o777 if path.exists() else 0o644
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        save(temp_name)
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
        WRITTEN.append(path)
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


WRITTEN: list[Path] = []
"""Every file this process has replaced: an internal error after a write must not claim nothing was written."""


class SetNotWritten(OSError):
    """A set of files was not replaced. `path` is where it failed and `error` why; every file is
    as it was, except those in `left` (new text that could not be put back)."""

    def __init__(self, path: Path, error: OSError, left: dict[Path, Path | None] | None = None) -> None:
        super().__init__(error.errno, f"{path}: {error.strerror or error}")
        self.path = path
        self.error = error
        self.left = left or {}
        """Each file left new → where its old text is kept (None: it did not exist before)."""


@dataclass
class _Slot:
    target: Path
    temp: Path
    backup: Path | None
    """The old file, kept under another name until the set is in; None when there was none."""
    digest: str


def replace_all(contents: dict[Path, bytes], private: frozenset[Path] = frozenset(), journal: Path | None = None) -> None:
    """Replace several files as one set: all old or all new, on a full disk and after a crash.

    Every new file is written and fsynced beside its target, and every old one kept (a hard
    link, or a copy), before the first replace: a full disk or an unwritable place fails
    there, with nothing replaced. A replace that then fails puts the replaced files back; a
    crash in the middle leaves `journal`, and `recover` puts them back."""
    slots: list[_Slot] = []
    try:
        for target, content in contents.items():
            slots.append(_prepare(target, content, target in private, slots, keep_old=len(contents) > 1))
        if journal is not None and len(slots) > 1:  # one replace is atomic by itself
            entries = [
                {"target": str(s.target), "temp": str(s.temp), "backup": s.backup and str(s.backup), "sha256": s.digest} for s in slots
            ]
            try:
                _write_synced(journal, json.dumps(entries).encode("utf-8"), 0o600)
            except OSError as exc:
                raise SetNotWritten(journal, exc) from exc
    except BaseException:
        _discard(slots)
        raise
    done: list[_Slot] = []
    try:
        for slot in slots:
            os.replace(slot.temp, slot.target)
            done.append(slot)
    except BaseException as exc:
        left = _undo(done)
        WRITTEN.extend(left)
        _discard([slot for slot in slots if slot.target not in left])  # an old text not put back is kept
        if journal is not None and not left:
            _unlink(journal)
        if isinstance(exc, OSError):
            raise SetNotWritten(slots[len(done)].target, exc, left) from exc
        raise
    WRITTEN.extend(slot.target for slot in slots)
    for directory in {slot.target.parent for slot in slots}:
        _fsync_directory(directory)
    if journal is not None:
        _unlink(journal)
    for slot in slots:
        if slot.backup is not None:
            _unlink(slot.backup)


def _prepare(target: Path, content: bytes, private: bool, prepared: list[_Slot], keep_old: bool) -> _Slot:
    """The new text beside the target, synced, and the old file kept; SetNotWritten otherwise."""
    where = target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = 0o600 if private else target.stat().st_mode & 0o777 if target.exists() else 0o644
        handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        os.close(handle)
        temp = Path(temp_name)
        prepared.append(_Slot(target, temp, None, ""))  # discarded with the rest should what follows fail
        _write_synced(temp, content, mode)
        backup = None
        if keep_old and target.exists():  # a single replace fails or succeeds whole: nothing to keep
            backup = temp.with_name(temp.name[: -len(".tmp")] + ".old")
            where = backup
            try:
                os.link(target, backup)
            except OSError:  # no hard links here: a copy, synced like the rest
                _write_synced(backup, target.read_bytes(), mode)
        prepared.pop()
        return _Slot(target, temp, backup, hashlib.sha256(content).hexdigest())
    except OSError as exc:
        raise SetNotWritten(where, exc) from exc


def _write_synced(path: Path, content: bytes, mode: int) -> None:
    with open(path, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.chmod(path, mode)


def _undo(done: list[_Slot]) -> dict[Path, Path | None]:
    """Put the old files back, last replaced first; the targets that could not be, with their old text's place."""
    left: dict[Path, Path | None] = {}
    for slot in reversed(done):
        try:
            if slot.backup is not None:
                os.replace(slot.backup, slot.target)
            else:
                os.unlink(slot.target)
        except OSError:
            left[slot.target] = slot.backup
    return left


def _discard(slots: list[_Slot]) -> None:
    for slot in slots:
        _unlink(slot.temp)
        if slot.backup is not None:
            _unlink(slot.backup)


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def recover(journal: Path) -> list[Path]:
    """After a crash in the middle of `replace_all`: put back every file of the set that holds
    its new text; the files put back. Run under the same lock as the writes."""
    try:
        entries = json.loads(journal.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError):  # a journal cut short: the crash came before the first replace
        _unlink(journal)
        return []
    restored = []
    for entry in entries:
        target, temp = Path(entry["target"]), Path(entry["temp"])
        backup = Path(entry["backup"]) if entry["backup"] else None
        _unlink(temp)
        try:
            current = target.read_bytes() if target.exists() else None
        except OSError:
            continue
        if current is not None and hashlib.sha256(current).hexdigest() == entry["sha256"]:
            if backup is None:
                _unlink(target)
                restored.append(target)
            elif backup.exists():
                os.replace(backup, target)
                restored.append(target)
        elif backup is not None and backup.exists() and current == backup.read_bytes():
            _unlink(backup)  # never replaced: the old file is still in place
    for directory in {Path(e["target"]).parent for e in entries}:
        _fsync_directory(directory)
    _unlink(journal)
    return restored


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
