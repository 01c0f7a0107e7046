"""Checks that need more than one record, as small pure functions in a registry.

Each validation takes one unit's ledger (and the workspace, for policies and
today's date) and yields problems. Checks about what an activity *did* — who
took part, on which day, for how long — run on the activities that count after
corrections, so a correction really does fix a mistake; checks about the
record itself run on every entry.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import date, time
from decimal import Decimal
from itertools import groupby
from pathlib import Path, PurePosixPath

from vsledger.check.requests import request_lives
from vsledger.check.timebank import overdrawn
from vsledger.core.ledger import ActivityEntry, UnitLedger, Workspace
from vsledger.core.model import MAX_DAY_HOURS, Activity, RequestAssigned, RequestClaimed, RequestReceived, size_ok
from vsledger.core.personal import mask_text
from vsledger.core.problems import Level, Problem

Validation = Callable[[UnitLedger, Workspace], Iterator[Problem]]
VALIDATIONS: list[Validation] = []

DAY_WARNING_HOURS = Decimal(8)
_PERIOD_RE = {
    "plan": re.compile(r"^\d{4}$"),
    "annual": re.compile(r"^\d{4}$"),
    "monthly": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
    "half-year": re.compile(r"^\d{4}-H[12]$"),
}


def validation(fn: Validation) -> Validation:
    VALIDATIONS.append(fn)
    return fn


def run_validations(workspace: Workspace) -> list[Problem]:
    problems: list[Problem] = []
    for ledger in workspace.units.values():
        for check in VALIDATIONS:
            problems.extend(check(ledger, workspace))
    return problems


@validation
def unit_references(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    unit = ledger.unit
    if unit is None:
        return
    file = ledger.unit_file
    branch_ids: set[str] = set()
    for index, branch in enumerate(unit.branches):
        if branch.id in branch_ids:
            yield Problem(file, "duplicate-id", {"id": branch.id}, path=("branches", index, "id"))
        branch_ids.add(branch.id)
    team_ids: set[str] = set()
    for index, team in enumerate(unit.teams):
        if team.id in team_ids:
            yield Problem(file, "duplicate-id", {"id": team.id}, path=("teams", index, "id"))
        team_ids.add(team.id)
        if team.branch is not None and team.branch not in branch_ids:
            yield Problem(file, "unknown-branch", {"id": team.branch}, path=("teams", index, "branch"))
        if team.convener is not None and team.convener not in ledger.known_volunteer_ids:
            yield Problem(file, "unknown-volunteer", {"id": team.convener}, path=("teams", index, "convener"))
        if team.size is not None and not size_ok(team.size):
            yield Problem(file, "invalid-size", {"value": str(team.size)}, path=("teams", index, "size"))
    policies = unit.policy.items() if isinstance(unit.policy, dict) else [(None, unit.policy)]
    for year, policy_id in policies:
        if policy_id is not None and policy_id not in workspace.policies:
            path = ("policy", year) if year is not None else ("policy",)
            yield Problem(file, "unknown-policy", {"id": policy_id}, path=path)


@validation
def roster_references(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    unit = ledger.unit
    branch_ids = {b.id for b in unit.branches} if unit else None
    team_ids = {t.id for t in unit.teams} if unit else None
    for entry in ledger.volunteers.values():
        volunteer, file, base = entry.record, entry.file, ("volunteers", entry.index)
        if branch_ids is not None and volunteer.branch is not None and volunteer.branch not in branch_ids:
            yield Problem(file, "unknown-branch", {"id": volunteer.branch}, path=base + ("branch",))
        if team_ids is not None:
            for i, team in enumerate(volunteer.teams):
                if team not in team_ids:
                    yield Problem(file, "unknown-team", {"id": team}, path=base + ("teams", i))
        if volunteer.joined and volunteer.left and volunteer.left < volunteer.joined:
            yield Problem(file, "left-before-joined", {"id": volunteer.id}, path=base + ("left",))


@validation
def activity_records(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """The entry on its own terms: dates, times, hours, people named."""
    team_ids = {t.id for t in ledger.unit.teams} if ledger.unit else None
    unit_dir = PurePosixPath(ledger.directory)
    for entry in ledger.activities:
        activity, file, base = entry.record, entry.file, (entry.index,)
        if activity.date > workspace.today:
            yield Problem(file, "future-date", {"date": activity.date.isoformat()}, path=base + ("date",))
        if activity.hours is None and (activity.start is None or activity.end is None) and not activity.is_deletion:
            yield Problem(file, "hours-missing", {"id": activity.id}, path=base)
        span = activity.span_hours
        if span is not None and span <= 0:
            yield Problem(file, "time-order", {"start": f"{activity.start:%H:%M}", "end": f"{activity.end:%H:%M}"}, path=base + ("end",))
        elif span is not None and activity.hours is not None and activity.hours > span:
            yield Problem(
                file, "hours-exceed-span", {"hours": str(activity.hours), "span": str(span)}, level=Level.WARNING, path=base + ("hours",)
            )
        if not activity.participants and activity.corrects is None:
            yield Problem(file, "no-participants", {"id": activity.id}, path=base + ("participants",))
        seen: set[str] = set()
        for i, participant in enumerate(activity.participants):
            if participant.volunteer in seen:
                yield Problem(file, "duplicate-participant", {"id": participant.volunteer}, path=base + ("participants", i))
            seen.add(participant.volunteer)
        if team_ids is not None and activity.team is not None and activity.team not in team_ids:
            yield Problem(file, "unknown-team", {"id": activity.team}, path=base + ("team",))
        if activity.lead is not None and activity.lead not in ledger.known_volunteer_ids:
            yield Problem(file, "unknown-volunteer", {"id": activity.lead}, path=base + ("lead",))
        for i, attachment in enumerate(activity.attachments):
            target = PurePosixPath(attachment.replace("\\", "/"))
            on_disk = workspace.root / unit_dir / target
            if target.is_absolute() or ".." in target.parts or re.match(r"^[A-Za-z]:", attachment) or not _inside(workspace, on_disk):
                yield Problem(file, "path-outside", {"path": attachment}, path=base + ("attachments", i))
            elif not on_disk.exists():
                yield Problem(file, "attachment-missing", {"path": attachment}, level=Level.WARNING, path=base + ("attachments", i))


@validation
def masked_ids(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """An id with eleven digits or more in a row reads as a personal number, and every output masks it as one
    (`20261102001` shows as `202****2001`). Two ids that mask alike cannot be told apart in a table, an export
    or on the web (whose links then find neither): said at the second, naming the first by what it records
    (never by its id, which the message would show masked, nor split, which would show it whole)."""
    ids: list[tuple[str, str, tuple[str | int, ...], str]] = [
        *((e.record.id, e.file, ("volunteers", e.index, "id"), e.record.name) for e in ledger.volunteers.values()),
        *((e.record.id, e.file, (e.index, "id"), f"{e.record.date.isoformat()} {e.record.title}") for e in ledger.activities),
    ]
    first: dict[str, tuple[str, str]] = {}
    for record_id, file, path, described in ids:
        shown = mask_text(record_id)
        if shown == record_id:
            continue
        other_id, other = first.setdefault(shown, (record_id, described))
        if other_id != record_id:
            yield Problem(file, "ids-masked-alike", {"shown": shown, "other": other}, Level.WARNING, path=path)


def _inside(workspace: Workspace, path: Path) -> bool:
    """A symlink that leads out of the workspace is outside it."""
    try:
        path.resolve().relative_to(workspace.root.resolve())
    except ValueError:
        return False
    return True


def _counting_days(ledger: UnitLedger) -> Iterator[list[ActivityEntry]]:
    """The activities that count after corrections, meetings among them, a day at a time, each day in file order.

    What happened on a day is checked a day at a time, so a check holds one day's records, never a year's."""
    ordered = sorted(ledger.effective + ledger.meetings, key=lambda e: (e.record.date, e.file, e.index))
    for _, day in groupby(ordered, key=lambda e: e.record.date):
        yield list(day)


@validation
def participations(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """Who served when, over the activities that count."""
    # (joined, left, registered_on) per volunteer, looked up once: this loop sees every participation.
    spans = {vid: (e.record.joined, e.record.left, e.record.registered_on) for vid, e in ledger.volunteers.items()}
    # Meetings too: whoever sits in one must be on the roster, and a day still has 24 hours.
    for entries in _counting_days(ledger):
        # Each volunteer's hours on this day only (every volunteer's every day took a large file's size again).
        day_totals: dict[str, Decimal] = defaultdict(Decimal)
        for entry in entries:
            activity, file = entry.record, entry.file
            day = activity.date
            for i, participant in enumerate(activity.participants):
                volunteer_id = participant.volunteer
                span = spans.get(volunteer_id)
                if span is None:
                    if volunteer_id not in ledger.known_volunteer_ids:
                        yield Problem(file, "unknown-volunteer", {"id": volunteer_id}, path=(entry.index, "participants", i))
                    continue
                joined, left, registered_on = span
                path = (entry.index, "participants", i)
                if (joined is not None and day < joined) or (left is not None and day > left):
                    yield Problem(file, "not-on-roster", {"id": volunteer_id, "date": day.isoformat()}, path=path)
                elif registered_on is None or day < registered_on:
                    yield Problem(
                        file, "before-registration", {"id": volunteer_id, "date": day.isoformat()}, level=Level.WARNING, path=path
                    )
                before = day_totals[volunteer_id]
                after = before + activity.hours_of(participant)
                day_totals[volunteer_id] = after
                if after > MAX_DAY_HOURS >= before:
                    yield Problem(file, "day-over-24", {"id": volunteer_id, "date": day.isoformat(), "hours": str(after)}, path=path)
                elif after > DAY_WARNING_HOURS >= before:
                    args = {"id": volunteer_id, "date": day.isoformat(), "hours": str(after)}
                    yield Problem(file, "day-over-8", args, level=Level.WARNING, path=path)


@validation
def duplicate_activities(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """The same activity recorded twice under two ids counts twice, silently: two clerks in two clones
    each record the 义诊, a pull keeps both. Same day, title, place, times, type, people and each one's
    hours; anything that differs makes it another activity (two sessions of one title on one day)."""
    for entries in _counting_days(ledger):
        if len(entries) < 2:
            continue
        # The cheap part of the key first; the people (the costly part) only once that repeats.
        first_of: dict[tuple[object, ...], ActivityEntry] = {}
        first_with_people: dict[tuple[object, ...], ActivityEntry] = {}
        for entry in entries:
            outline = _outline(entry.record)
            first = first_of.setdefault(outline, entry)
            if first is entry:
                continue
            first_with_people.setdefault((outline, _people(first.record)), first)
            original = first_with_people.setdefault((outline, _people(entry.record)), entry)
            if original is not entry:
                record = entry.record
                args = {"id": original.record.id, "this": record.id, "date": record.date.isoformat(), "title": record.title}
                yield Problem(entry.file, "duplicate-activity", args, level=Level.WARNING, path=(entry.index,))


def _outline(activity: Activity) -> tuple[object, ...]:
    return (activity.type, activity.title, activity.location, activity.start, activity.end, len(activity.participants))


def _people(activity: Activity) -> frozenset[tuple[str, Decimal]]:
    """Who took part, each with their hours: the same people with other hours is another record."""
    return frozenset((p.volunteer, activity.hours_of(p)) for p in activity.participants)


def _same_activity(one: Activity, other: Activity) -> bool:
    return _outline(one) == _outline(other) and _people(one) == _people(other)


@validation
def overlapping_times(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """One person in two activities of one day whose times overlap: one record has a wrong time or a
    wrong name (or the person's hours are counted twice). Meetings are included: nobody sits in a
    meeting while serving elsewhere. Only activities with both start and end have a time to compare.

    A participant's own hours (`{V0005: 2}` in 08:00–12:00) do not say *when* within the span they
    served, so a warning is given only when the two records cannot both be true: the hours claimed
    in the two (each at most its span) exceed the time the two spans cover together. Without such
    hours, that is any overlap at all; with them, leaving one at 10:00 for another from 10:00 is fine.
    A record that duplicates the other is `duplicate-activity`'s, not reported again here."""
    for entries in _counting_days(ledger):
        timed = [
            (entry, start, end)
            for entry in entries
            if (start := _minutes(entry.record.start)) is not None and (end := _minutes(entry.record.end)) is not None and end > start
        ]
        if len(timed) < 2:
            continue
        # Each volunteer's timed records earlier in the day's file order: (entry, start, end, minutes served in it).
        earlier: dict[str, list[tuple[ActivityEntry, int, int, Decimal]]] = defaultdict(list)
        for entry, start, end in timed:
            activity = entry.record
            span = Decimal(end - start)
            usual = min(activity.hours * 60, span) if activity.hours is not None else span  # most people's: once an activity
            for i, participant in enumerate(activity.participants):
                own = usual if participant.hours is None else min(participant.hours * 60, span)
                seen = earlier[participant.volunteer]
                for other, other_start, other_end, other_own in seen:
                    if other is entry or other_start >= end or start >= other_end:
                        continue
                    covered = max(end, other_end) - min(start, other_start)
                    if own + other_own > covered and not _same_activity(activity, other.record):
                        args = _overlap_args(participant.volunteer, activity, other.record)
                        yield Problem(entry.file, "overlapping-times", args, level=Level.WARNING, path=(entry.index, "participants", i))
                        break
                seen.append((entry, start, end, own))


def _minutes(clock: time | None) -> int | None:
    return clock.hour * 60 + clock.minute if clock is not None else None


def _overlap_args(volunteer_id: str, activity: Activity, other: Activity) -> dict[str, str]:
    return {
        "id": volunteer_id,
        "date": activity.date.isoformat(),
        "span": f"{activity.start:%H:%M}–{activity.end:%H:%M}",
        "other": other.id,
        "other_span": f"{other.start:%H:%M}–{other.end:%H:%M}",
    }


@validation
def report_records(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    seen: set[tuple[str, str, str | None]] = set()
    branch_ids = {b.id for b in ledger.unit.branches} if ledger.unit else None
    for entry in ledger.reports:
        report, file, base = entry.record, entry.file, (entry.index,)
        if branch_ids is not None and report.branch is not None and report.branch not in branch_ids:
            yield Problem(file, "unknown-branch", {"id": report.branch}, path=base + ("branch",))
        if not _PERIOD_RE[report.kind].match(report.period):
            yield Problem(file, "invalid-period", {"period": report.period, "kind": report.kind}, path=base + ("period",))
        if report.submitted_on > workspace.today:
            yield Problem(file, "future-date", {"date": report.submitted_on.isoformat()}, path=base + ("submitted_on",))
        key = (report.kind, report.period, report.branch)
        if key in seen:
            yield Problem(file, "duplicate-report", {"kind": report.kind, "period": report.period}, level=Level.WARNING, path=base)
        seen.add(key)


@validation
def request_cycle(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """点单 → 派单 → 接单 → served or closed, in that order, each step about a known request."""

    if not ledger.request_steps and not any(e.record.request for e in ledger.activities):
        return
    team_ids = {t.id for t in ledger.unit.teams} if ledger.unit else None
    lives = request_lives(ledger)
    # Each volunteer's first claim of each request, so a claim looks up "claimed before?" instead of rescanning.
    first_claim: dict[tuple[str, str], tuple[date, int]] = {}
    for entry in ledger.request_steps:
        if isinstance(entry.record, RequestClaimed):
            for volunteer_id in entry.record.volunteers:
                key, when = (entry.record.request, volunteer_id), (entry.record.date, entry.index)
                first_claim[key] = min(first_claim.get(key, when), when)
    for entry in ledger.request_steps:
        step, file, base = entry.record, entry.file, (entry.index,)
        life = lives[step.request]
        if step.date > workspace.today:
            yield Problem(file, "future-date", {"date": step.date.isoformat()}, path=base + ("date",))
        if isinstance(step, RequestReceived):
            if life.received is not entry:
                yield Problem(file, "duplicate-id", {"id": step.request}, path=base + ("request",))
            continue
        ask = life.ask
        if ask is None:
            yield Problem(file, "unknown-request", {"id": step.request}, path=base + ("request",))
            continue
        if step.date < ask.date:
            yield Problem(file, "request-step-order", _order(step.step, step.date, "received", ask.date), path=base + ("date",))
        closed = life.closed_on
        if closed is not None and (step.date > closed or (step.step == "closed" and life.closes[0] is not entry)):
            yield Problem(file, "request-closed", {"id": step.request, "closed": closed.isoformat()}, path=base + ("date",))
        if isinstance(step, RequestAssigned) and team_ids is not None and step.team not in team_ids:
            yield Problem(file, "unknown-team", {"id": step.team}, path=base + ("team",))
        if isinstance(step, RequestClaimed):
            assigned = life.assigned_on
            if assigned is None or step.date < assigned:
                args = _order("claimed", step.date, "assigned", assigned)
                yield Problem(file, "request-step-order", args, path=base + ("date",))
            named: set[str] = set()
            for i, volunteer_id in enumerate(step.volunteers):
                path = base + ("volunteers", i)
                volunteer = ledger.volunteer(volunteer_id)
                if volunteer is None:
                    if volunteer_id not in ledger.known_volunteer_ids:
                        yield Problem(file, "unknown-volunteer", {"id": volunteer_id}, path=path)
                elif not volunteer.on_roster(step.date):
                    yield Problem(file, "not-on-roster", {"id": volunteer_id, "date": step.date.isoformat()}, path=path)
                if first_claim[(step.request, volunteer_id)] < (step.date, entry.index) or volunteer_id in named:
                    yield Problem(file, "duplicate-claim", {"id": volunteer_id, "request": step.request}, path=path)
                named.add(volunteer_id)
    for entry in ledger.activities:  # the record itself: does the request it names exist?
        request = entry.record.request
        if request is not None and (request not in lives or lives[request].ask is None):
            yield Problem(entry.file, "unknown-request", {"id": request}, path=(entry.index, "request"))
    for life in lives.values():
        if life.ask is None:
            continue
        for n, entry in enumerate(life.served_by):
            activity, path = entry.record, (entry.index, "request")
            claimed = life.claimed_on
            if claimed is None:
                yield Problem(entry.file, "served-unclaimed", {"id": life.id}, path=path)
            elif activity.date < claimed:
                args = {"id": life.id, "date": activity.date.isoformat(), "claimed": claimed.isoformat()}
                yield Problem(entry.file, "served-before-claim", args, path=path)
            if life.closed_on is not None and activity.date > life.closed_on:
                yield Problem(entry.file, "request-closed", {"id": life.id, "closed": life.closed_on.isoformat()}, path=path)
            if n > 0 and life.ask.kind == "wish":
                yield Problem(entry.file, "request-fulfilled-twice", {"id": life.id, "other": life.served_by[0].record.id}, path=path)


def _order(step: str, day: object, before: str, before_day: object) -> dict[str, str]:
    return {"step": step, "date": str(day), "before": before, "before_date": str(before_day) if before_day else "–"}


@validation
def redemptions(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """A redemption spends hours already earned; a balance never goes below zero."""

    for entry in ledger.redemptions:
        r, file, base = entry.record, entry.file, (entry.index,)
        if r.date > workspace.today:
            yield Problem(file, "future-date", {"date": r.date.isoformat()}, path=base + ("date",))
        if r.volunteer not in ledger.known_volunteer_ids:
            yield Problem(file, "unknown-volunteer", {"id": r.volunteer}, path=base + ("volunteer",))
    for entry, available in overdrawn(ledger):
        r = entry.record
        args = {"id": r.volunteer, "date": r.date.isoformat(), "hours": str(r.hours), "balance": str(available)}
        yield Problem(entry.file, "negative-balance", args, path=(entry.index, "hours"))


@validation
def vocabulary(ledger: UnitLedger, workspace: Workspace) -> Iterator[Problem]:
    """A category or tag outside the vocabulary of the policy governing the activity's year:
    `扶危济困志愿服务` for `扶危济困` would silently miss every rule that filters on it."""
    unit = ledger.unit
    if unit is None:
        return
    for entry in ledger.activities:
        activity = entry.record
        policy_entry = workspace.policies.get(unit.policy_for(activity.date.year) or "")
        if policy_entry is None:
            continue
        policy = policy_entry.policy
        if policy.categories is not None and activity.category is not None and activity.category not in policy.categories:
            args = {"value": activity.category, "policy": policy.id, "suggestion": _nearest(activity.category, policy.categories)}
            yield Problem(entry.file, "unknown-category", args, level=Level.WARNING, path=(entry.index, "category"))
        if policy.tags is not None:
            for i, tag in enumerate(activity.tags):
                if tag not in policy.tags:
                    args = {"value": tag, "policy": policy.id, "suggestion": _nearest(tag, policy.tags)}
                    yield Problem(entry.file, "unknown-tag", args, level=Level.WARNING, path=(entry.index, "tags", i))


def _nearest(word: str, vocabulary: list[str]) -> str:
    """The listed word most like `word`: one that contains it or is contained first (扶危济困志愿服务 → 扶危济困)."""
    containing = [w for w in vocabulary if w in word or word in w]
    if containing:
        return max(containing, key=len)
    close = difflib.get_close_matches(word, vocabulary, n=1, cutoff=0.3)
    return close[0] if close else ""
