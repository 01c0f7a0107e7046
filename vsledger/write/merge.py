"""`vsledger merge-file`: git's merge driver for ledger files, record by record.

Line merges cannot tell where a record ends: `merge=union` kept two activities'
identical last line (`participants: [V0001]`) once and gave the first record's
hours to the second, and a plain text merge conflicts on every two appends.
Here each side is read as records (matched by id, or as a whole where a file's
records have none): records added on either side are all kept, each whole; a
record changed on both sides is a conflict, marked as git marks one; a side
that cannot be read as records makes the whole file a conflict, never a guess.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vsledger.core.filekinds import MERGED_KINDS, FileKind, git_pattern, merged_kind_of
from vsledger.core.files import atomic_write
from vsledger.read.yamlsource import decode, parse_text

DRIVER = "vsledger"
DRIVER_COMMAND = "vsledger merge-file %O %A %B %P --marker-size %L"
_ATTRIBUTES_HEAD = "# Ledger records merge record by record through vsledger's merge driver (vsledger git-setup)."


class Unreadable(Exception):
    """A side that is not a list of records this driver can match: the file is a conflict."""


@dataclass
class Records:
    header: str
    """Everything before the first record: the modeline, comments, `volunteers:`."""
    records: dict[str, str] = field(default_factory=dict)
    """Key → the record's text (its lines, trailing blank lines left out), in file order."""
    footer: str = ""


def split_records(text: str, kind: FileKind) -> Records:
    """A file as header, records and footer; raises Unreadable unless every record is accounted for."""
    parsed = parse_text(text, kind.name)
    if parsed.problems:
        first = parsed.problems[0]
        raise Unreadable(f"{first.line}:{first.column}: {first.code}")
    data = parsed.data
    if kind.records_key is not None:
        if data is not None and not isinstance(data, dict):
            raise Unreadable("not a mapping")
        items = (data or {}).get(kind.records_key) or []
    else:
        items = data or []
    if not isinstance(items, list):
        raise Unreadable("not a list")

    start = f"{kind.indent}- "
    lines = text.splitlines(keepends=True)
    header_end = next((i for i, line in enumerate(lines) if line.startswith(start)), len(lines))
    chunks: list[list[str]] = []
    index = header_end
    while index < len(lines) and lines[index].startswith(start):
        chunk = [lines[index]]
        index += 1
        while index < len(lines) and not lines[index].startswith(start) and _inside_record(lines[index], kind.indent):
            chunk.append(lines[index])
            index += 1
        while len(chunk) > 1 and not chunk[-1].strip():  # blank lines separate records, they are not part of one
            chunk.pop()
            index -= 1
        chunks.append(chunk)
        while index < len(lines) and not lines[index].strip():
            index += 1
    if len(chunks) != len(items):
        raise Unreadable(f"{len(items)} records, {len(chunks)} record blocks")

    result = Records("".join(lines[:header_end]), footer="".join(lines[index:]))
    seen: Counter[str] = Counter()
    for chunk, item in zip(chunks, items, strict=True):
        record_text = "".join(chunk)
        if not record_text.endswith("\n"):
            record_text += "\n"
        alone = parse_text("".join(_dedent(line, kind.indent) for line in chunk), kind.name).data
        if alone != [item] or not isinstance(item, dict):
            raise Unreadable(f"record {len(result.records) + 1} is not a block of its own")
        key = _record_key(item, kind)
        seen[key] += 1
        if kind.id_key is not None and seen[key] > 1:
            raise Unreadable(f"{kind.id_key} {key} twice")
        result.records[f"{key}\x00{seen[key]}"] = record_text
    return result


def _inside_record(line: str, indent: str) -> bool:
    """Lines after a record's first one belong to it: deeper lines, blank lines and comments."""
    return not line.strip() or line.lstrip().startswith("#") or line.startswith(indent + "  ")


def _dedent(line: str, indent: str) -> str:
    return line[len(indent) :] if line.startswith(indent) else line


def _record_key(item: dict[str, Any], kind: FileKind) -> str:
    if kind.id_key is None:  # matched as a whole: the same record on both sides is one record
        return json.dumps(item, sort_keys=True, default=str, ensure_ascii=False)
    value = item.get(kind.id_key)
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise Unreadable(f"a record without {kind.id_key}")
    return str(value)


@dataclass
class Merged:
    text: str
    conflicts: int


def merge_records(base: Records, ours: Records, theirs: Records, kind: FileKind, marker_size: int = 7) -> Merged:
    """Three-way merge by record: one side's change wins over no change; two different changes conflict."""
    conflicts = 0
    parts: list[str] = []

    def conflict(mine: str, other: str) -> str:
        nonlocal conflicts
        conflicts += 1
        return f"{'<' * marker_size} ours\n{mine}{'=' * marker_size}\n{other}{'>' * marker_size} theirs\n"

    def pick(old: str | None, mine: str | None, other: str | None) -> str | None:
        if mine == other:
            return mine
        if mine == old:
            return other
        if other == old:
            return mine
        return conflict(mine or "", other or "")

    header = pick(base.header, ours.header, theirs.header) or ""
    for key in _merged_order(ours, theirs):
        text = pick(base.records.get(key), ours.records.get(key), theirs.records.get(key))
        if text is not None:
            parts.append(text)
    footer = pick(base.footer, ours.footer, theirs.footer) or ""
    separator = "\n" if kind.blank_between else ""
    body = separator.join(parts)
    if parts and footer and kind.blank_between:
        body += "\n"
    return Merged(header + body + footer, conflicts)


def _merged_order(ours: Records, theirs: Records) -> list[str]:
    """Our records in our order; theirs that we lack after the record they follow there and after
    our own additions that follow it too (both sides' appends: ours, then theirs); theirs before
    any shared record go before the first one, or after ours when none is shared."""
    after: dict[str | None, list[str]] = {}
    anchor: str | None = None
    for key in theirs.records:
        if key in ours.records:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    result: list[str] = []
    pending = after.pop(None, [])
    for key in ours.records:
        if key in theirs.records:  # a shared record: what theirs added before it lands here
            result.extend(pending)
            pending = after.get(key, [])
        result.append(key)
    return result + pending


def merge_file(base: Path, ours: Path, theirs: Path, rel: str | None, marker_size: int = 7) -> tuple[int, str]:
    """Merge into `ours` as git asks a driver to; (number of conflicts, why a whole-file conflict or '')."""
    kind = _kind_of_git_path(rel) if rel else None
    if kind is None:  # not a record file: git's own line merge
        labels = ["-L", "ours", "-L", "base", "-L", "theirs"]
        done = subprocess.run(
            ["git", "merge-file", f"--marker-size={marker_size}", *labels, str(ours), str(base), str(theirs)], check=False
        )
        return (1 if done.returncode else 0), ""
    texts: list[str] = []
    try:
        for path in (base, ours, theirs):
            text, problems = decode(path.read_bytes(), rel or path.name)
            if text is None:
                raise Unreadable(problems[0].code if problems else "unreadable")
            texts.append(text)
        sides = [split_records(text, kind) for text in texts]
    except Unreadable as exc:
        whole = _whole_file_conflict(ours.read_bytes(), theirs.read_bytes(), marker_size)
        atomic_write(ours, whole)
        return 1, str(exc)
    merged = merge_records(*sides, kind, marker_size)
    atomic_write(ours, merged.text.encode("utf-8"))
    return merged.conflicts, ""


def _kind_of_git_path(rel: str) -> FileKind | None:
    """%P is relative to the repository: a workspace may sit in a folder of it (`台账/ledgers/…`)."""
    starts = [0] + [i + 1 for i in range(len(rel)) if rel.startswith("/ledgers/", i)]
    return next((kind for start in starts if (kind := merged_kind_of(rel[start:])) is not None), None)


def _whole_file_conflict(ours: bytes, theirs: bytes, marker_size: int) -> bytes:
    def ended(raw: bytes) -> bytes:
        return raw if not raw or raw.endswith(b"\n") else raw + b"\n"

    return b"%s ours\n%s%s\n%s%s theirs\n" % (b"<" * marker_size, ended(ours), b"=" * marker_size, ended(theirs), b">" * marker_size)


def attributes_text(existing: str) -> str:
    """`.gitattributes` naming the driver for every record file; other lines kept as they were."""
    patterns = [git_pattern(kind) for kind in MERGED_KINDS]
    kept = [
        line
        for line in existing.splitlines()
        if line.strip() != _ATTRIBUTES_HEAD
        and not (line.split() and line.split()[0] in patterns and any(a.lstrip("-!").startswith("merge") for a in line.split()[1:]))
        and not line.startswith("# Two clerks appending to the same month file")
    ]
    while kept and not kept[-1].strip():
        kept.pop()
    ours = [_ATTRIBUTES_HEAD] + [f"{pattern} merge={DRIVER}" for pattern in patterns]
    return "\n".join(kept + ([""] if kept else []) + ours) + "\n"


def git_setup(root: Path) -> list[str]:
    """Name the driver in `.gitattributes` and define it in this clone's git config; the files changed."""
    changed: list[str] = []
    path = root / ".gitattributes"
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = attributes_text(old)
    if new != old:
        atomic_write(path, new.encode("utf-8"))
        changed.append(".gitattributes")
    settings = {"name": "vsledger ledger records", "driver": DRIVER_COMMAND}
    for key, value in settings.items():
        current = subprocess.run(
            ["git", "config", "--local", "--get", f"merge.{DRIVER}.{key}"], cwd=root, capture_output=True, text=True, check=False
        )
        if current.returncode not in (0, 1):
            raise GitUnavailable(current.stderr.strip())
        if current.stdout.strip() != value:
            subprocess.run(["git", "config", "--local", f"merge.{DRIVER}.{key}", value], cwd=root, check=True, capture_output=True)
            if ".git/config" not in changed:
                changed.append(".git/config")
    return changed


class GitUnavailable(Exception):
    """Not a git repository, or no git: the driver cannot be configured."""
