"""Correcting and withdrawing an activity: records are never rewritten after the fact.

A correction is a new entry with `corrects: <id>` that restates the whole activity (docs/format.md,
corrections); a withdrawal is a correction with no participants. The clerk names only what changes:
the rest is taken from the entry that counts now, the last of its chain of corrections.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from vsledger.core.ledger import ActivityEntry, UnitLedger
from vsledger.core.model import Activity


class NotFound(LookupError):
    """No activity of that id, or one already withdrawn (`withdrawn_by` names the withdrawal)."""

    def __init__(self, activity_id: str, withdrawn_by: str | None = None) -> None:
        super().__init__(activity_id)
        self.withdrawn_by = withdrawn_by


def current_entry(ledger: UnitLedger, activity_id: str) -> ActivityEntry:
    """The entry that counts for `activity_id`: the end of its chain of corrections."""
    by_id = {entry.record.id: entry for entry in ledger.activities}
    if activity_id not in by_id:
        raise NotFound(activity_id)
    corrected_by = {e.record.corrects: e for e in ledger.activities if e.record.corrects is not None}
    entry, seen = by_id[activity_id], {activity_id}
    while entry.record.id in corrected_by and corrected_by[entry.record.id].record.id not in seen:
        entry = corrected_by[entry.record.id]
        seen.add(entry.record.id)
    if entry.record.is_deletion:
        raise NotFound(activity_id, withdrawn_by=entry.record.id)
    return entry


def as_record(activity: Activity) -> dict[str, Any]:
    """An activity as it would be written: the keys of its file, values in their written form."""
    record: dict[str, Any] = {}
    for name, info in Activity.model_fields.items():
        value = getattr(activity, name)
        if value is None or value == [] or value == info.default:
            continue
        if isinstance(value, time):
            value = value.strftime("%H:%M")
        elif name == "participants":
            value = [p.volunteer if p.hours is None else {p.volunteer: p.hours} for p in value]
        record[info.alias or name] = value
    return record


def correction(ledger: UnitLedger, activity_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The correcting entry: the current version with `changes`, correcting it (its new id is the writer's)."""
    current = current_entry(ledger, activity_id).record
    record = {k: v for k, v in as_record(current).items() if k not in ("id", "corrects")}
    record.update({k: v for k, v in changes.items() if v is not None})
    if "hours" in changes and changes["hours"] is not None:  # new hours replace the times they came from
        record.pop("start", None)
        record.pop("end", None)
    elif changes.get("start") is not None or changes.get("end") is not None:
        record.pop("hours", None)
    record["corrects"] = current.id
    return record


def withdrawal(ledger: UnitLedger, activity_id: str) -> dict[str, Any]:
    """A correction that deletes: the activity restated with no participants."""
    record = correction(ledger, activity_id, {})
    record["participants"] = []
    return record
