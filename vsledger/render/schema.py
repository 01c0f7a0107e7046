"""JSON Schemas (draft 7) of the workspace files, for editors that check YAML as one types.

VS Code's YAML extension (yaml-language-server) reads the schema a file names in its
first line, `# yaml-language-server: $schema=../../schemas/roster.schema.json`, and
then completes field names, explains each field on hover and underlines what is wrong.
The schemas come from the same pydantic models the loader validates with (each field
type carries its YAML shape, `WithJsonSchema` in model.py), so they cannot drift from
what `vsledger validate` accepts; descriptions go through the message catalogue and
are Chinese unless English is asked for. A schema is a typing aid: `validate` stays
the judge (it also checks what a schema cannot: ids that must exist, dates in order).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from vsledger.check.rules import KINDS
from vsledger.core.filekinds import SCHEMA_NAMES
from vsledger.core.files import atomic_write
from vsledger.core.model import REQUEST_STEPS, Activity, Group, PersonalEntry, Redemption, Report, Unit, Volunteer
from vsledger.core.policy import PolicyHead as _PolicyHead
from vsledger.core.policy import RuleHead as _RuleHead
from vsledger.render.messages import translate

DRAFT = "http://json-schema.org/draft-07/schema#"

# Field descriptions, English source; the catalogue (context `schema:<key>`) has the Chinese.
# Keys are `Model.field`; request steps share `RequestStep.field`, rule parameters `param.name`.
DESCRIPTIONS: dict[str, str] = {
    "file.unit": "A unit: its id, name, policy, branches and service teams (ledgers/<unit>/unit.yaml)",
    "file.roster": "The unit's volunteers (ledgers/<unit>/roster.yaml); ID card and phone numbers go in personal.yaml",
    "file.personal": "ID card and phone numbers, kept out of git (ledgers/<unit>/personal.yaml)",
    "file.activities": "One month's activities (ledgers/<unit>/activities/YYYY-MM.yaml), each record starting with '- id:'",
    "file.reports": "Reports handed to the supervising body, one line each (ledgers/<unit>/reports.yaml)",
    "file.requests": "Community requests, one line per step: received, assigned, claimed, closed (ledgers/<unit>/requests.yaml)",
    "file.redemptions": "Time-bank redemptions, one line each (ledgers/<unit>/redemptions.yaml)",
    "file.policy": "A policy: the targets of one source document as rules (rules/<policy>.yaml)",
    "Unit.id": "Unit id: lower-case letters, digits and '-', the same as the directory name",
    "Unit.name": "Full name of the unit",
    "Unit.parent": "Id of the supervising unit (optional)",
    "Unit.policy": "Id of the policy in rules/ the unit is checked against; or one per year, e.g. {2022: xinluo-health-2018}",
    "Unit.population": "Resident population (常住人口), for population_participation rules",
    "Unit.branches": "Party branches (党支部)",
    "Unit.teams": "Volunteer service teams",
    "Branch.id": "Branch id, used by volunteers' 'branch' and teams' 'branch'",
    "Branch.name": "Branch name",
    "Team.id": "Team id, used by activities' 'team' and volunteers' 'teams'",
    "Team.name": "Team name",
    "Team.branch": "Id of the branch the team belongs to",
    "Team.convener": "Volunteer id of the team's convener",
    "Roster.volunteers": "Every volunteer, one record each",
    "Volunteer.id": "Volunteer id, unique in the unit, e.g. V0001",
    "Volunteer.name": "Name",
    "Volunteer.gender": "Gender",
    "Volunteer.id_number": "ID card number: better kept in personal.yaml, out of git; quote it",
    "Volunteer.phone": "Mobile phone number: better kept in personal.yaml, out of git; quote it",
    "Volunteer.party_member": "Party member (true/false)",
    "Volunteer.employment": "staff, contract, retired, resident, student or other",
    "Volunteer.branch": "Id of the volunteer's party branch",
    "Volunteer.teams": "Ids of the service teams the volunteer is in",
    "Volunteer.joined": "Date the volunteer joined the roster",
    "Volunteer.left": "Date the volunteer left the roster (the record stays)",
    "Volunteer.registered_on": "Date registered on the volunteer platform",
    "Volunteer.registration_no": "The platform's volunteer number; quote it",
    "Volunteer.platform": "Which volunteer platform, e.g. 全国志愿服务信息系统",
    "Volunteer.checked_in_on": "Date an in-service party member checked in with the community (到社区报到)",
    "Volunteer.community": "Community checked in with",
    "Volunteer.skills": "Skills, e.g. [急救, 心理咨询]",
    "Volunteer.trainings": "Trainings attended",
    "Volunteer.prior_hours": "Hours served before this ledger began (count for stars)",
    "Training.date": "Date of the training",
    "Training.topic": "Topic",
    "Training.hours": "Hours of training",
    "PersonalEntry.id": "Volunteer id on the roster",
    "PersonalEntry.id_number": "ID card number, quoted",
    "PersonalEntry.phone": "Mobile phone number, quoted",
    "Activity.id": "Activity id, unique in the unit; add-activity makes one (YYYYMMDD-xxxxxx)",
    "Activity.date": "Date of the activity; it must be in this file's month",
    "Activity.title": "What was done",
    "Activity.team": "Id of the team that ran it",
    "Activity.category": "Category, e.g. 义诊, 环保, 助老",
    "Activity.tags": "Tags, e.g. [集中, 学雷锋日]",
    "Activity.location": "Where",
    "Activity.target": "Whom it served (服务对象)",
    "Activity.served": "People served (服务人次)",
    "Activity.start": 'Start time, quoted: "08:30"',
    "Activity.end": "End time, quoted: \"11:30\"; end - start gives the hours unless 'hours' is given",
    "Activity.hours": "Hours each participant is credited (two decimal places at most)",
    "Activity.participants": (
        "Volunteer ids on the roster; {V0003: 1.5} for someone with other hours; an empty list in a correction deletes"
    ),
    "Activity.external": "Participants not on the roster (人次)",
    "Activity.lead": "Volunteer id of whoever led it",
    "Activity.recorded_by": "Who recorded it",
    "Activity.content": "What happened",
    "Activity.outcome": "What came of it",
    "Activity.attachments": "Photos and scans, paths relative to the unit directory",
    "Activity.corrects": "Id of the activity this record replaces (a correction); the original stays",
    "Activity.request": "Id of the community request (requests.yaml) this activity serves",
    "Report.kind": "plan, monthly, half-year or annual",
    "Report.period": "Which period: 2022-05 (monthly), 2022-H1 (half-year), 2022 (plan, annual)",
    "Report.submitted_on": "Date submitted",
    "Report.file": "The file submitted",
    "RequestStep.request": "Request id; every step of one request carries it",
    "RequestStep.date": "Date of this step",
    "RequestStep.step": "received (点单), assigned (派单), claimed (接单) or closed",
    "RequestStep.from": "Who asked: a community or a resident",
    "RequestStep.ask": "What is asked",
    "RequestStep.kind": "project (服务项目) or wish (微心愿)",
    "RequestStep.team": "Id of the team it is assigned to",
    "RequestStep.volunteers": "Ids of the volunteers who take it on",
    "RequestStep.reason": "Why it is closed",
    "Redemption.volunteer": "Volunteer id",
    "Redemption.date": "Date redeemed",
    "Redemption.hours": "Hours spent from the balance",
    "Redemption.what": "What was received",
    "Policy.id": "Policy id, the same as the file name",
    "Policy.title": "Title of the source document",
    "Policy.issued_by": "Who issued it",
    "Policy.issued_on": "Date issued",
    "Policy.rules": "The targets, one rule each",
    "Rule.id": "Rule id, unique in the policy",
    "Rule.kind": "What the rule measures: one of the rule kinds in rules/README.md",
    "Rule.text": "The target in the document's own words",
    "Rule.level": "error (a miss fails the check) or warning",
    "param.who": "Which volunteers: party_member, employment, branch, teams, registered (all must hold)",
    "param.where": "Which activities: category, tags, team (all must hold; a list means any of)",
    "param.min": "The target: a share (80% or 0.8), hours a year, or a count, by kind",
    "param.rate": "Share of the population that must meet it: 80% or 0.8",
    "param.scope": "Who must hold activities: unit, team, branch or person",
    "param.per": "How often: month, quarter, half or year",
    "param.activities": "Activities each person needs (default 1)",
    "param.report": "Which report: plan, monthly, half-year or annual",
    "param.due": 'Due date: "05-30", 5 (the 5th of the next month), or ["06-30", "12-31"]',
    "param.days": 'Days: "MM-DD", or "*-DD" for that day of every month',
    "param.window": "Days either side of each day (default 0)",
    "param.within": "Days from receiving a request to its answer",
    "param.request_kind": "project or wish, or a list; default both",
    "Who.party_member": "Party members only (true) or non-members only (false)",
    "Who.employment": "Employment, one or a list",
    "Who.branch": "Branch id, one or a list",
    "Who.teams": "Team id, one or a list",
    "Who.registered": "Registered on the platform (true) or not (false)",
    "Where.category": "Category, one or a list",
    "Where.tags": "Tag, one or a list",
    "Where.team": "Team id, one or a list",
    "Team.size": "Planned headcount of the team (a whole number above zero), for team_structure rules",
    "Activity.type": "service (the default) or meeting: a meeting never counts as service",
    "Report.branch": "Id of the branch the report is of (for report_due rules with scope: branch)",
    "Policy.effective_from": "First day the policy governs (default: issued_on)",
    "Policy.effective_to": "Last day the policy governs (default: no end)",
    "Policy.categories": "The activity categories of the policy: validate warns of any other",
    "Policy.tags": "The activity tags of the policy: validate warns of any other",
    "Where.type": "service or meeting; meetings count only where a rule names them",
    "param.fields": "Fields every record must fill: content, outcome, target, served, lead, recorded_by, attachments, start",
    "param.min_teams": "Fewest teams the unit has (default 1)",
    "param.max_teams": "Most teams the unit has (default: no limit)",
    "param.sizes": "Hold each team with a size: to it (default true)",
    "param.convener_member": "Each convener must be in the team they convene (default true)",
    "file.groups": "Groups of units checked as one by a supervising body (groups.yaml)",
    "Groups.groups": "Every group, one record each",
    "Group.id": "Group id: lower-case letters, digits and '-', not a unit's id",
    "Group.name": "Full name of the group",
    "Group.units": "Ids of its units, or of other groups",
    "Group.population": "Resident population (常住人口) of the whole group, for population_participation rules",
    "Group.policy": "Id of the policy the group is checked against as a whole; or one per year",
}


def describe(key: str, lang: str) -> str:
    return translate(f"schema:{key}", DESCRIPTIONS[key], lang)


def _clean(node: Any, names: bool = False) -> Any:
    """pydantic's output without its English titles and its defaults in Python's form.

    `names` is set inside `properties`, whose keys are field names (a field may be called `title`)."""
    if isinstance(node, dict):
        return {
            key: _clean(value, names=key == "properties" and not names)
            for key, value in node.items()
            if names or key not in ("title", "default")
        }
    if isinstance(node, list):
        return [_clean(item) for item in node]
    return node


def _model_schema(model: type[BaseModel], definitions: dict[str, Any], lang: str, name: str | None = None) -> dict[str, Any]:
    """A model's object schema with its nested models moved to `definitions`, each field described."""
    raw = model.model_json_schema(ref_template="#/definitions/{model}")
    for def_name, definition in raw.pop("$defs", {}).items():
        definitions[def_name] = _described(_clean(definition), def_name, lang)
    return _described(_clean(raw), name or model.__name__, lang)


def _described(schema: dict[str, Any], model: str, lang: str) -> dict[str, Any]:
    for field, sub in schema.get("properties", {}).items():
        if f"{model}.{field}" in DESCRIPTIONS:
            sub["description"] = describe(f"{model}.{field}", lang)
    return schema


def _document(name: str, body: dict[str, Any], definitions: dict[str, Any], lang: str) -> dict[str, Any]:
    document = {"$schema": DRAFT, "$id": f"{name}.schema.json", "title": describe(f"file.{name}", lang)}
    document.update(body)
    if definitions:
        document["definitions"] = definitions
    return document


def _tagged(key: str, variants: dict[str, dict[str, Any]], base: dict[str, Any]) -> dict[str, Any]:
    """An object whose `key` picks its shape: completion offers the key's values, then that shape's fields.

    if/then rather than oneOf, so an editor names the one field that is wrong instead of every variant."""
    schema = dict(base)
    schema["allOf"] = [{"if": {"properties": {key: {"const": tag}}, "required": [key]}, "then": shape} for tag, shape in variants.items()]
    return schema


def file_schema(name: str, lang: str) -> dict[str, Any]:

    definitions: dict[str, Any] = {}
    if name == "unit":
        return _document(name, _model_schema(Unit, definitions, lang), definitions, lang)
    if name == "roster":
        return _document(name, _records_under("volunteers", Volunteer, "Roster", definitions, lang), definitions, lang)
    if name == "requests":
        steps = {tag: _model_schema(model, definitions, lang, "RequestStep") for tag, model in REQUEST_STEPS.items()}
        base = {
            "type": "object",
            "required": ["request", "step", "date"],
            "properties": {
                "request": steps["received"]["properties"]["request"],
                "step": {"type": "string", "enum": list(steps), "description": describe("RequestStep.step", lang)},
                "date": steps["received"]["properties"]["date"],
            },
        }
        return _document(name, {"type": "array", "items": _tagged("step", steps, base)}, definitions, lang)
    if name == "policy":
        return _document(name, _policy_body(definitions, lang), definitions, lang)
    if name == "groups":
        return _document(name, _records_under("groups", Group, "Groups", definitions, lang), definitions, lang)
    models: dict[str, type[BaseModel]] = {"personal": PersonalEntry, "activities": Activity, "reports": Report, "redemptions": Redemption}
    item = _model_schema(models[name], definitions, lang)
    return _document(name, {"type": "array", "items": item}, definitions, lang)


def _records_under(key: str, model: type[BaseModel], owner: str, definitions: dict[str, Any], lang: str) -> dict[str, Any]:
    """A mapping whose one key holds the records (`volunteers:` of a roster, `groups:` of groups.yaml)."""
    items = _model_schema(model, definitions, lang)
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: {"type": "array", "items": items, "description": describe(f"{owner}.{key}", lang)}},
    }


def _policy_body(definitions: dict[str, Any], lang: str) -> dict[str, Any]:

    head = _model_schema(_PolicyHead, definitions, lang, "Policy")
    common = _model_schema(_RuleHead, definitions, lang, "Rule")["properties"]
    common["kind"] = {
        "type": "string",
        "enum": list(KINDS),
        "enumDescriptions": [kind.summary_zh if lang == "zh" else kind.summary_en for kind in KINDS.values()],
        "description": describe("Rule.kind", lang),
    }
    shapes: dict[str, dict[str, Any]] = {}
    for kind_name, kind in KINDS.items():
        params = _model_schema(kind.params, definitions, lang, "param")
        shapes[kind_name] = {
            "description": kind.summary_zh if lang == "zh" else kind.summary_en,
            "properties": {**{key: {} for key in common}, **params.get("properties", {})},
            "required": params.get("required", []),
            "additionalProperties": False,
        }
    rule = _tagged("kind", shapes, {"type": "object", "required": ["id", "kind", "text"], "properties": common})
    head["properties"]["rules"] = {"type": "array", "items": rule, "description": describe("Policy.rules", lang)}
    return head


def all_schemas(lang: str) -> dict[str, dict[str, Any]]:
    """Every schema by file name (`roster.schema.json`)."""
    return {f"{name}.schema.json": file_schema(name, lang) for name in SCHEMA_NAMES}


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def write_schemas(directory: Path, lang: str) -> list[Path]:
    """Write (or refresh) every schema in `directory`; the files that changed."""

    directory.mkdir(parents=True, exist_ok=True)
    changed: list[Path] = []
    for file_name, schema in all_schemas(lang).items():
        path = directory / file_name
        content = schema_text(schema).encode("utf-8")
        if not path.exists() or path.read_bytes() != content:
            atomic_write(path, content)
            changed.append(path)
    return changed
