"""Large files under the size cap: read a record at a time, the same problems, memory in proportion.

A month file larger than `STREAM_BYTES` is read by PyYAML's events with each activity built as it
is read (the fast parser gives a whole file's values at once: a 60 MB month file's values took 15
times its size); its text is checked for encoding a slice at a time."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import POLICY, REPO, TODAY, UNIT, Result, write_files
from vsledger.read import loader, yamlsource
from vsledger.read.yamlsource import encoding_problems
from vsledger.render import terminal
from vsledger.render.terminal import source_line

CONTENT = "免费测血压、健康咨询、用药指导," * 12
MONTH = "ledgers/u1/activities/2024-05.yaml"


def activity(n: int, participants: str = "[V0001, V0002]") -> str:
    return (
        f"- id: a{n}\n  date: 2024-05-{n % 28 + 1:02d}\n  title: 义诊{n}\n  location: 东城社区\n  hours: 0.01\n"
        f"  participants: {participants}\n  content: {CONTENT}\n"
    )


def large_month() -> str:
    """Over STREAM_BYTES, with a problem of each kind the loader finds record by record."""
    planted = {
        10: activity(3),  # a second a3: duplicate-id
        20: activity(20).replace("hours: 0.01", "hours: 3小时"),  # invalid-hours
        30: activity(30, "[V0009]"),  # unknown-volunteer
        40: activity(40).replace("date: 2024-05-13", "date: 2024-04-30"),  # month-mismatch
        50: "- 只有一行字\n",  # not-a-mapping
        60: activity(60).replace("  location:", "  title: 重复\n  location:"),  # duplicate-key
    }
    text = "".join(planted.get(n, activity(n)) for n in range(3000))
    assert len(text.encode("utf-8")) > loader.STREAM_BYTES
    return text


def problems(result: Result) -> list[tuple[int, str]]:
    return [(p["line"], p["code"]) for p in result.json()["problems"]]


def test_a_large_month_file_is_read_a_record_at_a_time_with_every_problem(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = workspace()
    text = large_month()
    (root / MONTH).parent.mkdir(parents=True)
    (root / MONTH).write_text(text, encoding="utf-8")
    streamed = cli(root, "--no-cache", "validate", "--format", "json")
    assert streamed.exit_code == 1
    lines = text.splitlines()
    line_of = {needle: lines.index(needle) + 1 for needle in ("- id: a3", "  hours: 3小时", "  participants: [V0009]", "- 只有一行字")}
    found = problems(streamed)
    assert (lines.index("- id: a3", line_of["- id: a3"]) + 1, "duplicate-id") in found
    assert (line_of["  hours: 3小时"], "invalid-hours") in found
    assert (line_of["  participants: [V0009]"], "unknown-volunteer") in found
    assert (line_of["- 只有一行字"], "not-a-mapping") in found
    assert {code for _, code in found} == {
        "duplicate-id",
        "invalid-hours",
        "unknown-volunteer",
        "month-mismatch",
        "not-a-mapping",
        "duplicate-key",
    }
    hours = {row["id"]: row["hours"] for row in cli(root, "--no-cache", "hours", "--year", "2024", "--format", "json").json()}
    # 3,000 records, less the duplicate, the bad hours, V0009's and the scalar
    assert hours["V0001"] == pytest.approx((3000 - 4) * 0.01)
    monkeypatch.setattr(loader, "STREAM_BYTES", 1 << 40)  # the file's values whole, as any small file's
    assert cli(root, "--no-cache", "validate", "--format", "json").stdout == streamed.stdout


def test_a_large_month_file_that_does_not_parse_keeps_no_records(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records built before the parser meets an error at the end are dropped: half a file is worse than none."""
    root = workspace()
    (root / MONTH).parent.mkdir(parents=True)
    (root / MONTH).write_text(large_month() + "- id: [不完整\n", encoding="utf-8")
    streamed = cli(root, "--no-cache", "validate", "--format", "json")
    assert [code for _, code in problems(streamed)] == ["duplicate-key", "yaml-syntax"]  # the parser's own, none of a record's
    monkeypatch.setattr(loader, "STREAM_BYTES", 1 << 40)
    assert cli(root, "--no-cache", "validate", "--format", "json").stdout == streamed.stdout


def _decode_whole(raw: bytes, file: str) -> tuple[int, int, str] | None:
    """How decoding was checked before: the whole text made at once (the reference)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return raw.count(b"\n", 0, exc.start) + 1, exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1, "encoding"
    nul = text.find("\x00")
    if nul >= 0:
        return text.count("\n", 0, nul) + 1, nul - (text.rfind("\n", 0, nul) + 1) + 1, "nul-byte"
    return None


PIECES = ["a", "东城", "𠀋", "é", "\n", "\x00", b"\xff", b"\xe4\xb8", b"\x80", b"\xef\xbb\xbf"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.booleans())
def test_encoding_checked_a_slice_at_a_time_finds_what_the_whole_text_did(pieces: list[str | bytes], bom: bool) -> None:
    raw = (b"\xef\xbb\xbf" if bom else b"") + b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in pieces)
    expected = _decode_whole(raw, "f.yaml")
    saved = yamlsource._SLICE
    try:
        for size in (1, 2, 3, 5, 1 << 20):
            yamlsource._SLICE = size
            found = [(p.line, p.column, p.code) for p in encoding_problems(raw, "f.yaml")]
            assert found == ([expected] if expected else []), size
    finally:
        yamlsource._SLICE = saved


def _peak_mib(root: Path) -> float:
    """Peak resident memory of one `vsledger validate` process, in MiB."""
    env = {**os.environ, "VSLEDGER_TODAY": TODAY, "VSLEDGER_NO_CACHE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "vsledger", "--root", str(root), "validate", "--format", "json"],
                            env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return usage.ru_maxrss / 1024


def test_validate_of_a_large_month_file_stays_within_ten_times_its_size(tmp_path: Path) -> None:
    """An 8 MB month file of 35 participants an activity: 600 MB when every participant was a model
    and every record's values were held at once; the interpreter and imports alone are measured apart."""
    people = [f"V{i:04d}" for i in range(1, 2001)]
    roster = "volunteers:\n" + "".join(f"  - {{id: {v}, name: 张三, employment: staff, registered_on: 2020-01-01}}\n" for v in people)
    base = {"rules/p1.yaml": POLICY, "ledgers/u1/unit.yaml": UNIT, "ledgers/u1/roster.yaml": roster}
    root = write_files(tmp_path / "large", base)
    month = root / MONTH
    month.parent.mkdir(parents=True)
    records = []
    for n in range(24_000):
        chosen = ", ".join(people[(n * 37 + k * 53) % len(people)] for k in range(35))
        records.append(f"- id: a{n}\n  date: 2024-05-{n % 28 + 1:02d}\n  title: 义诊\n  location: 东城社区\n  hours: 0.01\n")
        records.append(f"  participants: [{chosen}]\n")
    month.write_text("".join(records), encoding="utf-8")
    size_mib = month.stat().st_size / 2**20
    baseline = _peak_mib(write_files(tmp_path / "small", {**base, MONTH: activity(1)}))
    assert _peak_mib(root) - baseline < 10 * size_mib


def test_a_large_roster_is_read_a_volunteer_at_a_time_with_every_problem(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A roster's list is under `volunteers:`: streamed too, with the same problems, placed the same."""
    planted = {
        10: "  - {id: V0003, name: 重复, employment: staff}\n",  # a second V0003: duplicate-id
        20: "  - {id: V0020, name: 某人, employment: 不知道}\n",  # invalid employment
        30: "  - 只有一行字\n",  # not-a-mapping
    }
    rows = "".join(planted.get(n, f"  - {{id: V{n:04d}, name: 志愿者{n}, employment: staff, skills: [{CONTENT}]}}\n") for n in range(4000))
    text = "volunteers:\n" + rows + "extra: 1\n"
    assert len(text.encode("utf-8")) > loader.STREAM_BYTES
    root = workspace({"ledgers/u1/roster.yaml": text})
    streamed = cli(root, "--no-cache", "validate", "--format", "json")
    found = sorted(problems(streamed))
    assert {code for _, code in found} >= {"duplicate-id", "not-a-mapping", "unknown-field"}
    assert (text.splitlines().index("  - 只有一行字") + 1, "not-a-mapping") in found
    monkeypatch.setattr(loader, "STREAM_BYTES", 1 << 40)  # the file's values whole, as any small file's
    whole = cli(root, "--no-cache", "validate", "--format", "json")
    assert sorted(problems(whole)) == found and whole.exit_code == streamed.exit_code == 1


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_each_problem_in_a_large_month_file_quotes_its_own_line(
    workspace: Callable[..., Path], cli: Callable[..., Result], newline: str
) -> None:
    """The table quotes the line each problem names, read from the file when it is shown (the file
    was held as a list of its lines: 46 MB of a 57 MB month file to quote 1,171 of them)."""
    text = large_month()
    root = workspace()
    (root / MONTH).parent.mkdir(parents=True)
    (root / MONTH).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", newline).encode("utf-8"))
    out = cli(root, "--no-cache", "validate").stdout.splitlines()
    lines = text.splitlines()
    located = [(i, int(line.split(":")[1])) for i, line in enumerate(out) if line.startswith(f"{MONTH}:")]
    assert len(located) == 6
    assert [out[i + 1] for i, _ in located] == [f"{number:>5} | {lines[number - 1]}" for _, number in located]


BREAKS = [
    "\n",
    "\r",
    "\r\n",
    "\x0b",
    "\x0c",
    "\x1c",
    "\x85",
    "\u2028",
    "\u2029",
    "a",
    "东城",
    "\ufeff",
    b"\xe2\x80",
    b"\xc2",
    b"\xff",
    b"\x80",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(BREAKS), max_size=40), st.booleans())
def test_a_quoted_line_is_the_line_of_the_whole_text(
    tmp_path_factory: pytest.TempPathFactory, pieces: list[str | bytes], bom: bool
) -> None:
    """Lines found a chunk at a time, from the nearest remembered start, are those `splitlines` gives
    the whole decoded text (the reference): every kind of break, bad bytes, a break across chunks."""
    raw = (b"\xef\xbb\xbf" if bom else b"") + b"".join(p if isinstance(p, bytes) else p.encode("utf-8") for p in pieces)
    expected = raw.decode("utf-8-sig", errors="replace").splitlines()
    root = tmp_path_factory.mktemp("quote")
    (root / "f.yaml").write_bytes(raw)
    saved = terminal._EVERY, terminal._INDEX_READ, terminal._QUOTE_READ
    try:
        for every, index_read, quote_read in ((1, 1, 1), (2, 3, 2), (3, 2, 5), (64, 1 << 16, 1 << 12)):
            terminal._EVERY, terminal._INDEX_READ, terminal._QUOTE_READ = every, index_read, quote_read
            for overrides in ({}, {"f.yaml": raw}):
                cache: dict[str, terminal.QuotedFile] = {}
                quoted = [source_line(root, "f.yaml", n, cache, overrides) for n in range(len(expected) + 2)]
                assert quoted == [None, *expected, None], (every, index_read, quote_read, bool(overrides))
    finally:
        terminal._EVERY, terminal._INDEX_READ, terminal._QUOTE_READ = saved


def test_quoting_a_large_file_keeps_where_its_lines_start_not_its_text(tmp_path: Path) -> None:
    text = large_month() * 2
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    size = (tmp_path / "m.yaml").stat().st_size
    lines = text.splitlines()
    cache: dict[str, terminal.QuotedFile] = {}
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        quoted = {n: source_line(tmp_path, "m.yaml", n, cache, {}) for n in range(1, len(lines) + 1, 997)}
        held, peak = (m - before for m in tracemalloc.get_traced_memory())
    finally:
        tracemalloc.stop()
    assert quoted == {n: lines[n - 1] for n in quoted}
    assert held - sum(map(len, quoted.values())) * 4 < size / 100  # the whole text as lines was 2-3x the file
    assert peak < size / 8
