"""One table model, rendered to the terminal or CSV; problems as located text or JSON.

Reports build `Table`s (hledger's way: one model, many renderers). JSON is
written from each result model directly, because its shape is a contract.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from vsledger.core.personal import mask_text
from vsledger.core.problems import Level, Problem
from vsledger.render.messages import problem_hint, problem_message, ui

Align = Literal["left", "right", "center"]


@dataclass
class Column:
    header: str
    align: Align = "left"
    no_wrap: bool = False
    """Ids must stay whole on screen."""
    min_terminal_width: int = 0
    """A long, secondary column shown on the terminal only when there is room for it."""


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


def render_terminal(tables: list[Table | BarChart], file: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table as RichTable

    console = Console(file=file or sys.stdout, highlight=False, soft_wrap=False)
    for table in tables:
        if isinstance(table, BarChart):
            render_chart(table, console)
            continue
        rich_table = RichTable(title=table.title, caption=table.caption or None, title_justify="left", caption_justify="left")
        shown = [i for i, column in enumerate(table.columns) if console.width >= column.min_terminal_width]
        for i in shown:
            column = table.columns[i]
            # Numbers are short and unreadable once broken: a right-aligned column never wraps.
            no_wrap = column.no_wrap or column.align == "right"
            rich_table.add_column(column.header, justify=column.align, overflow="fold", no_wrap=no_wrap)
        for index, row in enumerate(table.rows):
            style = table.styles[index] if index < len(table.styles) else None
            rich_table.add_row(*(_rich_cell(row[i], console.width) for i in shown), style=style)
        console.print(rich_table)


def _rich_cell(value: Any, width: int) -> Any:
    if isinstance(value, Items) and width < ITEMS_ONE_PER_LINE_BELOW:
        return safe_text("\n".join(value.parts))
    if isinstance(value, Styled):
        from rich.text import Text

        text = Text()
        for part, style in value.parts:
            text.append(safe_text(part), style=style)
        return text
    return cell_text(value)


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
    width = max(10, min(CHART_MAX_WIDTH, console.width - label_width - value_width - 4))
    largest = max(value for _, value in chart.bars)
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
    lines_cache: dict[str, list[str]] = {}
    for problem in problems:
        out.write(problem_line(problem, lang) + "\n")
        if not excerpts:
            continue
        source = source_line(root, problem.file, problem.line, lines_cache, overrides or {})
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


def source_line(root: Path, rel: str, line: int, cache: dict[str, list[str]], overrides: dict[str, bytes]) -> str | None:
    """The line as the problem saw it: a record refused before writing shows its would-be text."""
    if rel not in cache:
        try:
            if rel not in overrides and not (root / rel).resolve().is_relative_to(root.resolve()):
                raise PermissionError(rel)  # a link out of the workspace: nothing of that file is shown
            raw = overrides[rel] if rel in overrides else (root / rel).read_bytes()
            cache[rel] = raw.decode("utf-8-sig", errors="replace").splitlines()
        except OSError:
            cache[rel] = []
    lines = cache[rel]
    if 1 <= line <= len(lines):
        return lines[line - 1].rstrip("\r")
    return None


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
