"""What the loader builds: a workspace of unit ledgers and policies.

Records keep where they came from (file and index) so later stages can point
at them; the activities that count, after corrections, are computed once here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Generic, Literal, TypeAlias, TypeVar

from vsledger.core.model import Activity, Group, PersonalEntry, Redemption, Report, RequestStep, Unit, Volunteer
from vsledger.core.policy import Policy
from vsledger.core.problems import Level, Problem

R = TypeVar("R")


@dataclass(slots=True)
class Entry(Generic[R]):
    """A record and where it was read: its file, and its place in that file's list."""

    record: R
    file: str
    index: int


ActivityEntry: TypeAlias = Entry[Activity]
VolunteerEntry: TypeAlias = Entry[Volunteer]
ReportEntry: TypeAlias = Entry[Report]
RequestStepEntry: TypeAlias = Entry[RequestStep]
RedemptionEntry: TypeAlias = Entry[Redemption]


@dataclass
class UnitLedger:
    id: str
    directory: str
    unit: Unit | None = None
    unit_file: str = ""
    volunteers: dict[str, VolunteerEntry] = field(default_factory=dict)
    known_volunteer_ids: set[str] = field(default_factory=set)
    """Ids of every roster entry, loaded or not: a broken entry must not make
    every activity that names it report an unknown volunteer as well."""
    activities: list[ActivityEntry] = field(default_factory=list)
    known_activity_ids: set[str] = field(default_factory=set)
    reports: list[ReportEntry] = field(default_factory=list)
    personal: dict[str, PersonalEntry] = field(default_factory=dict)
    request_steps: list[RequestStepEntry] = field(default_factory=list)
    redemptions: list[RedemptionEntry] = field(default_factory=list)
    effective: list[ActivityEntry] = field(default_factory=list)
    """Service activities that count: corrected entries replaced, deletions dropped, meetings apart."""
    meetings: list[ActivityEntry] = field(default_factory=list)
    """Meetings (`type: meeting`) that count: never service, seen only by a rule that asks for them."""

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else self.id

    def names(self, kind: Literal["team", "branch"]) -> dict[str, str]:
        """The unit's teams' or branches' names by id (none without a unit.yaml): people type either."""
        items = (self.unit.teams if kind == "team" else self.unit.branches) if self.unit else []
        return {item.id: item.name for item in items}

    def volunteer(self, volunteer_id: str) -> Volunteer | None:
        entry = self.volunteers.get(volunteer_id)
        return entry.record if entry else None

    def effective_between(self, start: date, end: date) -> Iterator[Activity]:
        for entry in self.effective:
            if start <= entry.record.date <= end:
                yield entry.record

    def meetings_between(self, start: date, end: date) -> Iterator[Activity]:
        for entry in self.meetings:
            if start <= entry.record.date <= end:
                yield entry.record


@dataclass(slots=True)
class GroupEntry:
    group: Group
    file: str
    index: int
    units: list[str] = field(default_factory=list)
    """The units it is made of, nested groups expanded, each once, in order."""


@dataclass
class PolicyEntry:
    policy: Policy
    file: str


@dataclass(slots=True)
class PolicySource:
    """A policy file as read, before its rules are built against the rule kinds."""

    file: str
    stem: str
    data: Any


@dataclass
class Workspace:
    root: Path
    today: date
    units: dict[str, UnitLedger] = field(default_factory=dict)
    """The units loaded (all of them, unless the loader was asked for some)."""
    unit_ids: list[str] = field(default_factory=list)
    """Every unit directory of the workspace, loaded or not."""
    policies: dict[str, PolicyEntry] = field(default_factory=dict)
    policy_sources: list[PolicySource] = field(default_factory=list)
    group_entries: list[GroupEntry] = field(default_factory=list)
    """groups.yaml as read: every group that is a well-formed record."""
    groups: dict[str, GroupEntry] = field(default_factory=dict)
    """The groups whose definition holds (every member known, no cycle), their units expanded."""
    problems: list[Problem] = field(default_factory=list)
    files: Any = None
    """The loader's view of the files (with any overrides), for locating problems later."""
    _counts: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _counted: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level is Level.WARNING]

    def problem_counts(self, unit: str) -> tuple[int, int]:
        """Errors and warnings in a unit's own files (`ledgers/<unit>/…`). Every unit's are counted in
        one pass, again only when problems were added: a province's thousand units loaded in one
        process must not each scan every problem of the others."""
        if self._counted != len(self.problems):
            counts: dict[str, list[int]] = {}
            for problem in self.problems:
                if problem.file.startswith("ledgers/"):
                    pair = counts.setdefault(problem.file.split("/", 2)[1], [0, 0])
                    pair[problem.level is not Level.ERROR] += 1
            self._counts, self._counted = counts, len(self.problems)
        errors, warnings = self._counts.get(unit, (0, 0))
        return errors, warnings


def resolve_corrections(ledger: UnitLedger) -> list[Problem]:
    """Follow `corrects` chains; the last entry of each chain is the one that counts."""
    problems: list[Problem] = []
    by_id: dict[str, ActivityEntry] = {}
    for entry in ledger.activities:
        by_id.setdefault(entry.record.id, entry)
    corrected_by: dict[str, ActivityEntry] = {}
    for entry in ledger.activities:
        target = entry.record.corrects
        if target is None:
            continue
        if target == entry.record.id or target not in ledger.known_activity_ids:
            code = "correction-self" if target == entry.record.id else "unknown-correction"
            problems.append(Problem(entry.file, code, {"id": target}, path=(entry.index, "corrects")))
            continue
        if target in corrected_by:
            first = corrected_by[target]
            problems.append(
                Problem(
                    entry.file,
                    "correction-conflict",
                    {"id": target, "other": first.record.id},
                    path=(entry.index, "corrects"),
                )
            )
            continue
        corrected_by[target] = entry
    # An entry in a cycle never reaches an uncorrected head.
    for entry in ledger.activities:
        seen: set[str] = set()
        current = entry.record.id
        while current in corrected_by and current not in seen:
            seen.add(current)
            current = corrected_by[current].record.id
        if current in seen and entry.record.corrects is not None and entry.record.id == min(seen):
            problems.append(Problem(entry.file, "correction-cycle", {"id": entry.record.id}, path=(entry.index, "corrects")))
    counting = [
        entry
        for entry in ledger.activities
        if entry.record.id not in corrected_by and not entry.record.is_deletion and by_id.get(entry.record.id) is entry
    ]
    ledger.effective = [entry for entry in counting if not entry.record.is_meeting]
    ledger.meetings = [entry for entry in counting if entry.record.is_meeting]
    return problems
