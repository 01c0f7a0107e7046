"""Policy files (rules/<policy-id>.yaml): parsed and validated like ledgers.

A rule's common keys (id, kind, text, level) are checked here; its other keys
are the parameters of its kind, validated by that kind's own model from the
registry, so an unknown or mistyped parameter is a located error.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

from ..model import (
    EMPLOYMENT_SCHEMA,
    RECORD_ID_RE,
    TEXT_SCHEMA,
    Employment,
    LedgerDate,
    RecordId,
    Text,
    UnitId,
    _err,
    id_schema,
    one_or_many,
)
from ..problems import Problem

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
    return number


def _to_count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise _err("invalid-number", field="min")
    return value


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


class Rule(BaseModel):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    id: RecordId
    kind: str
    text: str
    level: RuleLevel = "error"
    params: Any = None


class Policy(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: UnitId
    title: Text
    issued_by: Text | None = None
    issued_on: LedgerDate | None = None
    rules: list[Rule]


class _RuleHead(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: RecordId
    kind: Text
    text: Text
    level: RuleLevel = "error"


class _PolicyHead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: UnitId
    title: Text
    issued_by: Text | None = None
    issued_on: LedgerDate | None = None
    rules: list[Any]


_COMMON = {"id", "kind", "text", "level"}


def build_policy(data: Any, file: str, stem: str, problems: list[Problem]) -> Policy | None:
    from ..loader import build_record, problems_from_validation
    from .registry import KINDS

    head = build_record(_PolicyHead, data, file, (), problems)
    if head is None:
        return None
    if head.id != stem:
        problems.append(Problem(file, "policy-id-mismatch", {"id": head.id, "file": stem}, path=("id",)))
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, item in enumerate(head.rules):
        path = ("rules", index)
        rule_head = build_record(_RuleHead, item, file, path, problems)
        if rule_head is None:
            continue
        if rule_head.id in seen:
            problems.append(Problem(file, "duplicate-id", {"id": rule_head.id}, path=path + ("id",)))
            continue
        seen.add(rule_head.id)
        kind = KINDS.get(rule_head.kind)
        if kind is None:
            close = difflib.get_close_matches(rule_head.kind, list(KINDS), n=1)
            problems.append(
                Problem(file, "unknown-rule-kind", {"kind": rule_head.kind, "suggestion": close[0] if close else ""}, path=path + ("kind",))
            )
            continue
        raw_params = {k: v for k, v in item.items() if k not in _COMMON}
        try:
            params = kind.params.model_validate(raw_params)
        except Exception as exc:  # pydantic.ValidationError
            from pydantic import ValidationError

            if not isinstance(exc, ValidationError):
                raise
            problems.extend(problems_from_validation(exc, file, path))
            continue
        for problem in kind.check_params(params):
            problems.append(Problem(file, problem[0], problem[1], path=path + problem[2]))
        rules.append(Rule(id=rule_head.id, kind=rule_head.kind, text=rule_head.text, level=rule_head.level, params=params))
    return Policy(id=head.id, title=head.title, issued_by=head.issued_by, issued_on=head.issued_on, rules=rules)
