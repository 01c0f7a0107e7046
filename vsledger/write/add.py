"""Adding one activity or one volunteer: build the record, then write it safely.

The CLI gathers fields (from flags, or prompts on a terminal) and calls one of
these; validation against the whole ledger happens in `writing.apply_changes`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from vsledger.core.filekinds import PERSONAL_FIELDS
from vsledger.core.ledger import Workspace
from vsledger.core.problems import Problem
from vsledger.write.layout import record_text
from vsledger.write.transaction import (
    Change,
    WriteRefused,
    WriteResult,
    append_block,
    append_line,
    append_volunteer,
    apply_changes,
    git_commit,
    new_activity_id,
)


@dataclass
class Added:
    record_id: str
    file: str
    block: str
    result: WriteResult
    commit_error: str | None = None


def parse_participant(text: str) -> str | dict[str, Decimal]:
    """`V0001` or `V0001=2.5`."""
    if "=" not in text:
        return text.strip()
    volunteer, _, hours = text.partition("=")
    try:
        return {volunteer.strip(): Decimal(hours.strip())}
    except InvalidOperation:
        return {volunteer.strip(): hours.strip()}  # type: ignore[dict-item]  # the model reports it, located


def activity_record(fields: dict[str, Any], workspace: Workspace, unit: str) -> dict[str, Any]:
    record = {k: v for k, v in fields.items() if v not in (None, [], "")}
    if "id" not in record:
        taken = workspace.units[unit].known_activity_ids if unit in workspace.units else set()
        record = {"id": new_activity_id(record["date"], taken), **record}
    if isinstance(record.get("hours"), str):
        with contextlib.suppress(InvalidOperation):  # left as text, the model reports it located
            record["hours"] = Decimal(record["hours"])
    return record


def add_activity(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False) -> Added:
    day: date = record["date"]
    rel = f"ledgers/{unit}/activities/{day:%Y-%m}.yaml"
    block = record_text("activities", record)

    def landed(workspace: Workspace) -> bool:
        return any(e.activity.id == record["id"] and e.file == rel for e in workspace.units[unit].activities)

    result = apply_changes(root, unit, [Change(rel, lambda old: append_block(old, block))], today, expect=landed)
    added = Added(record["id"], rel, block, result)
    if commit:
        added.commit_error = git_commit(root, [rel], f"add-activity: {unit} {record['id']} {record.get('title', '')}".strip())
    return added


def next_volunteer_id(workspace: Workspace, unit: str) -> str:
    numbers = [int(v[1:]) for v in workspace.units[unit].known_volunteer_ids if v[:1] == "V" and v[1:].isdigit()]
    return f"V{max(numbers, default=0) + 1:04d}"


def add_volunteer(root: Path, unit: str, record: dict[str, Any], workspace: Workspace, today: date, commit: bool = False) -> Added:
    """Roster fields go to roster.yaml; ID card and phone numbers to personal.yaml (docs/format.md §5)."""
    record = {k: v for k, v in record.items() if v not in (None, [], "")}
    if "id" not in record:
        record = {"id": next_volunteer_id(workspace, unit), **record}
    personal = {k: record.pop(k) for k in PERSONAL_FIELDS if k in record}
    if "id_number" in personal:
        duplicate = _holder_of_id_number(workspace, unit, str(personal["id_number"]).upper())
        if duplicate is not None:
            raise WriteRefused([Problem(f"ledgers/{unit}/personal.yaml", "duplicate-id-number", {"id": duplicate}, line=1, column=1)])
    roster_rel = f"ledgers/{unit}/roster.yaml"
    personal_rel = f"ledgers/{unit}/personal.yaml"
    block = record_text("roster", record)
    changes = [Change(roster_rel, lambda old: append_volunteer(old, block))]
    if personal:
        line = record_text("personal", {"id": record["id"], **personal})
        changes.append(Change(personal_rel, lambda old: append_line(old, line)))

    def landed(workspace: Workspace) -> bool:
        return record["id"] in workspace.units[unit].volunteers

    result = apply_changes(root, unit, changes, today, expect=landed)
    added = Added(record["id"], roster_rel, block, result)
    if commit:  # personal.yaml stays out of git, always
        added.commit_error = git_commit(root, [roster_rel], f"add-volunteer: {unit} {record['id']} {record.get('name', '')}".strip())
    return added


def _holder_of_id_number(workspace: Workspace, unit: str, number: str) -> str | None:
    for entry in workspace.units[unit].volunteers.values():
        if entry.volunteer.id_number == number:
            return entry.volunteer.id
    return None


def add_request_step(root: Path, unit: str, record: dict[str, Any], workspace: Workspace, today: date, commit: bool = False) -> Added:
    """One step of a request's life, appended to requests.yaml as one line.

    A `received` step without a `request` id gets a new one (`R` + date + random bits)."""
    record = {k: v for k, v in record.items() if v not in (None, [], "")}
    if "request" not in record:
        taken = {e.step.request for e in workspace.units[unit].request_steps} if unit in workspace.units else set()
        record = {"request": new_activity_id(record["date"], taken, prefix="R"), **record}
    rel = f"ledgers/{unit}/requests.yaml"

    def landed(after: Workspace) -> bool:
        steps = after.units[unit].request_steps
        return bool(steps) and (steps[-1].step.request, steps[-1].step.date) == (record["request"], record["date"])

    message = f"request {record['step']}: {unit} {record['request']}"
    return _append_one_line(root, unit, rel, record_text("requests", record), record["request"], today, landed, commit, message)


def add_redemption(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False) -> Added:
    """A time-bank redemption; refused (like any new error) when it would overdraw the balance."""
    rel = f"ledgers/{unit}/redemptions.yaml"

    def landed(after: Workspace) -> bool:
        entries = after.units[unit].redemptions
        return bool(entries) and (entries[-1].redemption.volunteer, entries[-1].redemption.date) == (record["volunteer"], record["date"])

    message = f"redeem: {unit} {record['volunteer']} {record['hours']}h"
    return _append_one_line(root, unit, rel, record_text("redemptions", record), record["volunteer"], today, landed, commit, message)


def _append_one_line(
    root: Path,
    unit: str,
    rel: str,
    line: str,
    key: str,
    today: date,
    landed: Callable[[Workspace], bool],
    commit: bool,
    message: str,
) -> Added:
    """Append a one-line record (requests, redemptions) with add-activity's guarantees; commit if asked."""
    result = apply_changes(root, unit, [Change(rel, lambda old: append_line(old, line))], today, expect=landed)
    added = Added(key, rel, line, result)
    if commit:
        added.commit_error = git_commit(root, [rel], message)
    return added
