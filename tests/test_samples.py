"""The shipped policies on their sample units, with the results written out by hand.

Every shortfall below was planted on purpose by benchmarks/make_samples.py (see the
comments there); everything else in the samples meets its target.
"""

from __future__ import annotations

import filecmp
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO, Result

# (year, unit or group): each sample holds the data of its document's year
EXPECTED = {
    (2021, "chengzhen"): {
        "team-monthly": ("fail", ["purple@2021-02"]),  # the purple team skipped February
        "conveners": ("fail", ["orange"]),  # the orange convener V0005 left in September
        "seven-teams": ("fail", ["orange"]),  # ... and so is no longer a member of the team she convenes
        "volunteer-day": ("pass", []),
        "party-participation": ("fail", ["V0006", "V0010", "V0014"]),  # 11 of 14
        "resident-participation": ("pass", []),  # 80 of 600 residents
    },
    # The town as its stations: the 实践所 and two village stations (12 volunteers each, 2 of them
    # in-service party members who took part). Town-wide, 11 + 4 of 18 in-service party members took
    # part (83.3%, met though the 实践所 alone misses); 80 + 12 + 12 = 104 participants of 900 residents
    # is 11.6%, under 13%.
    (2021, "chengzhen-town"): {
        "team-monthly": ("fail", ["chengzhen/purple@2021-02"]),
        "conveners": ("fail", ["chengzhen/orange"]),
        "seven-teams": ("fail", ["chengzhen/orange"]),
        "volunteer-day": ("pass", []),
        "party-participation": ("pass", []),
        "resident-participation": ("fail", ["chengzhen-town"]),
    },
    (2022, "county-aic"): {
        "environment": ("pass", []),
        "poverty-relief": ("fail", ["county-aic@2022"]),  # written 扶危济困志愿服务: validate warns
        "post-lei-feng": ("pass", []),
        "licensed-street": ("pass", []),
        "campus-neighbourhood": ("pass", []),
        "consumer-disputes": ("fail", ["county-aic@2022"]),  # none all year
        "law-outreach": ("pass", []),
    },
    (2022, "county-civil-affairs"): {
        "environment-monthly": ("fail", ["county-civil-affairs@2022-08"]),
        "environment-size": ("fail", ["20220515-01"]),  # 28 people
        "large-events": ("pass", []),
        # nothing near 03-12; 07-01's activity was not a large (大型) one
        "special-days": ("fail", ["2022-03-12", "2022-07-01"]),
        "team-leaders": ("pass", []),
        "team-structure": ("pass", []),  # 30/15/10/5 as planned
        "records": ("fail", ["20220127-01", "20220910-01", "20221202-01"]),  # the 福利院 visits have no photos
    },
    (2022, "dongcheng-station"): {
        "annual-plan": ("fail", ["2022"]),  # handed in 02-10, due 01-31
        "summaries": ("pass", []),
        "registration": ("pass", []),
        "skills-on-file": ("fail", ["V0006", "V0012", "V0018", "V0024"]),  # warning level
        "training": ("pass", []),
        "regular-activities": ("fail", ["culture@2022-Q3"]),
        "coordination-meeting": ("fail", ["dongcheng-station@2022-H2"]),  # only June's meeting was held
    },
    (2022, "putian-party-school"): {
        "branch-mobilised": ("fail", ["b4@2022"]),  # branch b4 has no team and no activity
        "registration": ("pass", []),
        "training": ("fail", ["V0006", "V0011"]),
        "participation": ("pass", []),
        "checkin": ("pass", []),
        "team-per-branch": ("fail", ["b4"]),
        "team-activity": ("pass", []),
        "skills": ("fail", ["V0003"]),
        # V0013 and V0021 missed April, before the plan was issued (04-27): April is not judged
        "monthly-community": ("pass", []),
        "hours-per-person": ("pass", []),
        "love-action": ("pass", []),
        "half-year-summary": ("fail", ["b3@2022-H1"]),  # branch b3 handed in its first summary on 07-03
        "request-response": ("fail", ["R202204-1"]),  # received 04-01, closed 05-20: 49 days (warning level)
        # only V0001, V0002, V0003, V0005 and V0006 of the 32 party members claimed a request (warning level)
        "party-claims": ("fail", [f"V{i:04d}" for i in range(4, 33) if i not in (5, 6)]),
    },
    (2018, "xinluo-cdc"): {
        "registration": ("fail", ["V0012", "V0033"]),
        "hours-per-capita": ("pass", []),  # the average is met (some are under 25 h): a pass names no one
        "party-checkin": ("fail", ["V0010"]),
        "claim-wishes": ("fail", ["V0010"]),  # the in-service party member who never checked in claimed nothing
        "annual-plan": ("pass", []),
        # May to December are judged (the plan was issued on 05-22); May's came on 06-08, December's on 01-04
        "monthly-report": ("fail", ["2018-05"]),
        "special-days": ("fail", ["2018-07-11"]),  # 3.5, 4.7 and 5.15 came before the plan (warning level)
        "training": ("fail", ["V0021"]),  # missed the training day (warning level)
        "record-content": ("pass", []),
    },
}


def test_samples_validate_without_errors(cli: Callable[..., Result]) -> None:
    result = cli(REPO, "validate", "--format", "json")
    assert [p for p in result.json()["problems"] if p["level"] == "error"] == []
    assert result.exit_code == 0


def test_each_policy_on_its_sample_unit(cli: Callable[..., Result]) -> None:
    got: dict[tuple[int, str], dict[str, tuple[str, list[str]]]] = {}
    for year in sorted({year for year, _ in EXPECTED}):
        result = cli(REPO, "check", "--year", str(year), "--format", "json")
        data = result.json()
        for unit in data["units"] + data["groups"]:
            if unit["policy"] is None:
                continue
            got[year, unit.get("unit") or unit["group"]] = {
                rule["id"]: (rule["status"], [f"{f['id']}@{f['period']}" if "period" in f else f["id"] for f in rule["failing"]])
                for rule in unit["rules"]
            }
        assert result.exit_code == 1  # error-level targets are missed
    assert {key: value for key, value in got.items() if key in EXPECTED} == EXPECTED
    # a plan for one year governs no other: 2018's and 2021's plans are not applied to 2022
    assert (2022, "xinluo-cdc") not in got and (2022, "chengzhen") not in got


def test_the_first_command_of_the_readme_shows_a_meaningful_check(cli: Callable[..., Result]) -> None:
    result = cli(REPO, "check", "--year", "2022")
    assert "县工商局" in result.stdout and "未达标" in result.stdout and "达标" in result.stdout
    assert "xinluo-cdc" in result.stdout  # listed, with no policy for 2022


def test_sample_figures_by_hand(cli: Callable[..., Result]) -> None:
    data = cli(REPO, "check", "--year", "2021", "--format", "json").json()
    rules = {(u.get("unit") or u["group"], r["id"]): r for u in data["units"] + data["groups"] for r in u["rules"]}
    assert (rules["chengzhen", "party-participation"]["actual"], rules["chengzhen", "party-participation"]["target"]) == (0.7857, 0.8)
    assert rules["chengzhen", "resident-participation"]["actual"] == 0.1333
    assert rules["chengzhen-town", "party-participation"]["actual"] == 0.8333  # 15 of 18
    assert rules["chengzhen-town", "resident-participation"]["actual"] == 0.1156  # 104 of 900
    data = cli(REPO, "check", "--year", "2022", "--unit", "county-civil-affairs", "--format", "json").json()
    rules = {(u["unit"], r["id"]): r for u in data["units"] for r in u["rules"]}
    assert rules["county-civil-affairs", "environment-size"]["failing"] == [{"id": "20220515-01", "date": "2022-05-15", "count": 28}]
    assert rules["county-civil-affairs", "special-days"]["actual"] == 0.6
    data = cli(REPO, "check", "--year", "2018", "--unit", "xinluo-cdc", "--format", "json").json()
    monthly = next(r for r in data["units"][0]["rules"] if r["id"] == "monthly-report")
    assert (monthly["actual"], monthly["target"]) == (7, 8)  # May to December, May late


def test_the_misspelled_category_is_warned(cli: Callable[..., Result]) -> None:
    problems = cli(REPO, "validate", "--format", "json").json()["problems"]
    assert [p["message"] for p in problems if p["code"] == "unknown-category"] == [
        "类别 “扶危济困志愿服务” 不在方案 county-aic-lei-feng 的类别表中,是否为 “扶危济困”?"
    ]


def test_samples_are_what_the_generator_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "make_samples.py"), str(tmp_path)], check=True)
    shipped, generated = REPO / "ledgers", tmp_path / "ledgers"

    def files(root: Path) -> list[Path]:
        return sorted(q.relative_to(root) for q in root.rglob("*") if q.is_file() and q.name != "personal.yaml")

    assert files(shipped) == files(generated)  # nothing left over from an older generator
    for file in files(generated):
        assert filecmp.cmp(shipped / file, generated / file, shallow=False), file
    assert filecmp.cmp(REPO / "groups.yaml", tmp_path / "groups.yaml", shallow=False)


def test_rules_reference_is_generated_from_the_registry() -> None:
    from tools.rules_doc import generated_section, reference

    assert generated_section((REPO / "rules" / "README.md").read_text(encoding="utf-8")) == reference()


def test_parallel_and_serial_loads_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing on several cores must give exactly what one core gives: data, problems, order."""
    from datetime import date

    from vsledger.check import pipeline
    from vsledger.read import loader

    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 10**9)
    serial = pipeline.load_workspace(REPO, date(2024, 1, 1))
    monkeypatch.setattr(loader, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(loader.os, "cpu_count", lambda: 3)  # the parent and two workers, on any machine
    parallel = pipeline.load_workspace(REPO, date(2024, 1, 1))
    assert [(p.file, p.line, p.column, p.code) for p in parallel.problems] == [(p.file, p.line, p.column, p.code) for p in serial.problems]
    assert {u: [e.record for e in ledger.activities] for u, ledger in parallel.units.items()} == {
        u: [e.record for e in ledger.activities] for u, ledger in serial.units.items()
    }
