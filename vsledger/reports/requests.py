"""`vsledger request list`: community requests by age, team and claimant.

By default only the open ones (neither served nor closed), oldest first: what
an office still owes its community.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..ledger import Workspace
from ..service_requests import RequestState, request_lives

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
        for life in request_lives(workspace.units[unit_id]).values():
            ask = life.ask
            if ask is None or ask.date > as_of:
                continue
            answered = life.answered_on(as_of)
            if answered is not None and not include_answered:
                continue
            if team is not None and life.team != team:
                continue
            claimants = life.claimants(as_of)
            if volunteer is not None and volunteer not in claimants:
                continue
            served = [e.activity.id for e in life.served_by if e.activity.date <= as_of]
            days = ((answered or as_of) - ask.date).days
            rows.append(
                RequestRow(
                    unit_id, life.id, ask.kind, ask.date, ask.from_, ask.ask, life.team,
                    claimants, life.state(as_of), answered, days, served,
                )
            )  # fmt: skip
    rows.sort(key=lambda r: (r.answered is not None, -r.days if r.answered is None else 0, r.received, r.unit, r.id))
    return rows


def requests_json(rows: list[RequestRow]) -> list[dict[str, Any]]:
    return [
        {"unit": r.unit, "id": r.id, "kind": r.kind, "received": r.received.isoformat(), "from": r.source, "ask": r.ask,
         "team": r.team, "claimed_by": r.claimants, "state": r.state,
         "answered": r.answered.isoformat() if r.answered else None, "days": r.days, "activities": r.activities}
        for r in rows
    ]  # fmt: skip


def requests_table(rows: list[RequestRow], as_of: date, lang: str) -> Any:
    from ..messages import ui
    from ..render import Column, Items, Table

    single_unit = len({r.unit for r in rows}) == 1
    roomy = 0 if single_unit else 100  # without a unit column these fit 80 columns; with it, from 100
    table = Table(
        ui("requests-title", lang, as_of=as_of.isoformat()),
        [Column(ui("unit", lang), no_wrap=True), Column(ui("request-id", lang), no_wrap=True),
         Column(ui("request-kind", lang), no_wrap=True, min_terminal_width=120),
         Column(ui("received", lang), no_wrap=True, min_terminal_width=roomy),
         Column(ui("days", lang), "right", no_wrap=True), Column(ui("request-from", lang), min_terminal_width=140),
         Column(ui("request-ask", lang), min_terminal_width=roomy), Column(ui("by-team", lang), no_wrap=True),
         Column(ui("claimed-by", lang), no_wrap=True),
         Column(ui("request-state", lang), no_wrap=True)],
    )  # fmt: skip
    for r in rows:
        table.rows.append(
            [r.unit, r.id, ui(f"request-kind-{r.kind}", lang), r.received, r.days, r.source, r.ask, r.team or "–",
             Items(list(r.claimants)) if r.claimants else "–", ui(f"request-state-{r.state}", lang)]
        )  # fmt: skip
        table.styles.append("yellow" if r.answered is None and r.days > LONG_WAIT_DAYS else None)
    table.caption = ui("requests-caption", lang, count=len(rows))
    if single_unit:
        table.drop_column(0)
    return table


def requests_flat_table(rows: list[RequestRow]) -> Any:
    from ..render import Column, Table

    keys = ("unit", "id", "kind", "received", "days", "from", "ask", "team", "claimed_by", "state", "answered", "activities")
    table = Table("", [Column(k) for k in keys])
    table.rows = [
        [
            r.unit,
            r.id,
            r.kind,
            r.received,
            r.days,
            r.source,
            r.ask,
            r.team,
            " ".join(r.claimants),
            r.state,
            r.answered,
            " ".join(r.activities),
        ]
        for r in rows
    ]
    return table
