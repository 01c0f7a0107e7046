"""The canonical layout of records: key order, quoting, one record per block.

Written by hand rather than by a YAML emitter so the output is exactly what a
clerk would type: participants on one flow line, numbers that must stay text
quoted, times quoted, nothing quoted that needs no quotes.
"""

from __future__ import annotations

import json
from datetime import date, time
from decimal import Decimal
from typing import Any

import yaml

from .yamlsource import resolve_plain

ACTIVITY_KEYS = (
    "id", "date", "title", "team", "category", "tags", "location", "target", "served", "start", "end", "hours",
    "participants", "external", "lead", "recorded_by", "content", "outcome", "attachments", "corrects",
)  # fmt: skip
VOLUNTEER_KEYS = (
    "id", "name", "gender", "id_number", "phone", "party_member", "employment", "branch", "teams", "joined", "left",
    "registered_on", "registration_no", "platform", "checked_in_on", "community", "skills", "trainings", "prior_hours",
)  # fmt: skip
ALWAYS_QUOTED = {"id_number", "phone", "registration_no", "start", "end"}
_UNSAFE = set("[]{},#&*!|>'\"%@`")
_YAML11_WORDS = {"y", "n", "yes", "no", "on", "off"}


def scalar(value: Any, quote: bool = False) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, time):
        return f'"{value:%H:%M}"'
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    if quote or not _plain_ok(text):
        return json.dumps(text, ensure_ascii=False)
    return text


def _plain_ok(text: str) -> bool:
    """Plain only when every YAML reader, 1.1 or 1.2, reads back the same text."""
    if not text or text != text.strip() or any(c in _UNSAFE for c in text):
        return False
    if ": " in text or text.endswith(":") or " #" in text or text[0] in "-?:":
        return False
    if text.lower() in _YAML11_WORDS or resolve_plain(text) != text:
        return False
    try:
        return yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        return False


def flow_list(items: list[Any]) -> str:
    return "[" + ", ".join(_flow_item(item) for item in items) + "]"


def _flow_item(item: Any) -> str:
    if isinstance(item, dict):
        return "{" + ", ".join(f"{scalar(k)}: {scalar(v)}" for k, v in item.items()) + "}"
    return scalar(item)


def record_block(record: dict[str, Any], keys: tuple[str, ...], indent: str = "", keep_empty: tuple[str, ...] = ()) -> str:
    """One record as a `- key: value` block, keys in canonical order, empties left out."""
    lines: list[str] = []
    ordered = [k for k in keys if k in record] + [k for k in record if k not in keys]
    for key in ordered:
        value = record[key]
        if (value is None or value == [] or value == {}) and key not in keep_empty:
            continue
        prefix = f"{indent}- " if not lines else f"{indent}  "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and key == "trainings":
            lines.append(f"{prefix}{key}:")
            for item in value:
                lines.append(f"{indent}    - {_flow_item(item)}")
        elif isinstance(value, list):
            lines.append(f"{prefix}{key}: {flow_list(value)}")
        else:
            lines.append(f"{prefix}{key}: {scalar(value, quote=key in ALWAYS_QUOTED)}")
    return "\n".join(lines) + "\n"


def activity_block(record: dict[str, Any]) -> str:
    # An empty participant list is meaningful: it is how a correction deletes.
    return record_block(record, ACTIVITY_KEYS, keep_empty=("participants",))


def volunteer_block(record: dict[str, Any]) -> str:
    return record_block(record, VOLUNTEER_KEYS, indent="  ")
