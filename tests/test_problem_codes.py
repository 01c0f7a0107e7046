"""Every problem code, one small broken file each: the exact file, line, column and code.

Golden-file style, after hledger's test/errors: each case is a workspace that
differs from a clean one by one planted mistake.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import Result

ACT = "ledgers/u1/activities/2022-05.yaml"
ROSTER = "ledgers/u1/roster.yaml"
UNIT = "ledgers/u1/unit.yaml"
REDEEMED = "ledgers/u1/redemptions.yaml"

GOOD_ACTIVITY = """
- id: a1
  date: 2022-05-05
  title: 义诊
  location: 社区
  hours: 2
  participants: [V0001]
"""

TIMED = GOOD_ACTIVITY.replace("hours: 2", 'start: "08:00"\n  end: "12:00"')

ROSTER_HEAD = """
volunteers:
  - id: V0001
    name: 张三
    employment: staff
    branch: b1
    registered_on: 2020-01-01
"""

CASES: list[tuple[str, dict[str, str], str, int, int]] = [
    # --- YAML ---
    ("duplicate-key", {ACT: "- id: a1\n  date: 2022-05-05\n  date: 2022-05-06\n"}, ACT, 3, 3),
    ("yaml-syntax", {ACT: "- id: a1\n  title: [义诊\n"}, ACT, 3, 1),
    ("yaml-alias", {ACT: GOOD_ACTIVITY + "- &x\n  id: a2\n- *x\n"}, ACT, 9, 3),
    ("yaml-merge-key", {ACT: "- id: a1\n  <<: {title: x}\n"}, ACT, 2, 3),
    ("yaml-tag", {ACT: "- id: a1\n  title: !!python/name:os.system x\n"}, ACT, 2, 10),
    ("yaml-multiple-documents", {ACT: "- id: a1\n---\n- id: a2\n"}, ACT, 2, 1),
    ("control-character", {ACT: GOOD_ACTIVITY.replace("title: 义诊", 'title: "义\\u2028诊"')}, ACT, 3, 10),
    ("yaml-too-deep", {ACT: "x: " + "[" * 100 + "]" * 100 + "\n"}, ACT, 1, 67),
    # --- records ---
    ("missing-field", {ACT: "- id: a1\n  date: 2022-05-05\n  title: 义诊\n  hours: 2\n  participants: [V0001]\n"}, ACT, 1, 3),
    ("unknown-field", {ACT: GOOD_ACTIVITY + "  colour: red\n"}, ACT, 7, 3),
    ("invalid-date", {ACT: GOOD_ACTIVITY.replace("2022-05-05", "2022-02-30")}, ACT, 2, 9),
    ("invalid-hours", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 两小时")}, ACT, 5, 10),
    ("hours-range", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 25")}, ACT, 5, 10),
    ("hours-range", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 0")}, ACT, 5, 10),
    ("hours-precision", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 1.333")}, ACT, 5, 10),
    ("negative-hours", {ROSTER: ROSTER_HEAD + "    prior_hours: -3\n"}, ROSTER, 7, 18),
    ("redemption-hours", {ACT: GOOD_ACTIVITY, REDEEMED: "- {volunteer: V0001, date: 2022-05-06, hours: -3, what: 理发}\n"}, REDEEMED, 1, 47),
    ("invalid-clock", {ACT: GOOD_ACTIVITY.replace("hours: 2", 'start: "25:00"\n  end: "26:00"')}, ACT, 5, 10),
    ("invalid-choice", {ROSTER: ROSTER_HEAD.replace("employment: staff", "employment: boss")}, ROSTER, 4, 17),
    ("invalid-id", {ROSTER: ROSTER_HEAD.replace("id: V0001", "id: V 1")}, ROSTER, 2, 9),
    ("unquoted-id", {ROSTER: ROSTER_HEAD.replace("id: V0001", "id: 1001")}, ROSTER, 2, 9),
    ("unquoted-number", {ROSTER: ROSTER_HEAD + "    id_number: 11010519491231002X\n".replace("X", "0")}, ROSTER, 7, 16),
    ("unquoted-number", {ROSTER: ROSTER_HEAD + "    phone: 13800000000\n"}, ROSTER, 7, 12),
    ("invalid-id-number", {ROSTER: ROSTER_HEAD + '    id_number: "110105194912310021"\n'}, ROSTER, 7, 16),
    ("invalid-phone", {ROSTER: ROSTER_HEAD + '    phone: "23800000000"\n'}, ROSTER, 7, 12),
    ("invalid-participant", {ACT: GOOD_ACTIVITY.replace("[V0001]", "[{V0001: 2, V0002: 1}]")}, ACT, 6, 18),
    ("invalid-value", {ROSTER: ROSTER_HEAD.replace("name: 张三", "name: [张三]")}, ROSTER, 3, 11),
    ("not-a-list", {ACT: "id: a1\n"}, ACT, 1, 1),
    ("not-a-mapping", {ACT: "- just text\n"}, ACT, 1, 3),
    ("invalid-number", {ACT: GOOD_ACTIVITY + "  served: -3\n"}, ACT, 7, 11),
    # --- files and layout ---
    ("bad-file-name", {"ledgers/u1/activities/2022-5.yaml": GOOD_ACTIVITY}, "ledgers/u1/activities/2022-5.yaml", 1, 1),
    ("bad-file-name", {"ledgers/u1/activities/2022/05.yaml": GOOD_ACTIVITY}, "ledgers/u1/activities/2022/05.yaml", 1, 1),
    ("bad-file-name", {"ledgers/u1/2022-05.yaml": GOOD_ACTIVITY}, "ledgers/u1/2022-05.yaml", 1, 1),
    ("not-a-file", {"ledgers/u1/reports.yaml/2022.yaml": "[]\n"}, "ledgers/u1/reports.yaml", 1, 1),
    ("month-mismatch", {ACT: GOOD_ACTIVITY.replace("2022-05-05", "2022-06-05")}, ACT, 2, 9),
    ("missing-file", {"ledgers/u2/unit.yaml": "id: u2\nname: 二\n"}, "ledgers/u2/roster.yaml", 1, 1),
    ("unit-id-mismatch", {"ledgers/u2/unit.yaml": "id: u3\nname: 二\n", "ledgers/u2/roster.yaml": "volunteers: []\n"}, "ledgers/u2/unit.yaml", 1, 5),
    ("invalid-unit-dir", {"ledgers/U_2/unit.yaml": "id: u2\nname: 二\n"}, "ledgers/U_2", 1, 1),
    ("encoding", {}, ACT, 3, 10),
    # --- cross-record ---
    ("duplicate-id", {ACT: GOOD_ACTIVITY + GOOD_ACTIVITY.lstrip("\n")}, ACT, 7, 7),
    ("duplicate-id", {ROSTER: ROSTER_HEAD + ROSTER_HEAD.replace("volunteers:\n", "").lstrip("\n")}, ROSTER, 7, 9),
    ("unknown-volunteer", {ACT: GOOD_ACTIVITY.replace("[V0001]", "[V0001, V0099]")}, ACT, 6, 25),
    ("unknown-team", {ACT: GOOD_ACTIVITY + "  team: blue\n"}, ACT, 7, 9),
    ("unknown-branch", {ROSTER: ROSTER_HEAD.replace("branch: b1", "branch: b9")}, ROSTER, 5, 13),
    ("unknown-policy", {UNIT: "id: u1\nname: 测试单位\npolicy: nope\n"}, UNIT, 3, 9),
    ("not-on-roster", {ROSTER: ROSTER_HEAD + "    joined: 2022-06-01\n", ACT: GOOD_ACTIVITY}, ACT, 6, 18),
    ("not-on-roster", {ROSTER: ROSTER_HEAD + "    left: 2022-05-04\n", ACT: GOOD_ACTIVITY}, ACT, 6, 18),
    ("left-before-joined", {ROSTER: ROSTER_HEAD + "    joined: 2022-06-01\n    left: 2022-05-01\n"}, ROSTER, 8, 11),
    ("future-date", {"ledgers/u1/activities/2099-05.yaml": GOOD_ACTIVITY.replace("2022", "2099")}, "ledgers/u1/activities/2099-05.yaml", 2, 9),
    ("hours-missing", {ACT: GOOD_ACTIVITY.replace("  hours: 2\n", "")}, ACT, 1, 3),
    ("time-order", {ACT: GOOD_ACTIVITY.replace("hours: 2", 'start: "11:00"\n  end: "09:00"')}, ACT, 6, 8),
    ("no-participants", {ACT: GOOD_ACTIVITY.replace("[V0001]", "[]")}, ACT, 6, 17),
    ("duplicate-participant", {ACT: GOOD_ACTIVITY.replace("[V0001]", "[V0001, {V0001: 1}]")}, ACT, 6, 25),
    ("day-over-24", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 20") + GOOD_ACTIVITY.replace("a1", "a2").replace("hours: 2", "hours: 5").lstrip("\n")}, ACT, 12, 18),
    ("unknown-correction", {ACT: GOOD_ACTIVITY + "  corrects: a0\n"}, ACT, 7, 13),
    ("correction-self", {ACT: GOOD_ACTIVITY + "  corrects: a1\n"}, ACT, 7, 13),
    ("correction-conflict", {ACT: GOOD_ACTIVITY + GOOD_ACTIVITY.replace("a1", "a2").lstrip("\n") + "  corrects: a1\n" + GOOD_ACTIVITY.replace("a1", "a3").lstrip("\n") + "  corrects: a1\n"}, ACT, 20, 13),
    ("correction-cycle", {ACT: GOOD_ACTIVITY + "  corrects: a2\n" + GOOD_ACTIVITY.replace("a1", "a2").lstrip("\n") + "  corrects: a1\n"}, ACT, 7, 13),
    ("path-outside", {ACT: GOOD_ACTIVITY + "  attachments: [../../secret.txt]\n"}, ACT, 7, 17),
    ("invalid-period", {"ledgers/u1/reports.yaml": "- {kind: monthly, period: 2022, submitted_on: 2022-06-03}\n"}, "ledgers/u1/reports.yaml", 1, 27),
    ("personal-unknown-volunteer", {"ledgers/u1/personal.yaml": '- {id: V0099, phone: "13800000000"}\n'}, "ledgers/u1/personal.yaml", 1, 8),
    ("personal-duplicate", {ROSTER: ROSTER_HEAD + '    phone: "13800000000"\n', "ledgers/u1/personal.yaml": '- {id: V0001, phone: "13900000000"}\n'}, "ledgers/u1/personal.yaml", 1, 22),
    # --- policies ---
    ("unknown-rule-kind", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: hours_per_capitaa, min: 1, text: x}\n"}, "rules/p1.yaml", 4, 19),
    ("invalid-rate", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: registration_rate, min: 180%, text: x}\n"}, "rules/p1.yaml", 4, 43),
    ("invalid-due", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: report_due, report: plan, due: 13-01, text: x}\n"}, "rules/p1.yaml", 4, 50),
    ("invalid-day", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: special_days, days: [02-31x], min: 1, text: x}\n"}, "rules/p1.yaml", 4, 40),
    ("duplicate-id", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: team_conveners, text: x}\n  - {id: r, kind: team_conveners, text: y}\n"}, "rules/p1.yaml", 5, 10),
    ("policy-id-mismatch", {"rules/p1.yaml": "id: p2\ntitle: t\nrules: []\n"}, "rules/p1.yaml", 1, 5),
    ("unknown-field", {"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: r, kind: registration_rate, min: 1, mn: 2, text: x}\n"}, "rules/p1.yaml", 4, 46),
]  # fmt: skip

UNIT_WITH_BRANCH = "id: u1\nname: 测试单位\npolicy: p1\nbranches:\n  - {id: b1, name: 一支部}\nteams:\n  - {id: red, name: 红队}\n"


@pytest.mark.parametrize(("code", "files", "file", "line", "column"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_problem_is_located(
    code: str, files: dict[str, str], file: str, line: int, column: int, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    files = {UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD, **files}
    root = workspace(files)
    if code == "encoding":  # a file saved by a Windows editor in GBK
        (root / ACT).parent.mkdir(parents=True, exist_ok=True)
        (root / ACT).write_bytes(GOOD_ACTIVITY.lstrip("\n").encode("gbk"))
    result = cli(root, "validate", "--format", "json")
    found = result.json()["problems"]
    assert {"file": file, "line": line, "column": column, "code": code} in [
        {k: p[k] for k in ("file", "line", "column", "code")} for p in found
    ], found
    assert "Traceback" not in result.stdout + result.stderr
    levels = {p["code"]: p["level"] for p in found}
    if levels[code] == "error":
        assert result.exit_code == 1


def test_hints_fit_the_mistake(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """A negative number is a number, and a redemption is not an activity: each hint says what to do about that."""
    root = workspace({
        ROSTER: ROSTER_HEAD + "    prior_hours: -3\n",
        ACT: GOOD_ACTIVITY,
        REDEEMED: "- {volunteer: V0001, date: 2022-05-06, hours: -3, what: 理发}\n- {volunteer: V0001, date: 2099-01-01, hours: 1, what: 理发}\n",
    })  # fmt: skip
    text = cli(root, "validate").stdout
    assert "写成数字" not in text and "活动当天" not in text
    assert "“prior_hours” 的时长 -3 小于 0\n" in text and "提示: 服务时长是 0 或正数" in text
    assert "兑换的时长应大于 0(现为 -3)" in text and "提示: 写兑换掉的小时数" in text
    assert "日期 2099-01-01 晚于今天" in text and "提示: 等事情发生后再记,写实际发生的日期" in text
    english = cli(root, "validate", lang="en").stdout
    assert "a redemption spends more than 0 hours (now -3)" in english and "on the day" not in english


def test_a_wrong_value_is_described_in_the_readers_words(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    """pydantic's English reached the Chinese screen: "'staff', … or 'other'", "应为 boolean", a wrong type for an empty value."""
    root = workspace({
        ROSTER: ROSTER_HEAD.replace("employment: staff", "employment: 在编\n    party_member: 是"),
        ACT: GOOD_ACTIVITY.replace("location: 社区", "location:"),
    })  # fmt: skip
    text = cli(root, "validate").stdout
    assert (
        "“employment” 的值无效,可选:staff(在编) | contract(聘用) | retired(退休) | resident(居民) | student(学生) | other(其他),是否为 “staff”?"
        in text
    )
    assert "“party_member” 的值类型不对(应为 true 或 false)" in text
    assert "empty-text: “location” 不能为空" in text
    assert not any(word in text for word in ("boolean", "string", " or '"))
    english = cli(root, "validate", lang="en").stdout
    assert "expected one of: staff | contract | retired | resident | student | other; did you mean 'staff'?" in english


WARNINGS = [
    ("before-registration", {ROSTER: ROSTER_HEAD.replace("2020-01-01", "2022-06-01"), ACT: GOOD_ACTIVITY}, ACT, 6, 18),
    ("day-over-8", {ACT: GOOD_ACTIVITY.replace("hours: 2", "hours: 9")}, ACT, 6, 18),
    ("hours-exceed-span", {ACT: GOOD_ACTIVITY.replace("hours: 2", 'hours: 4\n  start: "08:00"\n  end: "10:00"')}, ACT, 5, 10),
    ("attachment-missing", {ACT: GOOD_ACTIVITY + "  attachments: [attachments/photo.jpg]\n"}, ACT, 7, 17),
    ("unknown-file", {"ledgers/u1/Reports.yaml": "[]\n"}, "ledgers/u1/Reports.yaml", 1, 1),
    ("duplicate-activity", {ACT: GOOD_ACTIVITY + GOOD_ACTIVITY.replace("id: a1", "id: a2")}, ACT, 8, 3),
    ("overlapping-times", {ACT: TIMED + TIMED.replace("id: a1", "id: a2").replace("义诊", "巡河").replace('"08:00"', '"10:00"')}, ACT, 15, 18),
    ("ids-masked-alike", {ACT: GOOD_ACTIVITY.replace("id: a1", "id: \"20220505001\"") + GOOD_ACTIVITY.replace("id: a1", "id: \"20220515001\"").replace("义诊", "巡河")}, ACT, 8, 7),
    ("duplicate-report", {"ledgers/u1/reports.yaml": "- {kind: plan, period: 2022, submitted_on: 2022-03-01}\n- {kind: plan, period: 2022, submitted_on: 2022-03-02}\n"}, "ledgers/u1/reports.yaml", 2, 3),
]  # fmt: skip


@pytest.mark.parametrize(("code", "files", "file", "line", "column"), WARNINGS, ids=[w[0] for w in WARNINGS])
def test_warning_is_located_and_exit_zero(
    code: str, files: dict[str, str], file: str, line: int, column: int, workspace: Callable[..., Path], cli: Callable[..., Result]
) -> None:
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD, **files})
    result = cli(root, "validate", "--format", "json")
    found = result.json()["problems"]
    assert [{k: p[k] for k in ("file", "line", "column", "code", "level")} for p in found] == [
        {"file": file, "line": line, "column": column, "code": code, "level": "warning"}
    ]
    assert result.exit_code == 0


def test_every_problem_in_one_run_sorted(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace(
        {
            UNIT: UNIT_WITH_BRANCH,
            ROSTER: ROSTER_HEAD + "  - {id: V0002, name: 李四, employment: boss}\n",
            ACT: GOOD_ACTIVITY.replace("[V0001]", "[V0001, V0077]") + "- id: a2\n  date: 2022-05-06\n",
            "ledgers/u1/activities/2022-04.yaml": GOOD_ACTIVITY.replace("2022-05-05", "2022-04-05").replace("a1", "b1") + "  team: nope\n",
        }
    )
    result = cli(root, "validate")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("ledgers/")]
    assert [line.split(": ")[1] for line in lines] == [
        "unknown-team",
        "unknown-volunteer",
        "missing-field",  # title, location and participants of a2: each one named
        "missing-field",
        "missing-field",
        "invalid-choice",
    ]
    assert lines[0].startswith("ledgers/u1/activities/2022-04.yaml:7:9: unknown-team: ")
    # the excerpt and the caret under the mistake
    assert "    6 |   participants: [V0001, V0077]" in result.stdout
    assert "      |                         ^" in result.stdout


def test_clean_workspace_exits_zero(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD, ACT: GOOD_ACTIVITY})
    result = cli(root, "validate", "--format", "json")
    assert result.exit_code == 0
    assert result.json() == {"problems": []}


def test_messages_in_english(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD, ACT: GOOD_ACTIVITY.replace("[V0001]", "[V0009]")})
    result = cli(root, "validate", lang="en")
    assert "unknown-volunteer: volunteer V0009 is not on the roster" in result.stdout
    assert "hint: add them with vsledger add-volunteer first" in result.stdout


def test_unquoted_id_number_is_masked_in_every_output(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    number = "110105194912310021"
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD + f"    id_number: {number}\n    phone: 13800001234\n"})
    for fmt in ("table", "json", "csv"):
        result = cli(root, "validate", "--format", fmt)
        assert number not in result.stdout and "13800001234" not in result.stdout
        assert "110105********0021" in result.stdout
        assert "138****1234" in result.stdout


def test_gbk_file_is_named_with_the_command_that_converts_it(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD})
    (root / ACT).parent.mkdir(parents=True, exist_ok=True)
    (root / ACT).write_bytes(GOOD_ACTIVITY.lstrip("\n").encode("gb18030"))
    result = cli(root, "validate")
    assert "encoding: 文件不是 UTF-8 编码(看起来是 GB18030)" in result.stdout
    assert "iconv -f GB18030 -t UTF-8" in result.stdout


def test_bom_and_crlf_are_accepted(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD})
    (root / ACT).parent.mkdir(parents=True, exist_ok=True)
    (root / ACT).write_bytes(b"\xef\xbb\xbf" + GOOD_ACTIVITY.lstrip("\n").replace("\n", "\r\n").encode("utf-8"))
    result = cli(root, "hours", "--year", "2022", "--format", "json")
    assert result.exit_code == 0
    assert result.json() == [{"unit": "u1", "id": "V0001", "name": "张三", "hours": 2.0, "activities": 1}]


def test_nul_utf16_and_oversized_files_are_named(
    workspace: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsledger.read import yamlsource

    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD})
    (root / ACT).parent.mkdir(parents=True, exist_ok=True)
    (root / ACT).write_bytes(b"- id: a1\n  title: x\x00y\n")
    (root / "ledgers/u1/activities/2022-06.yaml").write_bytes(GOOD_ACTIVITY.lstrip("\n").encode("utf-16"))
    (root / "ledgers/u1/reports.yaml").write_bytes(b"# " + b"x" * 600 + b"\n")
    monkeypatch.setattr(yamlsource, "MAX_FILE_BYTES", 400)  # above every other file here
    found = {(p["file"], p["line"], p["column"], p["code"]) for p in cli(root, "validate", "--format", "json").json()["problems"]}
    assert (ACT, 2, 11, "nul-byte") in found
    assert ("ledgers/u1/activities/2022-06.yaml", 1, 1, "encoding") in found
    assert "iconv -f UTF-16 -t UTF-8" in cli(root, "validate").stdout
    assert ("ledgers/u1/reports.yaml", 1, 1, "file-too-large") in found


def test_symlinks_out_of_the_workspace_are_refused(
    workspace: Callable[..., Path], cli: Callable[..., Result], tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.jpg").write_bytes(b"x")
    (outside / "roster.yaml").write_text(ROSTER_HEAD, encoding="utf-8")
    root = workspace({UNIT: UNIT_WITH_BRANCH, ROSTER: ROSTER_HEAD, ACT: GOOD_ACTIVITY + "  attachments: [attachments/photo.jpg]\n"})
    (root / "ledgers/u1/attachments").mkdir()
    (root / "ledgers/u1/attachments/photo.jpg").symlink_to(outside / "secret.jpg")
    (root / "ledgers/u2").mkdir()
    (root / "ledgers/u2/unit.yaml").write_text("id: u2\nname: 二\n", encoding="utf-8")
    (root / "ledgers/u2/roster.yaml").symlink_to(outside / "roster.yaml")
    found = {(p["file"], p["code"]) for p in cli(root, "validate", "--format", "json").json()["problems"]}
    assert (ACT, "path-outside") in found
    assert ("ledgers/u2/roster.yaml", "path-outside") in found


def test_an_unquoted_star_day_says_to_quote_it(workspace: Callable[..., Path], cli: Callable[..., Result]) -> None:
    root = workspace({"rules/p1.yaml": "id: p1\ntitle: t\nrules:\n  - {id: d, kind: special_days, days: [*-05], min: 1, text: x}\n"})
    result = cli(root, "validate")
    assert "rules/p1.yaml:4:40: yaml-alias: " in result.stdout
    assert '如每月的日子写成 "*-05"' in result.stdout
