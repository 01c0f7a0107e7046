"""Adding one activity or one volunteer: build the record, then write it safely.

The CLI gathers fields (from flags, or prompts on a terminal) and calls one of
these; each is one `transaction.transact`: what it hands out (an id) is chosen
under the workspace lock, and the ledger is validated before and after.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
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
    Plan,
    WriteRefused,
    WriteResult,
    append_change,
    new_activity_id,
    transact,
)


@dataclass
class Added:
    record_id: str
    file: str
    block: str
    result: WriteResult

    @property
    def commit_error(self) -> str | None:
        return self.result.commit_error


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
    """The record as it will be written; a generated id is only proposed here (see `add_activity`)."""
    record = {k: v for k, v in fields.items() if v not in (None, [], "")}
    if "id" not in record:
        record = {"id": new_activity_id(record["date"], _activity_ids(workspace, unit)), **record}
    if isinstance(record.get("hours"), str):
        with contextlib.suppress(InvalidOperation):  # left as text, the model reports it located
            record["hours"] = Decimal(record["hours"])
    return record


def _activity_ids(workspace: Workspace, unit: str) -> set[str]:
    return workspace.units[unit].known_activity_ids if unit in workspace.units else set()


def add_activity(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False, generated: bool = False) -> Added:
    """Append one activity; a `generated` id is checked again under the lock and drawn anew if taken meanwhile."""
    day: date = record["date"]
    rel = f"ledgers/{unit}/activities/{day:%Y-%m}.yaml"

    def decide(workspace: Workspace) -> Plan:
        taken = _activity_ids(workspace, unit)
        chosen = {**record, "id": new_activity_id(day, taken)} if generated and record["id"] in taken else record
        block = record_text("activities", chosen)

        def landed(after: Workspace) -> bool:
            return any(e.record.id == chosen["id"] and e.file == rel for e in after.units[unit].activities)

        message = f"add-activity: {unit} {chosen['id']} {chosen.get('title', '')}".strip()
        return Plan([append_change(rel, block)], (chosen["id"], block), landed, message)

    result = transact(root, unit, today, decide, commit=commit)
    record_id, block = result.value
    return Added(record_id, rel, block, result)


# Crockford's base 32: no i, l, o or u to be misread as 1, 0 or v when a clerk copies an id.
_SUFFIX_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_NUMBERED = re.compile(r"V(\d+)(?:-[0-9a-z]{3})?")


def next_volunteer_id(workspace: Workspace, unit: str) -> str:
    """`V` and the number after the highest on the roster; a generated `V0042-k7q` counts as 42."""
    numbers = [int(m.group(1)) for v in workspace.units[unit].known_volunteer_ids if (m := _NUMBERED.fullmatch(v))]
    return f"V{max(numbers, default=0) + 1:04d}"


def new_volunteer_id(workspace: Workspace, unit: str) -> str:
    """The next number and three random characters (`V0042-k7q`).

    Two clones adding a volunteer before they pull both count to the same next number; the
    suffix keeps their ids apart, so the merge driver keeps both people (same id, different
    person would be a conflict). Renumbering in the merge instead would leave the activities
    recorded in that clone crediting the other person."""
    return volunteer_id(int(next_volunteer_id(workspace, unit)[1:]))


def volunteer_id(number: int, seed: bytes | None = None) -> str:
    """`V0042-k7q`: the number and three characters, random, or with a seed (an imported sheet's
    digest) following from it and the number: a dry run then shows the ids its import writes, and
    the same sheet imported in two clones on the same roster adds the same records, kept once by the merge."""
    if seed is None:
        chars = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(3))
    else:
        digest = hashlib.sha256(seed + number.to_bytes(8, "big")).digest()
        chars = "".join(_SUFFIX_ALPHABET[byte % len(_SUFFIX_ALPHABET)] for byte in digest[:3])
    return f"V{number:04d}-{chars}"


def add_volunteer(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False) -> Added:
    """Roster fields go to roster.yaml, ID card and phone numbers to personal.yaml (docs/format.md §5), as one set;
    a generated id (`new_volunteer_id`) is chosen under the lock."""
    record = {k: v for k, v in record.items() if v not in (None, [], "")}
    personal = {k: record.pop(k) for k in PERSONAL_FIELDS if k in record}
    roster_rel = f"ledgers/{unit}/roster.yaml"
    personal_rel = f"ledgers/{unit}/personal.yaml"

    def decide(workspace: Workspace) -> Plan:
        chosen = record if "id" in record else {"id": new_volunteer_id(workspace, unit), **record}
        if "id_number" in personal:
            duplicate = _holder_of_id_number(workspace, unit, str(personal["id_number"]).upper())
            if duplicate is not None:
                raise WriteRefused([Problem(personal_rel, "duplicate-id-number", {"id": duplicate}, line=1, column=1)])
        block = record_text("roster", chosen)
        changes = [append_change(roster_rel, block)]
        if personal:
            line = record_text("personal", {"id": chosen["id"], **personal})
            changes.append(append_change(personal_rel, line))

        def landed(after: Workspace) -> bool:
            return chosen["id"] in after.units[unit].volunteers

        message = f"add-volunteer: {unit} {chosen['id']} {chosen.get('name', '')}".strip()
        return Plan(changes, (chosen["id"], block), landed, message)

    result = transact(root, unit, today, decide, commit=commit)  # personal.yaml stays out of git, always
    record_id, block = result.value
    return Added(record_id, roster_rel, block, result)


def _holder_of_id_number(workspace: Workspace, unit: str, number: str) -> str | None:
    for entry in workspace.units[unit].volunteers.values():
        if entry.record.id_number == number:
            return entry.record.id
    return None


def add_request_step(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False) -> Added:
    """One step of a request's life, appended to requests.yaml as one line.

    A `received` step without a `request` id gets a new one (`R` + date + random bits), chosen under the lock."""
    record = {k: v for k, v in record.items() if v not in (None, [], "")}
    rel = f"ledgers/{unit}/requests.yaml"

    def decide(workspace: Workspace) -> Plan:
        chosen = record
        if "request" not in record:
            taken = {e.record.request for e in workspace.units[unit].request_steps} if unit in workspace.units else set()
            chosen = {"request": new_activity_id(record["date"], taken, prefix="R"), **record}

        def landed(after: Workspace) -> bool:
            steps = after.units[unit].request_steps
            return bool(steps) and (steps[-1].record.request, steps[-1].record.date) == (chosen["request"], chosen["date"])

        message = f"request {chosen['step']}: {unit} {chosen['request']}"
        return _one_line(rel, record_text("requests", chosen), chosen["request"], landed, message)

    return _added(rel, transact(root, unit, today, decide, commit=commit))


def add_redemption(root: Path, unit: str, record: dict[str, Any], today: date, commit: bool = False) -> Added:
    """A time-bank redemption; refused (like any new error) when it would overdraw the balance."""
    rel = f"ledgers/{unit}/redemptions.yaml"

    def landed(after: Workspace) -> bool:
        entries = after.units[unit].redemptions
        return bool(entries) and (entries[-1].record.volunteer, entries[-1].record.date) == (record["volunteer"], record["date"])

    message = f"redeem: {unit} {record['volunteer']} {record['hours']}h"
    plan = _one_line(rel, record_text("redemptions", record), record["volunteer"], landed, message)
    return _added(rel, transact(root, unit, today, lambda _workspace: plan, commit=commit))


def _one_line(rel: str, line: str, key: str, landed: Callable[[Workspace], bool], message: str) -> Plan:
    """Appending a one-line record (requests, redemptions), with add-activity's guarantees."""
    return Plan([append_change(rel, line)], (key, line), landed, message)


def _added(rel: str, result: WriteResult) -> Added:
    key, line = result.value
    return Added(key, rel, line, result)
