"""`add-*` on files a clerk laid out otherwise: valid YAML that `validate` reads cleanly.

The record joins the list where it can be appended safely (an unindented or indented list, an
empty `[]`, a `---` at the top, only comments); where it cannot (a `[...]` list, a `...` after the
records), one located `layout-unexpected` says to run `fmt`, and after `fmt` the same command works.
Never a YAML error at a line vsledger wrote, nor "not on the roster" because the roster broke.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import Result

ROSTER = "ledgers/u1/roster.yaml"
MONTH = "ledgers/u1/activities/2024-05.yaml"
PERSONAL = "ledgers/u1/personal.yaml"
ACTIVITY = {"id": "a1", "date": "2024-05-02", "title": "义诊", "location": "社区", "hours": 2, "participants": ["V0001"]}
BLOCK_ACTIVITY = "- id: a1\n  date: 2024-05-02\n  title: 义诊\n  location: 社区\n  hours: 2\n  participants: [V0001]\n"
FLOW_ACTIVITY = "{id: a1, date: 2024-05-02, title: 义诊, location: 社区, hours: 2, participants: [V0001]}"
FLOW_ACTIVITY_2 = "{id: a2, date: 2024-05-03, title: 宣讲, location: 礼堂, hours: 1, participants: [V0002]}"
CANONICAL_ROSTER = (
    "volunteers:\n"
    "  - id: V0001\n    name: 张三\n    employment: staff\n    registered_on: 2020-01-01\n"
    "  - id: V0002\n    name: 李四\n    employment: contract\n    registered_on: 2020-01-01\n"
)
UNINDENTED_ROSTER = CANONICAL_ROSTER.replace("\n  ", "\n")
ADD_VOLUNTEER = ("add-volunteer", "-u", "u1", "--name", "王五", "--employment", "staff", "--registered-on", "2020-01-01", "--yes")
ADD_ACTIVITY = ("add-activity", "-u", "u1", "--date", "2024-05-20", "--title", "清扫", "--location", "广场", "--hours", "2", "-p", "V0001", "--yes")  # fmt: skip


@pytest.fixture
def laid_out(workspace: Callable[..., Path]) -> Callable[[dict[str, str]], Path]:
    """The test workspace with these files written byte for byte (`workspace` dedents them)."""

    def make(files: dict[str, str]) -> Path:
        root = workspace()
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(text.encode("utf-8"))
        return root

    return make


def _problems(result: Result) -> list[str]:
    """The `FILE:LINE:COL: code:` heads of the problems a command printed."""
    return [
        line.split(": ")[0] + ": " + line.split(": ")[1]
        for line in result.stderr.splitlines()
        if ": " in line and line.startswith("ledgers/")
    ]


def _records(root: Path, rel: str) -> list[dict[str, object]]:
    data = yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    return data["volunteers"] if rel == ROSTER else data


def _clean(root: Path, cli: Callable[..., Result]) -> None:
    result = cli(root, "validate", "--format", "json")
    assert result.exit_code == 0 and result.json()["problems"] == [], result.stdout


def test_the_reported_unindented_roster_takes_a_volunteer(laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]) -> None:
    """The report: `volunteers:` with `- id:` at the margin, an activity crediting V0001."""
    roster = "volunteers:\n- id: V0001\n  name: 张三\n  employment: staff\n  registered_on: 2020-01-01\n"
    root = laid_out({ROSTER: roster, MONTH: BLOCK_ACTIVITY})
    _clean(root, cli)
    result = cli(root, "add-volunteer", "-u", "u1", "--name", "王五", "--employment", "staff", "--yes")
    assert result.exit_code == 0, result.stderr
    assert "unknown-volunteer" not in result.stderr and "yaml-syntax" not in result.stderr
    text = (root / ROSTER).read_text(encoding="utf-8")
    assert text.startswith(roster)  # every old byte kept, in order
    assert text[len(roster) :].startswith("- id: V0002-")  # at the margin, as the file's records are
    assert "\n  name: 王五\n  employment: staff\n" in text[len(roster) :]
    _clean(root, cli)


ROSTER_LAYOUTS = {
    "unindented": UNINDENTED_ROSTER,
    "indented by four": CANONICAL_ROSTER.replace("\n  ", "\n    "),
    "document start": "---\n" + CANONICAL_ROSTER,
    "quoted key": '"volunteers":\n' + UNINDENTED_ROSTER.removeprefix("volunteers:\n"),
    "comments after": CANONICAL_ROSTER + "# 以上为在册志愿者\n\n",
}


@pytest.mark.parametrize("roster", ROSTER_LAYOUTS.values(), ids=ROSTER_LAYOUTS.keys())
def test_a_volunteer_joins_the_roster_as_it_is_laid_out(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result], roster: str
) -> None:
    root = laid_out({ROSTER: roster, MONTH: BLOCK_ACTIVITY})
    _clean(root, cli)
    result = cli(root, *ADD_VOLUNTEER)
    assert result.exit_code == 0, result.stderr
    new_id = result.stdout.strip().rsplit(":", 1)[1]
    assert (root / ROSTER).read_bytes().startswith(roster.encode("utf-8"))
    assert [v["id"] for v in _records(root, ROSTER)] == ["V0001", "V0002", new_id]
    _clean(root, cli)
    # the new volunteer is on the roster: an activity may credit them
    credited = cli(root, *ADD_ACTIVITY[:-3], "-p", new_id, "--yes")
    assert credited.exit_code == 0, credited.stderr


MONTH_LAYOUTS = {
    "canonical": BLOCK_ACTIVITY,
    "indented": "".join("  " + line + "\n" for line in BLOCK_ACTIVITY.splitlines()),
    "document start": "---\n" + BLOCK_ACTIVITY,
    "one-line records": f"- {FLOW_ACTIVITY}\n",
    "comments only": "# 五月的活动\n",
}


@pytest.mark.parametrize("month", MONTH_LAYOUTS.values(), ids=MONTH_LAYOUTS.keys())
def test_an_activity_joins_the_month_as_it_is_laid_out(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result], month: str
) -> None:
    root = laid_out({MONTH: month})
    _clean(root, cli)
    result = cli(root, *ADD_ACTIVITY)
    assert result.exit_code == 0, result.stderr
    assert (root / MONTH).read_bytes().startswith(month.encode("utf-8"))
    titles = [record["title"] for record in _records(root, MONTH)]
    assert titles == (["清扫"] if month.startswith("#") else ["义诊", "清扫"])
    _clean(root, cli)


@pytest.mark.parametrize(
    ("rel", "empty", "command", "kept"),
    [
        (MONTH, "[]\n", ADD_ACTIVITY, ""),
        (MONTH, "# 本月暂无活动\n--- []  # 空\n", ADD_ACTIVITY, "# 本月暂无活动\n---  # 空\n"),
        (ROSTER, "volunteers: []\n", ADD_VOLUNTEER, "volunteers:\n"),
        (ROSTER, "volunteers: []  # 暂无\n# 名单从下面开始\n", ADD_VOLUNTEER, "volunteers:  # 暂无\n# 名单从下面开始\n"),
    ],
    ids=["month []", "month --- [] with comments", "roster []", "roster [] with comments"],
)
def test_the_first_record_fills_an_empty_list(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result], rel: str, empty: str, command: tuple[str, ...], kept: str
) -> None:
    """`[]` is the one thing an append takes away: the record replaces it, every comment stays."""
    no_team = {"ledgers/u1/unit.yaml": "id: u1\nname: 测试单位\npolicy: p1\n"}  # whose convener an empty roster lacks
    root = laid_out({rel: empty, **(no_team if rel == ROSTER else {})})
    _clean(root, cli)
    checked = cli(root, "fmt", "--check")
    assert rel not in checked.stdout + checked.stderr  # `[]` is as fmt writes an empty list: not "skipped", not "would change"
    result = cli(root, *command)
    assert result.exit_code == 0, result.stderr
    text = (root / rel).read_text(encoding="utf-8")
    assert text.startswith(kept) and "[]" not in text
    assert len(_records(root, rel)) == 1
    _clean(root, cli)


def test_a_volunteers_numbers_fill_an_empty_personal_file(laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]) -> None:
    root = laid_out({PERSONAL: "# 身份证号和手机号\n[]\n"})
    result = cli(root, *ADD_VOLUNTEER, "--phone", "13800001234")
    assert result.exit_code == 0, result.stderr
    text = (root / PERSONAL).read_text(encoding="utf-8")
    assert text.startswith("# 身份证号和手机号\n- {id: V0003-") and text.endswith('phone: "13800001234"}\n')
    _clean(root, cli)


REFUSED = {
    "month [{...}]": (MONTH, f"[{FLOW_ACTIVITY}]\n", ADD_ACTIVITY, "1:1", "its records stand in a [...] list"),
    "month [...] on several lines": (MONTH, f"# 五月\n[\n  {FLOW_ACTIVITY},\n  {FLOW_ACTIVITY_2}\n]\n", ADD_ACTIVITY, "2:1", "[...] list"),
    "month ... at the end": (MONTH, BLOCK_ACTIVITY + "...\n", ADD_ACTIVITY, "7:1", "a document marker (... or ---)"),
    "month --- and ...": (MONTH, "---\n" + BLOCK_ACTIVITY + "...\n# 完\n", ADD_ACTIVITY, "8:1", "a document marker (... or ---)"),
    "roster [{...}]": (
        ROSTER,
        "volunteers: [{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}]\n",
        ADD_VOLUNTEER,
        "1:13",
        "[...] list",
    ),
    "roster {volunteers: [...]}": (
        ROSTER,
        "{volunteers: [{id: V0001, name: 张三, employment: staff, registered_on: 2020-01-01}]}\n",
        ADD_VOLUNTEER,
        "1:1",
        "[...] list",
    ),
    "roster ... at the end": (ROSTER, CANONICAL_ROSTER + "...\n", ADD_VOLUNTEER, "10:1", "a document marker (... or ---)"),
}


@pytest.mark.parametrize(("rel", "text", "command", "where", "shape"), REFUSED.values(), ids=REFUSED.keys())
def test_a_layout_a_record_cannot_follow_is_one_located_problem_and_fmt_fixes_it(
    laid_out: Callable[[dict[str, str]], Path],
    cli: Callable[..., Result],
    rel: str,
    text: str,
    command: tuple[str, ...],
    where: str,
    shape: str,
) -> None:
    root = laid_out({rel: text, **({} if rel == MONTH else {MONTH: BLOCK_ACTIVITY})})
    _clean(root, cli)
    before = len(_records(root, rel))
    refused = cli(root, *command, lang="en")
    assert refused.exit_code == 1
    assert _problems(refused) == [f"{rel}:{where}: layout-unexpected"], refused.stderr  # one, where the layout differs
    assert shape in refused.stderr and "run vsledger fmt" in refused.stderr and "nothing was written" in refused.stderr
    assert (root / rel).read_text(encoding="utf-8") == text
    formatted = cli(root, "fmt")
    assert formatted.exit_code == 0, formatted.stdout + formatted.stderr
    assert len(_records(root, rel)) == before  # fmt kept every record
    assert cli(root, "fmt", "--check").exit_code == 0
    again = cli(root, *command)
    assert again.exit_code == 0, again.stderr
    assert len(_records(root, rel)) == before + 1
    _clean(root, cli)


def test_the_refusal_reads_in_chinese_with_the_line_shown(laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]) -> None:
    root = laid_out({MONTH: f"[{FLOW_ACTIVITY}]\n"})
    refused = cli(root, *ADD_ACTIVITY)
    assert refused.exit_code == 1
    assert f"{MONTH}:1:1: layout-unexpected: 文件的写法与 vsledger 写入的格式不同(记录写在 [...] 列表里)" in refused.stderr
    assert "先运行 vsledger fmt" in refused.stderr
    assert f"1 | [{FLOW_ACTIVITY}]"[:40] in refused.stderr  # the clerk's own line, not one vsledger would have written


def test_a_line_after_the_list_is_named(laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]) -> None:
    """A roster with another key after its list already has an error; the append names that line, not a YAML error."""
    root = laid_out({ROSTER: UNINDENTED_ROSTER + "note: 备注\n"})
    refused = cli(root, *ADD_VOLUNTEER, lang="en")
    assert refused.exit_code == 1
    assert _problems(refused) == [f"{ROSTER}:10:1: layout-unexpected"]
    assert "this line follows the list of records" in refused.stderr


def test_fmt_names_a_list_whose_brackets_hold_a_comment_and_keeps_it(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]
) -> None:
    text = f"[\n  # 第一条\n  {FLOW_ACTIVITY}\n]\n"
    root = laid_out({MONTH: text})
    result = cli(root, "fmt")
    assert result.exit_code == 1 and f"{MONTH}:1:1: fmt-skipped" in result.stdout + result.stderr
    assert (root / MONTH).read_text(encoding="utf-8") == text  # the comment is not dropped


def test_fmt_lays_out_a_flow_list_and_keeps_the_comments_around_it(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]
) -> None:
    root = laid_out(
        {
            ROSTER: "# 花名册\nvolunteers:\n  [{id: V0001, name: 张三, employment: staff},\n   {id: V0002, name: 李四, employment: contract}]  # 两人\n# 完\n"
        }
    )
    assert cli(root, "fmt").exit_code == 0
    assert (root / ROSTER).read_text(encoding="utf-8") == (
        "# 花名册\nvolunteers:\n  - id: V0001\n    name: 张三\n    employment: staff\n"
        "  - id: V0002\n    name: 李四\n    employment: contract\n  # 两人\n# 完\n"
    )


def test_fmt_writes_an_empty_list_over_several_lines_as_brackets(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]
) -> None:
    root = laid_out({ROSTER: "volunteers: [\n]  # 暂无\n"})
    assert cli(root, *ADD_VOLUNTEER).exit_code == 1  # not a layout an append follows
    assert cli(root, "fmt").exit_code == 0
    assert (root / ROSTER).read_text(encoding="utf-8") == "volunteers: []  # 暂无\n"
    assert cli(root, *ADD_VOLUNTEER).exit_code == 0


def test_a_yaml_error_an_append_brings_is_the_layout_not_a_cascade(
    laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The net under the layout check: were a record appended where the list does not go on, the
    refusal is one `layout-unexpected` at the old file's end, not the YAML error at the new record
    and every activity's volunteer "not on the roster"."""
    from vsledger.write import transaction

    monkeypatch.setattr(transaction, "append_records", lambda old, text, kind: (old or b"") + b"  - id: V0009\n    name: x\n  bad")
    root = laid_out({ROSTER: UNINDENTED_ROSTER, MONTH: BLOCK_ACTIVITY})
    refused = cli(root, *ADD_VOLUNTEER)
    assert refused.exit_code == 1
    assert _problems(refused) == [f"{ROSTER}:9:1: layout-unexpected"], refused.stderr
    assert (root / ROSTER).read_text(encoding="utf-8") == UNINDENTED_ROSTER


def test_a_file_with_windows_line_ends_keeps_them(laid_out: Callable[[dict[str, str]], Path], cli: Callable[..., Result]) -> None:
    """A month saved by a Windows editor (CRLF) got its new record with LF line ends: one file, two kinds of line."""
    crlf = BLOCK_ACTIVITY.replace("\n", "\r\n")
    root = laid_out({MONTH: crlf, ROSTER: CANONICAL_ROSTER.replace("\n", "\r\n")})
    assert cli(root, *ADD_ACTIVITY).exit_code == 0
    assert cli(root, *ADD_VOLUNTEER).exit_code == 0
    for rel in (MONTH, ROSTER):
        data = (root / rel).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n"), rel  # every line ends as the file's did
    assert [record["title"] for record in _records(root, MONTH)] == ["义诊", "清扫"]
    _clean(root, cli)
