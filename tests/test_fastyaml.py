"""The fast YAML path reads every file exactly as the PyYAML path does, or declines it.

A differential test: the yaml-test-suite corpus, the shipped samples and generated
workspaces, plus the scalar rules of yamlsource.resolve_plain, each read both ways.
Skipped where yaml-rs (the `fast` extra) is not installed; CI installs it with `test`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.generate import Scale, generate
from conftest import REPO, SHARED, Result
from vsledger.read import fastyaml
from vsledger.read.yamlsource import decode, parse_text

pytestmark = pytest.mark.skipif(fastyaml.yaml_rs is None, reason="yaml-rs (the fast extra) is not installed")

CORPUS = SHARED / "corpora" / "yaml-test-suite"


def typed(value: Any) -> Any:
    """Values with their types spelled out: 1 is not True, Decimal('2.50') is not Decimal('2.5')."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, str(value))


def same_or_declined(text: str) -> bool:
    """True when the fast path read it (and agreed); False when it declined. Fails on any difference."""
    fast = fastyaml.parse_fast(text)
    if fast is None:
        return False
    reference = parse_text(text, "f.yaml")
    assert reference.problems == [], (text, reference.problems)
    assert typed(fast.data) == typed(reference.data), text
    assert fast.problems == []
    return True


def test_yaml_rs_is_used_unless_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fastyaml.parse_fast("a: 1\n") is not None
    monkeypatch.setenv("VSLEDGER_YAML", "pyyaml")
    assert fastyaml.parse_fast("a: 1\n") is None


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpora/yaml-test-suite is not beside the project")
def test_the_yaml_test_suite_corpus() -> None:
    read = 0
    for case in sorted(CORPUS.rglob("in.yaml")):
        text, _ = decode(case.read_bytes(), "f.yaml")
        if text is not None:
            read += same_or_declined(text)
    assert read > 20  # it is not declining everything


def test_the_shipped_samples_and_policies() -> None:
    files = sorted((REPO / "ledgers").rglob("*.yaml")) + sorted((REPO / "rules").glob("*.yaml"))
    files += sorted((REPO / "vsledger" / "policies").glob("*.yaml"))
    read = sum(same_or_declined(path.read_text(encoding="utf-8")) for path in files)
    assert read > len(files) // 2


def test_a_generated_workspace(tmp_path: Path) -> None:
    root = generate(Scale(2, 60, 6, 20), tmp_path / "ws")
    files = sorted(root.rglob("*.yaml"))
    assert all(same_or_declined(path.read_text(encoding="utf-8")) for path in files if "rules" not in path.parts)


SCALARS = [
    "8:30", "08:30", '"08:30"', "no", "yes", "on", "2.5", "2.50", "3.0", "1.", ".5", "+.5", "-0.0", "0.1", "1e3", "1.5E3",
    "0x1F", "0o17", "0b11", "007", "00", "-007", "1_000", "+1", "-0", "0", "12345678901234567890", "1234567890.12345678901",
    "0.00001", ".inf", "-.Inf", ".nan", "~", "null", "Null", "NULL", "nULL", "true", "True", "TRUE", "tRue", "false",
    "2022-01-05", "2022-1-5", "2022-02-30", "2022-01-05T10:00:00", "2022-01-05 10:00", "12:30:45", "190:20:30",
    "'007'", '"2.50"', "V00001", "20220105-01", "2.5 小时", "1.2.3", "+", ".", "a: b",
]  # fmt: skip


@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize("shape", ["k: {}\n", "- {}\n", "[{}]\n", "{{k: {}}}\n", '{{"k":{}}}\n', "k:\n  - [x, {}]\n"])
def test_scalar_rules_hold(scalar: str, shape: str) -> None:
    same_or_declined(shape.format(scalar))


def test_decimals_stay_decimal_and_dates_dates() -> None:
    fast = fastyaml.parse_fast("- {hours: 2.5, date: 2022-01-05, id: '007', n: 3}\n")
    assert fast is not None
    assert typed(fast.data) == typed([{"hours": Decimal("2.5"), "date": date(2022, 1, 5), "id": "007", "n": 3}])


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\na: 2\n",  # duplicate key
        "a: &x 1\nb: *x\n",  # anchor, alias
        "a: !!str 1\n",  # tag
        "--- a\n--- b\n",  # documents
        "a: [" * 70 + "]" * 70 + "\n",  # depth
        "".join("  " * i + "k:\n" for i in range(70)) + "  " * 70 + "v\n",  # block depth
        "1: a\n",  # a number as a key
        "a: b\n\tc: d\n",  # a tab
        'a: "x\\x01"\n',  # an escape
        "a: [\n",  # broken
        "? [a]\n: b\n",  # complex key
    ],
)
def test_what_it_must_not_read_goes_to_pyyaml(text: str) -> None:
    assert fastyaml.parse_fast(text) is None


TOKENS = [
    "k", "id", "名称", "a b", ": ", ":", "- ", "-", "[", "]", "{", "}", ", ", ",", "\n", "  ", " ", "#c", " #c", '"', "'",
    "007", "0", "7", "2.50", "2.5", ".5", "1.", "1e3", "0x1", "1_0", "8:30", "2022-01-05", "2022-13-40", "T10:00", "null", "~",
    "True", "no", "+", ".", "V0001", "20220105-01", "中文", "\u3000", "é", "\\", "\t", "\r\n", "_", "e", "E", "5", "x",
    "\n- ", ": [", "]\n",
]  # fmt: skip


@given(st.lists(st.sampled_from(TOKENS), max_size=40))
@settings(max_examples=600, deadline=None)
def test_token_soup_is_read_alike_or_declined(tokens: list[str]) -> None:
    same_or_declined("".join(tokens))


SCALAR_TEXTS = SCALARS + ["", "'q'", '"d"', "'it''s'", '"a\\tb"', "[a, b]", "{x: 1}", "[]", "{}", "a #c", "x y: z", "a:b"]
KEYS = ["k", "id", "名", "a b", "1", "null", "true", ""]


def _value(rng: Any, depth: int) -> str:
    roll = rng.random()
    if depth < 3 and roll < 0.2:
        return "[" + ", ".join(rng.choice(SCALAR_TEXTS) for _ in range(rng.randint(0, 3))) + "]"
    if depth < 3 and roll < 0.3:
        return "{" + ", ".join(f"{rng.choice(KEYS)}{i}: {rng.choice(SCALAR_TEXTS)}" for i in range(rng.randint(0, 3))) + "}"
    return str(rng.choice(SCALAR_TEXTS))


def _block(rng: Any, depth: int, indent: str) -> list[str]:
    lines: list[str] = []
    mapping = rng.random() < 0.5
    for i in range(rng.randint(1, 4)):
        head = f"{indent}{rng.choice(KEYS)}{i if rng.random() < 0.9 else ''}:" if mapping else f"{indent}-"
        if depth < 3 and rng.random() < 0.3:
            lines += [head, *_block(rng, depth + 1, indent + "  ")]
        else:
            lines.append(f"{head} {_value(rng, depth)}")
    return lines


@given(st.randoms(use_true_random=False))
@settings(max_examples=1500, deadline=None)
def test_ledger_shaped_documents_are_read_alike_or_declined(rng: Any) -> None:
    same_or_declined("\n".join(_block(rng, 0, "")) + "\n")


@pytest.mark.parametrize("command", [("validate", "--format", "json"), ("check", "--year", "2022", "--format", "json")])
def test_commands_say_the_same_either_way(
    command: tuple[str, ...], cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = generate(Scale(2, 60, 6, 20), tmp_path / "ws")
    for root in (REPO, generated):
        fast = cli(root, "--no-cache", *command)
        monkeypatch.setenv("VSLEDGER_YAML", "pyyaml")
        reference = cli(root, "--no-cache", *command)
        monkeypatch.delenv("VSLEDGER_YAML")
        assert (fast.exit_code, fast.stdout, fast.stderr) == (reference.exit_code, reference.stdout, reference.stderr)
