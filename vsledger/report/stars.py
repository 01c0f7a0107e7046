"""`vsledger stars`: cumulative service hours and star level (星级志愿者).

Cumulative hours are `prior_hours` (served before this ledger began) plus every
activity that counts, of every year up to the as-of date. Thresholds are the
national baseline of 100/300/600/1000/1500 hours for one to five stars, or the
workspace's own (`star_thresholds` in vsledger.yaml): local schemes differ.
Each row also carries the volunteer's time-bank account (activities only, less
redemptions), which is not the same number: prior hours are not in the bank.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from vsledger.check.timebank import Balance, time_bank
from vsledger.core.ledger import Workspace
from vsledger.core.problems import Problem
from vsledger.read.loader import ABSENT, SETTINGS, workspace_setting

DEFAULT_THRESHOLDS = (Decimal(100), Decimal(300), Decimal(600), Decimal(1000), Decimal(1500))


@dataclass
class StarRow:
    unit: str
    id: str
    name: str
    hours: Decimal
    stars: int
    next_threshold: Decimal | None
    to_next: Decimal | None
    earned: Decimal = Decimal(0)
    """Time bank (时间银行): hours earned by activities, redeemed, and what is left."""
    redeemed: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.earned - self.redeemed


def star_thresholds(root: Path, problems: list[Problem]) -> tuple[Decimal, ...]:
    """The workspace's thresholds, or the national baseline; a bad setting is a located problem."""

    values = workspace_setting(root, "star_thresholds", problems)
    if values is ABSENT:
        return DEFAULT_THRESHOLDS
    ok = isinstance(values, list) and values and all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) and v > 0 for v in values)
    if not ok or any(b <= a for a, b in itertools.pairwise(values)):
        problems.append(Problem(SETTINGS, "invalid-thresholds", {}, path=("star_thresholds",)))
        return DEFAULT_THRESHOLDS
    return tuple(Decimal(v) for v in values)


def stars_report(workspace: Workspace, unit_ids: list[str], as_of: date, thresholds: tuple[Decimal, ...]) -> list[StarRow]:
    rows: list[StarRow] = []
    for unit_id in unit_ids:
        ledger = workspace.units[unit_id]
        bank = time_bank(ledger, as_of)  # what the bank earned is every activity that counts up to as-of
        for entry in ledger.volunteers.values():
            volunteer = entry.record
            account = bank.get(volunteer.id, Balance())
            hours = (volunteer.prior_hours or Decimal(0)) + account.earned
            stars = sum(1 for threshold in thresholds if hours >= threshold)
            upcoming = thresholds[stars] if stars < len(thresholds) else None
            to_next = upcoming - hours if upcoming is not None else None
            rows.append(StarRow(unit_id, volunteer.id, volunteer.name, hours, stars, upcoming, to_next, account.earned, account.redeemed))
    return rows
