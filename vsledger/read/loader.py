"""Load a workspace: discover → parse → build → validate → locate.

Every stage appends problems and carries on; nothing is raised for bad input.
A record that fails its own model is left out (and reported); the rest of the
ledger still loads, so one run reports every problem in the workspace.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypedDict, TypeVar

from pydantic import BaseModel, ValidationError

from vsledger.core.filekinds import (
    ACTIVITIES_DIR,
    ATTACHMENTS_DIR,
    GROUPS_FILE,
    KNOWN_UNIT_FILES,
    MONTH_FILE_RE,
    PERSONAL_FIELDS,
    UNIT_FILES,
    activities_meant,
    kind_of,
    looks_like_yaml,
    month_file_meant,
    unit_file_meant,
)
from vsledger.core.ledger import (
    Entry,
    GroupEntry,
    PolicySource,
    UnitLedger,
    Workspace,
    resolve_corrections,
)
from vsledger.core.model import REQUEST_STEPS, UNIT_ID_RE, Activity, Group, PersonalEntry, Redemption, Report, Unit, Volunteer, compact
from vsledger.core.problems import DocPath, Level, Problem
from vsledger.core.progress import SILENT, Progress
from vsledger.core.typed import TypedError, parse_employment
from vsledger.read.fastyaml import enabled as fast_enabled
from vsledger.read.fastyaml import parse_fast
from vsledger.read.yamlsource import BOM, Each, ParsedFile, conflict_sides, encoding_problems, parse_text

M = TypeVar("M", bound=BaseModel)


class WorkspaceError(Exception):
    """The workspace itself cannot be read (a usage error, exit 2)."""


class Files:
    """The workspace's files, with some replaced by text not yet written.

    Writing commands validate a record by loading the ledger as it would be
    after the write (`overrides`), before anything touches the disk.
    """

    def __init__(self, root: Path, overrides: dict[str, bytes] | None = None) -> None:
        self.root = root
        self.overrides = overrides or {}
        self.preparsed: dict[str, tuple[ParsedFile | None, list[Problem]]] = {}
        """Files parsed ahead of time (on several cores), taken once by read_yaml."""
        self._listed: dict[str, dict[str, EntryKind]] = {}

    def is_file(self, rel: str) -> bool:
        """A file by its exact name, as its directory lists it (`Reports.yaml` is not reports.yaml, on any system)."""
        parent, _, name = rel.rpartition("/")
        return self.listing(parent).get(name) == "file"

    def read_bytes(self, rel: str) -> bytes:
        if rel in self.overrides:
            return self.overrides[rel]
        return (self.root / rel).read_bytes()

    def listing(self, rel_dir: str) -> dict[str, EntryKind]:
        """What a directory holds, each entry a file, a folder or something else (a broken link, a pipe),
        including files that exist only as overrides. One scandir a directory for the whole load: a
        province's units list their folders without a stat for each month file."""
        listed = self._listed.get(rel_dir)
        if listed is None:
            listed = {}
            try:
                with os.scandir(self.root / rel_dir) as entries:
                    for entry in entries:
                        listed[entry.name] = _entry_kind(entry)
            except OSError:
                pass  # not a directory, or gone: it holds nothing
            prefix = f"{rel_dir}/" if rel_dir else ""
            for rel in self.overrides:
                if rel.startswith(prefix) and "/" not in rel[len(prefix) :]:
                    listed[rel[len(prefix) :]] = "file"
            self._listed[rel_dir] = listed
        return listed


EntryKind = Literal["file", "dir", "other"]


def _entry_kind(entry: os.DirEntry[str]) -> EntryKind:
    """A link counts as what it points to; one that points nowhere (or to a pipe, a device) is "other"."""
    try:
        if entry.is_dir():
            return "dir"
        if entry.is_file():
            return "file"
    except OSError:
        pass
    return "other"


class ReadOptions(TypedDict, total=False):
    """What `read_workspace` takes besides the root and today (`load_workspace` passes it on)."""

    overrides: dict[str, bytes] | None
    only_units: list[str] | None
    progress: Progress


def read_workspace(
    root: Path,
    today: date | None = None,
    overrides: dict[str, bytes] | None = None,
    only_units: list[str] | None = None,
    progress: Progress = SILENT,
) -> Workspace:
    """Parse and build a workspace: records, corrections resolved, policy files read as data.

    Validation and the rule kinds come after, in `check.pipeline.load_workspace`: this is
    its first two stages (parse, build). Problems are left unlocated and unsorted."""
    root = Path(root)
    if not root.is_dir():
        raise WorkspaceError(str(root))
    if not (root / "ledgers").is_dir() and not (root / "rules").is_dir():
        raise WorkspaceError(str(root))
    files = Files(root, overrides)
    workspace = Workspace(root=root, today=today or date.today())
    problems = workspace.problems
    _read_policies(workspace, files)
    _read_groups(workspace, files)
    ledgers_dir = root / "ledgers"
    if ledgers_dir.is_dir():
        # scandir knows directories and symlinks without a stat each: a unit's own load (check/executor.py)
        # lists every unit of a province's workspace, so this must not cost a syscall per unit.
        listed = [e for e in os.scandir(ledgers_dir) if e.is_dir() and not e.name.startswith((".", "_"))]
        unit_dirs = sorted(Path(e.path) for e in listed)
        linked = {e.name for e in listed if e.is_symlink()} if _inside(root, ledgers_dir) else None
        only = set(only_units) if only_units is not None else None
        wanted = [d.name for d in unit_dirs if UNIT_ID_RE.match(d.name) and (only is None or d.name in only)]
        _preparse(files, [rel for unit in wanted for rel in _unit_files(files, unit)], progress)
        progress.phase("progress-building", len(wanted))
        for unit_dir in unit_dirs:
            rel = f"ledgers/{unit_dir.name}"
            if not UNIT_ID_RE.match(unit_dir.name):
                problems.append(Problem(rel, "invalid-unit-dir", {"name": unit_dir.name}, line=1, column=1))
                continue
            if (linked is None or unit_dir.name in linked) and not _inside(root, unit_dir):  # a plain child of ledgers/ is inside
                problems.append(Problem(rel, "path-outside", {"path": rel}, line=1, column=1))
                continue
            workspace.unit_ids.append(unit_dir.name)
            if only is None or unit_dir.name in only:
                workspace.units[unit_dir.name] = _load_unit(workspace, files, unit_dir, rel)
                progress.advance()
    for ledger in workspace.units.values():
        problems.extend(resolve_corrections(ledger))
    workspace.files = files
    return workspace


def locate_workspace_problems(workspace: Workspace, problems: list[Problem]) -> None:
    """Give `problems` their line and column (re-reading only their files), then sort them."""
    locate(workspace.files, problems)
    problems.sort(key=Problem.sort_key)


def locate_unit_problems(workspace: Workspace, unit: str) -> bool:
    """validate's per-unit "result" is its problems, located once (and cached located): for the CLI and the web."""
    locate_workspace_problems(workspace, [p for p in workspace.problems if p.file.startswith(f"ledgers/{unit}/")])
    return True


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    return True


STREAM_BYTES = 1 << 20
"""A file longer than this that is read record by record (`each`) skips the fast parser, which
gives the whole file's values at once: PyYAML's events hand each record on as it is read. A 60 MB
month file's values took 15 times its size."""


def read_yaml(
    files: Files,
    rel: str,
    problems: list[Problem],
    positions: bool = False,
    wanted: set[DocPath] | None = None,
    each: Each | None = None,
    each_under: str | None = None,
) -> ParsedFile | None:
    """The file's values and its parse problems (added to `problems`); None when it cannot be read.

    `each(index, item)`: a list document's items go to it one by one, and the list keeps what it
    returns (see `parse_text`); `each_under`: the list under that key of a mapping document."""
    if not positions and rel in files.preparsed:
        parsed, found = files.preparsed.pop(rel)
        problems.extend(found)
        return _hand_on(parsed, each, each_under)
    if not _inside(files.root, files.root / rel):
        problems.append(Problem(rel, "path-outside", {"path": rel}, line=1, column=1))
        return None
    try:
        raw = files.read_bytes(rel)
    except OSError as exc:
        problems.append(Problem(rel, "unreadable-file", {"detail": exc.strerror or str(exc)}, line=1, column=1))
        return None
    found = encoding_problems(raw, rel)
    problems.extend(found)
    if found:
        return None
    raw = raw.removeprefix(BOM)
    if b"<<<<<<<" in raw:
        conflict = conflict_sides(raw.decode("utf-8"))
        if conflict is not None:
            line, ours, theirs = conflict
            marked = Problem(rel, "merge-conflict", {}, line=line, column=1)
            problems.append(marked)
            sides = (parse_text(ours, rel).data, parse_text(theirs, rel).data)
            return ParsedFile(problems=[marked], values={} if positions else None, keys={} if positions else None, sides=sides)
    streamed = each is not None and len(raw) > STREAM_BYTES
    fast = None if positions or streamed or not fast_enabled() else parse_fast(raw.decode("utf-8"))
    if fast is not None:
        problems.extend(fast.problems)
        return _hand_on(fast, each, each_under)
    # PyYAML reads the bytes: a large file is never held as text too (two bytes a character).
    parsed = parse_text(raw, rel, positions=positions, wanted=wanted, each=each, each_under=each_under)
    problems.extend(parsed.problems)
    return parsed


SETTINGS = "vsledger.yaml"
"""The workspace's own settings (docs/format.md §11), at its root."""


ABSENT: Any = object()
"""What `workspace_setting` returns for a key not written: unlike `key:` with no value, not a mistake."""


def workspace_setting(root: Path, key: str, problems: list[Problem]) -> Any:
    """One key of vsledger.yaml; ABSENT when the file or the key is (a file that does not parse is a problem)."""
    if not (root / SETTINGS).is_file():
        return ABSENT
    parsed = read_yaml(Files(root), SETTINGS, problems)
    data = parsed.data if parsed is not None else None
    return data.get(key, ABSENT) if isinstance(data, dict) else ABSENT


def _hand_on(parsed: ParsedFile | None, each: Each | None, each_under: str | None = None) -> ParsedFile | None:
    """Values read whole (the fast parser, a worker process), handed on item by item as `parse_text` does."""
    data = parsed.data if parsed is not None else None
    items = data if each_under is None else data.get(each_under) if isinstance(data, dict) else None
    if each is not None and isinstance(items, list):
        for index, item in enumerate(items):
            items[index] = each(index, item)
    return parsed


PARALLEL_MIN_FILES = 64
"""Below this many files, starting workers costs more than it saves."""


def _parse_one(job: tuple[str, str]) -> tuple[str, ParsedFile | None, list[Problem]] | None:
    """A worker's file; None for a file large enough to be read record by record where it is built."""
    root, rel = job
    try:
        if os.stat(os.path.join(root, rel)).st_size > STREAM_BYTES:
            return None
    except OSError:
        pass  # read_yaml reports it
    found: list[Problem] = []
    return rel, read_yaml(Files(Path(root)), rel, found), found


def _preparse(files: Files, rels: list[str], progress: Progress = SILENT) -> None:
    """Parse many files on every core; serial where fork is not available (Windows) or not worth it."""
    cpus = os.cpu_count() or 1
    if len(rels) < PARALLEL_MIN_FILES or cpus < 2 or files.overrides or "fork" not in multiprocessing.get_all_start_methods():
        return
    if multiprocessing.current_process().daemon or threading.active_count() > 1:
        return  # a pool's worker cannot start a pool, and a process with threads must not fork
    progress.phase("progress-reading", len(rels))
    workers = min(cpus, 4) - 1
    # The parent parses its share while the workers parse theirs: every core busy, one fork fewer,
    # and only the workers' results cross a pipe.
    mine, theirs = rels[:: workers + 1], [rel for i, rel in enumerate(rels) if i % (workers + 1)]
    jobs = [(str(files.root), rel) for rel in theirs]
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending = pool.imap_unordered(_parse_one, jobs, chunksize=max(1, len(jobs) // (workers * 16)))
        for rel in mine:
            done = _parse_one((str(files.root), rel))
            if done is not None:
                files.preparsed[rel] = done[1:]
            progress.advance()
        for done in pending:
            if done is not None:
                files.preparsed[done[0]] = done[1:]
            progress.advance()


def _unit_files(files: Files, unit: str) -> list[str]:
    rel = f"ledgers/{unit}"
    names = [f"{rel}/{name}" for name in UNIT_FILES if files.is_file(f"{rel}/{name}")]
    return names + [f"{rel}/{ACTIVITIES_DIR}/{name}" for name in _month_files(files, f"{rel}/{ACTIVITIES_DIR}")]


def _month_files(files: Files, activities: str) -> list[str]:
    """The names of the month files the loader reads, in order."""
    return sorted(name for name, kind in files.listing(activities).items() if kind == "file" and MONTH_FILE_RE.match(name))


def _unread(files: Files, rel: str) -> list[Problem]:
    """Every entry of a unit directory and of its activities/ that the loader does not read, where a
    person would expect it read: never silent (docs/format.md §1). Hidden names are passed over on
    purpose (git's files, the atomic writer's temporary files); so are other files of the unit
    directory than YAML ones (photos, scans: attachments go anywhere in the unit)."""
    found: list[Problem] = []
    listed = files.listing(rel)
    for name, kind in sorted(listed.items()):
        entry = f"{rel}/{name}"
        if name.startswith(".") or name == ATTACHMENTS_DIR or (name == ACTIVITIES_DIR and kind == "dir"):
            continue
        if name in KNOWN_UNIT_FILES:
            if kind != "file":
                found.append(Problem(entry, "not-a-file", {"name": name}, line=1, column=1))
        elif activities_meant(name) or name == ACTIVITIES_DIR:
            found.append(_misnamed(entry, name, f"{ACTIVITIES_DIR}/", None))
        elif looks_like_yaml(name):
            month = month_file_meant(name)
            if month is not None:
                found.append(_misnamed(entry, name, f"{ACTIVITIES_DIR}/{month}", files.listing(f"{rel}/{ACTIVITIES_DIR}")))
            else:
                meant = unit_file_meant(name)
                args = {"name": name, "files": ", ".join(KNOWN_UNIT_FILES), "suggestion": "" if meant is None or meant in listed else meant}
                found.append(Problem(entry, "unknown-file", args, Level.WARNING, line=1, column=1))
    activities = f"{rel}/{ACTIVITIES_DIR}"
    months = files.listing(activities)
    for name, kind in sorted(months.items()):
        entry = f"{activities}/{name}"
        if name.startswith(".") or (kind == "file" and MONTH_FILE_RE.match(name)):
            continue
        if kind == "other":
            found.append(Problem(entry, "not-a-file", {"name": name}, line=1, column=1))
        elif kind == "file":
            found.append(_misnamed(entry, name, month_file_meant(name), months))
        else:  # a year's folder (`2022/09.yaml`): each file in it, named by what it was meant to be
            inside = [n for n in sorted(files.listing(entry)) if not n.startswith(".")]
            for inner in inside:
                found.append(_misnamed(f"{entry}/{inner}", f"{name}/{inner}", month_file_meant(f"{name}/{inner}"), months))
            if not inside:
                found.append(_misnamed(entry, name, month_file_meant(name), months))
    return found


def _misnamed(rel: str, name: str, meant: str | None, beside: dict[str, EntryKind] | None) -> Problem:
    """`bad-file-name`: activities the loader does not read, so their hours count nowhere; `meant`
    is suggested unless that file is there already (`2022-07.yaml.orig` beside `2022-07.yaml`)."""
    taken = meant is None or meant == name or (beside is not None and meant.rsplit("/", 1)[-1] in beside)
    return Problem(rel, "bad-file-name", {"name": name, "suggestion": "" if taken else meant}, line=1, column=1)


def _read_policies(workspace: Workspace, files: Files) -> None:
    rules_dir = workspace.root / "rules"
    if not rules_dir.is_dir():
        return
    for path in sorted(rules_dir.glob("*.yaml")):
        rel = f"rules/{path.name}"
        parsed = read_yaml(files, rel, workspace.problems)
        if parsed is None or (parsed.data is None and parsed.problems):
            continue
        workspace.policy_sources.append(PolicySource(rel, path.stem, parsed.data))


def _read_groups(workspace: Workspace, files: Files) -> None:
    rel = GROUPS_FILE
    if not files.is_file(rel):
        return
    data = _document(read_yaml(files, rel, workspace.problems), rel, dict, workspace.problems)
    if data is None:
        return
    for key in data:
        if key != "groups":
            workspace.problems.append(Problem(rel, "unknown-field", {"field": key}, path=(key,), at_key=True))
    items = data.get("groups") or []
    if not isinstance(items, list):
        workspace.problems.append(Problem(rel, "not-a-list", {"field": "groups"}, path=("groups",)))
        return
    for index, item in enumerate(items):
        group = build_record(Group, item, rel, ("groups", index), workspace.problems)
        if group is not None:
            workspace.group_entries.append(GroupEntry(group, rel, index))


def _load_unit(workspace: Workspace, files: Files, unit_dir: Path, rel: str) -> UnitLedger:
    problems = workspace.problems
    ledger = UnitLedger(id=unit_dir.name, directory=rel)

    listed = files.listing(rel)
    unit_rel = f"{rel}/unit.yaml"
    ledger.unit_file = unit_rel
    if not files.is_file(unit_rel):
        if "unit.yaml" not in listed:  # a folder or a broken link of that name is `not-a-file`
            problems.append(Problem(unit_rel, "missing-file", {"file": "unit.yaml"}, line=1, column=1))
    else:
        data = _document(read_yaml(files, unit_rel, problems), unit_rel, dict, problems)
        if data is not None:
            ledger.unit = build_record(Unit, data, unit_rel, (), problems)
            if ledger.unit is not None and ledger.unit.id != ledger.id:
                problems.append(Problem(unit_rel, "unit-id-mismatch", {"id": ledger.unit.id, "dir": ledger.id}, path=("id",)))

    roster_rel = f"{rel}/roster.yaml"
    if not files.is_file(roster_rel):
        if "roster.yaml" not in listed:
            problems.append(Problem(roster_rel, "missing-file", {"file": "roster.yaml"}, line=1, column=1))
    else:
        _load_roster(ledger, files, roster_rel, problems)

    problems.extend(_unread(files, rel))
    for name in _month_files(files, f"{rel}/{ACTIVITIES_DIR}"):
        match = MONTH_FILE_RE.match(name)
        if match:
            _load_month(ledger, files, f"{rel}/{ACTIVITIES_DIR}/{name}", (int(match.group(1)), int(match.group(2))), problems)

    logs: tuple[tuple[str, Any, list[Any]], ...] = (
        ("reports.yaml", Report, ledger.reports),
        ("requests.yaml", _request_step_model, ledger.request_steps),
        ("redemptions.yaml", Redemption, ledger.redemptions),
    )
    for name, model, entries in logs:  # the optional one-line-a-record files
        log_rel = f"{rel}/{name}"
        entries.extend(Entry(record, log_rel, index) for index, record in _list_records(files, log_rel, model, problems))

    personal_rel = f"{rel}/personal.yaml"
    for index, entry in _list_records(files, personal_rel, PersonalEntry, problems):
        if entry.id in ledger.personal:
            problems.append(Problem(personal_rel, "duplicate-id", {"id": entry.id}, path=(index, "id")))
            continue
        ledger.personal[entry.id] = entry
        _join_personal(ledger, entry, personal_rel, index, problems)
    return ledger


@dataclass
class _RecordsRead:
    """A record file read a record at a time: what was built, and what was found on the way."""

    parsed: ParsedFile | None
    entries: list[Entry[Any]]
    found: list[Problem]
    ids: set[str]


def _read_records(
    files: Files, rel: str, model: type[M], known: set[str], problems: list[Problem], under: str | None = None
) -> _RecordsRead:
    """Each record built as soon as it is read, so a large file is never held whole as values; an
    id seen before is a duplicate, and an entry that does not build still has its id known (what
    names it is not reported too). `under`: the list is under that key (a roster's `volunteers`)."""
    prefix: tuple[str, ...] = (under,) if under else ()
    read = _RecordsRead(None, [], [], set())
    numbers_are_ids = model is Volunteer  # a roster's `id: 1` is the id "1"; an activity's must be text

    def take(index: int, item: Any) -> None:
        raw_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(raw_id, str) or (numbers_are_ids and isinstance(raw_id, int) and not isinstance(raw_id, bool)):
            raw_id = str(raw_id)
            if raw_id in known or raw_id in read.ids:
                read.found.append(Problem(rel, "duplicate-id", {"id": raw_id}, path=(*prefix, index, "id")))
                return
            read.ids.add(raw_id)
        record = build_record(model, item, rel, (*prefix, index), read.found)
        if record is not None:
            read.entries.append(Entry(record, rel, index))

    read.parsed = read_yaml(files, rel, problems, each=take, each_under=under)
    known |= _ids_in_sides(read.parsed, under)
    return read


def _load_roster(ledger: UnitLedger, files: Files, rel: str, problems: list[Problem]) -> None:
    read = _read_records(files, rel, Volunteer, ledger.known_volunteer_ids, problems, under="volunteers")
    data = _document(read.parsed, rel, dict, problems)
    if data is None:
        return
    for key in data:
        if key != "volunteers":
            problems.append(Problem(rel, "unknown-field", {"field": key}, path=(key,), at_key=True))
    if data.get("volunteers") is not None and not isinstance(data["volunteers"], list):
        problems.append(Problem(rel, "not-a-list", {"field": "volunteers"}, path=("volunteers",)))
    problems.extend(read.found)
    ledger.known_volunteer_ids |= read.ids
    for entry in read.entries:
        ledger.volunteers[entry.record.id] = entry


def _load_month(ledger: UnitLedger, files: Files, rel: str, month: tuple[int, int], problems: list[Problem]) -> None:
    """One month file's activities, kept only when the whole file could be read, as any file's records."""
    read = _read_records(files, rel, Activity, ledger.known_activity_ids, problems)
    if _document(read.parsed, rel, list, problems) is None:
        return
    for entry in read.entries:
        activity = entry.record
        if (activity.date.year, activity.date.month) != month:
            args = {"date": activity.date.isoformat(), "file": rel.rsplit("/", 1)[1]}
            read.found.append(Problem(rel, "month-mismatch", args, path=(entry.index, "date")))
    problems.extend(read.found)
    ledger.known_activity_ids |= read.ids
    ledger.activities.extend(read.entries)


def _ids_in_sides(parsed: ParsedFile | None, records_key: str | None) -> set[str]:
    """The ids on either side of a conflicted file: records that name them are not reported as well."""
    ids: set[str] = set()
    for data in parsed.sides or () if parsed is not None else ():
        items = data.get(records_key) if records_key and isinstance(data, dict) else data
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict) and isinstance(item.get("id"), (str, int)):
                ids.add(str(item["id"]))
    return ids


def _list_records(
    files: Files, rel: str, model: type[M] | Callable[[Any, str, DocPath, list[Problem]], type[M] | None], problems: list[Problem]
) -> Iterator[tuple[int, M]]:
    """The records of an optional file that is a YAML list, each with its index; bad ones reported.

    `model` is a model, or a function that picks the model for one item (and reports why it cannot)."""
    if not files.is_file(rel):
        return
    items = _document(read_yaml(files, rel, problems), rel, list, problems)
    for index, item in enumerate(items or []):
        chosen = model if isinstance(model, type) else model(item, rel, (index,), problems)
        if chosen is None:
            continue
        record = build_record(chosen, item, rel, (index,), problems)
        if record is not None:
            yield index, record


def _request_step_model(item: Any, rel: str, path: DocPath, problems: list[Problem]) -> type[Any] | None:
    """A line of requests.yaml is read by the model of its `step`."""
    if not isinstance(item, dict):
        return REQUEST_STEPS["received"]  # build_record reports the item as not a mapping
    step = item.get("step")
    if step is None:
        problems.append(Problem(rel, "missing-field", {"field": "step"}, path=path))
        return None
    if not isinstance(step, str) or step not in REQUEST_STEPS:
        problems.append(Problem(rel, "invalid-choice", {"field": "step", "choices": " | ".join(REQUEST_STEPS)}, path=(*path, "step")))
        return None
    return REQUEST_STEPS[step]


def _join_personal(ledger: UnitLedger, entry: PersonalEntry, rel: str, index: int, problems: list[Problem]) -> None:
    """Numbers kept in personal.yaml join the roster by id; never both places."""
    roster = ledger.volunteers.get(entry.id)
    if roster is None:
        if entry.id not in ledger.known_volunteer_ids:
            problems.append(Problem(rel, "personal-unknown-volunteer", {"id": entry.id}, path=(index, "id")))
        return
    updates: dict[str, Any] = {}
    for field_name in PERSONAL_FIELDS:
        value = getattr(entry, field_name)
        if value is None:
            continue
        if getattr(roster.record, field_name) is not None:
            problems.append(Problem(rel, "personal-duplicate", {"id": entry.id, "field": field_name}, path=(index, field_name)))
            continue
        updates[field_name] = value
    if updates:
        roster.record = roster.record.model_copy(update=updates)


def _document(parsed: ParsedFile | None, rel: str, expected: type, problems: list[Problem]) -> Any:
    if parsed is None:
        return None
    data = parsed.data
    if data is None:
        if any(p.file == rel for p in parsed.problems):
            return None
        return expected()
    if not isinstance(data, expected):
        code = "not-a-mapping" if expected is dict else "not-a-list"
        problems.append(Problem(rel, code, {"field": ""}, path=()))
        return None
    return data


def build_record(model: type[M], data: Any, file: str, path: DocPath, problems: list[Problem]) -> M | None:
    """Validate one record; its problems come back located by document path."""
    if not isinstance(data, dict):
        problems.append(Problem(file, "not-a-mapping", {"field": str(path[-1]) if path else ""}, path=path))
        return None
    try:
        return compact(model.model_validate(data))
    except ValidationError as exc:
        problems.extend(problems_from_validation(exc, file, path))
        return None


_PYDANTIC_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "literal_error": "invalid-choice",
    "greater_than_equal": "invalid-number",
    "int_type": "invalid-number",
    "int_parsing": "invalid-number",
    "int_from_float": "invalid-number",
    "bool_type": "invalid-value",
    "bool_parsing": "invalid-value",
    "list_type": "not-a-list",
    "dict_type": "not-a-mapping",
    "model_type": "not-a-mapping",
    "model_attributes_type": "not-a-mapping",
    "string_type": "invalid-value",
}


def problems_from_validation(exc: ValidationError, file: str, base: DocPath) -> list[Problem]:
    found: list[Problem] = []
    seen: set[DocPath] = set()
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, int) or _is_field_name(part))
        path = base + loc
        if path in seen:  # a union reports every branch; the first says enough
            continue
        seen.add(path)
        kind = error["type"]
        field_name = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
        ctx = dict(error.get("ctx") or {})
        args: dict[str, Any] = {"field": field_name}
        if kind in _PYDANTIC_CODES:
            code = _PYDANTIC_CODES[kind]
            if kind == "literal_error":  # pydantic's "'a', 'b' or 'c'" → "a | b | c", no English "or"
                expected = str(ctx.get("expected", ""))
                args["choices"] = " | ".join(re.findall(r"'([^']*)'", expected)) or expected
                args["suggestion"] = _suggested_choice(field_name, error.get("input"))
            if kind == "missing":
                path = path[:-1] if loc else path
            elif kind in ("bool_type", "bool_parsing"):
                args["expected"] = "boolean"
            elif kind == "string_type":
                args["expected"] = "string"
        elif "-" in kind:  # one of ours, raised by the model's types
            code = kind
            args.update({k: str(v) for k, v in ctx.items()})
        else:
            code = "invalid-value"
            args["expected"] = kind
        if code == "invalid-value" and args.get("expected") == "string" and error.get("input") is None:
            code = "empty-text"  # `location:` with nothing after it is not a wrong type
            args.pop("expected")
        found.append(Problem(file, code, args, path=path, at_key=kind == "extra_forbidden"))
    return found


def _suggested_choice(field: str, value: Any) -> str:
    """The code a clerk's word stands for, where the flags would have read it (`employment: 在编` → staff)."""
    if field != "employment" or not isinstance(value, str):
        return ""
    try:
        return parse_employment(value)
    except TypedError:
        return ""


def _forget(_index: int, _item: Any) -> None:
    """Locating needs a file's positions, not its values: each record is dropped once read."""


def _is_field_name(part: Any) -> bool:
    return isinstance(part, str) and not any(ch in part for ch in "[](), ")


def locate(files: Files, problems: list[Problem]) -> None:
    """Turn document paths into line and column, re-reading only files with problems."""
    pending: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.path is not None and problem.line == 0:
            pending[problem.file].append(problem)
    for rel, items in pending.items():
        wanted = {problem.path[:end] for problem in items if problem.path is not None for end in range(len(problem.path) + 1)}
        kind = kind_of(rel)
        under = kind.records_key if kind is not None else None  # a roster's list is under its key
        parsed = read_yaml(files, rel, [], positions=True, wanted=wanted, each=_forget, each_under=under)
        for problem in items:
            if parsed is None or parsed.values is None:
                problem.line, problem.column = 1, 1
                continue
            assert problem.path is not None
            problem.line, problem.column = parsed.position(problem.path, problem.at_key)
