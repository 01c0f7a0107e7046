"""The canonical layout of records: key order, quoting, one record per block.

Written by hand rather than by a YAML emitter so the output is exactly what a
clerk would type: participants on one flow line, numbers that must stay text
quoted, times quoted, nothing quoted that needs no quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

import yaml

from vsledger.core.filekinds import KINDS, FileKind
from vsledger.read.yamlsource import resolve_plain

ALWAYS_QUOTED = {"id_number", "phone", "registration_no", "start", "end"}
_UNSAFE = set("[]{},#&*!|>'\"%@`")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off"}


def scalar(value: Any, quote: bool = False, flow: bool = False) -> str:
    """One value as YAML text; `flow` when it stands inside `[...]` or `{...}`, where fewer texts may go unquoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):  # 2.50 → 2.5, 3.0 → 3: the shortest exact form
        if value.is_finite() and not -30 <= value.adjusted() <= 30:  # 1e-9999999999 as written, not as ten billion zeros
            return str(value)
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, int):
        # An ID card or phone number that YAML read as a number is written back as the text it is.
        return json.dumps(str(value)) if quote else str(value)
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if quote or not _plain_ok(text, flow):
        return json.dumps(text, ensure_ascii=False)
    return text


@lru_cache(maxsize=65536)
def _plain_ok(text: str, flow: bool = False) -> bool:
    """Plain only when every YAML reader, 1.1 or 1.2, reads back the same text, in a flow
    collection too when `flow` (`[0:?]` is a syntax error where `k: 0:?` is text)."""
    if not text or text != text.strip() or any(c in _UNSAFE for c in text):
        return False
    if ": " in text or text.endswith(":") or " #" in text or text[0] in "-?:":
        return False
    if text.lower() in _YAML11_WORDS or resolve_plain(text) != text:
        return False
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text} and (not flow or yaml.safe_load(f"k: [{text}]") == {"k": [text]})
    except yaml.YAMLError:
        return False


def block_literal(text: str, indent: str) -> list[str] | None:
    """A text of several lines as a literal block (`|`), its lines indented by `indent`; None when
    no literal block reads back exactly this text (a blank line kept at its end, a carriage return…)."""
    if "\n" not in text or text.endswith("\n\n") or not text.strip("\n"):
        return None
    body = text[:-1] if text.endswith("\n") else text
    lines = ["|" if text.endswith("\n") else "|-"] + [indent + line if line else "" for line in body.split("\n")]
    try:  # read back: a first line that starts with a space, a tab or a CR would read otherwise
        read = yaml.safe_load("k: " + "\n".join(lines) + "\n")
    except yaml.YAMLError:
        return None
    return lines if read == {"k": text} else None


def flow_list(items: list[Any]) -> str:
    return "[" + ", ".join(_flow_item(item) for item in items) + "]"


def _flow_item(item: Any) -> str:
    if isinstance(item, dict):
        return "{" + ", ".join(f"{scalar(k, flow=True)}: {scalar(v, flow=True)}" for k, v in item.items()) + "}"
    return scalar(item, flow=True)


def record_lines(
    record: dict[str, Any], keys: tuple[str, ...], indent: str = "", keep_empty: tuple[str, ...] = ()
) -> list[tuple[str, list[str]]]:
    """Each key of a record with the lines it takes, keys in canonical order, empties left out."""
    out: list[tuple[str, list[str]]] = []
    ordered = [k for k in keys if k in record] + [k for k in record if k not in keys]
    for key in ordered:
        value = _normalized(key, record[key])
        if (value is None or value == [] or value == {}) and key not in keep_empty:
            continue
        prefix = f"{indent}- " if not out else f"{indent}  "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            out.append((key, [f"{prefix}{key}:"] + [f"{indent}    - {_flow_item(item)}" for item in value]))
        elif isinstance(value, list):
            out.append((key, [f"{prefix}{key}: {flow_list(value)}"]))
        elif isinstance(value, dict):
            out.append((key, [f"{prefix}{key}: {_flow_item(value)}"]))
        elif isinstance(value, str) and key not in ALWAYS_QUOTED and (block := block_literal(value, f"{indent}    ")):
            out.append((key, [f"{prefix}{key}: {block[0]}", *block[1:]]))  # content of several lines, as typed
        else:
            out.append((key, [f"{prefix}{key}: {scalar(value, quote=key in ALWAYS_QUOTED)}"]))
    return out


_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _normalized(key: str, value: Any) -> Any:
    """Values as the canonical layout writes them: a time is "08:30", whoever typed 8:30."""
    if key in ("start", "end") and isinstance(value, str):
        match = _CLOCK.match(value.strip())
        if match:
            return f"{int(match.group(1)):02d}:{match.group(2)}"
    return value


def record_block(record: dict[str, Any], keys: tuple[str, ...], indent: str = "", keep_empty: tuple[str, ...] = ()) -> str:
    """One record as a `- key: value` block."""
    return "".join(line + "\n" for _, lines in record_lines(record, keys, indent, keep_empty) for line in lines)


def flow_record(record: dict[str, Any], keys: tuple[str, ...], indent: str = "") -> str:
    """One short record on one line: `- {kind: monthly, period: 2022-05, …}`."""
    ordered = [k for k in keys if k in record] + [k for k in record if k not in keys]
    pairs = [f"{k}: {_flow_value(k, record[k])}" for k in ordered if record[k] is not None]
    return f"{indent}- {{{', '.join(pairs)}}}\n"


def _flow_value(key: str, value: Any) -> str:
    if isinstance(value, (list, dict)):
        return _flow_item(value) if isinstance(value, dict) else flow_list(value)
    return scalar(value, quote=key in ALWAYS_QUOTED, flow=True)


def record_text(kind: str, record: dict[str, Any]) -> str:
    """One record of a file kind (`activities`, `roster`, `personal`, …) as that kind lays it out."""
    layout = KINDS[kind]
    if layout.layout == "line":
        return flow_record(record, layout.keys, layout.indent)
    return record_block(record, layout.keys, layout.indent, layout.keep_empty)


# Appending a record to a file a clerk may have laid out otherwise. Only the first lines (where the
# list starts) and the last ones (where it ends) are looked at: a file of 60 MB is not parsed again.
_ITEM = re.compile(r"( *)-(?:[ \t]|$)")
"""A line that starts an item of a block list, and the indent of its `-`."""
_EMPTY_LIST = re.compile(r"\[[ \t]*\][ \t]*(?:#.*)?")
_MARKER = re.compile(r"(?:---|\.\.\.)(?:[ \t]|$)")
"""`---` (a document starts) or `...` (it ends)."""


@dataclass(frozen=True)
class LayoutMismatch:
    """Why a record cannot be appended to a file as it is laid out, and where (1-based)."""

    line: int
    column: int
    shape: Literal["flow", "document-end", "after-records"]
    """`flow`: the records stand in a `[...]` list; `document-end`: a `...` or `---` line ends the
    file; `after-records`: a line after the list that is not part of it."""


@dataclass(frozen=True)
class _ListAt:
    """How a file's list of records begins: `block` at an indent, `empty` as `[]` at `span`,
    `none` (no list yet: empty or only comments), or `unknown` (not a list this looks into)."""

    how: Literal["block", "empty", "none", "unknown"]
    indent: str = ""
    span: tuple[int, int] = (0, 0)
    line: int = 0


def append_records(old: bytes | None, text: str, kind: FileKind) -> bytes | LayoutMismatch:
    """`old`, then `text` (records in the kind's canonical layout) laid out to join the list in the file.

    Every old byte stays, in order, as a prefix: the records take the indent the file's records
    have (`volunteers:` with its `- id:` at the margin is as valid as the canonical two spaces; so
    is a month whose records are indented), and a file without records yet gets `volunteers:`
    first where the kind needs it. The one exception is an empty `[]`, which the first record
    replaces (the rest of its line, a comment, stays). A layout a record cannot follow without
    rewriting what is there (a `[...]` list, a `...` end marker, a line after the list) is a
    `LayoutMismatch`: `fmt` rewrites those. A file that is not UTF-8 or not a list is appended to
    as it is, and validation says what is wrong with it."""
    if not old or not old.strip():
        return ((f"{kind.records_key}:\n" if kind.records_key else "") + text).encode("utf-8")
    try:
        current = old.decode("utf-8")
    except UnicodeDecodeError:
        return _after(old, text, kind)
    found = _records_list(current, kind)
    if isinstance(found, LayoutMismatch):
        return found
    if found.how == "none":
        return _after(old, (f"{kind.records_key}:\n" if kind.records_key else "") + text, kind)
    if found.how == "empty":
        return _after(_without_empty_list(current, found.span).encode("utf-8"), text, kind)
    if found.how == "block" and found.indent != kind.indent:
        text = _reindent(text, kind.indent, found.indent)
    return _after(old, text, kind)


def _after(old: bytes, text: str, kind: FileKind) -> bytes:
    """The old bytes with a final newline (and a blank line where the kind keeps records apart), then the text,
    its lines ending as the file's do (a file saved with Windows line ends keeps them, not a mix)."""
    first_end = old.find(b"\n")
    newline = b"\r\n" if first_end > 0 and old[first_end - 1 : first_end] == b"\r" else b"\n"
    added = text.encode("utf-8").replace(b"\n", newline)
    if not old.strip():
        return old + added
    if not old.endswith(b"\n"):
        old += newline
    if kind.blank_between and not old.endswith(newline * 2):
        old += newline
    return old + added


def _reindent(text: str, canonical: str, indent: str) -> str:
    """The records moved from the canonical indent to the file's (a blank line stays blank)."""
    return "".join(indent + line[len(canonical) :] if line.strip() else line for line in text.splitlines(keepends=True))


def _without_empty_list(text: str, span: tuple[int, int]) -> str:
    """The text without the `[]` at `span`; its line goes when nothing but spaces is left of it."""
    begin = text.rfind("\n", 0, span[0]) + 1
    end = text.find("\n", span[1])
    end = len(text) if end < 0 else end
    before, after = text[begin : span[0]].rstrip(), text[span[1] : end].strip()
    kept = f"{before}  {after}" if before and after else before or after
    if not kept:
        return text[:begin] + text[end + 1 :]
    return text[:begin] + kept + text[end:]


def _records_list(text: str, kind: FileKind) -> _ListAt | LayoutMismatch:
    """Where the file's records begin, then whether its last lines are still theirs."""
    lines = _forward(text)
    first = _next_content(lines, directives=True)
    if first is None:
        return _ListAt("none")
    number, start, line = first
    if line.startswith("---") and _MARKER.match(line):
        rest = line[3:]
        if rest.strip() and not rest.lstrip().startswith("#"):
            line = "   " + rest  # `--- [...]`: the list starts on the marker's line
        elif (first := _next_content(lines)) is None:
            return _ListAt("none")
        else:
            number, start, line = first
    if kind.records_key is not None:
        name = re.escape(kind.records_key)
        key = re.match(rf"""(?:{name}|"{name}"|'{name}')[ \t]*:(?:[ \t]+|$)""", line)
        if key is None:  # `{volunteers: [...]}` is a flow list too; anything else is not a roster this reads
            return LayoutMismatch(number, line.index("{") + 1, "flow") if line.lstrip().startswith("{") else _ListAt("unknown")
        value = line[key.end() :]
        if value.strip() and not value.lstrip().startswith("#"):
            return _value_list(text, number, start + key.end(), value)
        item = _next_content(lines)
        if item is None:
            return _ListAt("block", kind.indent)  # `volunteers:` and nothing under it yet
        number, start, line = item
    block = _ITEM.match(line)
    if block is None:
        return _value_list(text, number, start, line)
    found = _ListAt("block", block.group(1))
    return _ends_in_list(text, found) or found


def _value_list(text: str, number: int, offset: int, value: str) -> _ListAt | LayoutMismatch:
    """The list written where a value starts (`[]`, `[{…}]`), or `unknown` for anything else."""
    column = len(value) - len(value.lstrip())
    offset += column
    if _EMPTY_LIST.fullmatch(value.strip()):
        found = _ListAt("empty", span=(offset, text.index("]", offset) + 1), line=number)
        return _ends_in_list(text, found) or found
    if value.lstrip().startswith("["):
        return LayoutMismatch(number, offset - text.rfind("\n", 0, offset), "flow")
    return _ListAt("unknown")


def _ends_in_list(text: str, found: _ListAt) -> LayoutMismatch | None:
    """None when the file's last line of content still belongs to its list of records."""
    last = _last_content(text)
    if last is None:
        return None
    start, line = last
    marker = _MARKER.match(line) is not None
    lead = len(line) - len(line.lstrip(" "))
    if found.how == "block" and not marker and (lead > len(found.indent) or (lead == len(found.indent) and line[lead] == "-")):
        return None  # inside the last record, or a record of its own
    number = text.count("\n", 0, start) + 1
    if found.how == "empty" and number == found.line:
        return None  # `[]` is the last thing in the file
    if marker:
        return LayoutMismatch(number, 1, "document-end")
    return LayoutMismatch(number, lead + 1, "after-records")


def _forward(text: str) -> Iterator[tuple[int, int, str]]:
    """(line number, offset, line) from the first line on, read as needed."""
    start, number = 0, 1
    if text.startswith("\ufeff"):
        start = 1
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        yield number, start, text[start:end].rstrip("\r")
        start, number = end + 1, number + 1


def _content_line(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not stripped.startswith("#")


def _next_content(lines: Iterator[tuple[int, int, str]], directives: bool = False) -> tuple[int, int, str] | None:
    """The next line that is neither blank nor a comment (nor, at the top, a `%YAML` directive)."""
    for number, start, line in lines:
        if _content_line(line) and not (directives and line.startswith("%")):
            return number, start, line
    return None


def _last_content(text: str) -> tuple[int, str] | None:
    """(offset, line) of the file's last line that is neither blank nor a comment."""
    end = len(text)
    while end > 0:
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].rstrip("\r")
        if _content_line(line):
            return start, line
        end = start - 1
    return None
