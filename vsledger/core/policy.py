"""A policy file (rules/<policy-id>.yaml) as data: its head, its rules, and the
parameter types rule kinds share (populations, activity filters, rates, amounts).

Which parameters a rule takes is its kind's business (check/rules); the heads here
are what every policy and rule has, so the loader and the schemas need no kinds.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from vsledger.core.model import (
    ACTIVITY_TYPE_SCHEMA,
    EMPLOYMENT_SCHEMA,
    RECORD_ID_RE,
    TEXT_SCHEMA,
    ActivityType,
    Employment,
    LedgerDate,
    RecordId,
    Text,
    UnitId,
    _err,
    id_schema,
    one_or_many,
)
from vsledger.core.problems import Problem

RuleLevel = Literal["error", "warning"]


def _to_rate(value: Any) -> Decimal:
    """`80%`, `0.8` and `1` all mean a share; a share is between 0 and 1."""
    if isinstance(value, bool):
        raise _err("invalid-rate", value=str(value))
    number: Decimal | None = None
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            number = Decimal(value.strip()[:-1].strip()) / 100
        except ArithmeticError:
            number = None
    elif isinstance(value, (int, Decimal)):
        number = Decimal(value)
    if number is None or not number.is_finite() or not 0 <= number <= 1:
        raise _err("invalid-rate", value=str(value))
    return number


def _to_amount(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise _err("invalid-number", field="min")
    number = Decimal(value)
    if not number.is_finite() or number < 0:
        raise _err("invalid-number", field="min")
    if number > MAX_PARAMETER:  # before any rounding: 40 digits cannot be quantized
        raise _err("number-too-large", field="min", limit=MAX_PARAMETER)
    return number


def _to_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _err("invalid-number", field="min")
    if value > MAX_PARAMETER:
        raise _err("number-too-large", field="min", limit=MAX_PARAMETER)
    return value


MAX_PARAMETER = 1_000_000
"""A rule's amount or count: no target of a volunteer-service policy comes near it."""


def _to_list(value: Any) -> Any:
    return [value] if isinstance(value, (str, int)) and not isinstance(value, bool) else value


PERCENT = r"^\s*(100(\.0+)?|[0-9]{1,2}(\.[0-9]+)?)\s*%\s*$"
"""0% to 100%: a share written as a percentage."""
RATE_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "number", "minimum": 0, "maximum": 1}, {"type": "string", "pattern": PERCENT}]}
AMOUNT_SCHEMA: dict[str, Any] = {"type": "number", "minimum": 0}
Rate = Annotated[Decimal, BeforeValidator(_to_rate), WithJsonSchema(RATE_SCHEMA)]
Amount = Annotated[Decimal, BeforeValidator(_to_amount), WithJsonSchema(AMOUNT_SCHEMA)]
CountParam = Annotated[int, BeforeValidator(_to_count), WithJsonSchema({"type": "integer", "minimum": 0})]
TextList = Annotated[list[Text], BeforeValidator(_to_list), WithJsonSchema(one_or_many(TEXT_SCHEMA))]
IdList = Annotated[list[RecordId], BeforeValidator(_to_list), WithJsonSchema(one_or_many(id_schema(RECORD_ID_RE)))]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Who(Params):
    """A population: volunteers on the roster on the as-of date, every key ANDed."""

    party_member: bool | None = None
    employment: Annotated[list[Employment], BeforeValidator(_to_list), WithJsonSchema(one_or_many(EMPLOYMENT_SCHEMA))] | None = None
    branch: IdList | None = None
    teams: IdList | None = None
    registered: bool | None = None


class Where(Params):
    """An activity filter: every key ANDed, a list means any of."""

    category: TextList | None = None
    tags: TextList | None = None
    team: IdList | None = None
    type: Annotated[list[ActivityType], BeforeValidator(_to_list), WithJsonSchema(one_or_many(ACTIVITY_TYPE_SCHEMA))] | None = None
    """Meetings match only a filter that names `meeting`; absent, only service counts."""


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: str
    kind: str
    text: str
    level: RuleLevel = "error"
    params: Any = None
    problems: tuple[Problem, ...] = ()
    """Why the rule is malformed (then `params` is None): it is shown as `invalid`, never left out."""

    @property
    def invalid(self) -> bool:
        return bool(self.problems)


class RuleHead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: RecordId
    kind: Text
    text: Text
    level: RuleLevel = "error"


class PolicyFields(BaseModel):
    """What a policy file says about itself, besides its rules: read as written, kept as read."""

    id: UnitId
    title: Text
    issued_by: Text | None = None
    """The supervising body that issued the plan."""
    issued_on: LedgerDate | None = None
    """The day it was issued: where it starts to govern unless `effective_from` says otherwise."""
    effective_from: LedgerDate | None = None
    """The first day the policy governs (default: issued_on)."""
    effective_to: LedgerDate | None = None
    """The last day it governs (default: no end)."""
    categories: TextList | None = None
    """The activity categories of the policy's vocabulary: others get a warning."""
    tags: TextList | None = None
    """The tags of its vocabulary."""


# A policy file as the loader reads it: its rules still raw, each built by its kind (check/).
# (No docstring: pydantic would make it the editor schema's description.)
class PolicyHead(PolicyFields):
    model_config = ConfigDict(extra="forbid")

    rules: list[Any]


class Policy(PolicyFields):
    model_config = ConfigDict(frozen=True)

    rules: list[Rule]

    @property
    def governs_from(self) -> date | None:
        """The first day the policy governs: `effective_from`, else `issued_on`; None is unbounded."""
        return self.effective_from or self.issued_on

    def governs_year(self, year: int) -> bool:
        start, end = self.governs_from, self.effective_to
        return (start is None or start <= date(year, 12, 31)) and (end is None or end >= date(year, 1, 1))
