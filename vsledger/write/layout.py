"""The canonical layout of records: key order, quoting, one record per block.

Written by hand rather than by a YAML emitter so the output is exactly what a
clerk would type: participants on one flow line, numbers that must stay text
quoted, times quoted, nothing quoted that needs no quotes.
"""

from __future__ import annotations

import json
import re
from datetime import date, time
from decimal import Decimal
from functools import lru_cache
from typing import Any

import yaml

from vsledger.core.filekinds import KINDS
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
