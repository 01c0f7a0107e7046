"""The time bank (时间银行): hours earned by service, spent on redemptions.

Seed 001 asks units to "用活'时间银行'管理平台": a volunteer's service hours are a
balance that can later be redeemed for services or goods. redemptions.yaml
records each redemption; the balance is never allowed below zero.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import accumulate

from vsledger.core.hours import participations, volunteer_hours
from vsledger.core.ledger import RedemptionEntry, UnitLedger


@dataclass
class Balance:
    earned: Decimal = Decimal(0)
    redeemed: Decimal = Decimal(0)

    @property
    def balance(self) -> Decimal:
        return self.earned - self.redeemed


def time_bank(ledger: UnitLedger, as_of: date) -> dict[str, Balance]:
    """Hours earned by activities that count and hours redeemed, per volunteer, up to as-of.

    `prior_hours` are not in the bank: the ledger cannot show they were not
    already spent wherever they were earned."""
    earned = volunteer_hours(ledger.effective_between(date.min, as_of)).hours
    balances = {volunteer: Balance(hours) for volunteer, hours in earned.items()}
    for redemption in ledger.redemptions:
        if redemption.record.date <= as_of:
            balances.setdefault(redemption.record.volunteer, Balance()).redeemed += redemption.record.hours
    return balances


def overdrawn(ledger: UnitLedger) -> list[tuple[RedemptionEntry, Decimal]]:
    """Redemptions that took a balance below zero on their day, with the balance before them."""
    spenders = {e.record.volunteer for e in ledger.redemptions if e.record.volunteer in ledger.volunteers}
    if not spenders:
        return []
    earned: dict[str, list[tuple[date, Decimal]]] = {v: [] for v in spenders}
    for activity, volunteer, hours in participations(e.record for e in ledger.effective):
        if volunteer in earned:
            earned[volunteer].append((activity.date, hours))
    # Earnings by day with running totals: a redemption looks its balance up instead of re-adding them.
    days: dict[str, list[date]] = {}
    running: dict[str, list[Decimal]] = {}
    for volunteer_id, items in earned.items():
        items.sort(key=lambda item: item[0])
        days[volunteer_id] = [d for d, _ in items]
        running[volunteer_id] = list(accumulate((h for _, h in items), initial=Decimal(0)))
    found: list[tuple[RedemptionEntry, Decimal]] = []
    spent: dict[str, Decimal] = {}
    for entry in sorted(ledger.redemptions, key=lambda e: (e.record.date, e.index)):
        r = entry.record
        if r.volunteer not in earned:  # an unknown volunteer is reported as such
            continue
        earned_by_then = running[r.volunteer][bisect_right(days[r.volunteer], r.date)]
        available = earned_by_then - spent.get(r.volunteer, Decimal(0))
        spent[r.volunteer] = spent.get(r.volunteer, Decimal(0)) + r.hours
        if r.hours > available:
            found.append((entry, available))
    return found
