"""One table model, rendered to the terminal or CSV; problems as located text or JSON.

Reports build `Table`s (hledger's way: one model, many renderers). JSON is
written from each result model directly, because its shape is a contract.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from array import array
from codecs import BOM_UTF8
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

from vsledger.core.personal import mask_text
from vsledger.core.problems import NAME_CODES, Level, Problem
from vsledger.render.messages import problem_hint, problem_message, ui

if TYPE_CHECKING:  # rich is loaded when something is drawn, not when a command starts
    from rich.console import Console
    from rich.text import Text

Align = Literal["left", "right", "center"]


@dataclass
class Column:
    header: str
    align: Align = "left"
    no_wrap: bool = False
    """Ids must stay whole on screen."""
    min_terminal_width: int = 0
    """A long, secondary column shown on the terminal only when there is room for it."""
    optional: bool = False
    """Left out of the grid when a row does not fit with it (before the table turns to blocks)."""
    key: bool = False
    """Names the row (an id, a name): the head of the row's block when the table is shown a
    record a block (the first column when no column is a key)."""


@dataclass
class Styled:
    """A cell in pieces, each with its terminal style (a coloured status strip); plain text elsewhere."""

    parts: list[tuple[str, str | None]]

    def __str__(self) -> str:
        return "".join(text for text, _ in self.parts)


@dataclass
class Items:
    """A list in one cell (what falls short): on a narrow terminal one item a line, so a wrap
    never separates an id from its name; elsewhere joined with '; '."""

    parts: list[str]

    def __str__(self) -> str:
        return "; ".join(self.parts)


ITEMS_ONE_PER_LINE_BELOW = 120
"""Terminal width under which an `Items` cell puts each item on its own line."""


@dataclass
class BarChart:
    """Hours per month or per team as bars: a picture of numbers the tables and JSON already hold.

    Drawn on the terminal only; csv and json never carry it."""

    title: str
    bars: list[tuple[str, Decimal]]
    unit: str = "h"
    caption: str = ""


@dataclass
class Table:
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    styles: list[str | None] = field(default_factory=list)
    """Per-row style for the terminal (e.g. a status colour); ignored elsewhere."""
    caption: str = ""

    def drop_column(self, index: int) -> None:
        """Leave a column out, e.g. the unit when every row is the same unit: room for the rest."""
        self.columns.pop(index)
        self.rows = [row[:index] + row[index + 1 :] for row in self.rows]


# C0 and C1 controls (ESC, BEL, the 8-bit CSI), DEL, and the bidirectional overrides that make
# text read other than it is: never written raw to a terminal, a CSV or a message.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROLS_AND_BREAKS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str, one_line: bool = False) -> str:
    """Control characters from a file shown as `\\x1b`: they reach the reader as text, never as commands."""
    return (_CONTROLS_AND_BREAKS if one_line else _CONTROLS).sub(_escaped, text)


def safe_text(text: str, one_line: bool = False) -> str:
    """What any output may show of text from a file: numbers masked, controls escaped."""
    return escape_controls(mask_text(text), one_line)


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (Styled, Items)):
        return safe_text(str(value))
    if isinstance(value, Decimal):  # hours: always two places, so columns line up
        return format(value.quantize(Decimal("0.01")), "f")
    if isinstance(value, date):
        return value.isoformat()
    return safe_text(str(value))


WRAP_FLOOR = 6
"""Cells (three CJK characters) a wrapping column keeps at least: narrower, its text is noise."""


def render_terminal(tables: list[Table | BarChart], file: Any = None) -> None:
    """Each table as a grid when its rows fit the window, else one block per record (`label: value`
    lines under the record's id and name): ids are never wrapped and no column shrinks to nothing."""
    from rich.console import Console

    console = Console(file=file or sys.stdout, highlight=False, soft_wrap=False)
    for table in tables:
        if isinstance(table, BarChart):
            render_chart(table, console)
            continue
        shown = [i for i, column in enumerate(table.columns) if console.width >= column.min_terminal_width]
        columns = [table.columns[i] for i in shown]
        rows = [[_rich_cell(row[i], console.width) for i in shown] for row in table.rows]
        styles = [table.styles[index] if index < len(table.styles) else None for index in range(len(rows))]
        natural = natural_widths(columns, rows)
        least = least_widths(columns, rows, natural)
        kept = list(range(len(columns)))
        # Secondary columns leave the grid, the least wanted first, while a row does not fit with them.
        secondary = sorted(
            (j for j, c in enumerate(columns) if c.optional or c.min_terminal_width), key=lambda j: (columns[j].min_terminal_width, j)
        )
        while sum(least[j] for j in kept) > _room(console.width, len(kept)) and secondary:
            kept.remove(secondary.pop())
        room = _room(console.width, len(kept))
        if sum(least[j] for j in kept) > room:  # blocks have room for every column shown
            render_blocks(table, columns, rows, styles, console)
            continue
        columns, rows = [columns[j] for j in kept], [[row[j] for j in kept] for row in rows]
        natural, least = [natural[j] for j in kept], [least[j] for j in kept]
        widths = None if rich_keeps(columns, natural, least, room) else squeezed(natural, least, room)
        render_grid(table, columns, rows, styles, widths, console)


def _room(width: int, columns: int) -> int:
    """The cells left for content: a rule between columns and at each edge, a cell of padding each side."""
    return width - 3 * columns - 1


def render_grid(
    table: Table, columns: list[Column], rows: list[list[Text]], styles: list[str | None], widths: list[int] | None, console: Console
) -> None:
    """The table as rich draws it, each column `widths` wide when given."""
    from rich.table import Table as RichTable
    from rich.text import Text

    rich_table = RichTable(title=table.title, caption=table.caption or None, title_justify="left", caption_justify="left")
    for index, column in enumerate(columns):
        # Numbers are short and unreadable once broken: a right-aligned column never wraps.
        no_wrap = column.no_wrap or column.align == "right"
        # A header is words: it may wrap within a column only as wide as the ids under it.
        header = Text(column.header, no_wrap=False)
        width = widths[index] if widths else None
        rich_table.add_column(header, justify=column.align, overflow="fold", no_wrap=no_wrap, width=width)
    for row, style in zip(rows, styles, strict=True):
        rich_table.add_row(*row, style=style)
    console.print(rich_table)


def render_blocks(table: Table, columns: list[Column], rows: list[list[Text]], styles: list[str | None], console: Console) -> None:
    """One block per record: its key values (id, name) as the head, every other cell a `label: value`
    line beneath, values aligned and wrapped between words so that an id stays whole."""
    from rich.cells import cell_len
    from rich.text import Text

    if table.title:
        console.print(Text(table.title, style="table.title"))
    keys = [j for j, column in enumerate(columns) if column.key]
    fields = [j for j in range(len(columns)) if j not in (keys or [0])]
    # Labels as wide as the longest, unless that leaves an id among the values too little room.
    longest_word = max((_longest_unbroken(row[j].plain) for row in rows for j in fields), default=0)
    label_width = min(max((cell_len(columns[j].header) + 1 for j in fields), default=0), max(4, console.width - 3 - longest_word))
    value_width = max(1, console.width - 3 - label_width)
    for row, style in zip(rows, styles, strict=True):
        # Without a key column the first names the record, with its label: `行 3`.
        head = Text(" ").join(row[j] for j in keys if row[j].plain) if keys else Text(columns[0].header + " ") + row[0]
        head.stylize("bold")
        if style:
            head.stylize(style)
        console.print(head, overflow="fold")
        lines: list[Text] = []
        for j in fields:
            if row[j].plain:
                lines += _field_lines(columns[j].header, row[j], label_width, value_width, console)
        if lines:
            console.print(Text("\n").join(lines), no_wrap=True, overflow="ignore")
    if table.caption:
        console.print(Text(table.caption, style="table.caption"))


def _field_lines(label: str, value: Text, label_width: int, value_width: int, console: Console) -> list[Text]:
    """`  label: value`, the value's lines under its first: a hanging indent."""
    from rich.text import Text

    label_lines = Text(label).wrap(console, max(1, label_width - 1), overflow="fold")
    label_lines[-1].append(":")
    value_lines = value.wrap(console, value_width, overflow="fold")
    lines = []
    for index in range(max(len(label_lines), len(value_lines))):
        line = Text("  ")
        part = label_lines[index] if index < len(label_lines) else Text()
        part.rstrip()
        line.append_text(part)
        line.append(" " * (label_width - part.cell_len + 1))
        if index < len(value_lines):
            line.append_text(value_lines[index])
        line.rstrip()
        lines.append(line)
    return lines


def natural_widths(columns: list[Column], rows: list[list[Text]]) -> list[int]:
    """Each column's width with nothing wrapped: its widest line, header included."""
    return [max([1, _widest_line(column.header)] + [_widest_line(row[j].plain) for row in rows]) for j, column in enumerate(columns)]


def least_widths(columns: list[Column], rows: list[list[Text]], natural: list[int]) -> list[int]:
    """The narrowest each column may be: an id or number column as wide as its widest value (its
    header may wrap); a text column as its longest unbreakable word (an id among names) and at
    least WRAP_FLOOR cells. A table whose row needs more than the window is shown in blocks."""
    least = []
    for j, column in enumerate(columns):
        if column.no_wrap or column.align == "right":
            least.append(max([_longest_unbroken(column.header)] + [_widest_line(row[j].plain) for row in rows]))
        else:
            word = max([_longest_unbroken(column.header)] + [_longest_unbroken(row[j].plain) for row in rows])
            least.append(min(natural[j], max(word, WRAP_FLOOR)))
    return least


def rich_keeps(columns: list[Column], natural: list[int], least: list[int], room: int) -> bool:
    """Whether rich's own squeeze (the widest text columns narrowed first) leaves every column its
    least: then the table is drawn as it always was. (`_collapse_widths` is rich's, unchanged since 10.)"""
    from rich.table import Table as RichTable

    if sum(natural) <= room:
        return True
    wrapping = [not (column.no_wrap or column.align == "right") for column in columns]
    collapse = getattr(RichTable, "_collapse_widths", None)
    if collapse is None:  # a rich without it: the widths are set here (`squeezed`), which always keeps the least
        return False
    collapsed = collapse([w + 2 for w in natural], wrapping, room + 2 * len(columns))
    return sum(collapsed) <= room + 2 * len(columns) and all(w - 2 >= low for w, low in zip(collapsed, least, strict=True))


def squeezed(natural: list[int], least: list[int], room: int) -> list[int]:
    """Widths summing to `room`: the widest column above its least gives up a cell, until it fits."""
    widths = list(natural)
    for _ in range(sum(widths) - room):
        widest = max((j for j in range(len(widths)) if widths[j] > least[j]), key=lambda j: widths[j])
        widths[widest] -= 1
    return widths


def _widest_line(text: str) -> int:
    from rich.cells import cell_len

    return max(cell_len(line) for line in text.split("\n"))


def _longest_unbroken(text: str) -> int:
    """The widest run a wrap must not break: a word of narrow characters (an id, a number);
    CJK text may break between any two characters."""
    from rich.cells import cell_len

    longest = 0
    for word in text.split():
        run = 0
        for char in word:
            width = cell_len(char)
            if width > 1:
                longest, run = max(longest, run, width), 0
            else:
                run += width
        longest = max(longest, run)
    return longest


def _rich_cell(value: Any, width: int) -> Text:
    """A cell as rich text: styled pieces keep their colour; nothing in a file is read as markup."""
    from rich.text import Text

    if isinstance(value, Items) and width < ITEMS_ONE_PER_LINE_BELOW:
        return Text(safe_text("\n".join(value.parts)))
    if isinstance(value, Styled):
        text = Text()
        for part, style in value.parts:
            text.append(safe_text(part), style=style)
        return text
    return Text(cell_text(value))


_EIGHTHS = " ▏▎▍▌▋▊▉"
CHART_MAX_WIDTH = 60


def bar(value: Decimal, largest: Decimal, width: int) -> str:
    """A bar of `width` cells for the largest value, to an eighth of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = int(value / largest * width * 8)
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def render_chart(chart: BarChart, console: Any) -> None:
    from rich.cells import cell_len
    from rich.text import Text

    console.print(Text(chart.title, style="bold"))
    if not chart.bars:
        return
    labels = [safe_text(label, one_line=True) for label, _ in chart.bars]
    values = [f"{cell_text(value)} {chart.unit}" for _, value in chart.bars]
    label_width = max(cell_len(label) for label in labels)
    value_width = max(len(v) for v in values)
    largest = max(value for _, value in chart.bars)
    room = console.width - label_width - value_width - 4
    if room < 8:  # too narrow for label, bar and value on one line: the bar goes under them, nothing is cut
        width = max(1, min(CHART_MAX_WIDTH, console.width - 2))
        for label, value_text, (_, value) in zip(labels, values, chart.bars, strict=True):
            console.print(Text(f"{label}  {value_text}"), overflow="fold")
            console.print(Text("│", style="dim").append(bar(value, largest, width), style="cyan"), no_wrap=True, overflow="crop")
    else:
        width = min(CHART_MAX_WIDTH, room)
        for label, value_text, (_, value) in zip(labels, values, chart.bars, strict=True):
            line = Text(label + " " * (label_width - cell_len(label)) + " │")
            drawn = bar(value, largest, width)
            line.append(drawn, style="cyan")
            line.append(" " * (width - len(drawn) + 1) + value_text.rjust(value_width))
            console.print(line, no_wrap=True, overflow="ignore")
    if chart.caption:
        console.print(Text(chart.caption, style="dim"))


def csv_safe(text: str) -> str:
    """OWASP: a cell that a spreadsheet would run as a formula starts with a quote."""
    if text and text[0] in "=+-@\t\r":
        return "'" + text
    return text


def render_csv(tables: list[Table], file: Any = None) -> None:
    out = file or sys.stdout
    writer = csv.writer(out, lineterminator="\n")
    for index, table in enumerate(tables):
        if index:
            out.write("\n")
        writer.writerow([c.header for c in table.columns])
        for row in table.rows:
            writer.writerow([csv_safe(cell_text(v)) for v in row])


def render_json(data: Any, file: Any = None) -> None:
    """Indented for a person at a terminal; compact (and several times faster) for a program."""
    out = file or sys.stdout
    indent = 2 if getattr(out, "isatty", lambda: False)() else None
    # json escapes C0 controls itself; C1 controls and the bidi overrides it leaves raw
    out.write(_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", mask_text(json.dumps(data, ensure_ascii=False, indent=indent))))
    out.write("\n")


# --- problems -------------------------------------------------------------------------


def problem_line(problem: Problem, lang: str) -> str:
    level = "" if problem.level is Level.ERROR else f"{ui('warning', lang)}: "
    line = f"{problem.file}:{problem.line}:{problem.column}: {problem.code}: {level}{problem_message(problem, lang)}"
    return safe_text(line, one_line=True)


def render_problems(
    problems: list[Problem], root: Path, lang: str, file: Any = None, excerpts: bool = True, overrides: dict[str, bytes] | None = None
) -> None:
    """`file:line:col: code: message`, then the line itself, a caret and a hint."""
    from rich.console import Console

    out = file or sys.stdout
    width = Console(file=out).width
    quoted: dict[str, QuotedFile] = {}
    for problem in problems:
        out.write(problem_line(problem, lang) + "\n")
        if not excerpts:
            continue
        source = None if problem.code in NAME_CODES else source_line(root, problem.file, problem.line, quoted, overrides or {})
        if source is not None:
            gutter = f"{problem.line:>5} | "
            before = safe_text(source[: max(0, problem.column - 1)], one_line=True)
            source = before + safe_text(source[max(0, problem.column - 1) :], one_line=True)
            shown, column = excerpt_window(source, len(before) + 1, width - len(gutter))
            out.write(gutter + shown + "\n")
            out.write(" " * (len(gutter) - 2) + "| " + _caret_pad(shown, column) + "^\n")
        hint = problem_hint(problem, lang)
        if hint:
            out.write(f"      {ui('hint', lang)}: {safe_text(hint, one_line=True)}\n")
    errors = sum(1 for p in problems if p.level is Level.ERROR)
    warnings = len(problems) - errors
    if problems:
        out.write(ui("problems-summary", lang, errors=errors, warnings=warnings) + "\n")
    else:
        out.write(ui("no-problems", lang) + "\n")


def excerpt_window(source: str, column: int, room: int) -> tuple[str, int]:
    """The part of a long line around `column` that fits `room` cells, '…' where it is cut;
    and the column in what is shown. A line that fits is shown whole."""
    from rich.cells import cell_len

    if cell_len(source) <= room or room < 20:
        return source, column
    index = max(0, min(column - 1, len(source)))
    start = index
    used = 0
    while start > 0 and used + cell_len(source[start - 1]) <= room // 3:  # a third of the room before the caret
        start -= 1
        used += cell_len(source[start])
    prefix = "…" if start > 0 else ""
    end = start
    budget = room - len(prefix) - 1  # keep a cell for a closing '…'
    used = 0
    while end < len(source) and used + cell_len(source[end]) <= budget:
        used += cell_len(source[end])
        end += 1
    suffix = "…" if end < len(source) else ""
    if not suffix:  # the line's end is in view: spend what is left on what comes before the caret
        used += 1
        while start > 0 and used + cell_len(source[start - 1]) <= budget:
            start -= 1
            used += cell_len(source[start])
        prefix = "…" if start > 0 else ""
    return prefix + source[start:end] + suffix, column - start + len(prefix)


def _caret_pad(source: str, column: int) -> str:
    """Spaces up to the column, counting wide (CJK) characters twice as a terminal does."""
    from rich.cells import cell_len

    return " " * cell_len(source[: max(0, column - 1)])


_LINE_BREAK = re.compile(rb"(\r\n|[\n\r\x0b\x0c\x1c-\x1e]|\xc2\x85|\xe2\x80[\xa8\xa9])")
"""Where `str.splitlines` ends a line, in UTF-8. Each break begins with an ASCII byte or the first
byte of a character, which a decoding error never swallows: a line's bytes decode alone to just
what they are in the whole text, replacement characters included."""
_ODD_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")
"""The breaks besides \\n and \\r\\n: without them a chunk is split by `bytes.split`, in C."""
_EVERY = 64
"""One line start in this many is remembered: a 60 MB month file's are ~160 KB."""
_INDEX_READ = 1 << 16
_QUOTE_READ = 1 << 12


def _bounds(text: bytes, base: int) -> list[int]:
    """Offsets [start, end, start, end, …] of each line break in `text`, whose first byte is at `base`."""
    newline = b"\n"
    if b"\r" in text:
        newline = b"\r\n" if text.count(b"\r") == text.count(b"\r\n") == text.count(b"\n") else b""
    if not newline or any(odd in text for odd in _ODD_BREAKS):  # rare: the pattern is several times slower
        pieces = list(map(len, _LINE_BREAK.split(text)))  # text, break, text, …, text
    else:
        lines = text.split(newline)
        pieces = [len(newline)] * (2 * len(lines) - 1)
        pieces[::2] = map(len, lines)
    return list(accumulate(pieces, initial=base))[1:-1]


def _breaks(stream: BinaryIO, start: int, chunk: int) -> Iterator[list[int]]:
    """The line breaks from byte `start` on, read `chunk` bytes at a time: each chunk's as offsets
    [start, end, start, end, …] (`_bounds`)."""
    stream.seek(start)
    buffer, base = b"", start
    while True:
        more = stream.read(chunk)
        buffer += more
        # a break may run across the end of what is read (\r, then \n; a break of two or three bytes)
        cutoff = base + (max(0, len(buffer) - 2) if more else len(buffer))
        bounds = _bounds(buffer, base)
        while bounds and bounds[-2] >= cutoff:
            del bounds[-2:]
        yield bounds
        if not more:
            return
        keep = max(cutoff, bounds[-1]) if bounds else cutoff
        buffer, base = buffer[keep - base :], keep


@dataclass(frozen=True)
class QuotedFile:
    """A file problems quote from: where every `_EVERY`-th line starts and how many lines it has
    (as `str.splitlines` counts them, after a BOM), so a quoted line is read by seeking to the
    nearest start: what is kept is a few bytes per hundred lines, not the file's text."""

    source: Path | bytes | None
    """The file inside the workspace, the text a refused write would have given it, or None: nothing is shown."""
    starts: array[int]
    count: int

    @classmethod
    def of(cls, root: Path, rel: str, overrides: dict[str, bytes]) -> QuotedFile:
        """Read once, end to end, a chunk at a time."""
        try:
            source: Path | bytes
            if rel in overrides:
                source = overrides[rel]
            else:
                source = (root / rel).resolve()
                if not source.is_relative_to(root.resolve()):
                    raise PermissionError(rel)  # a link out of the workspace: nothing of that file is shown
            with cls._open(source) as stream:
                end = len(BOM_UTF8) if stream.read(len(BOM_UTF8)) == BOM_UTF8 else 0
                starts, count = array("q", [end]), 0
                for bounds in _breaks(stream, end, _INDEX_READ):
                    ends = bounds[1::2]  # ends[i] ends line count + i + 1: keep those that end every _EVERY-th
                    starts.extend(ends[_EVERY - 1 - count % _EVERY :: _EVERY])
                    count += len(ends)
                    end = ends[-1] if ends else end
                if stream.seek(0, io.SEEK_END) > end:  # the last line, with no break after it
                    count += 1
        except OSError:
            return cls(None, array("q"), 0)
        return cls(source, starts, count)

    @staticmethod
    def _open(source: Path | bytes) -> BinaryIO:
        return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")

    def line(self, number: int) -> str | None:
        if self.source is None or not 1 <= number <= self.count:
            return None
        index, passing = divmod(number - 1, _EVERY)  # from the remembered start, lines to pass
        start, stop = self.starts[index], None
        try:
            with self._open(self.source) as stream:
                for bounds in _breaks(stream, start, _QUOTE_READ):
                    if passing * 2 > len(bounds):
                        passing -= len(bounds) // 2
                        continue
                    if passing:
                        start, bounds, passing = bounds[passing * 2 - 1], bounds[passing * 2 :], 0
                    if bounds:
                        stop = bounds[0]
                        break
                if passing:
                    return None  # the file lost lines since it was read
                stream.seek(start)
                raw = stream.read(stop - start) if stop is not None else stream.read()
        except OSError:
            return None
        return raw.decode("utf-8", errors="replace")


def source_line(root: Path, rel: str, line: int, cache: dict[str, QuotedFile], overrides: dict[str, bytes]) -> str | None:
    """The line as the problem saw it: a record refused before writing shows its would-be text.
    `cache` keeps each file's `QuotedFile` (where its lines start), not its text."""
    if rel not in cache:
        cache[rel] = QuotedFile.of(root, rel, overrides)
    return cache[rel].line(line)


def problems_json(problems: list[Problem], lang: str) -> dict[str, Any]:
    return {
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "column": p.column,
                "code": p.code,
                "level": p.level.value,
                "message": problem_message(p, lang),
            }
            for p in problems
        ]
    }


def problems_table(problems: list[Problem], lang: str) -> Table:
    table = Table(
        "",
        [Column(ui(k, lang)) for k in ("file", "line", "column", "code", "level", "message")],
    )
    for p in problems:
        table.rows.append([p.file, p.line, p.column, p.code, ui(p.level.value, lang), problem_message(p, lang)])
    return table
