"""Personal numbers: the GB 11643 check digit and the masks every output uses."""

from __future__ import annotations

import re

from vsledger.core.problems import Level, Problem

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

ID_NUMBER_RE = re.compile(r"^[1-9]\d{16}[\dX]$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
"""An office or home number with its area code: `0597-2233445`."""
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
"""Either, as one pattern (the editor schema's)."""

# Anything in free text that could be a personal number, valid or not, whatever field it
# stands in: every run of 11 or more digits (a mobile or a landline with its area code, an
# ID card number with its X), a mobile written in groups (139-1234-5678) and a landline with its
# area code set apart (0597-2233445). The safety net over every message, excerpt and export we write.
_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Fa-f])\d{11,}[Xx]?(?![0-9A-Fa-fXx])")
"""Eleven digits or more, not inside a hexadecimal word (a git commit, a digest is no one's number)."""
_GROUPED_PHONE = re.compile(r"(?<!\d)(1\d\d)([ -])(\d{4})\2(\d{4})(?!\d)")
_LANDLINE_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(0\d{2,3}[ -]|[(（]0\d{2,3}[)）] ?)(\d{7,8})(?![0-9A-Za-z])")
"""A landline written with its area code set apart (0597-2233445, (0597) 2233445): too few digits
in one run for the pattern above, the local number is masked as `mask_phone` masks it."""
# A full number in a file (`numbers_in_data`): a valid ID card number or a mobile, whole.
_ID_CANDIDATE = re.compile(r"(?<![\dA-Za-z])([1-9]\d{16}[\dXx])(?![\dA-Za-z])")
_PHONE_CANDIDATE = re.compile(r"(?<!\d)(1[3-9]\d{9})(?!\d)")
_ELEVEN_DIGITS = re.compile(rb"\d{11}")
_MAYBE_NUMBER = re.compile(r"\d{11}|1\d\d[ -]\d{4}[ -]\d{4}|0\d{2,3}[ )）]{1,2}\d{7}|0\d{2,3}-\d{7}")


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
    """An ID card number shows its region and last four; anything else typed there, no more than a phone."""
    if len(value) not in (15, 18):
        return mask_number(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_number(value: str) -> str:
    """A number of unknown kind: at most its first three and last four characters, never most of it."""
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * len(value)


def mask_phone(value: str) -> str:
    area, dash, number = value.partition("-")
    if dash and LANDLINE_RE.match(value):  # 0597-***3445: the area code says nothing about the person
        return area + dash + "*" * (len(number) - 4) + number[-4:]
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_text(text: str) -> str:
    """Mask every number in free text that could be an ID card or phone number."""
    if not _MAYBE_NUMBER.search(text):  # one fast pass: most output holds no such run of digits
        return text
    text = _NUMBER_IN_TEXT.sub(lambda m: mask_number(m.group()), text)
    text = _LANDLINE_IN_TEXT.sub(lambda m: m.group(1) + "*" * (len(m.group(2)) - 4) + m.group(2)[-4:], text)
    return _GROUPED_PHONE.sub(lambda m: f"{m.group(1)}{m.group(2)}****{m.group(2)}{m.group(4)}", text)


_MASKED_IN_TEXT = re.compile(r"(?:[(（]?\d+[)）]? ?-?)\*{3,}[ -]?\d{4}(?!\d)")
"""What `mask_text` leaves of a number: its first digits (or area code), three stars or more, the last four."""


def masked_numbers(text: str) -> list[str]:
    """The numbers in `text` that read as a mask left them (`137****7000`): what a page showed, not what a person typed."""
    return _MASKED_IN_TEXT.findall(text) if "*" in text else []


def unmask_unchanged(real: str, returned: str) -> str:
    """A form field that showed `mask_text(real)`, as it came back: each masked number that came back whole, as
    shown, is the number it stands for, whatever else was edited around it; stars the clerk typed are left as typed.

    `mask_text` puts a star in place of a digit and moves nothing, so a masked number shown stands where the real
    one stands in `real`. A masked form that two different numbers share is not given back (nothing to tell which)."""
    shown = mask_text(real)
    if shown == real or returned == real:
        return returned
    if returned == shown:
        return real
    if len(shown) != len(real):  # a mask that moved characters: only the field left whole can be given back
        return returned
    behind: dict[str, set[str]] = {}
    for match in _MASKED_IN_TEXT.finditer(shown):
        behind.setdefault(match.group(), set()).add(real[match.start() : match.end()])
    return _MASKED_IN_TEXT.sub(lambda m: next(iter(behind[m.group()])) if len(behind.get(m.group(), ())) == 1 else m.group(), returned)


def numbers_in_text(rel: str, text: str, code: str, level: Level) -> list[Problem]:
    """A problem at every line of `text` that holds a full ID card (valid check digit) or mobile number."""
    return numbers_in_data(rel, text.encode("utf-8"), code, level)


def numbers_in_data(rel: str, data: bytes, code: str, level: Level) -> list[Problem]:
    """As `numbers_in_text`, over bytes: runs of eleven digits are found first and only their lines
    are decoded and checked, so a large file costs a search, not a parse."""
    problems: list[Problem] = []
    line_number, counted_to, last_start = 1, 0, -1
    for candidate in _ELEVEN_DIGITS.finditer(data):
        start = data.rfind(b"\n", 0, candidate.start()) + 1
        if start == last_start:
            continue  # this line is checked already
        last_start = start
        line_number += data.count(b"\n", counted_to, start)
        counted_to = start
        end = data.find(b"\n", start)
        raw = data[start : end if end >= 0 else len(data)]
        line = raw.decode("utf-8", "replace").removeprefix("\ufeff").rstrip("\r")
        found = [m for m in _ID_CANDIDATE.finditer(line) if id_number_ok(m.group(1))]
        found += list(_PHONE_CANDIDATE.finditer(line))
        if found:
            first = min(m.start(1) for m in found)
            kind = "id_number" if any(m.re is _ID_CANDIDATE for m in found) else "phone"
            problems.append(Problem(rel, code, {"kind": kind}, level, line=line_number, column=first + 1))
    return problems
