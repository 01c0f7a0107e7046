"""Personal numbers: the GB 11643 check digit and the masks every output uses."""

from __future__ import annotations

import re

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

ID_NUMBER_RE = re.compile(r"^[1-9]\d{16}[\dX]$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
"""An office or home number with its area code: `0597-2233445`."""
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
"""Either, as one pattern (the editor schema's)."""

# Anything in free text that looks like a full number; used as a safety net over
# every message and excerpt we print.
_ID_IN_TEXT = re.compile(r"(?<![\dA-Za-z])([1-9]\d{5})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")
_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id_number_ok(value: str) -> bool:
    """GB 11643-1999: 17 digits and a check digit (0-9 or X)."""
    value = value.upper()
    return bool(ID_NUMBER_RE.match(value)) and id_check_digit(value[:17]) == value[17]


def phone_ok(value: str) -> bool:
    """A mobile number, or a landline with its area code."""
    return bool(PHONE_RE.match(value) or LANDLINE_RE.match(value))


def mask_id_number(value: str) -> str:
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    area, dash, number = value.partition("-")
    if dash and LANDLINE_RE.match(value):  # 0597-***3445: the area code says nothing about the person
        return area + dash + "*" * (len(number) - 4) + number[-4:]
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


_ELEVEN_DIGITS = re.compile(r"\d{11}")


def mask_text(text: str) -> str:
    """Mask every full ID card or mobile number that appears in free text."""
    if not _ELEVEN_DIGITS.search(text):  # one fast pass: most output holds no such run of digits
        return text
    text = _ID_IN_TEXT.sub(lambda m: m.group(1) + "********" + m.group(3), text)
    return _PHONE_IN_TEXT.sub(lambda m: m.group(1) + "****" + m.group(3), text)
