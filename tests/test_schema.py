"""Editor schemas: what an editor checks as one types agrees with what `validate` accepts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import REPO, Result

jsonschema = pytest.importorskip("jsonschema")

SCHEMA_FILES = {
    "unit.schema.json",
    "roster.schema.json",
    "personal.schema.json",
    "activities.schema.json",
    "reports.schema.json",
    "requests.schema.json",
    "redemptions.schema.json",
    "policy.schema.json",
    "groups.schema.json",
}


class Yaml12Loader(yaml.SafeLoader):
    """Reads as yaml-language-server does (YAML 1.2 core): `2022-05-05` stays text."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def schema_errors(schemas: Path, name: str, text: str) -> list[str]:
    schema = json.loads((schemas / name).read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return [error.message for error in validator.iter_errors(yaml.load(text, Loader=Yaml12Loader))]


def schema_of(path: Path) -> Path:
    """The schema a file names in its first line, resolved against the file."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), first
    return (path.parent / first.split("$schema=", 1)[1]).resolve()


def test_schema_writes_draft7_schemas_with_chinese_descriptions(tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "schemas"
    result = cli(tmp_path, "schema", "--out", str(out))
    assert result.exit_code == 0, result.stdout
    assert {p.name for p in out.iterdir()} == SCHEMA_FILES
    for path in out.iterdir():
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
        jsonschema.Draft7Validator.check_schema(schema)
    activity = json.loads((out / "activities.schema.json").read_text(encoding="utf-8"))["items"]["properties"]
    assert activity["date"]["description"] == "活动日期,须在本文件的月份内"
    assert "VS Code" in result.stdout
    again = cli(tmp_path, "schema", "--out", str(out))
    assert "已是最新" in again.stdout

    english = cli(tmp_path, "schema", "--out", str(tmp_path / "en"), lang="en")
    assert english.exit_code == 0
    activity = json.loads((tmp_path / "en" / "activities.schema.json").read_text(encoding="utf-8"))["items"]["properties"]
    assert activity["date"]["description"].startswith("Date of the activity")


def test_shipped_schemas_are_what_the_command_writes(tmp_path: Path, cli: Callable[..., Result]) -> None:
    cli(tmp_path, "schema", "--out", str(tmp_path / "fresh"))
    for name in SCHEMA_FILES:
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == (tmp_path / "fresh" / name).read_text(encoding="utf-8"), (
            f"schemas/{name} is behind the code: run `vsledger schema`"
        )


def test_every_shipped_file_names_its_schema_and_meets_it() -> None:
    files = sorted(REPO.glob("ledgers/*/*.yaml")) + sorted(REPO.glob("ledgers/*/activities/*.yaml")) + sorted(REPO.glob("rules/*.yaml"))
    assert len(files) > 50
    for path in files:
        schema = schema_of(path)
        assert schema.parent == REPO / "schemas" and schema.is_file(), path
        errors = schema_errors(schema.parent, schema.name, path.read_text(encoding="utf-8"))
        assert errors == [], (path, errors)


# Each broken record fails both the editor's schema and `vsledger validate`.
BROKEN: list[tuple[str, str, str]] = [
    (
        "activities.schema.json",
        "ledgers/u1/activities/2022-05.yaml",
        "- {id: a1, date: 2022-05-05, title: 清扫, location: 广场, hours: 2, participants: [V0001], colour: red}",
    ),
    (
        "activities.schema.json",
        "ledgers/u1/activities/2022-05.yaml",
        "- {id: a1, date: 2022-05-05, title: 清扫, location: 广场, hours: 两小时, participants: [V0001]}",
    ),
    (
        "activities.schema.json",
        "ledgers/u1/activities/2022-05.yaml",
        "- {id: a1, date: 2022-05-05, title: 清扫, location: 广场, hours: 2, participants: [{V0001: 1, V0002: 2}]}",
    ),
    (
        "activities.schema.json",
        "ledgers/u1/activities/2022-05.yaml",
        "- {id: a1, date: 2022-05-05, title: 清扫, hours: 2, participants: [V0001]}",
    ),
    (
        "activities.schema.json",
        "ledgers/u1/activities/2022-05.yaml",
        '- {id: a1, date: 2022-05-05, title: 清扫, location: 广场, start: "8:70", end: "11:30", participants: [V0001]}',
    ),
    ("roster.schema.json", "ledgers/u1/roster.yaml", "volunteers:\n  - {id: V0001, name: 张三, employment: cadre}"),
    (
        "roster.schema.json",
        "ledgers/u1/roster.yaml",
        "volunteers:\n  - {id: V0001, name: 张三, employment: staff, registered_on: 2022-13-01}",
    ),
    ("requests.schema.json", "ledgers/u1/requests.yaml", "- {request: R1, step: received, date: 2022-05-01, from: 东城社区, kind: wish}"),
    ("requests.schema.json", "ledgers/u1/requests.yaml", "- {request: R1, step: assigned, date: 2022-05-01, volunteers: [V0001]}"),
    ("redemptions.schema.json", "ledgers/u1/redemptions.yaml", "- {volunteer: V0001, date: 2022-05-01, hours: -2, what: 理发}"),
    ("reports.schema.json", "ledgers/u1/reports.yaml", "- {kind: weekly, period: 2022-05, submitted_on: 2022-06-03}"),
    ("unit.schema.json", "ledgers/u1/unit.yaml", "id: U1\nname: 测试单位"),
    (
        "policy.schema.json",
        "rules/p1.yaml",
        "id: p1\ntitle: 测试\nrules:\n  - {id: r1, kind: registration_rate, text: 注册, min: 100%, within: 3}",
    ),
    ("policy.schema.json", "rules/p1.yaml", "id: p1\ntitle: 测试\nrules:\n  - {id: r1, kind: hours_per_person, text: 时长, rate: 80%}"),
    ("policy.schema.json", "rules/p1.yaml", "id: p1\ntitle: 测试\nrules:\n  - {id: r1, kind: registration_rate, text: 注册, min: 120%}"),
]


@pytest.mark.parametrize(("schema", "rel", "text"), BROKEN)
def test_broken_files_fail_the_schema_and_validate(
    tmp_path: Path, workspace: Callable[..., Path], cli: Callable[..., Result], schema: str, rel: str, text: str
) -> None:
    schemas = REPO / "schemas"
    assert schema_errors(schemas, schema, text), text
    root = workspace({rel: text + "\n"})
    result = cli(root, "--no-cache", "validate", "--format", "json")
    assert any(p["file"] == rel and p["level"] == "error" for p in result.json()["problems"]), result.stdout


def test_init_writes_schemas_and_every_file_names_one(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "ws"
    assert cli(root, "init", str(root)).exit_code == 0
    created = [p for p in root.rglob("*.yaml") if "schemas" not in p.parts]
    assert created
    for path in created:
        schema = schema_of(path)
        assert schema.is_file() and schema.parent == root / "schemas"
        data: Any = path.read_text(encoding="utf-8")
        assert schema_errors(schema.parent, schema.name, data) == [], path


def test_new_files_get_the_line_and_appends_keep_old_bytes(
    tmp_path: Path, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace()
    shutil.copytree(REPO / "schemas", root / "schemas")
    add = ("add-activity", "--unit", "u1", "--title", "清扫", "--location", "广场", "--hours", "2", "-p", "V0001")
    assert cli(root, *add, "--date", "2022-05-20").exit_code == 0
    month = root / "ledgers/u1/activities/2022-05.yaml"
    assert schema_of(month) == root / "schemas" / "activities.schema.json"
    before = month.read_bytes()
    assert cli(root, *add, "--date", "2022-05-21").exit_code == 0
    after = month.read_bytes()
    assert after.startswith(before) and after.count(b"yaml-language-server") == 1

    assert (
        cli(root, "redeem", "--unit", "u1", "--volunteer", "V0001", "--date", "2022-06-01", "--hours", "1", "--what", "理发").exit_code == 0
    )
    assert schema_of(root / "ledgers/u1/redemptions.yaml") == root / "schemas" / "redemptions.schema.json"

    roster = root / "ledgers/u1/roster.yaml"
    untouched = roster.read_bytes()
    assert cli(root, "add-volunteer", "--unit", "u1", "--name", "王五", "--employment", "staff").exit_code == 0
    assert roster.read_bytes().startswith(untouched)  # an existing file gains no first line


def test_fmt_keeps_the_schema_line(tmp_path: Path, workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    line = "# yaml-language-server: $schema=../../../schemas/activities.schema.json\n"
    root = workspace(
        {
            "ledgers/u1/activities/2022-05.yaml": line
            + "- {date: 2022-05-05, id: a1, title: 清扫, location: 广场, hours: 2, participants: [V0001]}\n"
        }
    )
    assert cli(root, "fmt").exit_code == 0
    text = (root / "ledgers/u1/activities/2022-05.yaml").read_text(encoding="utf-8")
    assert text.startswith(line) and "- id: a1\n" in text
