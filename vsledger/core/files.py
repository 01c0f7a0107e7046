"""Replacing a file at once: readers and crashes see the old file or the new one, never half."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, content: bytes, private: bool = False) -> None:
    """Write beside the target, fsync, replace: readers see the old file or the new one.

    The temporary file is created owner-only; `private` files (personal numbers) stay so."""

    def write(temp: str) -> None:
        with open(temp, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())

    atomic_save(path, write, private)


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
    except BaseException:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)


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
