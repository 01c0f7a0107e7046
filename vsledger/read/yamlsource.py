"""Read a ledger YAML file into plain values, with positions when asked.

We build values from the parser's event stream instead of PyYAML's constructor,
which gives us, in one bounded pass:
- duplicate keys rejected (PyYAML keeps the last one silently);
- no aliases, merge keys or custom tags (ledgers need none, and they are the
  road to billion-laughs documents), and a depth limit instead of recursion;
- our own scalar resolution, close to YAML 1.2's core schema: `8:30` stays the
  string it looks like, `no` stays a string, `3.5` becomes a Decimal (never a
  binary float) and only `YYYY-MM-DD` becomes a date.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from vsledger.core.problems import DocPath, Problem

try:  # LibYAML's parser when present; the pure-Python one gives the same events.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 64
MAX_FILE_BYTES = 64 * 1024 * 1024

_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_RE = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NULLS = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_STR_TAGS = {"!!str", "tag:yaml.org,2002:str"}
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x85\u2028\u2029]")

Position = tuple[int, int]  # 1-based line and column


@dataclass(slots=True)
class ParsedFile:
    data: Any = None
    problems: list[Problem] = field(default_factory=list)
    values: dict[DocPath, Position] | None = None
    """Position of the value at each path (only when parsed with positions)."""
    keys: dict[DocPath, Position] | None = None
    """Position of the key that introduces each mapping entry."""
    sides: tuple[Any, Any] | None = None
    """A file with git's conflict markers: each side's data, only to know which ids exist."""

    def position(self, path: DocPath, at_key: bool = False) -> Position:
        """Best position for `path`: the nearest enclosing node that exists."""
        assert self.values is not None and self.keys is not None
        if at_key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))


_MAYBE_NOT_TEXT = frozenset("0123456789+-.~nNtTfF")


def resolve_plain(text: str) -> Any:
    if text and text[0] not in _MAYBE_NOT_TEXT:  # most scalars: names, ids, places
        return text
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if _INT_RE.fullmatch(text):
        return int(text)
    if _DECIMAL_RE.fullmatch(text):
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the regex admits only valid text
            return text
    if _DATE_RE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    return text


BOM = b"\xef\xbb\xbf"
_SLICE = 1 << 20


def decode(raw: bytes, file: str) -> tuple[str | None, list[Problem]]:
    """Bytes to text: UTF-8 (a BOM allowed); anything else is named, with the fix."""
    problems = encoding_problems(raw, file)
    return (None, problems) if problems else (raw.removeprefix(BOM).decode("utf-8"), [])


def encoding_problems(raw: bytes, file: str) -> list[Problem]:
    """What `decode` refuses, found a slice at a time: a large file's text (two bytes a character
    for Chinese) is not made only to learn that the file can be read."""
    if len(raw) > MAX_FILE_BYTES:
        return [Problem(file, "file-too-large", {"size": len(raw), "limit": MAX_FILE_BYTES}, line=1, column=1)]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return [Problem(file, "encoding", {"encoding": "UTF-16"}, line=1, column=1)]
    start = len(BOM) if raw.startswith(BOM) else 0
    end = start
    while end < len(raw):
        begin, end = end, min(end + _SLICE, len(raw))
        for _ in range(3):  # a slice ends after a character, not inside one
            if end < len(raw) and raw[end] & 0xC0 == 0x80:
                end += 1
        try:
            raw[begin:end].decode("utf-8")
        except UnicodeDecodeError as exc:
            at = begin + exc.start
            line, column = _line_column(raw, start, at)
            encoding = "UTF-8"
            try:
                raw[start:].decode("gb18030")
                encoding = "GB18030"
            except UnicodeDecodeError:
                pass
            return [Problem(file, "encoding", {"encoding": encoding}, line=line, column=column)]
    nul = raw.find(b"\x00", start)
    if nul >= 0:
        line, column = _line_column(raw, start, nul)
        line_start = nul - column + 1
        return [Problem(file, "nul-byte", {}, line=line, column=len(raw[line_start:nul].decode("utf-8")) + 1)]
    return []


def _line_column(raw: bytes, start: int, at: int) -> Position:
    """Line and byte column of offset `at`, counted from `start` (after a BOM)."""
    line_start = max(raw.rfind(b"\n", start, at) + 1, start)
    return raw.count(b"\n", start, at) + 1, at - line_start + 1


_MARKERS = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")


def conflict_sides(text: str) -> tuple[int, str, str] | None:
    """The line of git's first conflict marker and the text of each side; None without markers.

    A conflicted file is one problem at its marker, not a YAML error and twenty knock-ons."""
    if "<<<<<<<" not in text:
        return None
    first = 0
    state = 0  # 0 both sides, 1 ours, 2 the merge base (diff3), 3 theirs
    ours: list[str] = []
    theirs: list[str] = []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        marker = line[:7]
        if marker in _MARKERS and (len(line) == 7 or line[7] in " \r\n"):
            first = first or number
            state = {"<<<<<<<": 1, "|||||||": 2, "=======": 3, ">>>>>>>": 0}[marker]
            continue
        if state in (0, 1):
            ours.append(line)
        if state in (0, 3):
            theirs.append(line)
    return (first, "".join(ours), "".join(theirs)) if first else None


def parse_text(
    source: str | bytes,
    file: str,
    positions: bool = False,
    wanted: set[DocPath] | None = None,
    each: Each | None = None,
    each_under: str | None = None,
) -> ParsedFile:
    """`source`: text, or UTF-8 bytes already checked by `decode` (LibYAML reads UTF-8 either way and
    gives the same events and marks; bytes spare a large file's text, two bytes a character).

    `wanted`: with positions, keep only these paths' (a large file's every position took 28 times its size).

    `each`: when the document is a list, every item is handed to `each(index, item)` as soon as it is
    read and the list keeps what it returns, so a month file's records need not all be held as values
    at once. On a YAML error the data is None as always: the caller drops what `each` kept.
    `each_under`: the list handed on is the one under this key of a mapping document (a roster's
    `volunteers`), not the document itself."""
    result = ParsedFile()
    values: dict[DocPath, Position] | None = {} if positions else None
    keys: dict[DocPath, Position] | None = {} if positions else None
    result.values, result.keys = values, keys
    problems = result.problems

    def problem(code: str, mark: Any, **args: Any) -> None:
        problems.append(Problem(file, code, args, line=mark.line + 1, column=mark.column + 1))

    # Short plain scalars, each read once: the same id, title, date or hours written a million
    # times in a large file is one object in what is kept of it (they are all immutable).
    resolved: dict[str, Any] = {}
    # Frames: [container, path, pending_key, key_mark, seen_keys]
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    skip_depth = 0  # >0 while skipping a subtree we refused

    def place(value: Any, mark: Any) -> bool:
        """Attach a finished value to its parent; False when it must be dropped."""
        nonlocal root
        if not stack:
            root = value
            if values is not None:
                values[()] = (mark.line + 1, mark.column + 1)
            return True
        frame = stack[-1]
        container, path = frame[0], frame[1]
        if isinstance(container, list):
            if values is not None and (wanted is None or path + (len(container),) in wanted):
                values[path + (len(container),)] = (mark.line + 1, mark.column + 1)
            container.append(value)
            return True
        key = frame[2]
        if key is _NO_KEY:
            # This value is a key.
            if isinstance(value, (dict, list)):
                problem("yaml-complex-key", mark)
                frame[2] = _BAD_KEY
                return False
            if value == "<<":
                problem("yaml-merge-key", mark)
                frame[2] = _BAD_KEY
                return False
            key_value = "" if value is None else value
            if not isinstance(key_value, str):
                key_value = str(key_value)
            if key_value in frame[4]:
                problem("duplicate-key", mark, key=key_value)
                frame[2] = _BAD_KEY
                return False
            frame[4].add(key_value)
            frame[2] = key_value
            frame[3] = mark
            return True
        frame[2] = _NO_KEY
        if key is _BAD_KEY:
            return False
        if values is not None and keys is not None and (wanted is None or path + (key,) in wanted):
            values[path + (key,)] = (mark.line + 1, mark.column + 1)
            keys[path + (key,)] = (frame[3].line + 1, frame[3].column + 1)
        container[key] = value
        return True

    def child_path() -> DocPath:
        if not stack:
            return ()
        frame = stack[-1]
        if isinstance(frame[0], list):
            return frame[1] + (len(frame[0]),)
        key = frame[2]
        return frame[1] + (key if isinstance(key, str) else "?",)

    def skip_value_slot() -> None:
        """A refused value still fills its slot, so keys and values stay paired."""
        if stack and isinstance(stack[-1][0], dict):
            frame = stack[-1]
            frame[2] = _BAD_KEY if frame[2] is _NO_KEY else _NO_KEY

    parser = _Loader(source)
    get_event = parser.get_event
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is _Scalar or kind is _MappingStart or kind is _SequenceStart:
                if event.anchor is not None:
                    problem("yaml-anchor", event.start_mark, anchor=event.anchor)
                tag = event.tag
                if tag is not None and tag != "!" and not (kind is _Scalar and tag in _STR_TAGS):
                    problem("yaml-tag", event.start_mark, tag=tag)
                    if kind is _Scalar:
                        if not skip_depth:
                            skip_value_slot()
                    else:
                        skip_depth += 1
                    continue
            if skip_depth:
                if kind is _MappingStart or kind is _SequenceStart:
                    skip_depth += 1
                elif kind is _MappingEnd or kind is _SequenceEnd:
                    skip_depth -= 1
                    if not skip_depth:
                        skip_value_slot()
                continue
            if kind is _Scalar:
                value: Any = event.value
                if event.implicit[0] and not event.style and event.tag is None:
                    raw = value
                    value = resolved.get(raw, _UNSEEN)
                    if value is _UNSEEN:
                        value = resolve_plain(raw)
                        if len(raw) <= _SHARED_LENGTH:
                            resolved[raw] = value
                if type(value) is str:
                    bad = _BAD_CHARS.search(value)
                    if bad is not None:
                        problem("control-character", event.start_mark, char=f"U+{ord(bad.group()):04X}")
                        value = _BAD_CHARS.sub("", value)
                if values is None and stack:
                    # The hot path, without positions: a list item, a key, or a key's value.
                    frame = stack[-1]
                    container = frame[0]
                    if type(container) is list:
                        container.append(value)
                        continue
                    if type(container) is dict:
                        key = frame[2]
                        if key is _NO_KEY:
                            if type(value) is str and value != "<<" and value not in frame[4]:
                                frame[4].add(value)
                                frame[2] = value
                                frame[3] = event.start_mark
                                continue
                        elif key is not _BAD_KEY:
                            container[key] = value
                            frame[2] = _NO_KEY
                            continue
                place(value, event.start_mark)
            elif kind is _MappingStart or kind is _SequenceStart:
                if len(stack) >= MAX_DEPTH:
                    problem("yaml-too-deep", event.start_mark, limit=MAX_DEPTH)
                    return _abandon(result)
                streams = each is not None and (
                    not stack if each_under is None else len(stack) == 1 and type(stack[0][0]) is dict and stack[0][2] == each_under
                )
                container: Any = {} if kind is _MappingStart else _Streamed(each) if streams else []
                stack.append([container, child_path(), _NO_KEY, None, set(), event.start_mark])
            elif kind is _MappingEnd or kind is _SequenceEnd:
                frame = stack.pop()
                place(frame[0], frame[5])
            elif kind is yaml.AliasEvent:
                problem("yaml-alias", event.start_mark, anchor=event.anchor)
                skip_value_slot()
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    problem("yaml-multiple-documents", event.start_mark)
                    break
            elif kind is yaml.StreamEndEvent or event is None:
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or exc.context or "invalid YAML"
        if mark is not None and "nesting depth" in message:
            # LibYAML (PyYAML >= 6.0.3 with it) stops deep flow nesting in its scanner,
            # before our own depth check sees the events: the same problem for the user.
            problem("yaml-too-deep", mark, limit=MAX_DEPTH)
        elif mark is not None:
            if _char_at(source, mark.line, mark.column) == "\t":  # LibYAML does not say it is a tab
                message = "tab character"
            problem("yaml-syntax", mark, detail=message)
        else:  # pragma: no cover - PyYAML always marks parser errors
            problems.append(Problem(file, "yaml-syntax", {"detail": message}, line=1, column=1))
        return _abandon(result)
    except yaml.YAMLError as exc:  # reader errors: characters YAML does not allow
        character = getattr(exc, "character", None)
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        at = text.find(character) if isinstance(character, str) else text.find(chr(character)) if isinstance(character, int) else -1
        if at >= 0:  # where the character is (LibYAML counts bytes, the pure reader characters: find it)
            line = text.count("\n", 0, at) + 1
            column = at - (text.rfind("\n", 0, at) + 1) + 1
            problems.append(Problem(file, "control-character", {"char": f"U+{ord(text[at]):04X}"}, line=line, column=column))
        else:
            problems.append(Problem(file, "yaml-syntax", {"detail": str(exc).splitlines()[0]}, line=1, column=1))
        return _abandon(result)
    finally:
        parser.dispose()
    result.data = list(root) if type(root) is _Streamed else root
    return result


def _char_at(source: str | bytes, line: int, column: int) -> str:
    """The character at a parser's mark (0-based line and column), "" when out of range."""
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _abandon(result: ParsedFile) -> ParsedFile:
    """A file we could not read whole yields no data: half a roster is worse than none."""
    result.data = None
    return result


Each = Callable[[int, Any], Any]


class _Streamed(list[Any]):
    """The document's own list when items are handed on as they are read (`parse_text`'s `each`)."""

    __slots__ = ("each",)

    def __init__(self, each: Each) -> None:
        super().__init__()
        self.each = each

    def append(self, value: Any) -> None:
        super().append(self.each(len(self), value))


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return self.name


_Scalar = yaml.ScalarEvent
_MappingStart, _MappingEnd = yaml.MappingStartEvent, yaml.MappingEndEvent
_SequenceStart, _SequenceEnd = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_NO_KEY = _Marker("NO_KEY")
_UNSEEN = _Marker("UNSEEN")
_SHARED_LENGTH = 32
_BAD_KEY = _Marker("BAD_KEY")
