"""Property tests: valid ledgers, then corrupted ones. The loader answers with problems, never an exception."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vsledger.check.pipeline import load_workspace
from vsledger.render.messages import PROBLEMS, problem_message
from vsledger.write.fmt import format_text
from vsledger.write.layout import record_text

UNIT = "id: u1\nname: 单位\nteams:\n  - {id: red, name: 红队}\n"
ROSTER = "volunteers:\n  - {id: V0001, name: 张三, employment: staff}\n  - {id: V0002, name: 李四, employment: contract}\n"
ACT = "ledgers/u1/activities/2022-05.yaml"

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(lambda s: s.strip() == s and s)
hours = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("8"), places=2)


@st.composite
def activity(draw: st.DrawFn, index: int = 0) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"a{index}-{draw(st.integers(0, 999))}",
        "date": date(2022, 5, draw(st.integers(1, 31))),
        "title": draw(text),
        "location": draw(text),
        "participants": draw(st.lists(st.sampled_from(["V0001", "V0002"]), min_size=1, max_size=2, unique=True)),
    }
    if draw(st.booleans()):
        record["hours"] = draw(hours)
    else:
        start = draw(st.integers(6, 12))
        record["start"], record["end"] = f"{start:02d}:00", f"{start + draw(st.integers(1, 4)):02d}:30"
    if draw(st.booleans()):
        record["tags"] = draw(st.lists(text, max_size=3))
    if draw(st.booleans()):
        record["team"] = "red"
    return record


activities = st.lists(activity(), min_size=1, max_size=6, unique_by=lambda r: r["id"])

junk = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300)
    | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


def workspace_with(activity_text: str) -> Path:
    root = Path(tempfile.mkdtemp())
    (root / "ledgers/u1/activities").mkdir(parents=True)
    (root / "ledgers/u1/unit.yaml").write_text(UNIT, encoding="utf-8")
    (root / "ledgers/u1/roster.yaml").write_text(ROSTER, encoding="utf-8")
    (root / ACT).write_text(activity_text, encoding="utf-8")
    return root


def plain(record: dict[str, Any]) -> dict[str, Any]:
    """What yaml.safe_dump can write: decimals as text (the model reads "2.5" as 2.5)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in record.items()}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities)
def test_valid_ledgers_load_clean(records: list[dict[str, Any]]) -> None:
    root = workspace_with("\n".join(record_text("activities", r) for r in records))
    workspace = load_workspace(root, date(2024, 1, 1))
    assert [p for p in workspace.errors if p.code != "day-over-24"] == []
    assert len(workspace.units["u1"].activities) == len(records)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities, st.data())
def test_corrupted_ledgers_give_located_problems(records: list[dict[str, Any]], data: st.DataObject) -> None:
    corrupted = []
    for record in records:
        record = plain(record)
        for key in data.draw(st.lists(st.sampled_from([*record, "extra", "hours", "corrects"]), max_size=3)):
            if data.draw(st.booleans()):
                record.pop(key, None)
            else:
                record[key] = data.draw(junk)
        corrupted.append(record)
    root = workspace_with(yaml.safe_dump(corrupted, allow_unicode=True))
    workspace = load_workspace(root, date(2024, 1, 1))
    for problem in workspace.problems:
        assert problem.code in PROBLEMS and problem.line >= 1 and problem.column >= 1
        problem_message(problem, "zh")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(activities)
def test_fmt_keeps_the_meaning_of_valid_ledgers(records: list[dict[str, Any]]) -> None:
    source = yaml.safe_dump([plain(r) for r in records], allow_unicode=True, sort_keys=True)
    before = load_workspace(workspace_with(source), date(2024, 1, 1))
    formatted = format_text(source, ACT)
    assert formatted is not None
    after = load_workspace(workspace_with(formatted), date(2024, 1, 1))
    assert [e.record for e in after.units["u1"].activities] == [e.record for e in before.units["u1"].activities]
    assert format_text(formatted, ACT) == formatted


line_text = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20).filter(
    lambda s: s.strip() == s and s
)
several_lines = (
    st.tuples(st.lists(line_text | st.sampled_from(["# 不是注释", "  缩进", ""]), min_size=2, max_size=5), st.booleans())
    .map(lambda drawn: "\n".join(drawn[0]).strip("\n") + ("\n" if drawn[1] else ""))
    .filter(str.strip)
)


def block_source(record: dict[str, Any]) -> str:
    """A record as a person might type it: keys in reverse order, text of several lines as `|` or `|-`
    blocks (written here by hand, not by the layout under test), the rest as JSON (which YAML reads)."""
    lines = []
    for number, (key, value) in enumerate(reversed(list(record.items()))):
        prefix = "- " if number == 0 else "  "
        if isinstance(value, str) and "\n" in value and not value.startswith(" "):
            body = value[:-1] if value.endswith("\n") else value
            lines.append(f"{prefix}{key}: {'|' if value.endswith(chr(10)) else '|-'}")
            lines += ["    " + line if line else "" for line in body.split("\n")]
        else:
            written = value if isinstance(value, (date, Decimal)) else json.dumps(value, ensure_ascii=False)
            lines.append(f"{prefix}{key}: {written}")
    return "\n".join(lines) + "\n"


@st.composite
def activity_with_text(draw: st.DrawFn) -> dict[str, Any]:
    record = draw(activity())
    record["content"] = draw(several_lines)
    if draw(st.booleans()):
        record["outcome"] = draw(several_lines | text)
    return record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(activity_with_text(), min_size=1, max_size=4, unique_by=lambda r: r["id"]))
def test_fmt_formats_block_scalars_and_reads_back_the_same(records: list[dict[str, Any]]) -> None:
    """Every record is formatted, `content: |` ones too: into exactly the layout add-activity writes,
    with the same data (the text of every block kept to the character)."""
    source = "".join(block_source(r) for r in records)
    before = load_workspace(workspace_with(source), date(2024, 1, 1))
    assert [p for p in before.errors if p.code != "day-over-24"] == []
    kept: list[int] = []
    formatted = format_text(source, ACT, kept)
    assert kept == [] and formatted == "\n".join(record_text("activities", r) for r in records)
    after = load_workspace(workspace_with(formatted), date(2024, 1, 1))
    assert [e.record for e in after.units["u1"].activities] == [e.record for e in before.units["u1"].activities]
    assert [e.record.content for e in after.units["u1"].activities] == [r["content"] for r in records]
