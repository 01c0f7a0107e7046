"""Prompts that help: each answer read as it is typed (core/typed.py), only a wrong field asked
again with what was wrong, the unit's teams, the policy's categories and the roster offered."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import typer

from vsledger.core.model import VOLUNTEER_ID_RE
from vsledger.core.typed import (
    TypedError,
    id_by_name,
    normalize,
    parse_clock,
    parse_count,
    parse_date,
    parse_hours,
    parse_phone,
    split_list,
)

if TYPE_CHECKING:
    from vsledger.core.ledger import UnitLedger

T = TypeVar("T")


def say_typed_error(exc: TypedError, lang: str) -> str:
    from vsledger.render.messages import ui

    return ui(exc.key, lang, **exc.params)


def ask(lang: str, prompt_key: str, parse: Callable[[str], T], default: str | None = None, optional: bool = False) -> T | None:
    """Ask until the answer reads; an empty answer skips an optional field."""
    from vsledger.render.messages import ui

    label = ui(prompt_key, lang) + (ui("prompt-optional", lang) if optional else "")
    while True:
        answer = typer.prompt(label, default=default if default is not None else ("" if optional else None), show_default=bool(default))
        if not str(answer).strip():
            if optional:
                return None
            continue
        try:
            return parse(str(answer))
        except TypedError as exc:
            typer.echo(say_typed_error(exc, lang), err=True)


def text(value: str) -> str:
    """Free text keeps the characters it was typed with; only the blanks around it go."""
    return value.strip()


def not_after(today: date) -> Callable[[str], date]:
    def parse(value: str) -> date:
        day = parse_date(value)
        if day > today:
            raise TypedError("typed-date-future", value=day.isoformat())
        return day

    return parse


def resolve_people(items: list[str], ledger: UnitLedger, strict: bool = True) -> list[str]:
    """Ids or names (with `=hours`) to roster ids; every unknown or ambiguous one is refused, with the nearest.

    Not `strict` (flags), a well-formed id that is not on the roster passes on, for the ledger's own
    validation to say where it is missing (`unknown-volunteer`, located)."""
    by_name: dict[str, list[str]] = {}
    for entry in ledger.volunteers.values():
        by_name.setdefault(entry.record.name, []).append(entry.record.id)
    resolved: list[str] = []
    unknown: list[str] = []
    for item in items:
        key, sep, hours = normalize(item).partition("=")
        key = key.strip()
        if key in ledger.known_volunteer_ids:
            resolved.append(key + sep + hours)
        elif len(by_name.get(key, [])) == 1:
            resolved.append(by_name[key][0] + sep + hours)
        elif key in by_name:
            raise TypedError("ambiguous-name", name=key, ids=", ".join(by_name[key]))
        elif not strict and VOLUNTEER_ID_RE.match(key):
            resolved.append(key + sep + hours)
        else:
            unknown.append(key)
    if unknown:
        candidates = sorted(ledger.known_volunteer_ids) + sorted(by_name)
        near = sorted({m for u in unknown for m in difflib.get_close_matches(u, candidates, n=2, cutoff=0.5)})
        raise TypedError("typed-not-on-roster", names="、".join(unknown), near="、".join(near) or "–")
    return resolved


def people_parser(ledger: UnitLedger) -> Callable[[str], list[str]]:
    def parse(value: str) -> list[str]:
        items = split_list(value)
        if not items:
            raise TypedError("typed-no-participants")
        return resolve_people(items, ledger)

    return parse


def _named_parser(ledger: UnitLedger, kind: Literal["team", "branch"]) -> Callable[[str], str]:
    """A team or branch by id or by name; anything else is asked again, with the choices."""
    names = ledger.names(kind)

    def parse(value: str) -> str:
        found = id_by_name(value, names)
        if found is None:
            raise TypedError(f"typed-unknown-{kind}", value=value, choices="、".join(f"{i} {n}" for i, n in names.items()) or "–")
        return found

    return parse


def team_parser(ledger: UnitLedger) -> Callable[[str], str]:
    return _named_parser(ledger, "team")


def branch_parser(ledger: UnitLedger) -> Callable[[str], str]:
    return _named_parser(ledger, "branch")


def named_id(value: str | None, ledger: UnitLedger, kind: Literal["team", "branch"]) -> str | None:
    """A `--team` or `--branch` flag by id or by the name unit.yaml gives it; anything else as typed,
    for validation to report where it would be written."""
    return None if value is None else id_by_name(value, ledger.names(kind)) or value


def choices(ledger: UnitLedger, kind: Literal["team", "branch"]) -> str:
    """The unit's teams or branches as offered at a prompt: `red 红队  blue 蓝队`."""
    return "  ".join(f"{item_id} {name}" for item_id, name in ledger.names(kind).items())


# The optional fields each form asks last, when no flag gave them: key, then prompt and parse.
ACTIVITY_EXTRAS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "target": ("prompt-target", text),
    "served": ("prompt-served", parse_count),
    "content": ("prompt-content", text),
    "outcome": ("prompt-outcome", text),
    "recorded_by": ("prompt-recorded-by", text),
}


def ask_activity(lang: str, fields: dict[str, Any], ledger: UnitLedger, today: date, categories: list[str]) -> dict[str, Any]:
    """Every field an activity has, asked in the order a clerk tells it; what a flag gave is kept."""
    from vsledger.render.messages import ui

    if fields.get("date") is None:
        fields["date"] = ask(lang, "prompt-date", not_after(today), default=today.isoformat())
    if not fields.get("title"):
        fields["title"] = ask(lang, "prompt-title", text)
    if fields.get("team") is None and choices(ledger, "team"):
        typer.echo(ui("choices-teams", lang) + " " + choices(ledger, "team"))
        fields["team"] = ask(lang, "prompt-activity-team", team_parser(ledger), optional=True)
    if fields.get("category") is None:
        if categories:
            typer.echo(ui("choices-categories", lang) + " " + "、".join(categories))
        fields["category"] = ask(lang, "prompt-category", text, optional=True)
    if not fields.get("location"):
        fields["location"] = ask(lang, "prompt-location", text)
    if fields.get("hours") is None and not (fields.get("start") and fields.get("end")):
        _ask_time(lang, fields)
    if not fields.get("participants") and fields.get("corrects") is None:
        day = fields["date"]
        typer.echo(
            ui("roster-choices", lang)
            + " "
            + "  ".join(f"{e.record.id} {e.record.name}" for e in ledger.volunteers.values() if e.record.on_roster(day))
        )
        fields["participants"] = ask(lang, "prompt-participants", people_parser(ledger))
    return _ask_optional(lang, fields, ACTIVITY_EXTRAS)


def _ask_optional(lang: str, fields: dict[str, Any], asked: dict[str, tuple[str, Callable[[str], Any]]]) -> dict[str, Any]:
    """The optional fields no flag gave, each asked once with its prompt; an empty answer leaves it out."""
    for key, (prompt, parse) in asked.items():
        if fields.get(key) is None:
            fields[key] = ask(lang, prompt, parse, optional=True)
    return fields


def _ask_time(lang: str, fields: dict[str, Any]) -> None:
    """Start and end, or the hours: a clerk who knows the times need not do the sum."""
    start = fields.get("start") or ask(lang, "prompt-start", lambda v: parse_clock(v).strftime("%H:%M"), optional=True)
    if start:
        while True:
            end = ask(lang, "prompt-end", lambda v: parse_clock(v).strftime("%H:%M"))
            assert end is not None
            if end > start:
                fields["start"], fields["end"] = start, end
                return
            typer.echo(say_typed_error(TypedError("typed-end-before-start", start=start, end=end), lang), err=True)
    fields["hours"] = ask(lang, "prompt-hours", parse_hours)


def employment_words(lang: str) -> str:
    from vsledger.core.employment import EMPLOYMENT_WORDS

    return "、".join(words[0] if lang == "zh" else code for code, words in EMPLOYMENT_WORDS.items())


def yes_no(value: str) -> bool:
    answer = normalize(value).lower()
    if answer in ("y", "yes", "是", "1", "true"):
        return True
    if answer in ("n", "no", "否", "0", "false"):
        return False
    raise TypedError("typed-yes-no", value=value)


def id_number(value: str) -> str:
    from vsledger.core.personal import id_number_ok

    number = normalize(value).upper()
    if not id_number_ok(number):
        raise TypedError("typed-id-number")
    return number


VOLUNTEER_EXTRAS: dict[str, tuple[str, Callable[[str], Any]]] = {
    "id_number": ("prompt-id-number", id_number),
    "phone": ("prompt-phone", parse_phone),
    "registered_on": ("prompt-registered-on", parse_date),
    "registration_no": ("prompt-registration-no", text),
}


def ask_volunteer(lang: str, fields: dict[str, Any], ledger: UnitLedger, defaults_given: set[str]) -> dict[str, Any]:
    """Every roster field, asked in the order a registration form has them; flags already given are kept."""
    from vsledger.core.typed import parse_employment
    from vsledger.render.messages import ui

    if not fields.get("name"):
        fields["name"] = ask(lang, "prompt-name", text)
    if fields.get("gender") is None:
        fields["gender"] = ask(lang, "prompt-gender", text, optional=True)
    if "employment" not in defaults_given:
        typer.echo(ui("choices-employment", lang) + " " + employment_words(lang))
        fields["employment"] = ask(lang, "prompt-employment", parse_employment, default=employment_words(lang).split("、")[0])
    if "party_member" not in defaults_given:
        fields["party_member"] = ask(lang, "prompt-party-member", yes_no, default="n") or None
    if fields.get("branch") is None and choices(ledger, "branch"):
        typer.echo(ui("choices-branches", lang) + " " + choices(ledger, "branch"))
        fields["branch"] = ask(lang, "prompt-branch", branch_parser(ledger), optional=True)
    if not fields.get("teams") and choices(ledger, "team"):
        typer.echo(ui("choices-teams", lang) + " " + choices(ledger, "team"))
        team_of = team_parser(ledger)
        fields["teams"] = ask(lang, "prompt-teams", lambda v: [team_of(t) for t in split_list(v)], optional=True) or []
    return _ask_optional(lang, fields, VOLUNTEER_EXTRAS)
