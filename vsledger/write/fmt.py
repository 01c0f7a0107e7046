"""`vsledger fmt`: the canonical layout, the same one `add-*` writes.

Records are re-emitted by `writer.py` from their parsed values (so meaning is
kept by construction), keys in canonical order, one blank line between
activities; text of several lines as a literal block (`|`). Comments travel
with the key they precede or follow; a record with a comment we cannot place
(beside several keys, or by a key the layout leaves out) is kept exactly as
written, and a file that does not parse cleanly is left alone — both named
by line, never passed over in silence. Nothing is ever dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from vsledger.core.filekinds import FileKind, kind_of
from vsledger.core.ledger import Workspace
from vsledger.core.problems import Level, Problem
from vsledger.read.yamlsource import ParsedFile, decode, parse_text
from vsledger.write.layout import flow_record, record_block, record_lines
from vsledger.write.transaction import Change, Plan, transact

_ROSTER_KEY = re.compile(r"""(volunteers|"volunteers"|'volunteers')[ \t]*:""")


def layout_for(rel: str) -> FileKind | None:
    """The layout of a file of records; None for a file that is one document."""
    kind = kind_of(rel)
    return kind if kind is not None and kind.layout != "document" else None


def comment_start(line: str) -> int:
    """Where a `#` comment starts in a line, outside quotes; -1 when none."""
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and not (quote == '"' and line[i - 1] == "\\"):
                quote = ""
        elif ch in "\"'" and (i == 0 or line[i - 1] in " [{,:-"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
    return -1


def _is_comment_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def format_text(text: str, rel: str, kept: list[int] | None = None) -> str | None:
    """The canonical text, or None when the file is not one we format or does not parse cleanly.
    A record whose comments have no place in the canonical layout stays as written; its first
    line goes to `kept`, so that fmt can name it."""
    layout = layout_for(rel)
    if layout is None:
        return None
    parsed = parse_text(text, rel, positions=True)
    if parsed.problems or parsed.values is None:
        return None
    base: tuple[str, ...] = ()
    items = parsed.data
    if rel.endswith("roster.yaml") and isinstance(items, dict) and set(items) == {"volunteers"}:
        items, base = items["volunteers"], ("volunteers",)
    if items is None:
        return text  # only comments, or `volunteers:` with none under it yet: nothing to lay out
    if rel.endswith("roster.yaml") and not base:
        return None
    if not isinstance(items, list) or not all(isinstance(item, dict) and item for item in items):
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[-1] == "":
        lines.pop()
    line, column = parsed.values[()]
    if base and lines[line - 1][column - 1 : column] == "{":  # `{volunteers: [...]}`
        return _format_flow(items, lines, (line - 1, column - 1), layout, wrapped=base[0])
    line, column = parsed.values[base]
    if lines[line - 1][column - 1 : column] == "[":
        if not items and lines[line - 1][column - 1 :].startswith("[]"):
            return text  # `[]`: an empty list as vsledger writes it
        return _format_flow(items, lines, (line - 1, column - 1), layout)
    starts = [parsed.values[(*base, i)][0] - 1 for i in range(len(items))]
    if len(set(starts)) != len(starts):
        return None  # two records on one line: not a layout we rewrite
    head = lines[: starts[0]]
    while head and not head[-1].strip():
        head.pop()
    if base and not any(_ROSTER_KEY.match(line) for line in head):
        return None
    pieces: list[str] = []
    lead: list[str] = []
    tail: list[str] = []
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        path = (*base, index)
        content = _block_scalar_lines(items[index], lines, end, parsed, path)
        body = lines[start:end]
        cut = len(body)
        while cut > 1 and _is_comment_or_blank(body[cut - 1]) and start + cut - 1 not in content:
            cut -= 1  # comments after the record belong to the next one (a `#` line inside a block scalar is text)
        block = _format_record(items[index], body[:cut], start, parsed, path, layout, content)
        trailing = body[cut:]
        if block is None:
            if kept is not None:
                kept.append(start + 1)
            block, trailing = _as_written(items[index], body)
        pieces.append("".join(layout.indent + c.strip() + "\n" for c in lead) + block)
        lead = [line for line in trailing if line.strip()]
        if index + 1 == len(starts):
            tail = lead
    separator = "\n" if layout.blank_between else ""
    out = "".join(line + "\n" for line in head) + separator.join(pieces)
    if tail:
        out += separator + "".join(layout.indent + c.strip() + "\n" for c in tail)
    return out


def _format_flow(items: list[dict[str, Any]], lines: list[str], at: tuple[int, int], layout: FileKind, wrapped: str = "") -> str | None:
    """A list written `[...]` (on one line or several; `{volunteers: [...]}` when `wrapped` names the
    key) as records in the canonical layout; an empty one as `[]` on one line, which `add-*` fills.
    None when a comment stands inside the brackets: it has no place among the records, and fmt
    names the file instead of dropping it."""
    first, column = at
    last = max((i for i, line in enumerate(lines) if not _is_comment_or_blank(line) and not _document_end(line)), default=first)
    offset = column if last == first else 0  # on the `[` line, a comment can only follow the list
    found = comment_start(lines[last][offset:])
    cut = found + offset if found >= 0 else len(lines[last])
    closing, comment = lines[last][:cut], lines[last][cut:].strip()
    inside = [lines[first][column:], *lines[first + 1 : last]] if last > first else []
    if not closing.rstrip().endswith("}" if wrapped else "]") or any(comment_start(line) >= 0 for line in inside):
        return None
    head = [*lines[:first], *[part for part in (lines[first][:column].rstrip(), wrapped and f"{wrapped}:") if part]]
    after = [line for line in lines[last + 1 :] if not _document_end(line)]
    if not items:  # `[]` over several lines: on one, with the comment after it
        last_head = head.pop() if len(head) > first else ""
        body = " ".join(part for part in (last_head, "[]") if part) + (f"  {comment}" if comment else "")
        return "".join(line + "\n" for line in [*head, body, *after])
    if layout.layout == "line":
        records = "".join(flow_record(item, layout.keys, layout.indent) for item in items)
    else:
        blocks = [record_block(item, layout.keys, layout.indent, layout.keep_empty) for item in items]
        records = ("\n" if layout.blank_between else "").join(blocks)
    tail = [*([layout.indent + comment] if comment else []), *after]
    return "".join(line + "\n" for line in head) + records + "".join(line + "\n" for line in tail)


def _document_end(line: str) -> bool:
    """`...`, which ends a document and says nothing about its records (the canonical layout has none)."""
    return line.rstrip() == "..." or line.startswith("... ")


def _as_written(item: dict[str, Any], body: list[str]) -> tuple[str, list[str]]:
    """A record kept exactly as written, and the comment lines after it that go with the next record."""
    body = list(body)
    trailing: list[str] = []
    multiline = any(isinstance(v, str) and "\n" in v for v in _scalars(item))
    while len(body) > 1 and _is_comment_or_blank(body[-1]) and not multiline:
        trailing.insert(0, body.pop())  # a `#` line inside a block scalar is text, not a comment
    kept_blank = any(isinstance(v, str) and v.endswith("\n\n") for v in _scalars(item))  # `|+`
    while multiline and not kept_blank and len(body) > 1 and not body[-1].strip():
        body.pop()
    return "".join(line + "\n" for line in body), trailing


def _block_scalar_lines(item: dict[str, Any], lines: list[str], end: int, parsed: ParsedFile, path: tuple[Any, ...]) -> set[int]:
    """The lines (0-based) that are the text of a block scalar (`|`, `>`) of this record: a `#` there
    is text, not a comment. They run from the line after the indicator while indented deeper than
    the key, and end at the last such line that is not blank."""
    assert parsed.values is not None and parsed.keys is not None
    found: set[int] = set()
    for key, value in item.items():
        if not isinstance(value, str) or (*path, key) not in parsed.values:
            continue
        line, column = parsed.values[(*path, key)]
        if lines[line - 1][column - 1 : column] not in ("|", ">"):
            continue
        key_indent = parsed.keys[(*path, key)][1] - 1
        last, number = None, line
        while number < end:
            text = lines[number]
            if text.strip():
                if len(text) - len(text.lstrip(" ")) <= key_indent:
                    break
                last = number
            number += 1
        if last is not None:
            found.update(range(line, last + 1))
    return found


def _scalars(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in _scalars(v)]
    if isinstance(value, list):
        return [x for v in value for x in _scalars(v)]
    return [value]


def _format_record(
    item: dict[str, Any], body: list[str], start: int, parsed: ParsedFile, path: tuple[Any, ...], layout: FileKind, content: set[int]
) -> str | None:
    """The record in canonical layout with its comments, or None to keep it as written. The lines
    in `content` are a block scalar's text, re-emitted from the value."""
    assert parsed.keys is not None
    if layout.layout == "line" and len(body) == 1 and not _is_comment_or_blank(body[0]):
        # A one-line record: a comment at its end is about the whole record and stays at its end.
        cut = comment_start(body[0])
        comment = f"  {body[0][cut:].strip()}" if cut >= 0 else ""
        return flow_record(item, layout.keys, layout.indent).rstrip("\n") + comment + "\n"
    key_line = {key: parsed.keys[(*path, key)][0] - 1 for key in item}
    owners: dict[int, list[str]] = {}
    for key, number in key_line.items():
        owners.setdefault(number, []).append(key)
    leading: dict[str, list[str]] = {}
    inline: dict[str, str] = {}
    whole = ""
    pending: list[str] = []
    for offset, line in enumerate(body):
        number = start + offset
        if number in content:
            continue
        if _is_comment_or_blank(line):
            if line.strip():
                pending.append(line.strip())
            continue
        cut = comment_start(line)
        keys_here = owners.get(number, [])
        if len(keys_here) == 1:
            leading[keys_here[0]] = pending
            pending = []
            if cut >= 0:
                inline[keys_here[0]] = line[cut:].strip()
        elif keys_here and len(keys_here) == len(item) and not pending:
            if cut >= 0:  # a record on one line: the comment at its end is about the whole record
                whole = line[cut:].strip()
        elif cut >= 0 or pending:
            return None  # a comment inside a multi-line value, or beside several keys
    if pending:
        return None
    if layout.layout == "line":
        if any(leading.values()) or (len(body) > 1 and inline):
            return None
        comment = " ".join([*inline.values(), whole]).strip()
        return flow_record(item, layout.keys, layout.indent).rstrip("\n") + (f"  {comment}" if comment else "") + "\n"
    commented = tuple(k for k in item if leading.get(k) or k in inline)  # an empty key with a comment stays, with it
    emitted = record_lines(item, layout.keys, layout.indent, (*layout.keep_empty, *commented))
    if whole and emitted:
        inline[emitted[0][0]] = whole
    out: list[str] = []
    for key, key_lines in emitted:
        out += [f"{layout.indent}  {c}" for c in leading.get(key, [])]
        first, *rest = key_lines
        out.append(first + (f"  {inline[key]}" if key in inline else ""))
        out += rest
    return "".join(line + "\n" for line in out)


@dataclass
class FormatResult:
    changed: list[str]
    skipped: list[Problem]
    """Files left alone (`fmt-skipped`) and records kept as written (`fmt-record-kept`), each located."""


def format_workspace(root: Path, check: bool, today: date) -> FormatResult:
    """Format every ledger file; with `check`, only say which would change.

    Writing is one transaction over the whole workspace: every reformatted file is
    replaced in one set, and refused if the result reads differently (a new error)."""
    found, formatted = _format_files(root)
    if check or not formatted:  # nothing to write: no lock, no loads
        return found

    def decide(_workspace: Workspace) -> Plan:
        result, formatted = _format_files(root)
        changes = [Change(rel, lambda old, new=new, raw=raw: new if old == raw else old or b"") for rel, (raw, new) in formatted.items()]
        return Plan(changes, result)

    done: FormatResult = transact(root, None, today, decide).value
    return done


def _format_files(root: Path) -> tuple[FormatResult, dict[str, tuple[bytes, bytes]]]:
    """What would change, what is skipped, and each changed file's bytes before and after."""
    changed: list[str] = []
    skipped: list[Problem] = []
    formatted: dict[str, tuple[bytes, bytes]] = {}
    ledgers = root / "ledgers"
    paths = sorted(p for p in ledgers.rglob("*.yaml") if p.is_file()) if ledgers.is_dir() else []
    for path in paths:
        rel = path.relative_to(root).as_posix()
        if layout_for(rel) is None:
            continue
        raw = path.read_bytes()
        text, problems = decode(raw, rel)
        if text is None:
            skipped.extend(problems)
            continue
        if not text.strip():
            continue
        kept: list[int] = []
        new = format_text(text, rel, kept)
        if new is None:
            skipped.append(Problem(rel, "fmt-skipped", {}, line=1, column=1))
            continue
        skipped += [Problem(rel, "fmt-record-kept", {}, Level.WARNING, line=line, column=1) for line in kept]
        if new.encode("utf-8") != raw:
            changed.append(rel)
            formatted[rel] = (raw, new.encode("utf-8"))
    return FormatResult(changed, skipped), formatted
