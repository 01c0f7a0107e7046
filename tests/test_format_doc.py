"""docs/format.md cannot drift from the code: every rule kind and every field of every record is in it."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel

from conftest import REPO
from vsledger.check.rules import KINDS as RULE_KINDS
from vsledger.core.filekinds import KINDS as FILE_KINDS
from vsledger.core.model import REQUEST_STEPS, Activity, Group, Participant, PersonalEntry, Redemption, Report, Unit, Volunteer
from vsledger.core.policy import PolicyHead, RuleHead, Where, Who

DOC = REPO / "docs" / "format.md"
FILE_MODELS: dict[str, list[type[BaseModel]]] = {
    "unit": [Unit],
    "roster": [Volunteer],
    "personal": [PersonalEntry],
    "activities": [Activity],
    "reports": [Report],
    "requests": list(REQUEST_STEPS.values()),
    "redemptions": [Redemption],
    "policy": [PolicyHead, RuleHead, Who, Where],
    "groups": [Group],
}
"""The models of each file kind; nested record models (a roster's trainings, a unit's teams) are found from these."""
NOT_WRITTEN_AS_KEYS = {Participant}
"""`V0001` or `{V0001: 2.5}`: a participant's model fields are not keys anyone writes."""


def sections(text: str, marker: str) -> dict[str, str]:
    """Heading line → the text under it, for headings starting with `marker` ("## ", "### ")."""
    parts = re.split(rf"^(?={re.escape(marker)})", text, flags=re.MULTILINE)
    return {part.splitlines()[0]: part for part in parts if part.startswith(marker)}


def heading_of(kind: str) -> str:
    return "activities/" if kind == "activities" else "rules/" if kind == "policy" else f"{kind}.yaml"


def keys(model: type[BaseModel]) -> set[str]:
    """Every key a person writes in a record of this model, nested records included."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        found.add(info.alias or name)
        for inner in _models_in(info.annotation):
            if inner not in NOT_WRITTEN_AS_KEYS:
                found |= keys(inner)
    return found


def _models_in(annotation: typing.Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def test_every_file_kind_has_a_section_naming_every_field() -> None:
    text = DOC.read_text(encoding="utf-8")
    by_heading = sections(text, "## ")
    assert set(FILE_MODELS) == set(FILE_KINDS), "a new file kind needs its models here and a section in docs/format.md"
    missing: dict[str, list[str]] = {}
    for kind, models in FILE_MODELS.items():
        found = [body for heading, body in by_heading.items() if heading_of(kind) in heading]
        assert found, f"docs/format.md has no section for {heading_of(kind)}"
        wanted = set().union(*(keys(m) for m in models))
        absent = sorted(k for k in wanted if f"`{k}`" not in found[0])
        if absent:
            missing[kind] = absent
    assert missing == {}


def test_every_rule_kind_has_a_subsection_naming_its_parameters() -> None:
    subsections = sections(DOC.read_text(encoding="utf-8"), "### ")
    missing: dict[str, list[str]] = {}
    for name, kind in RULE_KINDS.items():
        found = [body for heading, body in subsections.items() if f"`{name}`" in heading]
        assert found, f"docs/format.md has no subsection for rule kind {name}"
        absent = sorted(p for p in kind.params.model_fields if f"`{p}`" not in found[0])
        if absent:
            missing[name] = absent
    assert missing == {}


def test_the_doc_points_nowhere_outside_the_repository() -> None:
    for path in [REPO / "README.md", REPO / "rules" / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "SPEC" not in text and "../shared" not in text, path
    for path in sorted((REPO / "vsledger").rglob("*.py")):
        assert not re.search(r"SPEC(\.md| §)|\.\./shared", path.read_text(encoding="utf-8")), path


def test_every_linked_file_exists() -> None:
    text = DOC.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#]+)\)", text):
        assert (DOC.parent / target).resolve().exists(), target
    assert Path(REPO / "vsledger" / "core" / "hours.py").exists()  # named in §6.1


def test_the_groups_example_is_read_as_groups(tmp_path: Path) -> None:
    """The doc's groups.yaml example had the wrong shape: a clerk who copied it got not-a-mapping."""
    import json
    import subprocess
    import sys

    section = next(text for head, text in sections(DOC.read_text(encoding="utf-8"), "## ").items() if "groups.yaml" in head)
    example = re.search(r"```yaml\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    (tmp_path / "ledgers").mkdir()
    (tmp_path / "groups.yaml").write_text(example.group(1), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "vsledger", "--root", str(tmp_path), "--today", "2022-06-01", "validate", "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    codes = {p["code"] for p in json.loads(run.stdout)["problems"] if p["file"] == "groups.yaml"}
    assert "unknown-group-member" in codes  # read as a group: its members are looked for (none exist here)
    assert not codes & {"not-a-mapping", "not-a-list", "unknown-field", "yaml-syntax"}, codes


def test_the_merge_section_names_the_attribute_init_writes() -> None:
    from vsledger.write.merge import attributes_text

    text = DOC.read_text(encoding="utf-8")
    assert "merge=union" not in text
    assert "merge=vsledger" in text and "merge=vsledger" in attributes_text("")
