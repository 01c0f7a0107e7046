"""The YAML reader: values mean what they look like, never YAML 1.1's surprises."""

from __future__ import annotations

import time
from datetime import date
from decimal import Decimal

import pytest

from vsledger.read.yamlsource import parse_text


def value_of(text: str) -> object:
    parsed = parse_text(f"v: {text}\n", "f.yaml")
    assert parsed.problems == []
    return parsed.data["v"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8:30", "8:30"),  # YAML 1.1 reads 510 (sexagesimal)
        ("no", "no"),  # YAML 1.1 reads False
        ("on", "on"),
        ("3.5", Decimal("3.5")),  # never a binary float
        ("0.1", Decimal("0.1")),
        ("2", 2),
        ("2022-05-05", date(2022, 5, 5)),
        ("2022-02-30", "2022-02-30"),  # not a date: left as written, the model reports it
        ('"13800000000"', "13800000000"),
        ("0123", "0123"),  # a leading zero is not silently dropped
        ("true", True),
        ("~", None),
        (".inf", ".inf"),
    ],
)
def test_scalar_resolution(text: str, expected: object) -> None:
    result = value_of(text)
    assert result == expected and type(result) is type(expected)


def test_positions_are_one_based_and_point_at_values() -> None:
    parsed = parse_text("a:\n  - x\n  - {b: 2}\n", "f.yaml", positions=True)
    assert parsed.position(("a", 0)) == (2, 5)
    assert parsed.position(("a", 1, "b")) == (3, 9)
    assert parsed.position(("a", 1, "b"), at_key=True) == (3, 6)
    assert parsed.position(("a", 1, "missing")) == (3, 5)  # nearest enclosing node


def test_nested_merge_keys_are_refused_quickly() -> None:
    """pyyaml#897: this document takes PyYAML's constructor ~40 s and 700 MiB."""
    lines = ["a0: &a0 {x: 1}"]
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i}\n  <<: [{refs}]")
    started = time.perf_counter()
    parsed = parse_text("\n".join(lines) + "\n", "f.yaml")
    assert time.perf_counter() - started < 2
    assert {p.code for p in parsed.problems} >= {"yaml-anchor", "yaml-merge-key", "yaml-alias"}


def test_deep_nesting_is_refused_without_recursion() -> None:
    parsed = parse_text("[" * 50_000, "f.yaml")
    assert [p.code for p in parsed.problems] == ["yaml-too-deep"]
    assert parsed.data is None


@pytest.mark.parametrize(
    ("text", "zh"),
    [
        ("a:\n\tb: 1\n", "制表符"),
        ("title: a: b\n", "不能有冒号"),
        ("- id: a1\n  title\n  x: 1\n", "没有“字段名:”"),
        ("a:\n  b: 1\n c: 2\n", "没有对齐"),
        ('title: "abc\n', "没有闭合"),
        ("title: `x\n", "加引号"),
        ("tags: [a, b\nx: 1\n", "方括号"),
        ("- {id: a1, title: x\n- {id: a2}\n", "花括号"),
        ('title: "a\\q"\n', "反斜杠"),
        ('title: "x\\xZZ"\n', "反斜杠"),
    ],
)
@pytest.mark.parametrize("parser", ["SafeLoader", "CSafeLoader"])
def test_a_yaml_mistake_is_explained_in_the_readers_language(text: str, zh: str, parser: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parsers' own English ("mapping values are not allowed in this context") reached a Chinese screen.
    Both parsers are asked: PyYAML's and LibYAML's word the same mistake differently."""
    import yaml

    from vsledger.read import yamlsource
    from vsledger.render.messages import problem_message

    if not hasattr(yaml, parser):
        pytest.skip("this PyYAML build has no LibYAML")
    monkeypatch.setattr(yamlsource, "_Loader", getattr(yaml, parser))
    problems = parse_text(text, "x.yaml").problems
    assert [p.code for p in problems] == ["yaml-syntax"]
    message = problem_message(problems[0], "zh")
    assert zh in message, message
    assert not any(word in message for word in ("found", "expected", "mapping", "scanning", "stream")), message
    english = problem_message(problems[0], "en")
    assert english.startswith("YAML syntax error: ") and "found" not in english


def test_split_list_keeps_an_hours_exception_whole() -> None:
    """`-p "V0001 = 2"` was three items: V0001, =, 2 (the last 'not on the roster')."""
    from vsledger.core.typed import split_list

    assert split_list("V0001 = 2， 李四、V0003 =1.5") == ["V0001=2", "李四", "V0003=1.5"]
