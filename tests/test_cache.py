"""The unit cache: same answers warm as cold, invalidated by data and by code, never trusted blindly."""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result
from vsledger.check import executor, pipeline
from vsledger.report import cache as cache_module

U2_UNIT = "id: u2\nname: 第二单位\npolicy: p1\n"
U2_ROSTER = "volunteers:\n  - {id: V0001, name: 王五, employment: staff}\n"
ACT = "ledgers/u1/activities/2022-05.yaml"
ACTIVITY = "- {id: a1, date: 2022-05-05, title: 义诊, location: 社区, hours: 2, participants: [V0001, V0002]}\n"


def age(root: Path) -> Path:
    """Files written a minute ago: old enough for their mtime to be trusted."""
    past = time.time() - 60
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (past, past))
    return root


@pytest.fixture
def two_units(workspace: Callable[..., Path]) -> Path:
    return age(workspace({"ledgers/u2/unit.yaml": U2_UNIT, "ledgers/u2/roster.yaml": U2_ROSTER, ACT: ACTIVITY}))


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[list[str] | None]:
    """Which units each load asked for (policies-only loads are `[]`)."""
    seen: list[list[str] | None] = []
    real = executor.load_workspace

    def spy(*args: object, **kwargs: object) -> object:
        seen.append(kwargs.get("only_units"))  # type: ignore[arg-type]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(executor, "load_workspace", spy)  # where the units' work is loaded (in this process for few units)
    monkeypatch.setattr(pipeline, "load_workspace", spy)  # the CLI's own loads
    return seen


def cache_files(private_cache: Path) -> list[Path]:
    return sorted(private_cache.rglob("*.json"))


def test_warm_answers_equal_cold_and_load_nothing(two_units: Path, cli: Callable[..., Result], loads: list[list[str] | None]) -> None:
    args = ("check", "--year", "2022", "--format", "json")
    cold = cli(two_units, *args)
    assert sorted(loads[-1] or []) == ["u1", "u2"]
    loads.clear()
    warm = cli(two_units, *args)
    assert warm.stdout == cold.stdout and warm.exit_code == cold.exit_code
    assert loads == [[]]  # only the policies were read
    assert (
        cli(two_units, "hours", "--year", "2022", "--format", "json").json()
        == cli(two_units, "--no-cache", "hours", "--year", "2022", "--format", "json").json()
    )


def test_problems_come_back_on_a_hit(workspace: Callable[..., Path], cli: Callable[..., Result], loads: list[list[str] | None]) -> None:
    root = workspace(
        {
            ACT: ACTIVITY.replace("V0002]", "V0002, V0009]"),
            "ledgers/u1/reports.yaml": "- {kind: plan, period: 2022, submitted_on: 2022-02-01}\n- {kind: plan, period: 2022, submitted_on: 2022-02-02}\n",
        }
    )
    age(root)
    first = cli(root, "validate")
    loads.clear()
    second = cli(root, "validate")
    assert loads == [[]]
    assert second.stdout == first.stdout and second.exit_code == first.exit_code == 1
    assert "unknown-volunteer" in second.stdout and "duplicate-report" in second.stdout
    check = cli(root, "check", "--year", "2022")
    assert check.exit_code == 1 and "unknown-volunteer" in check.stderr


def test_a_changed_file_invalidates_only_its_unit(two_units: Path, cli: Callable[..., Result], loads: list[list[str] | None]) -> None:
    cli(two_units, "hours", "--year", "2022", "--by", "unit", "--format", "json")
    (two_units / ACT).write_text(ACTIVITY.replace("hours: 2", "hours: 3"), encoding="utf-8")
    os.utime(two_units / ACT, (time.time() - 30, time.time() - 30))  # a different mtime, old enough to trust
    loads.clear()
    rows = cli(two_units, "hours", "--year", "2022", "--by", "unit", "--format", "json").json()
    assert loads == [[], ["u1"]]
    assert {r["id"]: r["hours"] for r in rows} == {"u1": 6.0, "u2": 0.0}
    # a policy file is part of every unit's key
    (two_units / "rules/p1.yaml").write_text((two_units / "rules/p1.yaml").read_text(encoding="utf-8") + "# 修订\n", encoding="utf-8")
    age(two_units)
    loads.clear()
    cli(two_units, "hours", "--year", "2022", "--by", "unit", "--format", "json")
    assert sorted(loads[-1] or []) == ["u1", "u2"]


def test_a_code_change_invalidates_every_entry(
    two_units: Path, cli: Callable[..., Result], loads: list[list[str] | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli(two_units, "check", "--year", "2022")
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "another version")
    loads.clear()
    cli(two_units, "check", "--year", "2022")
    assert sorted(loads[-1] or []) == ["u1", "u2"]


def test_corrupt_foreign_or_exposed_entries_are_rebuilt(
    two_units: Path, cli: Callable[..., Result], private_cache: Path, loads: list[list[str] | None]
) -> None:
    expected = cli(two_units, "check", "--year", "2022", "--format", "json").stdout
    files = cache_files(private_cache)
    assert [f.name for f in files] == ["u1.json", "u2.json"]
    files[0].write_bytes(b"not json at all")
    os.chmod(files[1], 0o644)  # readable by others: not trusted
    loads.clear()
    assert cli(two_units, "check", "--year", "2022", "--format", "json").stdout == expected
    assert sorted(loads[-1] or []) == ["u1", "u2"]
    for path in cache_files(private_cache):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700


def test_no_cache_writes_nothing(two_units: Path, cli: Callable[..., Result], private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cli(two_units, "--no-cache", "check", "--year", "2022")
    monkeypatch.setenv("VSLEDGER_NO_CACHE", "1")
    cli(two_units, "validate")
    assert cache_files(private_cache) == []


def test_no_personal_number_in_the_cache(workspace: Callable[..., Path], cli: Callable[..., Result], private_cache: Path) -> None:
    number, phone = "11010519491231002X", "13800001234"
    root = age(
        workspace(
            {
                ACT: ACTIVITY,
                "ledgers/u1/personal.yaml": f'- {{id: V0001, id_number: "{number}", phone: "{phone}"}}\n- {{id: V0002, id_number: "110105194912310021"}}\n',
            }
        )
    )
    for args in (("validate",), ("check", "--year", "2022"), ("hours", "--year", "2022")):
        result = cli(root, *args)
        assert number not in result.stdout + result.stderr and "110105194912310021" not in result.stdout + result.stderr
    blobs = b"".join(path.read_bytes() for path in cache_files(private_cache))
    assert blobs
    for secret in (number, phone, "110105194912310021"):
        assert secret.encode() not in blobs


def test_files_too_fresh_to_trust_are_not_cached(workspace: Callable[..., Path], cli: Callable[..., Result], private_cache: Path) -> None:
    """A file saved this second could be saved again within the same mtime tick: git's racy rule."""
    root = workspace({ACT: ACTIVITY})
    cli(root, "check", "--year", "2022")
    assert cache_files(private_cache) == []
    age(root)
    cli(root, "check", "--year", "2022")
    assert [p.name for p in cache_files(private_cache)] == ["u1.json"]


def test_a_planted_pickle_is_never_run(two_units: Path, cli: Callable[..., Result], private_cache: Path, tmp_path: Path) -> None:
    """The cache was a pickle: a planted file whose __reduce__ called os.system ran on `check`."""
    import pickle

    expected = cli(two_units, "check", "--year", "2022", "--format", "json").stdout
    witness = tmp_path / "ran"

    class Bomb:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {witness}",))

    directory = cache_module.cache_directory(two_units)
    bomb = pickle.dumps({"magic": "vsledger-unit-cache", "schema": 1, "entry": Bomb()})
    for unit in ("u1", "u2"):
        for suffix in (".json", ".pickle"):  # where the cache keeps its entries, and where it kept them
            (directory / f"{unit}{suffix}").write_bytes(bomb)
    assert cli(two_units, "check", "--year", "2022", "--format", "json").stdout == expected
    assert not witness.exists()


def _entry(private_cache: Path, unit: str) -> tuple[Path, dict[str, object]]:
    import json

    path = next(p for p in cache_files(private_cache) if p.stem == unit)
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_a_flipped_status_is_trusted_only_under_its_own_key(
    workspace: Callable[..., Path], cli: Callable[..., Result], private_cache: Path
) -> None:
    """Flipping a stored status turned exit 1 into exit 0. An entry is data under a key: edited with
    the key of other files it is ignored; an unknown type or field discards it."""
    import json

    policy = "id: p1\ntitle: 测试\nrules:\n  - {id: act, kind: activity_count, min: 5, text: 每年5次}\n"
    root = age(workspace({ACT: ACTIVITY, "rules/p1.yaml": policy}))
    assert cli(root, "check", "--year", "2022").exit_code == 1
    path, entry = _entry(private_cache, "u1")
    text = json.dumps(entry, ensure_ascii=False)
    assert '"fail"' in text
    flipped = json.loads(text.replace('"fail"', '"pass"'))
    flipped["key"] = "0" * 64  # the entry of some other state of the files
    path.write_text(json.dumps(flipped), encoding="utf-8")
    assert cli(root, "check", "--year", "2022").exit_code == 1
    _, entry = _entry(private_cache, "u1")
    for planted in ('{"$record": "Popen", "fields": {"args": "touch x"}}', '{"$record": "Outcome", "fields": {"__class__": 1}}'):
        broken = json.loads(json.dumps(entry))
        broken["problems"] = [json.loads(planted)]
        path.write_text(json.dumps(broken), encoding="utf-8")
        assert cli(root, "check", "--year", "2022").exit_code == 1


def test_a_same_size_edit_with_the_mtime_put_back_is_seen(
    workspace: Callable[..., Path], cli: Callable[..., Result], private_cache: Path, tmp_path: Path
) -> None:
    """`sed …; touch -r ref F`: cached 4.0 h where --no-cache said 18.0 h."""
    import json
    import subprocess

    root = age(workspace({ACT: ACTIVITY}))
    month = root / ACT
    reference = tmp_path / "ref"
    reference.touch()
    subprocess.run(["touch", "-r", str(month), str(reference)], check=True)
    first = cli(root, "hours", "--year", "2022", "--format", "json").json()
    assert {r["id"]: r["hours"] for r in first} == {"V0001": 2.0, "V0002": 2.0}
    assert cache_files(private_cache)
    month.write_text(ACTIVITY.replace("hours: 2,", "hours: 9,"), encoding="utf-8")  # the same size
    subprocess.run(["touch", "-r", str(reference), str(month)], check=True)
    after = cli(root, "hours", "--year", "2022", "--format", "json").json()
    assert {r["id"]: r["hours"] for r in after} == {"V0001": 9.0, "V0002": 9.0}
    assert json.loads(cli(root, "--no-cache", "hours", "--year", "2022", "--format", "json").stdout) == after
