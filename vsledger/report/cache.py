"""A cache of each unit's problems and results, in the spirit of beancount's, done right.

One entry per unit, keyed on:
- every file of the unit and every policy file (path, size, mtime_ns, ctime_ns,
  inode): an edit that keeps the size and puts the mtime back (`touch -r`) still
  changes the ctime, which no user can set. A file changed in the last few seconds
  could change again within the same mtime tick unseen, so an entry whose files are
  that fresh is not stored (git's "racy" rule); every folder and other entry of the
  unit by its path (the loader reports an empty year folder or a broken link);
- today's date (the future-date check depends on it);
- a fingerprint of vsledger's own source code, so that a new version, or a
  working copy being edited, never reads an entry an older code wrote
  (beancount issue #449: a cache keyed on data alone outlived a code change).

An entry holds the unit's problems (warnings and errors come back on a hit) and
the results computed so far, one per query (`check` for a year and as-of date,
`hours` by a grouping, ...). One changed month file invalidates one unit.

Entries are data, never code: JSON, where a Decimal, a date or a tuple is a tagged
value and a record is rebuilt only as one of an allow-list of vsledger's own result
types (`_TYPES`), field by field; anything else in a file (it does not parse, an
unknown tag or type, a field the type lacks) discards the entry. (A pickle ran
whatever a planted file named.) Entries live under the user's cache directory
(XDG_CACHE_HOME or ~/.cache), never in the workspace, in a directory only the owner
can read; a corrupt, foreign, exposed or stale-keyed entry is ignored and rebuilt.
An entry is trusted no more than the user's own files: whoever can write it can
also edit the ledger. `--no-cache` (or VSLEDGER_NO_CACHE=1) bypasses it.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from datetime import time as clock
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from vsledger import __version__
from vsledger.check.executor import Executor, UnitJob, executor_for
from vsledger.check.rules import Outcome, Status
from vsledger.core.policy import Params, Policy, Rule
from vsledger.core.problems import Level, Problem
from vsledger.core.progress import SILENT, Progress
from vsledger.report.check import RuleResult, UnitCheck
from vsledger.report.hours import HoursRow

MAGIC = "vsledger-unit-cache"
SCHEMA = 2
MAX_ENTRY_BYTES = 256 * 1024 * 1024
RECENT_SECONDS = 3.0
"""A file modified this recently may change again within the same mtime tick: do not cache on it."""


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of vsledger's source files: any change to the code is a new cache."""
    digest = hashlib.sha256(f"{__version__}:{SCHEMA}".encode())
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")) + sorted(package.rglob("*.yaml")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cache_directory(root: Path) -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    workspace = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:24]
    return base / "vsledger" / workspace


def _file_keys(directory: Path, rel_base: str, now: float) -> tuple[list[tuple[str, int, int, int, int]], bool]:
    """(path, size, mtime, ctime, inode) of every file (and the path of every folder and other entry),
    and whether any of them is too fresh to trust."""
    keys: list[tuple[str, int, int, int, int]] = []
    racy = False
    if not directory.is_dir():
        return keys, racy
    for path in sorted(directory.rglob("*")):
        if path.name.startswith("."):
            continue
        rel = f"{rel_base}/{path.relative_to(directory).as_posix()}"
        # A folder, a link to nowhere, a pipe: each is reported where the loader does not read it
        # (a year's folder in activities/, `Reports.yaml` a folder), so each is part of the key too.
        try:
            info = path.stat()
        except OSError:
            keys.append((rel, -1, 0, 0, 0))
            continue
        if stat.S_ISDIR(info.st_mode):
            keys.append((f"{rel}/", 0, 0, 0, 0))
            continue
        if not stat.S_ISREG(info.st_mode):
            keys.append((rel, -2, 0, 0, info.st_ino))
            continue
        racy = racy or now - info.st_mtime < RECENT_SECONDS
        keys.append((rel, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino))
    return keys, racy


@dataclass
class Entry:
    key: str
    problems: list[Problem]
    results: dict[Hashable, Any] = field(default_factory=dict)


class UnitCache:
    def __init__(self, root: Path, today: date, enabled: bool = True) -> None:
        self.root = Path(root)
        self.today = today
        self.enabled = enabled and os.environ.get("VSLEDGER_NO_CACHE", "") in ("", "0")
        self.directory = cache_directory(self.root)
        now = time.time()
        self._policies, self._policies_racy = _file_keys(self.root / "rules", "rules", now) if self.enabled else ([], False)
        self._now = now
        self.racy: set[str] = set()
        """Units whose entries are not stored this run: some file is too fresh."""

    def unit_key(self, unit: str) -> str:
        digest = hashlib.sha256()
        files, racy = _file_keys(self.root / "ledgers" / unit, unit, self._now)
        if racy or self._policies_racy:
            self.racy.add(unit)
        parts = (code_fingerprint(), self.today.isoformat(), repr(self._policies), repr(files))
        for part in parts:
            digest.update(part.encode())
        return digest.hexdigest()

    def _path(self, unit: str) -> Path:
        return self.directory / f"{unit}.json"

    def load(self, unit: str, key: str) -> Entry | None:
        if not self.enabled:
            return None
        path = self._path(unit)
        try:
            info = path.stat()
            if info.st_uid != os.getuid() or info.st_mode & 0o077:
                return None  # not ours, or readable by others: do not trust it
            if info.st_size > MAX_ENTRY_BYTES:
                return None
            payload = json.loads(path.read_bytes())
            if not isinstance(payload, dict) or payload.get("magic") != MAGIC or payload.get("schema") != SCHEMA:
                return None
            if payload.get("key") != key:  # stale, or copied from elsewhere: the data it describes is not this
                return None
            problems = _decode(payload.get("problems"))
            pairs = _decode(payload.get("results"))
            if not isinstance(problems, list) or not all(isinstance(p, Problem) for p in problems):
                return None
            if not isinstance(pairs, list) or not all(isinstance(pair, tuple) and len(pair) == 2 for pair in pairs):
                return None
            return Entry(key, problems, dict(pairs))
        except (OSError, ValueError, TypeError, KeyError, RecursionError):  # corrupt, truncated, foreign: rebuilt
            return None

    def store(self, unit: str, entry: Entry) -> None:
        if not self.enabled or unit in self.racy:
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(self.directory, 0o700)
            handle, temp = tempfile.mkstemp(dir=self.directory, prefix=f".{unit}.", suffix=".tmp")
            payload = {
                "magic": MAGIC, "schema": SCHEMA, "key": entry.key,
                "problems": _encode(entry.problems), "results": _encode(list(entry.results.items())),
            }  # fmt: skip
            with os.fdopen(handle, "w", encoding="utf-8") as out:  # mkstemp creates it 0600
                json.dump(payload, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(temp, self._path(unit))
        except (OSError, TypeError):
            pass  # a cache that cannot be written (or a result it cannot hold) is only a slower run


_TYPES: dict[str, type] = {cls.__name__: cls for cls in (Problem, Level, HoursRow, UnitCheck, RuleResult, Outcome, Status, Policy, Rule)}
"""What an entry may rebuild: vsledger's result types, by name; nothing else is ever constructed."""


@lru_cache(maxsize=1)
def _param_types() -> dict[str, type]:
    """Rule parameters are models of their kind (`Who`, `Where`, each kind's own): every Params subclass."""
    found: dict[str, type] = {}
    pending: list[type] = [Params]
    while pending:
        cls = pending.pop()
        found[cls.__name__] = cls
        pending.extend(cls.__subclasses__())
    return found


def _encode(value: Any) -> Any:
    """A value as JSON data; a type not provided for is a TypeError (the entry is then not stored)."""
    if value is None or (isinstance(value, (bool, int, str)) and not isinstance(value, enum.Enum)):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$tuple": [_encode(v) for v in value]}
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            return {"$map": {k: _encode(v) for k, v in value.items()}}
        return {"$dict": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, float):
        return {"$float": repr(value)}
    if isinstance(value, date):  # before datetime would matter: ledgers hold dates only
        return {"$date": value.isoformat()}
    if isinstance(value, clock):
        return {"$time": value.isoformat()}
    if type(value) is Problem:  # the most numerous record: a compact row, rebuilt field by field
        fields = (
            value.file,
            value.code,
            _encode(value.args),
            value.level.value,
            _encode(value.path),
            value.at_key,
            value.line,
            value.column,
        )
        return {"$problem": list(fields)}
    name = type(value).__name__
    if isinstance(value, enum.Enum) and _known(name) is type(value):
        return {"$enum": name, "value": _encode(value.value)}
    if dataclasses.is_dataclass(value) and _known(name) is type(value):
        fields = {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return {"$record": name, "fields": fields}
    if isinstance(value, Params | Policy | Rule) and _known(name) is type(value):
        fields = {f: _encode(getattr(value, f)) for f in type(value).model_fields if f in value.model_fields_set}
        return {"$record": name, "fields": fields}
    raise TypeError(f"cannot cache a {name}")


def _known(name: str) -> type | None:
    return _TYPES.get(name) or _param_types().get(name)


_SCALARS = frozenset({str, int, bool, type(None)})


def _decode(data: Any) -> Any:
    """JSON data back to values; only the types `_encode` writes, only vsledger's result types."""
    kind = type(data)
    if kind in _SCALARS:
        return data
    if kind is list:
        return [v if type(v) in _SCALARS else _decode(v) for v in data]
    if kind is not dict or len(data) not in (1, 2):
        raise ValueError("not an entry")
    if "$record" in data:
        cls = _known(str(data["$record"]))
        fields = data.get("fields")
        if cls is None or type(fields) is not dict:
            raise ValueError("an unknown type, or a record without fields")
        if not fields.keys() <= _field_names(cls):
            raise ValueError("a field the type lacks")
        return _constructor(cls)(**{k: v if type(v) in _SCALARS else _decode(v) for k, v in fields.items()})
    if "$problem" in data:
        file, code, args, level, path, at_key, line, column = data["$problem"]
        if not (type(file) is str and type(code) is str and type(line) is int and type(column) is int and type(at_key) is bool):
            raise ValueError("not a problem")
        args, path = _decode(args), _decode(path)
        if type(args) is not dict or (path is not None and type(path) is not tuple):
            raise ValueError("not a problem")
        return Problem(file, code, args, Level(level), path, at_key, line, column)
    if "$map" in data:
        return {str(k): v if type(v) in _SCALARS else _decode(v) for k, v in dict(data["$map"]).items()}
    if "$decimal" in data:
        return Decimal(str(data["$decimal"]))
    if "$date" in data:
        return date.fromisoformat(str(data["$date"]))
    if "$tuple" in data:
        return tuple(_decode(data["$tuple"]))
    if "$dict" in data:
        return {_decode(k): _decode(v) for k, v in data["$dict"]}
    if "$float" in data:
        return float(str(data["$float"]))
    if "$time" in data:
        return clock.fromisoformat(str(data["$time"]))
    if "$enum" in data:
        cls = _known(str(data["$enum"]))
        if cls is None or not issubclass(cls, enum.Enum):
            raise ValueError("not an enum")
        return cls(_decode(data.get("value")))
    raise ValueError("an unknown tag")


@cache
def _field_names(cls: type) -> frozenset[str]:
    """The fields a record of `cls` may be given: a dataclass's init fields, a model's fields."""
    if dataclasses.is_dataclass(cls):
        return frozenset(f.name for f in dataclasses.fields(cls) if f.init)
    return frozenset(cls.model_fields)  # type: ignore[attr-defined]


@cache
def _constructor(cls: type) -> Callable[..., Any]:
    """A dataclass by its __init__; a model by model_construct (its fields are data written by _encode)."""
    return cls if dataclasses.is_dataclass(cls) else cls.model_construct  # type: ignore[attr-defined]


def unit_results(
    cache: UnitCache,
    units: list[str],
    query: Hashable,
    compute: Callable[[Any, str], Any],
    progress: Progress = SILENT,
    executor: Executor | None = None,
) -> tuple[dict[str, Any], dict[str, list[Problem]]]:
    """Each unit's result for `query` and its problems, from the cache where the unit is unchanged.

    Units not in the cache are loaded, validated and computed by the executor (by default
    local processes where there are enough of them, else this process)."""

    results: dict[str, Any] = {}
    problems: dict[str, list[Problem]] = {}
    keys = {unit: cache.unit_key(unit) for unit in units} if cache.enabled else {}
    entries: dict[str, Entry] = {}
    todo: list[str] = []
    for unit in units:
        entry = cache.load(unit, keys[unit]) if cache.enabled else None
        if entry is not None and query in entry.results:
            results[unit], problems[unit] = entry.results[query], entry.problems
        else:
            todo.append(unit)
            if entry is not None:
                entries[unit] = entry
    if todo:
        # Each unit's work alone, wherever the executor runs it (check/executor.py).
        job = UnitJob(cache.root.absolute(), cache.today, compute)
        for unit, found, result in (executor or executor_for(None, len(todo))).run(job, todo, progress):
            results[unit] = result
            problems[unit] = found
            entry = entries.get(unit) or Entry(keys.get(unit, ""), found)
            entry.results[query] = result
            cache.store(unit, entry)
    return results, problems
