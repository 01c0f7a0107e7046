"""Shell completion of the ids a clerk would otherwise look up: units, volunteers, teams.

Runs on every Tab press, so it reads as little as it can: directory names for units,
one roster.yaml or unit.yaml for the rest, and never the activities. Each suggestion
carries the name as its help text (zsh and fish show it beside the id; bash shows ids). A file that
does not parse gives no suggestions rather than an error on the command line.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

from vsledger.core.model import UNIT_ID_RE


def _root(ctx: typer.Context) -> Path:
    root = ctx.find_root().params.get("root") or os.environ.get("VSLEDGER_ROOT")
    return Path(root) if root else Path.cwd()


def _units_given(ctx: typer.Context) -> list[str]:
    value = ctx.params.get("unit")
    if isinstance(value, str):
        return [value]
    return list(value or [])


def _read(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def unit_ids(root: Path) -> list[tuple[str, str]]:
    ledgers = root / "ledgers"
    if not ledgers.is_dir():
        return []
    found = []
    for directory in sorted(ledgers.iterdir()):
        if directory.is_dir() and UNIT_ID_RE.match(directory.name):
            unit = _read(directory / "unit.yaml")
            found.append((directory.name, str(unit.get("name", "")) if isinstance(unit, dict) else ""))
    return found


def _records(root: Path, units: list[str], file: str, key: str) -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for unit in units or [u for u, _ in unit_ids(root)]:
        data = _read(root / "ledgers" / unit / file)
        items = data.get(key) if isinstance(data, dict) else None
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                found.setdefault(item["id"], str(item.get("name", "")))
    return sorted(found.items())


def volunteer_ids(root: Path, units: list[str]) -> list[tuple[str, str]]:
    return _records(root, units, "roster.yaml", "volunteers")


def team_ids(root: Path, units: list[str]) -> list[tuple[str, str]]:
    return _records(root, units, "unit.yaml", "teams")


def _matching(candidates: list[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    return [(value, name) for value, name in candidates if value.startswith(incomplete)]


def complete_unit(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _matching(unit_ids(_root(ctx)), incomplete)


def complete_volunteer(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _matching(volunteer_ids(_root(ctx), _units_given(ctx)), incomplete)


def complete_team(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    return _matching(team_ids(_root(ctx), _units_given(ctx)), incomplete)
