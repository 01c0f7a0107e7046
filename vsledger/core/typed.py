"""What people type, read the way they mean it: one place for the CLI's prompts and flags,
the spreadsheet import and the web forms.

A Chinese input method types full-width digits and punctuation (`２０２２`, `，`, `：`), a list
is separated by `、` as often as by a comma, a date is written `2022年5月21日` or `2022/5/21`,
and the employment is 在编 rather than `staff`. Each parser returns the value or raises
`TypedError` with a message key and its arguments (the catalogue words them), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from vsledger.core.employment import EMPLOYMENT_WORDS
from vsledger.core.model import MAX_DAY_HOURS
from vsledger.core.personal import LANDLINE_RE, PHONE_RE

_NEGATIONS = "不非无未"
_PHONE_NOISE = re.compile(r"[\s()\-]")
_COUNTRY_CODE = re.compile(r"^(\+86|0086)")

_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_LIST_SEPARATORS = re.compile(r"[、,;/\s]+")
_WORD_SEPARATORS = re.compile(r"[、,;\s]+")
_SPACED_EQUALS = re.compile(r"\s*=\s*")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_HOURS_PLACES = Decimal("0.01")
MAX_TYPED_DIGITS = 12
"""No hours, count or amount a person types has more digits; longer text is refused before Decimal sees it."""


class TypedError(ValueError):
    """What was typed cannot be read; `key` and `args` are for the message catalogue."""

    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key, self.params = key, args


def id_by_name(text: str, names: dict[str, str]) -> str | None:
    """The id typed, or the id of the name typed (`红队` → `red`); None when it is neither."""
    key = normalize(text)
    return key if key in names else next((i for i, name in names.items() if normalize(name) == key), None)


def normalize(text: str) -> str:
    """Full-width digits, letters and punctuation as their ASCII forms; surrounding blanks dropped.

    For ids, numbers, dates, times and lists only: a title keeps the characters it was typed with."""
    return unicodedata.normalize("NFKC", text).strip()


def split_list(text: str, slash: bool = True) -> list[str]:
    """`V0001，V0002、王芳 李四` → four items: every separator a clerk uses separates;
    `V0001 = 2.5` stays one item (blanks around `=` do not separate). Words such as tags keep a `/`
    (`助老/助残` is one tag): `slash=False`."""
    separators = _LIST_SEPARATORS if slash else _WORD_SEPARATORS
    return [item for item in separators.split(_SPACED_EQUALS.sub("=", normalize(text))) if item]


def parse_date(text: str) -> date:
    match = _DATE.match(normalize(text))
    if match:
        try:
            return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise TypedError("typed-date", value=text)


def parse_clock(text: str) -> time:
    match = _CLOCK.match(normalize(text))
    if not match:
        raise TypedError("typed-clock", value=text)
    return time(int(match.group(1)), int(match.group(2)))


def parse_hours(text: str) -> Decimal:
    """Hours of one day's service: more than 0, at most 24, at most two decimal places."""
    value = normalize(text)
    if _CLOCK.match(value):  # `09:00` typed where the hours go
        raise TypedError("typed-hours-clock", value=text)
    if len(value) > MAX_TYPED_DIGITS or not re.fullmatch(r"\d+(\.\d+)?", value):
        raise TypedError("typed-hours", value=text)
    try:
        number = Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise TypedError("typed-hours", value=text) from None
    if number <= 0 or number > MAX_DAY_HOURS:
        raise TypedError("typed-hours-range", value=text)
    if number != number.quantize(_HOURS_PLACES):
        raise TypedError("typed-hours-places", value=text)
    return number


def parse_count(text: str) -> int:
    value = normalize(text)
    if len(value) > MAX_TYPED_DIGITS or not value.isdigit():
        raise TypedError("typed-count", value=text)
    return int(value)


def parse_employment(text: str) -> str:
    """`在编`, `staff`, `合同`, `聘用人员` or `退休职工` → the code the roster keeps.

    A word an office writes for the kind, or a longer phrase holding one: the word that
    comes first in it decides (`退休职工` is retired though 职工 is a staff word). A word negated
    by the character before it (`非职工`) decides nothing: the phrase is asked again, not guessed."""
    value = normalize(text).lower()
    found = [(value.find(w), -len(w), code) for code, words in EMPLOYMENT_WORDS.items() for w in words if w in value]
    if value and found:
        position, _, code = min(found)
        if position == 0 or value[position - 1] not in _NEGATIONS:
            return code
    raise TypedError("typed-employment", value=text, choices="、".join(words[0] for words in EMPLOYMENT_WORDS.values()))


def parse_phone(text: str) -> str:
    """A mobile (`138 0000 1234`, `+86 13800001234`) as 11 digits; a landline with its area code
    (`0597-2233445`, `(0597)2233445`, `0597 2233445`, `05972233445`) as `0597-2233445`.

    The area code is three digits for 010 and 02x and four for every other, so where it ends is
    known even when nothing separates it."""
    compact = _COUNTRY_CODE.sub("", _PHONE_NOISE.sub("", normalize(text)))
    if PHONE_RE.match(compact):
        return compact
    if compact[:1] == "0" and len(compact) > 2:
        area = 3 if compact[1] in "12" else 4
        landline = f"{compact[:area]}-{compact[area:]}"
        if LANDLINE_RE.match(landline):
            return landline
    raise TypedError("typed-phone", value=text)
