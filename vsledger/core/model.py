"""The data model of a workspace's files (docs/format.md §3-9), as pydantic v2 models.

Field-level checks live here as types, so a record that loads is well-formed on
its own; checks that need other records live in `validation.py`. Custom errors
carry our problem code as their pydantic error type, so the loader reports them
under that code.
"""

from __future__ import annotations

import re
from datetime import date, time
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidatorFunctionWrapHandler, WithJsonSchema, WrapValidator
from pydantic_core import PydanticCustomError

from vsledger.core.personal import PHONE_PATTERN, id_number_ok, mask_id_number, mask_phone, phone_ok

UNIT_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
VOLUNTEER_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
RECORD_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_CLOCK_RE = re.compile(r"^([01]?[0-9]|2[0-3]):([0-5][0-9])$")
_HOURS_PLACES = Decimal("0.01")
MAX_DAY_HOURS = Decimal(24)
MAX_TOTAL_HOURS = Decimal(100_000)
"""Prior, training and time-bank hours: more than eleven years of days and nights is a typing error,
and a bound keeps every later sum and rounding within Decimal's precision."""

Employment = Literal["staff", "contract", "retired", "resident", "student", "other"]
ReportKind = Literal["plan", "monthly", "half-year", "annual"]
ActivityType = Literal["service", "meeting"]
"""A meeting (协调会, 工作例会) is recorded but never counts as service."""
RequestKind = Literal["project", "wish"]
"""服务项目 (a community service project) or 微心愿 (a small wish)."""


def _err(code: str, **ctx: Any) -> PydanticCustomError:
    # The message template is English and never shown as is: the catalogue in
    # messages.py renders the code with ctx in the user's language.
    return PydanticCustomError(code, code, ctx)


def _ident(pattern: re.Pattern[str]) -> Any:
    def check(value: Any) -> str:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise _err("invalid-value", expected="id")
        text = str(value)
        if isinstance(value, int):
            raise _err("unquoted-id", value=text)
        if not pattern.match(text):
            raise _err("invalid-id", value=text)
        return text

    return BeforeValidator(check)


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _err("invalid-date", value=str(value))


def _to_hours(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise _err("invalid-hours", value=str(value))
    if isinstance(value, int):
        value = Decimal(value)
    elif isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except ArithmeticError:
            raise _err("invalid-hours", value=value) from None
    if not isinstance(value, Decimal) or not value.is_finite():
        raise _err("invalid-hours", value=str(value))
    if value <= 0 or value > MAX_DAY_HOURS:
        raise _err("hours-range", value=_short(value))
    if value != value.quantize(_HOURS_PLACES):
        raise _err("hours-precision", value=_short(value))
    return value


def _to_total_hours(value: Any) -> Decimal:
    """prior_hours and training hours: a non-negative decimal, no daily cap."""
    if isinstance(value, bool) or not isinstance(value, (int, Decimal, str)):
        raise _err("invalid-hours", value=str(value))
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise _err("invalid-hours", value=str(value)) from None
    if not number.is_finite():
        raise _err("invalid-hours", value=str(value))
    if number < 0:  # a number, only on the wrong side of zero: "write it as a number" would not help
        raise _err("negative-hours", value=_short(number))
    if number > MAX_TOTAL_HOURS:  # before any rounding: 1e30 cannot be quantized
        raise _err("hours-too-large", value=_short(number), limit=MAX_TOTAL_HOURS)
    if number != number.quantize(_HOURS_PLACES):
        raise _err("hours-precision", value=_short(number))
    return number


def _short(number: Decimal) -> str:
    """A number as a message shows it: never expanded digit by digit (1E+30, not thirty zeros)."""
    return str(number) if -30 <= number.adjusted() <= 30 else f"{number:.3E}"


def _to_clock(value: Any) -> time:
    if isinstance(value, str):
        match = _CLOCK_RE.match(value.strip())
        if match:
            return time(int(match.group(1)), int(match.group(2)))
    raise _err("invalid-clock", value=str(value))


def _to_id_number(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _err("unquoted-number", field="id_number", masked=mask_id_number(str(value)))
    if not isinstance(value, str):
        raise _err("invalid-value", expected="string")
    text = value.strip().upper()
    if not id_number_ok(text):
        raise _err("invalid-id-number", masked=mask_id_number(text))
    return text


def _to_phone(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _err("unquoted-number", field="phone", masked=mask_phone(str(value)))
    if not isinstance(value, str):
        raise _err("invalid-value", expected="string")
    text = value.strip()
    if not phone_ok(text):
        raise _err("invalid-phone", masked=mask_phone(text))
    return text


def _to_text(value: Any) -> str:
    """Text fields: a number or date written where text belongs is kept as written."""
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        raise _err("invalid-value", expected="string")
    if isinstance(value, str):
        if not value.strip():
            raise _err("empty-text")
        return value
    raise _err("invalid-value", expected="string")


def _to_period(value: Any) -> Any:
    """`period: 2022` is what people type for a yearly report; it means "2022"."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _to_list(value: Any) -> Any:
    """`tags: 集中` is forgiven as `tags: [集中]`."""
    return [value] if isinstance(value, str) else value


# Each type says how it looks in a YAML file (WithJsonSchema), for the editor schemas of
# `vsledger schema`: what a person may type, which the validators above then read.
DECIMAL_TEXT = r"^\s*[0-9]+(\.[0-9]+)?\s*$"
TEXT_SCHEMA: dict[str, Any] = {"type": "string", "minLength": 1}


def one_or_many(item: dict[str, Any]) -> dict[str, Any]:
    """`tags: 集中` or `tags: [集中, 党员]`: one value is forgiven for a list of one."""
    return {"anyOf": [item, {"type": "array", "items": item}]}


def id_schema(pattern: re.Pattern[str]) -> dict[str, Any]:
    return {"type": "string", "pattern": pattern.pattern}


UnitId = Annotated[str, _ident(UNIT_ID_RE), WithJsonSchema(id_schema(UNIT_ID_RE))]
VolunteerId = Annotated[str, _ident(VOLUNTEER_ID_RE), WithJsonSchema(id_schema(VOLUNTEER_ID_RE))]
RecordId = Annotated[str, _ident(RECORD_ID_RE), WithJsonSchema(id_schema(RECORD_ID_RE))]
LedgerDate = Annotated[date, BeforeValidator(_to_date), WithJsonSchema({"type": "string", "format": "date"})]
HOURS_SCHEMA: dict[str, Any] = {
    "anyOf": [{"type": "number", "exclusiveMinimum": 0, "maximum": 24}, {"type": "string", "pattern": DECIMAL_TEXT}]
}
Hours = Annotated[Decimal, BeforeValidator(_to_hours), WithJsonSchema(HOURS_SCHEMA)]
TotalHours = Annotated[
    Decimal,
    BeforeValidator(_to_total_hours),
    WithJsonSchema({"anyOf": [{"type": "number", "minimum": 0}, {"type": "string", "pattern": DECIMAL_TEXT}]}),
]
Clock = Annotated[time, BeforeValidator(_to_clock), WithJsonSchema({"type": "string", "pattern": _CLOCK_RE.pattern})]
IdNumber = Annotated[str, BeforeValidator(_to_id_number), WithJsonSchema({"type": "string", "pattern": "^[1-9][0-9]{16}[0-9Xx]$"})]
Phone = Annotated[str, BeforeValidator(_to_phone), WithJsonSchema({"type": "string", "pattern": PHONE_PATTERN})]
Text = Annotated[str, BeforeValidator(_to_text), WithJsonSchema(TEXT_SCHEMA)]
TextList = Annotated[list[Text], BeforeValidator(_to_list), WithJsonSchema(one_or_many(TEXT_SCHEMA))]
Count = Annotated[int, Field(ge=0, strict=True)]
EMPLOYMENT_SCHEMA: dict[str, Any] = {"type": "string", "enum": list(get_args(Employment))}
ACTIVITY_TYPE_SCHEMA: dict[str, Any] = {"type": "string", "enum": list(get_args(ActivityType))}


def size_ok(value: Any) -> bool:
    """A team's planned headcount is a whole number above zero."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


R = TypeVar("R", bound=BaseModel)
_FIELD_SETS: dict[frozenset[str], set[str]] = {}


def compact(record: R) -> R:
    """The record with the set of its given fields shared with every record that gives the same fields.

    pydantic keeps that set per instance (~700 bytes for an activity, half of what the model itself
    takes); records are frozen, and pydantic copies the set before changing it (`model_copy`), so
    one set can serve them all."""
    given = record.__pydantic_fields_set__
    shared = _FIELD_SETS.get(frozenset(given))
    if shared is None:
        if len(_FIELD_SETS) >= 10_000:  # a bound no ledger reaches: every combination of fields seen
            _FIELD_SETS.clear()
        shared = _FIELD_SETS[frozenset(given)] = given
    object.__setattr__(record, "__pydantic_fields_set__", shared)
    return record


# --- unit.yaml -------------------------------------------------------------


class Branch(Record):
    id: RecordId
    name: Text


class Team(Record):
    id: RecordId
    name: Text
    branch: RecordId | None = None
    convener: VolunteerId | None = None
    size: Annotated[Any, WithJsonSchema({"type": "integer", "minimum": 1})] = None
    """The planned headcount (a 60-person team in 30/15/10/5): team_structure holds the roster to it.
    A bad one is reported by validation (`invalid-size`) without losing the rest of unit.yaml."""

    @property
    def planned_size(self) -> int | None:
        return self.size if size_ok(self.size) else None


def _policy_of(policy: str | dict[int, str] | None, year: int) -> str | None:
    """A policy id, or a {year: id} mapping: the policy of a year (None: no policy)."""
    return policy.get(year) if isinstance(policy, dict) else policy


class Unit(Record):
    id: UnitId
    name: Text
    parent: UnitId | None = None
    policy: UnitId | dict[int, UnitId] | None = None
    population: Count | None = None
    branches: list[Branch] = []
    teams: list[Team] = []

    def policy_for(self, year: int) -> str | None:
        return _policy_of(self.policy, year)


# --- roster.yaml -----------------------------------------------------------


class Training(Record):
    date: LedgerDate
    topic: Text
    hours: TotalHours | None = None


class Volunteer(Record):
    id: VolunteerId
    name: Text
    gender: Text | None = None
    id_number: IdNumber | None = Field(None, title="ID card number")
    """Written in personal.yaml (out of git) and joined in by the loader; masked in every output."""
    phone: Phone | None = None
    """As `id_number`: personal.yaml, masked everywhere."""
    party_member: bool = False
    employment: Employment
    branch: RecordId | None = None
    teams: list[RecordId] = []
    joined: LedgerDate | None = None
    left: LedgerDate | None = None
    registered_on: LedgerDate | None = None
    registration_no: Text | None = Field(None, title="volunteer number")
    platform: Text | None = None
    checked_in_on: LedgerDate | None = None
    community: Text | None = None
    skills: TextList = []
    trainings: list[Training] = []
    prior_hours: TotalHours | None = None

    def on_roster(self, day: date) -> bool:
        return (self.joined is None or self.joined <= day) and (self.left is None or day <= self.left)

    def registered(self, day: date) -> bool:
        return self.registered_on is not None and self.registered_on <= day


class PersonalEntry(Record):
    """One line of personal.yaml: the numbers kept out of git."""

    id: VolunteerId
    id_number: IdNumber | None = None
    phone: Phone | None = None


# --- activities/YYYY-MM.yaml -------------------------------------------------


def _to_participant(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) != 1:
            raise _err("invalid-participant")
        ((key, hours),) = value.items()
        return {"volunteer": key, "hours": hours}
    return {"volunteer": value, "hours": None}


PARTICIPANT_SCHEMA: dict[str, Any] = {
    "anyOf": [
        id_schema(VOLUNTEER_ID_RE),
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 1,
            "propertyNames": id_schema(VOLUNTEER_ID_RE),
            "additionalProperties": HOURS_SCHEMA,
        },
    ]
}
"""`V0001`, or `{V0003: 1.5}` for someone whose hours differ from the activity's."""


class Participant(Record):
    volunteer: VolunteerId
    hours: Hours | None = None


_SHARED_PARTICIPANTS: dict[str, Participant] = {}
_SHARED_MAX = 200_000


def _shared_participant(value: Any, handler: ValidatorFunctionWrapHandler) -> Participant:
    """`V0001` with the activity's own hours is one record however many activities name it.

    A large month file names the same volunteers millions of times, and a model each took
    ~500 bytes. Records are frozen, so one can stand for all; the map forgets all at a bound
    (a long-running server sees no end of ids)."""
    if type(value) is str:
        shared = _SHARED_PARTICIPANTS.get(value)
        if shared is not None:
            return shared
    participant: Participant = handler(value)
    if type(value) is str and participant.hours is None:
        if len(_SHARED_PARTICIPANTS) >= _SHARED_MAX:
            _SHARED_PARTICIPANTS.clear()
        _SHARED_PARTICIPANTS[value] = participant
    return participant


class Activity(Record):
    id: RecordId
    date: LedgerDate
    title: Text
    team: RecordId | None = None
    category: Text | None = None
    tags: TextList = []
    location: Text
    target: Text | None = Field(None, title="served group")
    served: Count | None = Field(None, title="people served")
    start: Clock | None = None
    end: Clock | None = None
    hours: Hours | None = Field(None, title="hours each")
    participants: list[
        Annotated[Participant, BeforeValidator(_to_participant), WrapValidator(_shared_participant), WithJsonSchema(PARTICIPANT_SCHEMA)]
    ]
    external: Count = 0
    lead: VolunteerId | None = None
    recorded_by: Text | None = None
    content: Text | None = None
    outcome: Text | None = None
    attachments: TextList = []
    corrects: RecordId | None = None
    request: RecordId | None = None
    """The community request (requests.yaml) this activity serves."""
    type: ActivityType = "service"

    @property
    def is_meeting(self) -> bool:
        return self.type == "meeting"

    @property
    def is_deletion(self) -> bool:
        return self.corrects is not None and not self.participants

    @property
    def span_hours(self) -> Decimal | None:
        """end - start in hours, rounded half-up to two places; None when not given."""
        if self.start is None or self.end is None:
            return None
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return (Decimal(minutes) / 60).quantize(_HOURS_PLACES)

    @property
    def default_hours(self) -> Decimal | None:
        if self.hours is not None:
            return self.hours
        span = self.span_hours
        return span if span is not None and span > 0 else None

    def hours_of(self, participant: Participant) -> Decimal:
        hours = participant.hours if participant.hours is not None else self.default_hours
        return hours if hours is not None else Decimal(0)


# --- reports.yaml ------------------------------------------------------------


class Report(Record):
    kind: ReportKind
    period: Annotated[Text, BeforeValidator(_to_period), WithJsonSchema({"anyOf": [TEXT_SCHEMA, {"type": "integer"}]})]
    submitted_on: LedgerDate
    file: Text | None = None
    branch: RecordId | None = None
    """The branch (党支部) the report is of, for report_due with scope: branch."""


# --- requests.yaml: 基层点单 → 组织派单 → 党员接单 ------------------------------------
#
# A request's life is a log of one-line steps, appended as they happen, never
# edited: a step is a fact with a date, the file keeps every old byte, and two
# clerks' appends merge (merge=union) like activity files do.


class RequestStep(Record):
    request: RecordId
    date: LedgerDate


class RequestReceived(RequestStep):
    """点单: a community or a resident asks for something."""

    step: Literal["received"]
    from_: Text = Field(alias="from")
    ask: Text
    kind: RequestKind


class RequestAssigned(RequestStep):
    """派单: the organisation hands it to a team (a later assignment reassigns)."""

    step: Literal["assigned"]
    team: RecordId


class RequestClaimed(RequestStep):
    """接单: volunteers (party members, usually) take it on."""

    step: Literal["claimed"]
    volunteers: Annotated[list[VolunteerId], Field(min_length=1)]


class RequestClosed(RequestStep):
    """Closed without (further) service, with the reason."""

    step: Literal["closed"]
    reason: Text


REQUEST_STEPS: dict[str, type[RequestStep]] = {
    "received": RequestReceived,
    "assigned": RequestAssigned,
    "claimed": RequestClaimed,
    "closed": RequestClosed,
}


# --- redemptions.yaml: the time bank (时间银行) ----------------------------------------


def _to_positive_hours(value: Any) -> Decimal:
    """A redemption's hours: a number above zero (spending none, or a negative amount, is no redemption)."""
    try:
        number = _to_total_hours(value)
    except PydanticCustomError as exc:
        if exc.type == "negative-hours":
            raise _err("redemption-hours", **(exc.context or {})) from None
        raise
    if number == 0:
        raise _err("redemption-hours", value=_short(number))
    return number


class Redemption(Record):
    """Hours a volunteer spent from their time-bank balance, and on what."""

    volunteer: VolunteerId
    date: LedgerDate
    hours: Annotated[
        Decimal,
        BeforeValidator(_to_positive_hours),
        WithJsonSchema({"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "string", "pattern": DECIMAL_TEXT}]}),
    ]
    what: Text


# --- groups.yaml: a supervising body's roll-up -----------------------------------------


class Group(Record):
    """Units (or other groups) checked as one: a town's stations, a bureau's units."""

    id: UnitId
    name: Text
    units: Annotated[list[UnitId], Field(min_length=1)]
    population: Count | None = None
    policy: UnitId | dict[int, UnitId] | None = None

    def policy_for(self, year: int) -> str | None:
        return _policy_of(self.policy, year)
