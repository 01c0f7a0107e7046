"""`vsledger request list`: community requests by age, team and claimant.

By default only the open ones (neither served nor closed), oldest first: what
an office still owes its community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from vsledger.check.requests import RequestState, request_lives
from vsledger.core.ledger import Workspace
from vsledger.core.typed import id_by_name

LONG_WAIT_DAYS = 30
"""An open request waiting longer than this is highlighted on the terminal."""


@dataclass
class RequestRow:
    unit: str
    id: str
    kind: str
    received: date
    source: str
    ask: str
    team: str | None
    claimants: list[str]
    state: RequestState
    answered: date | None
    days: int
    """Days waiting so far (open) or days it took to answer."""
    activities: list[str]


def requests_report(
    workspace: Workspace,
    unit_ids: list[str],
    as_of: date,
    include_answered: bool = False,
    team: str | None = None,
    volunteer: str | None = None,
) -> list[RequestRow]:
    rows: list[RequestRow] = []
    for unit_id in unit_ids:
        ledger = workspace.units[unit_id]
        team_id = None if team is None else id_by_name(team, ledger.names("team")) or team
        for life in request_lives(ledger).values():
            ask = life.ask
            if ask is None or ask.date > as_of:
                continue
            answered = life.answered_on(as_of)
            if answered is not None and not include_answered:
                continue
            if team_id is not None and life.team != team_id:  # by id or by the unit's name for it
                continue
            claimants = life.claimants(as_of)
            if volunteer is not None and volunteer not in claimants:
                continue
            served = [e.record.id for e in life.served_by if e.record.date <= as_of]
            days = ((answered or as_of) - ask.date).days
            rows.append(
                RequestRow(
                    unit_id, life.id, ask.kind, ask.date, ask.from_, ask.ask, life.team,
                    claimants, life.state(as_of), answered, days, served,
                )
            )  # fmt: skip
    rows.sort(key=lambda r: (r.answered is not None, -r.days if r.answered is None else 0, r.received, r.unit, r.id))
    return rows
