"""Every kind of file a workspace holds, declared once.

The loader finds files by these patterns, the writer and `fmt` lay records out by
these key orders and layouts, `schema` names its documents after them and the
merge driver knows which files hold records. A record's key order is its model's
field order, so adding a field to a model is the one edit that reaches them all.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel

from vsledger.core.model import (
    REQUEST_STEPS,
    Activity,
    PersonalEntry,
    Redemption,
    Report,
    Volunteer,
)

SCHEMA_DIR = "schemas"
EXPORTS_DIR = "exports"
"""Where what vsledger writes for people (workbooks, reports, certificates, bundles) goes without --out:
a folder of the workspace that git ignores (`init`'s .gitignore, and the folder's own .gitignore)."""
MODELINE = "# yaml-language-server: $schema="
MONTH_FILE_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])\.yaml$")
BUNDLE_FORMAT = "vsledger-bundle"
BUNDLE_MANIFEST = "manifest.json"
"""A unit's bundle (`vsledger bundle`): a tar.gz whose manifest names this format."""
PERSONAL_FIELDS = ("id_number", "phone")
"""The personal numbers: kept in personal.yaml, masked in every output unless asked."""


def model_keys(*models: type[BaseModel], first: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The keys a record is written with, in its model's field order (aliases as written)."""
    keys: list[str] = list(first)
    for model in models:
        for name, info in model.model_fields.items():
            key = info.alias or name
            if key not in keys:
                keys.append(key)
    return tuple(keys)


@dataclass(frozen=True)
class FileKind:
    name: str
    """Also the schema's name: `schemas/<name>.schema.json`."""
    pattern: re.Pattern[str]
    """The file's path relative to the workspace root."""
    keys: tuple[str, ...] = ()
    """Key order of one record; empty for a file that is one document (unit.yaml, a policy)."""
    layout: Literal["block", "line", "document"] = "document"
    """`block`: a record over several lines; `line`: one `- {…}` line a record; `document`: one mapping."""
    indent: str = ""
    """Indent of each record's `- ` (roster entries sit under `volunteers:`)."""
    blank_between: bool = False
    keep_empty: tuple[str, ...] = ()
    """Keys written even when empty (an empty participant list is how a correction deletes)."""
    records_key: str | None = None
    """The top-level key that holds the records, when the file is a mapping."""
    id_key: str | None = None
    """What names a record in merges and messages; None where records are matched whole."""
    unit_file: str | None = None
    """The file's name inside `ledgers/<unit>/`, for the files of a unit besides its months."""
    model: type[BaseModel] | None = None
    """The model of one record, whose field order is `keys`; exports show one column a field."""


_UNIT = r"^ledgers/[a-z0-9][a-z0-9-]{0,63}/"

KINDS: dict[str, FileKind] = {
    kind.name: kind
    for kind in (
        FileKind("unit", re.compile(_UNIT + r"unit\.yaml$"), unit_file="unit.yaml"),
        FileKind(
            "roster", re.compile(_UNIT + r"roster\.yaml$"), model_keys(Volunteer), "block", "  ",
            records_key="volunteers", id_key="id", unit_file="roster.yaml", model=Volunteer,
        ),
        FileKind(
            "personal", re.compile(_UNIT + r"personal\.yaml$"), model_keys(PersonalEntry), "line",
            id_key="id", unit_file="personal.yaml",
        ),
        FileKind(
            "activities", re.compile(_UNIT + r"activities/\d{4}-(0[1-9]|1[0-2])\.yaml$"), model_keys(Activity), "block",
            blank_between=True, keep_empty=("participants",), id_key="id", model=Activity,
        ),
        FileKind("reports", re.compile(_UNIT + r"reports\.yaml$"), model_keys(Report), "line", unit_file="reports.yaml"),
        FileKind(
            "requests", re.compile(_UNIT + r"requests\.yaml$"), model_keys(*REQUEST_STEPS.values(), first=("request", "step", "date")),
            "line", unit_file="requests.yaml",
        ),
        FileKind("redemptions", re.compile(_UNIT + r"redemptions\.yaml$"), model_keys(Redemption), "line", unit_file="redemptions.yaml"),
        FileKind("policy", re.compile(r"^rules/[^/]+\.yaml$")),
        FileKind("groups", re.compile(r"^groups\.yaml$")),
    )
}  # fmt: skip

ACTIVITY_KEYS = KINDS["activities"].keys
VOLUNTEER_KEYS = KINDS["roster"].keys
REPORT_KEYS = KINDS["reports"].keys
PERSONAL_KEYS = KINDS["personal"].keys
REQUEST_KEYS = KINDS["requests"].keys
REDEMPTION_KEYS = KINDS["redemptions"].keys
GROUPS_FILE = "groups.yaml"
"""The groups of units a supervising body checks as one (docs/format.md), at the workspace root."""
UNIT_FILES = tuple(kind.unit_file for kind in KINDS.values() if kind.unit_file)
"""The files of a unit directory besides its activity months."""
SCHEMA_NAMES = tuple(KINDS)
"""The schema files `vsledger schema` writes, `<name>.schema.json` each."""


CERTIFICATES = FileKind(
    "certificates", re.compile(_UNIT + r"certificates\.yaml$"), ("number", "volunteer", "issued_on", "from", "to", "hours"),
    "line", id_key="number", unit_file="certificates.yaml",
)  # fmt: skip
"""The certificate register `vsledger certificate` appends to: not read as ledger data, merged as records."""
MERGED_KINDS = tuple(kind for kind in KINDS.values() if kind.layout != "document" and kind.name != "personal") + (CERTIFICATES,)
"""The files that hold records and are in git: git merges them through `vsledger merge-file`
(personal.yaml never enters git)."""


ACTIVITIES_DIR = "activities"
"""The folder of a unit's month files: nothing else belongs in it."""
ATTACHMENTS_DIR = "attachments"
"""Where a unit's photos and scans go (any folder of the unit may hold them: activities name them by path)."""
KNOWN_UNIT_FILES = (*UNIT_FILES, CERTIFICATES.unit_file or "")
"""Every file of a unit directory vsledger knows by name: the ones it reads and the register it writes."""
_MONTH_MEANT = re.compile(r"^(\d{4})\D{0,3}?(\d{1,2})(?!\d)")


def looks_like_yaml(name: str) -> bool:
    """A name a person gave a YAML file, whatever the case of its extension (`2022-07.YML`)."""
    return name.lower().endswith((".yaml", ".yml"))


def month_file_meant(name: str) -> str | None:
    """The month file a name not read was meant to be (`2022-7.yml`, `2022/09.yaml`, `2022年9月.yaml`,
    `2022-07.yaml.txt` → `2022-0M.yaml`); None when the name names no month."""
    found = _MONTH_MEANT.match(name)
    if found is None or not (1900 <= int(found[1]) <= 2199 and 1 <= int(found[2]) <= 12):
        return None
    return f"{found[1]}-{int(found[2]):02d}.yaml"


def unit_file_meant(name: str) -> str | None:
    """The unit file a YAML file not read was meant to be (`report.yaml`, `Reports.yml` → `reports.yaml`)."""
    stems = {known.removesuffix(".yaml"): known for known in KNOWN_UNIT_FILES}
    stem = name.lower().rsplit(".", 1)[0]
    close = difflib.get_close_matches(stem, list(stems), n=1, cutoff=0.6)
    return stems[close[0]] if close else None


def activities_meant(name: str) -> bool:
    """A unit's entry that was meant to be its activities folder (`Activities`, `activity`, `activites`)."""
    return name != ACTIVITIES_DIR and difflib.SequenceMatcher(None, name.lower(), ACTIVITIES_DIR).ratio() >= 0.75


def git_pattern(kind: FileKind) -> str:
    """The kind's files as a .gitattributes pattern."""
    return f"ledgers/*/{kind.unit_file}" if kind.unit_file else "ledgers/*/activities/*.yaml"


def merged_kind_of(rel: str) -> FileKind | None:
    """The kind of a file the merge driver merges record by record; None for other files."""
    return next((kind for kind in MERGED_KINDS if kind.pattern.match(rel)), None)


def kind_of(rel: str) -> FileKind | None:
    """The kind of a workspace file by its path (`ledgers/u1/roster.yaml`); None for others."""
    for kind in KINDS.values():
        if kind.pattern.match(rel):
            return kind
    return None


def modeline(rel: str) -> str:
    """The first line of a new file: where its schema is, relative to the file; '' for other files."""
    kind = kind_of(rel)
    if kind is None:
        return ""
    depth = len(PurePosixPath(rel).parts) - 1
    return f"{MODELINE}{'../' * depth}{SCHEMA_DIR}/{kind.name}.schema.json\n"
