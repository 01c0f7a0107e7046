"""Groups of units (groups.yaml, docs/format.md): a supervising body's roll-up.

A group is checked as one unit made of its units: its roster is the union of theirs
(a volunteer is `unit/id`), so are its activities, teams (`unit/team`), branches and
reports, and its population is the group's own. A group may include groups; a
definition that cannot hold (an unknown member, a cycle, a duplicate id) is a located
problem and the group is left unchecked rather than checked wrongly.
"""

from __future__ import annotations

from collections.abc import Iterator

from vsledger.core.ledger import Entry, GroupEntry, UnitLedger, Workspace
from vsledger.core.model import Activity, Branch, Group, Team, Unit
from vsledger.core.problems import Problem


def resolve_groups(workspace: Workspace, entries: list[GroupEntry]) -> Iterator[Problem]:
    """Keep in `workspace.groups` the groups whose definition holds, their units expanded."""
    by_id: dict[str, GroupEntry] = {}
    for entry in entries:
        group, path = entry.group, ("groups", entry.index)
        if group.id in by_id:
            yield Problem(entry.file, "duplicate-id", {"id": group.id}, path=path + ("id",))
            continue
        if group.id in workspace.unit_ids:
            yield Problem(entry.file, "group-is-unit", {"id": group.id}, path=path + ("id",))
            continue
        by_id[group.id] = entry
    broken: set[str] = set()
    for entry in by_id.values():
        group, path = entry.group, ("groups", entry.index)
        for i, member in enumerate(group.units):
            if member == group.id:
                yield Problem(entry.file, "group-cycle", {"id": group.id, "through": group.id}, path=path + ("units", i))
                broken.add(group.id)
            elif member not in by_id and member not in workspace.unit_ids:
                yield Problem(entry.file, "unknown-group-member", {"id": member}, path=path + ("units", i))
                broken.add(group.id)
        policies = group.policy.items() if isinstance(group.policy, dict) else [(None, group.policy)]
        for year, policy_id in policies:
            if policy_id is not None and policy_id not in workspace.policies:
                yield Problem(entry.file, "unknown-policy", {"id": policy_id}, path=path + (("policy", year) if year else ("policy",)))
    for entry in by_id.values():
        through = _cycle(entry.group.id, by_id)
        if through is not None and entry.group.id not in broken:
            path = ("groups", entry.index, "units")
            yield Problem(entry.file, "group-cycle", {"id": entry.group.id, "through": " → ".join(through)}, path=path)
            broken.add(entry.group.id)
    for group_id, entry in by_id.items():
        units = _units_of(group_id, by_id)
        if group_id in broken or units is None or any(g in broken for g in _groups_within(group_id, by_id)):
            continue
        entry.units = units
        workspace.groups[group_id] = entry


def _cycle(start: str, by_id: dict[str, GroupEntry]) -> list[str] | None:
    """The path by which a group includes itself through other groups, or None."""
    stack: list[tuple[str, list[str]]] = [(m, [start, m]) for m in by_id[start].group.units if m in by_id and m != start]
    seen: set[str] = set()
    while stack:
        current, trail = stack.pop()
        if current == start:
            return trail
        if current in seen:
            continue
        seen.add(current)
        stack.extend((m, trail + [m]) for m in by_id[current].group.units if m in by_id)
    return None


def _groups_within(group_id: str, by_id: dict[str, GroupEntry]) -> set[str]:
    found: set[str] = set()
    stack = [group_id]
    while stack:
        for member in by_id[stack.pop()].group.units:
            if member in by_id and member not in found:
                found.add(member)
                stack.append(member)
    return found


def _units_of(group_id: str, by_id: dict[str, GroupEntry], trail: tuple[str, ...] = ()) -> list[str] | None:
    """The units of a group, nested groups expanded, each once; None on a cycle."""
    if group_id in trail:
        return None
    units: list[str] = []
    for member in by_id[group_id].group.units:
        inner = _units_of(member, by_id, trail + (group_id,)) if member in by_id else [member]
        if inner is None:
            return None
        units.extend(u for u in inner if u not in units)
    return units


def group_ledger(group: Group, ledgers: list[UnitLedger]) -> UnitLedger:
    """One ledger made of the units' ledgers, every id qualified by its unit (`unit/id`)."""
    merged = UnitLedger(id=group.id, directory="")
    branches: list[Branch] = []
    teams: list[Team] = []
    for ledger in ledgers:
        u = ledger.id

        def q(value: str | None, unit: str = u) -> str | None:
            return f"{unit}/{value}" if value is not None else None

        if ledger.unit is not None:
            branches += [Branch.model_construct(id=q(b.id), name=b.name) for b in ledger.unit.branches]
            teams += [t.model_copy(update={"id": q(t.id), "branch": q(t.branch), "convener": q(t.convener)}) for t in ledger.unit.teams]
        for vid, entry in ledger.volunteers.items():
            volunteer = entry.record.model_copy(
                update={"id": q(vid), "branch": q(entry.record.branch), "teams": [q(t) for t in entry.record.teams]}
            )
            merged.volunteers[f"{u}/{vid}"] = Entry(volunteer, entry.file, entry.index)
        merged.known_volunteer_ids |= {f"{u}/{v}" for v in ledger.known_volunteer_ids}
        merged.effective += [Entry(_qualified(e.record, u), e.file, e.index) for e in ledger.effective]
        merged.meetings += [Entry(_qualified(e.record, u), e.file, e.index) for e in ledger.meetings]
        merged.reports += [Entry(e.record.model_copy(update={"branch": q(e.record.branch)}), e.file, e.index) for e in ledger.reports]
        for step_entry in ledger.request_steps:
            step = step_entry.record
            update: dict[str, object] = {"request": q(step.request)}
            if hasattr(step, "team"):
                update["team"] = q(step.team)
            if hasattr(step, "volunteers"):
                update["volunteers"] = [q(v) for v in step.volunteers]
            merged.request_steps.append(Entry(step.model_copy(update=update), step_entry.file, step_entry.index))
    merged.activities = merged.effective + merged.meetings
    merged.known_activity_ids = {e.record.id for e in merged.activities}
    merged.unit = Unit.model_construct(
        id=group.id, name=group.name, parent=None, policy=group.policy, population=group.population, branches=branches, teams=teams
    )
    return merged


def _qualified(activity: Activity, unit: str) -> Activity:
    participants = [p.model_copy(update={"volunteer": f"{unit}/{p.volunteer}"}) for p in activity.participants]
    update: dict[str, object] = {"id": f"{unit}/{activity.id}", "participants": participants}
    for key in ("team", "lead", "request"):
        value = getattr(activity, key)
        if value is not None:
            update[key] = f"{unit}/{value}"
    return activity.model_copy(update=update)
