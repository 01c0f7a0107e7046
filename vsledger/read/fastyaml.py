"""A faster way to a file's values, for the files it can read exactly as `parse_text` does.

yaml-rs (Rust, an optional extra: `pip install 'vsledger[fast]'`) builds a file's values
about five times faster than our PyYAML event loop (benchmarks/README.md), but it reads
YAML 1.2 in its own way: `2.50` is a binary float, `007` and `0x1F` are numbers, it has
anchors, tags and datetimes, and its errors are not ours. So it is used only where it
cannot differ:

- before parsing, a file with anything outside the plain ledger subset — anchors, aliases,
  tags, directives, document markers, block scalars, complex keys, tabs, CR, escapes,
  control or non-printable characters, or a number written in a way the two read
  differently — goes to PyYAML;
- after parsing, a value of a type it must not make (a float that does not give back its
  text, a time, a non-text key, a nesting too deep) sends the file to PyYAML too;
- any error sends the file to PyYAML, which reports it as always.

So the fast path yields data and never a problem; PyYAML stays the reference, reads every
file whose values it declines, and gives every position (`locate`). `VSLEDGER_YAML=pyyaml`
turns the fast path off. tests/test_fastyaml.py compares the two on the yaml-test-suite
corpus, the samples and generated workspaces.
"""

from __future__ import annotations

import os
import re
from datetime import date
from decimal import Decimal
from typing import Any

from vsledger.read.yamlsource import MAX_DEPTH, ParsedFile

try:
    import yaml_rs
except ImportError:  # the optional extra is not installed: PyYAML reads everything
    yaml_rs = None

# Characters outside the subset the two parsers read alike: anchors, aliases, tags, directives,
# block scalars, complex keys, reserved indicators, escapes, merge keys; tabs and CR; control,
# non-printable and surrogate characters; the line separators PyYAML breaks lines at.
_DECLINED_CHARS = re.compile("[&*!%|>?@`\\\\<\t\r\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_DECLINED_LINE = re.compile(r"\n(?:---|\.\.\.| *:)")  # document markers (several documents, or one marked); a line
# starting with a colon (`"k"\n: v`), which YAML 1.2 reads in flow and PyYAML refuses
_DECLINED_COLON = re.compile(r":[^\s0-9]|[ \[{,]:")  # likewise a colon before a non-space (`{x: :x}`, `a:,`,
# `"k":v`) or where a scalar starts (`[:5]`)
# Runs of characters a number, date or time is written with, where a plain scalar starts; each is
# checked against the forms the two parsers read differently.
_TOKEN = re.compile(r"[\n \[{,:]([-+._0-9][-+.0-9A-Za-z_:]*)")
_RISKY = re.compile(
    r"[-+]?(?:0[0-9xXoObB]"  # leading zeros, hex, octal, binary
    r"|[0-9.]+[eE]"  # exponents
    r"|\.(?:inf|Inf|INF|nan|NaN|NAN)"  # infinities
    r"|[0-9]+:[0-9]+:)"  # sexagesimal numbers and times of day
)
_DECIMAL = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)")


def enabled() -> bool:
    return yaml_rs is not None and os.environ.get("VSLEDGER_YAML", "").lower() != "pyyaml"


def parse_fast(text: str) -> ParsedFile | None:
    """The file's values when the fast parser reads them exactly as PyYAML's path does; else None."""
    if yaml_rs is None or not enabled() or _DECLINED_CHARS.search(text) or _DECLINED_COLON.search(text):
        return None
    if _DECLINED_LINE.search("\n" + text[:4]) or _DECLINED_LINE.search(text) or not _numbers_agree("\n" + text):
        return None
    try:
        data = yaml_rs.loads(text, parse_datetime=True)
    except Exception:
        return None
    document = [data]
    return ParsedFile(data=document[0]) if _as_ours(document, 0) else None


def _numbers_agree(text: str) -> bool:
    """No plain scalar is a number written as only one of the parsers reads it."""
    for match in _TOKEN.finditer(text):
        at = match.start()
        if text[at] == ":" and text[at - 1].isdigit():  # the minutes of `8:30`, not a scalar's start
            continue
        token = match.group(1)
        if "_" in token or _RISKY.match(token):  # digit separators (`1_000`, `2.5_0`) and the forms above
            return False
        decimal = _DECIMAL.match(token)
        if decimal is not None:  # a decimal must come back from its float as the same text
            written = decimal.group()
            if str(Decimal(repr(float(written)))) != str(Decimal(written)):
                return False
    return True


def _as_ours(container: dict[Any, Any] | list[Any], depth: int) -> bool:
    """Turn floats into Decimals in place; False where the value is not one parse_text can build."""
    if depth >= MAX_DEPTH:
        return False
    slots: Any
    if type(container) is dict:
        if any(type(key) is not str for key in container):
            return False
        slots = container.items()
    else:
        slots = enumerate(container)
    for slot, value in slots:
        kind = type(value)
        if kind is str or kind is int or kind is bool or value is None or kind is date:
            continue
        if kind is float:
            container[slot] = Decimal(repr(value))  # replaces a value: the dict's size, and so the iteration, holds
        elif kind is dict or kind is list:
            if not _as_ours(value, depth + 1):
                return False
        else:
            return False  # datetime, time, anything new
    return True
