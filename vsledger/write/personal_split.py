"""Personal numbers and git: find them in tracked files, move them out of roster.yaml.

《志愿服务条例》第二十条 forbids disclosing a volunteer's personal information, and a
number committed to git is in every clone for good. docs/format.md §5 keeps ID card and
phone numbers in `ledgers/<unit>/personal.yaml`, which `init`'s .gitignore keeps
out of git; `validate` warns about full numbers in tracked files, and
`personal split` moves them from roster.yaml into personal.yaml.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from vsledger.core.filekinds import PERSONAL_FIELDS
from vsledger.core.ledger import Workspace
from vsledger.core.personal import numbers_in_data
from vsledger.core.problems import Level, Problem
from vsledger.read.yamlsource import MAX_FILE_BYTES, parse_text
from vsledger.write.layout import record_text
from vsledger.write.transaction import Change, Plan, append_change, append_line, transact

GITIGNORE_LINE = "ledgers/*/personal.yaml"


def tracked_files(root: Path) -> list[str] | None:
    """Files git tracks under the workspace (paths relative to it); None outside a git work tree."""
    try:
        out = subprocess.run(["git", "ls-files", "-z", "--", "."], cwd=root, capture_output=True, check=True, timeout=60).stdout.decode(
            "utf-8", "replace"
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return [name for name in out.split("\0") if name]


def leaks_in_git(root: Path) -> list[Problem]:
    """A warning for every line of a tracked file that holds a full ID card or mobile number.

    Bounded like every read: a file over the cap is named as not scanned, never read; a file under
    it is searched as bytes for runs of eleven digits and only those lines are decoded and checked
    (a 200 MB file took 58 s and 1.4 GB when every line was)."""
    tracked = tracked_files(root)
    if not tracked:
        return []
    problems: list[Problem] = []
    for rel in tracked:
        if not rel.endswith((".yaml", ".yml", ".csv", ".txt", ".md")):
            continue
        path = root / rel
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                problems.append(
                    Problem(rel, "personal-scan-skipped", {"size": size, "limit": MAX_FILE_BYTES}, Level.WARNING, line=1, column=1)
                )
                continue
            data = path.read_bytes()
        except OSError:
            continue
        problems += numbers_in_data(rel, data, "personal-data-in-git", Level.WARNING)
    return problems


@dataclass
class SplitResult:
    unit: str
    moved: list[str] = field(default_factory=list)
    """Ids of volunteers whose numbers moved."""
    kept: list[str] = field(default_factory=list)
    """Ids whose numbers sit in a layout split cannot edit without touching anything else."""


def split_units(root: Path, units: list[str], today: date) -> tuple[list[SplitResult], bool]:
    """Move id_number and phone from each unit's roster.yaml to its personal.yaml, touching no other line:
    every roster, every personal.yaml (and .gitignore when it must learn them) as one transaction, so a
    refusal anywhere leaves every unit as it was. Also says whether .gitignore learned personal.yaml."""

    def decide(_workspace: Workspace) -> Plan:
        results: list[SplitResult] = []
        changes: list[Change] = []
        for unit in units:
            roster_rel, personal_rel = f"ledgers/{unit}/roster.yaml", f"ledgers/{unit}/personal.yaml"
            if not (root / roster_rel).is_file():  # no roster, no numbers to move (validate names the missing file)
                results.append(SplitResult(unit))
                continue
            raw = (root / roster_rel).read_bytes()
            result, new_roster, block = _split(raw, unit, roster_rel)
            results.append(result)
            if block:
                changes.append(Change(roster_rel, lambda _old, new=new_roster: new))  # read under the same lock: old is raw
                changes.append(append_change(personal_rel, block))
        if any(needs_ignore(root, f"ledgers/{result.unit}/personal.yaml") for result in results if result.moved):
            changes.append(Change(".gitignore", _ignore_personal))
        return Plan(changes, results)

    written = transact(root, units[0] if len(units) == 1 else None, today, decide)
    split: list[SplitResult] = written.value
    return split, ".gitignore" in written.files


def _split(raw: bytes, unit: str, roster_rel: str) -> tuple[SplitResult, bytes, str]:
    """What moves: the result, the roster without the numbers, and the personal.yaml lines ("" when none)."""
    text = raw.decode("utf-8-sig")
    parsed = parse_text(text, roster_rel, positions=True)
    result = SplitResult(unit)
    items = parsed.data.get("volunteers") if isinstance(parsed.data, dict) else None
    if parsed.problems or not isinstance(items, list) or parsed.keys is None:
        result.kept.append("*")
        return result, raw, ""
    lines = text.splitlines(keepends=True)
    entries: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not any(k in item for k in PERSONAL_FIELDS):
            continue
        path = ("volunteers", index)
        key_lines = {k: parsed.keys[(*path, k)][0] - 1 for k in item if (*path, k) in parsed.keys}
        numbers = {k: item[k] for k in PERSONAL_FIELDS if k in item}
        edited = _without_numbers(lines, key_lines, numbers)
        if edited is None or not _only_numbers_removed(edited, roster_rel, items, index, numbers):
            result.kept.append(str(item.get("id")))
            continue
        lines = edited
        entries.append({"id": item.get("id"), **{k: str(v) for k, v in numbers.items()}})
        result.moved.append(str(item.get("id")))
    if not entries:
        return result, raw, ""
    block = "".join(record_text("personal", entry) for entry in entries)
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""  # kept: only the numbers' lines change
    return result, bom + "".join(lines).encode("utf-8"), block


def _without_numbers(lines: list[str], key_lines: dict[str, int], numbers: dict[str, Any]) -> list[str] | None:
    """The lines with the number entries taken out: a whole line in a block record, a
    `key: value` pair in a one-line flow record; None when a comment is in the way.
    A removed line becomes "" so that line numbers stay those of the parse."""
    out = list(lines)
    for key in numbers:
        number = key_lines[key]
        if "#" in lines[number]:
            return None
        if list(key_lines.values()).count(number) == 1 and lines[number].lstrip().startswith(f"{key}:"):
            out[number] = ""
            continue
        pair = re.compile(rf"""(,\s*{key}\s*:\s*("[^"]*"|'[^']*'|[^,}}\s]+))|({key}\s*:\s*("[^"]*"|'[^']*'|[^,}}\s]+)\s*,\s*)""")
        out[number], count = pair.subn("", out[number], count=1)
        if count != 1:
            return None
    return out


def _only_numbers_removed(lines: list[str], rel: str, items: list[Any], index: int, numbers: dict[str, Any]) -> bool:
    """Re-read the edited roster: everything must be as before but these numbers."""
    parsed = parse_text("".join(lines), rel)
    if parsed.problems or not isinstance(parsed.data, dict):
        return False
    expected = [dict(item) for item in items]
    for key in numbers:
        expected[index].pop(key, None)
    got = parsed.data.get("volunteers")
    return isinstance(got, list) and [g for i, g in enumerate(got) if i == index] == [expected[index]] and len(got) == len(items)


def needs_ignore(root: Path, rel: str) -> bool:
    """True in a git work tree whose .gitignore does not yet keep personal.yaml files out."""
    try:
        ignored = subprocess.run(["git", "check-ignore", "-q", rel], cwd=root, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False
    return not ignored and tracked_files(root) is not None


def _ignore_personal(old: bytes | None) -> bytes:
    return append_line(old, GITIGNORE_LINE + "\n")
