"""Community requests (点单 → 派单 → 接单), built from their records.

requests.yaml is a log of steps; an activity serves a request by naming it.
`request_lives` puts each request's steps and serving activities together once,
for validation, the rule kinds and the listing alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from vsledger.core.ledger import ActivityEntry, RequestStepEntry, UnitLedger
from vsledger.core.model import RequestAssigned, RequestClaimed, RequestClosed, RequestReceived

RequestState = Literal["received", "assigned", "claimed", "served", "closed"]
"""待派单, 待接单, 已接单, 已服务, 已结单: how far a request has come."""


@dataclass
class RequestLife:
    id: str
    received: RequestStepEntry | None = None
    assignments: list[RequestStepEntry] = field(default_factory=list)
    claims: list[RequestStepEntry] = field(default_factory=list)
    closes: list[RequestStepEntry] = field(default_factory=list)
    served_by: list[ActivityEntry] = field(default_factory=list)
    """The activities that count (after corrections) naming this request, by date."""

    @property
    def ask(self) -> RequestReceived | None:
        step = self.received.record if self.received else None
        return step if isinstance(step, RequestReceived) else None

    @property
    def team(self) -> str | None:
        """The team of the latest assignment."""
        latest = max(self.assignments, key=lambda e: e.record.date, default=None)
        return latest.record.team if latest is not None and isinstance(latest.record, RequestAssigned) else None

    def claimants(self, as_of: date = date.max) -> list[str]:
        """Who claimed it, in the order they did, up to as-of."""
        found: dict[str, None] = {}
        for entry in sorted(self.claims, key=lambda e: e.record.date):
            if isinstance(entry.record, RequestClaimed) and entry.record.date <= as_of:
                found.update(dict.fromkeys(entry.record.volunteers))
        return list(found)

    @property
    def assigned_on(self) -> date | None:
        return min((e.record.date for e in self.assignments), default=None)

    @property
    def claimed_on(self) -> date | None:
        return min((e.record.date for e in self.claims), default=None)

    @property
    def closed_on(self) -> date | None:
        return min((e.record.date for e in self.closes), default=None)

    @property
    def close_reason(self) -> str | None:
        first = min(self.closes, key=lambda e: e.record.date, default=None)
        return first.record.reason if first is not None and isinstance(first.record, RequestClosed) else None

    @property
    def served_on(self) -> date | None:
        return self.served_by[0].record.date if self.served_by else None

    def answered_on(self, as_of: date) -> date | None:
        """First served, or closed with a reason: either is an answer to the community."""
        days = [d for d in (self.served_on, self.closed_on) if d is not None and d <= as_of]
        return min(days, default=None)

    def state(self, as_of: date) -> RequestState:
        if self.closed_on is not None and self.closed_on <= as_of:
            return "closed"
        if any(e.record.date <= as_of for e in self.served_by):
            return "served"
        if self.claimed_on is not None and self.claimed_on <= as_of:
            return "claimed"
        if self.assigned_on is not None and self.assigned_on <= as_of:
            return "assigned"
        return "received"


def request_lives(ledger: UnitLedger) -> dict[str, RequestLife]:
    """Every request id named by a step or an activity that counts, with its life."""
    lives: dict[str, RequestLife] = {}
    for entry in ledger.request_steps:
        life = lives.setdefault(entry.record.request, RequestLife(entry.record.request))
        step = entry.record
        if isinstance(step, RequestReceived):
            if life.received is None:
                life.received = entry
        elif isinstance(step, RequestAssigned):
            life.assignments.append(entry)
        elif isinstance(step, RequestClaimed):
            life.claims.append(entry)
        elif isinstance(step, RequestClosed):
            life.closes.append(entry)
    for entry in ledger.effective:
        request = entry.record.request
        if request is not None:
            lives.setdefault(request, RequestLife(request)).served_by.append(entry)
    for life in lives.values():
        life.served_by.sort(key=lambda e: (e.record.date, e.file, e.index))
    return lives
