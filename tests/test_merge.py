"""Two clerks, two clones, one ledger: git merges records through vsledger's merge driver.

Every test here goes through real `git clone` and `git pull`; git runs the driver as the
`vsledger` on PATH, which is this checkout's (the virtualenv's bin directory first)."""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, Result
from vsledger.core.filekinds import KINDS, MERGED_KINDS
from vsledger.write.merge import Records, merge_records, split_records

pytestmark = pytest.mark.usefixtures("git_identity", "vsledger_on_path")

MONTH = "ledgers/example/activities/2024-05.yaml"


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, check=check, capture_output=True, text=True)


def two_clones(tmp_path: Path, cli: Callable[..., Result], setup: bool = True) -> tuple[Path, Path]:
    origin = tmp_path / "origin"
    assert cli(origin, "init", str(origin)).exit_code == 0
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "init")
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        git(tmp_path, "clone", "-q", str(origin), str(clone))
        if setup:  # what the README tells a second clerk to do after cloning
            assert cli(clone, "git-setup").exit_code == 0
    return a, b


def pull(a: Path, b: Path) -> subprocess.CompletedProcess[str]:
    """A's commits pushed, then pulled into B: the merge a second clerk makes."""
    git(a, "push", "-q", "origin", "HEAD:refs/heads/incoming")
    return git(b, "pull", "-q", "--no-rebase", "--no-edit", "origin", "incoming", check=False)


def test_identical_trailing_lines_keep_both_activities_whole(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """merge=union kept a shared last line once: 5.5 h where the clones had 3.0 and 2.5."""
    a, b = two_clones(tmp_path, cli)
    common = ("--unit", "example", "--location", "广场", "-p", "V0001", "--commit", "--yes")
    assert cli(a, "add-activity", "--date", "2024-05-10", "--title", "甲的活动", "--hours", "3", *common).exit_code == 0
    assert cli(b, "add-activity", "--date", "2024-05-20", "--title", "乙的活动", "--hours", "2.5", *common).exit_code == 0
    for clone in (a, b):  # the same last line in both clones
        assert (clone / MONTH).read_text(encoding="utf-8").rstrip("\n").endswith("participants: [V0001]")
    merged = pull(a, b)
    assert merged.returncode == 0, merged.stderr
    text = (b / MONTH).read_text(encoding="utf-8")
    assert text.count("participants: [V0001]") == 2 and "<<<<<<<" not in text
    assert cli(b, "validate", "--format", "json").json() == {"problems": []}
    hours = {row["id"]: row["hours"] for row in cli(b, "hours", "--year", "2024", "--format", "json").json()}
    assert hours["V0001"] == 5.5 + 2  # the two new activities and init's own (2 h on 2024-06-01)


def test_the_same_activity_added_in_both_clones_is_a_warning_until_one_is_withdrawn(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Two clerks record the one 义诊: the merge keeps both (two generated ids), and its hours count twice until one goes."""
    a, b = two_clones(tmp_path, cli)
    same = ("add-activity", "-u", "example", "--date", "2024-05-05", "--title", "义诊", "--location", "社区")
    for clone in (a, b):
        assert cli(clone, *same, "--start", "08:00", "--end", "12:00", "-p", "V0001", "-p", "V0002", "--yes", "--commit").exit_code == 0
    assert pull(a, b).returncode == 0
    ids = re.findall(r"id: (20240505-\w+)", (b / MONTH).read_text(encoding="utf-8"))
    assert len(ids) == 2 and ids[0] != ids[1]
    result = cli(b, "validate", "--format", "json")
    assert result.exit_code == 0  # a warning: two sessions of one 义诊 are possible, the clerk decides
    found = [(p["code"], p["file"], p["level"]) for p in result.json()["problems"]]
    assert found == [("duplicate-activity", MONTH, "warning")]  # and no overlapping-times for each person as well
    table = cli(b, "validate").stdout
    assert f"与 {ids[0]} 是同一次活动(2024-05-05 义诊)" in table and f"vsledger withdraw {ids[1]}" in table
    hours = {row["id"]: row["hours"] for row in cli(b, "hours", "--year", "2024", "--format", "json").json()}
    assert hours["V0002"] == 4 + 4 + 2  # what the warning is about (2 h are init's own activity of 2024-06-01)
    assert cli(b, "withdraw", ids[1], "--yes").exit_code == 0
    assert cli(b, "validate", "--format", "json").json() == {"problems": []}
    hours = {row["id"]: row["hours"] for row in cli(b, "hours", "--year", "2024", "--format", "json").json()}
    assert hours["V0002"] == 4 + 2


def test_both_clones_add_a_volunteer(tmp_path: Path, cli: Callable[..., Result]) -> None:
    a, b = two_clones(tmp_path, cli)
    assert (
        cli(a, "add-volunteer", "--unit", "example", "--name", "王五", "--id", "V0003", "--employment", "staff", "--commit").exit_code == 0
    )
    assert (
        cli(b, "add-volunteer", "--unit", "example", "--name", "赵六", "--id", "V0004", "--employment", "staff", "--commit").exit_code == 0
    )
    merged = pull(a, b)
    assert merged.returncode == 0, merged.stderr
    roster = cli(b, "validate", "--format", "json")
    assert roster.json() == {"problems": []}
    text = (b / "ledgers/example/roster.yaml").read_text(encoding="utf-8")
    assert "王五" in text and "赵六" in text and text.count("  - id: V") == 4


class ScriptedDraws:
    """Stands in for `secrets` in vsledger.write.add: the three characters of each generated id in turn, then
    real draws. Which characters two clones draw is chosen here, not left to a 1 in 32,768 chance."""

    def __init__(self, chars: str) -> None:
        self.script = list(chars)

    def choice(self, alphabet: str) -> str:
        if not self.script:
            return secrets.choice(alphabet)
        char = self.script.pop(0)
        assert char in alphabet
        return char


def each_clone_adds_a_volunteer(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, draws: str
) -> tuple[Path, Path, dict[str, str]]:
    """Two clerks each add someone without `--id` before they pull, and an activity for them: both count to V0003."""
    import vsledger.write.add as add

    scripted = ScriptedDraws(draws)
    monkeypatch.setattr(add, "secrets", scripted)
    a, b = two_clones(tmp_path, cli)
    ids = {}
    for clone, name, day in ((a, "王五", "2024-05-10"), (b, "赵六", "2024-05-20")):
        added = cli(
            clone,
            "add-volunteer",
            "--unit",
            "example",
            "--name",
            name,
            "--employment",
            "staff",
            "--registered-on",
            "2024-01-01",
            "--commit",
            "--yes",
        )
        assert added.exit_code == 0, added.stderr
        ids[name] = added.stdout.strip().rsplit(":", 1)[1]
        common = ("--unit", "example", "--location", "广场", "--hours", "2", "--commit", "--yes")
        assert cli(clone, "add-activity", "--date", day, "--title", f"{name}的活动", "-p", name, *common).exit_code == 0
    assert scripted.script == []  # the ids came from these draws
    return a, b, ids


def test_both_clones_add_a_volunteer_without_an_id(tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    """Both clones count to the same next number; the characters drawn differ, so both people are kept,
    each with the hours recorded for them in their own clone."""
    a, b, ids = each_clone_adds_a_volunteer(tmp_path, cli, monkeypatch, "k7q" + "3fp")
    assert ids == {"王五": "V0003-k7q", "赵六": "V0003-3fp"}
    merged = pull(a, b)
    assert merged.returncode == 0, merged.stderr
    assert cli(b, "validate", "--format", "json").json() == {"problems": []}
    hours = {row["id"]: (row["name"], row["hours"]) for row in cli(b, "hours", "--year", "2024", "--format", "json").json()}
    assert hours["V0003-k7q"] == ("王五", 2.0) and hours["V0003-3fp"] == ("赵六", 2.0)
    added = cli(b, "add-volunteer", "--unit", "example", "--name", "钱七", "--employment", "staff", "--yes")  # a real draw
    assert added.exit_code == 0 and re.fullmatch(r"V0004-[0-9a-hjkmnp-tv-z]{3}", added.stdout.strip().rsplit(":", 1)[1])
    hand_typed = cli(b, "add-volunteer", "--unit", "example", "--name", "孙八", "--id", "V0100", "--employment", "staff", "--yes")
    assert hand_typed.exit_code == 0 and cli(b, "validate", "--format", "json").json() == {"problems": []}


def test_two_clones_drawing_the_same_characters_is_a_conflict_that_names_both_people(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    """1 in 32,768: both clones draw the same three characters. Two people under one id are never merged into one:
    git reports a conflict in the roster, both people whole in it, and validate points at it."""
    a, b, ids = each_clone_adds_a_volunteer(tmp_path, cli, monkeypatch, "k7q" + "k7q")
    assert ids == {"王五": "V0003-k7q", "赵六": "V0003-k7q"}
    merged = pull(a, b)
    assert merged.returncode != 0 and "CONFLICT (content): Merge conflict in ledgers/example/roster.yaml" in merged.stdout + merged.stderr
    text = (b / "ledgers/example/roster.yaml").read_text(encoding="utf-8")
    conflict = text[text.index("<<<<<<< ours") : text.index(">>>>>>> theirs")]
    assert "name: 赵六" in conflict and "name: 王五" in conflict and conflict.count("id: V0003-k7q") == 2
    assert git(b, "diff", "--name-only", "--diff-filter=U").stdout.split() == ["ledgers/example/roster.yaml"]
    problems = cli(b, "validate", "--format", "json").json()["problems"]
    assert [(p["code"], p["file"]) for p in problems] == [("merge-conflict", "ledgers/example/roster.yaml")]


def test_appends_to_requests_redemptions_and_reports_merge(tmp_path: Path, cli: Callable[..., Result]) -> None:
    a, b = two_clones(tmp_path, cli)
    unit = "ledgers/example"
    lines = {
        "requests.yaml": ("- {request: R1, step: received, date: 2024-05-02, from: 东社区, ask: 助老}\n",
                          "- {request: R2, step: received, date: 2024-05-03, from: 西社区, ask: 助残}\n"),
        "redemptions.yaml": ("- {volunteer: V0001, date: 2024-05-04, hours: 1, what: 理发}\n",
                             "- {volunteer: V0002, date: 2024-05-04, hours: 1, what: 理发}\n"),
        "reports.yaml": ("- {kind: monthly, period: 2024-04, submitted_on: 2024-05-05}\n",
                         "- {kind: monthly, period: 2024-03, submitted_on: 2024-04-05}\n"),
    }  # fmt: skip
    for name in lines:  # the files exist in both clones before they diverge
        (a / unit / name).write_text("", encoding="utf-8")
    git(a, "add", "-A")
    git(a, "commit", "-qm", "empty logs")
    git(b, "pull", "-q", "--no-edit", str(a), "HEAD")
    for clone, side in ((a, 0), (b, 1)):
        for name, pair in lines.items():
            with (clone / unit / name).open("a", encoding="utf-8") as handle:
                handle.write(pair[side])
        git(clone, "commit", "-qam", "appends")
    merged = pull(a, b)
    assert merged.returncode == 0, merged.stderr
    for name, pair in lines.items():
        assert (b / unit / name).read_text(encoding="utf-8") == pair[1] + pair[0]


def test_the_same_record_edited_in_both_clones_is_a_conflict(tmp_path: Path, cli: Callable[..., Result]) -> None:
    a, b = two_clones(tmp_path, cli)
    for clone, hours in ((a, "3"), (b, "4")):
        month = clone / "ledgers/example/activities/2024-06.yaml"
        month.write_text(month.read_text(encoding="utf-8").replace("hours: 2", f"hours: {hours}"), encoding="utf-8")
        git(clone, "commit", "-qam", "edit")
    merged = pull(a, b)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout + merged.stderr
    text = (b / "ledgers/example/activities/2024-06.yaml").read_text(encoding="utf-8")
    assert "<<<<<<< ours" in text and "hours: 3" in text and "hours: 4" in text
    assert "ledgers/example/activities/2024-06.yaml" in git(b, "diff", "--name-only", "--diff-filter=U").stdout
    result = cli(b, "validate", "--format", "json")
    assert result.exit_code == 1
    problems = result.json()["problems"]
    assert [(p["code"], p["file"]) for p in problems] == [("merge-conflict", "ledgers/example/activities/2024-06.yaml")]
    assert problems[0]["line"] == text.splitlines().index("<<<<<<< ours") + 1


def test_a_conflicted_roster_is_one_problem_not_twenty(tmp_path: Path, cli: Callable[..., Result]) -> None:
    a, b = two_clones(tmp_path, cli)
    for clone, name in ((a, "张三丰"), (b, "张小三")):
        roster = clone / "ledgers/example/roster.yaml"
        roster.write_text(roster.read_text(encoding="utf-8").replace("张三", name), encoding="utf-8")
        git(clone, "commit", "-qam", "rename")
    assert pull(a, b).returncode != 0
    problems = cli(b, "validate", "--format", "json").json()["problems"]
    assert [p["code"] for p in problems] == ["merge-conflict"]


def test_the_same_new_volunteer_id_in_both_clones_is_a_conflict(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Two people under one id (typed by hand in each clone) cannot both be kept: git reports it, and both are shown whole."""
    a, b = two_clones(tmp_path, cli)
    same = ("add-volunteer", "--unit", "example", "--id", "V0003", "--employment", "staff", "--commit")
    assert cli(a, *same, "--name", "王五").exit_code == 0
    assert cli(b, *same, "--name", "赵六").exit_code == 0
    assert pull(a, b).returncode != 0
    text = (b / "ledgers/example/roster.yaml").read_text(encoding="utf-8")
    assert "王五" in text and "赵六" in text and "<<<<<<< ours" in text


def test_without_the_driver_configured_git_reports_a_conflict(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """A clone that never ran git-setup: git's own merge, never a silent union."""
    a, b = two_clones(tmp_path, cli, setup=False)
    assert git(b, "config", "--get", "merge.vsledger.driver", check=False).stdout == ""
    common = ("--unit", "example", "--location", "广场", "-p", "V0001", "--commit", "--yes")
    assert cli(a, "add-activity", "--date", "2024-05-10", "--title", "甲的活动", "--hours", "3", *common).exit_code == 0
    assert cli(b, "add-activity", "--date", "2024-05-20", "--title", "乙的活动", "--hours", "2.5", *common).exit_code == 0
    merged = pull(a, b)
    assert merged.returncode != 0 and "CONFLICT" in merged.stdout + merged.stderr
    assert cli(b, "validate", "--format", "json").json()["problems"][0]["code"] == "merge-conflict"


def test_git_setup_names_every_record_file_and_replaces_union(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = tmp_path / "ws"
    assert cli(root, "init", str(root)).exit_code == 0
    (root / ".gitattributes").write_text("ledgers/*/activities/*.yaml merge=union\n*.xlsx binary\n", encoding="utf-8")
    assert cli(root, "git-setup").exit_code == 0
    attributes = (root / ".gitattributes").read_text(encoding="utf-8")
    assert "merge=union" not in attributes and "*.xlsx binary" in attributes
    for rel in ("ledgers/u/roster.yaml", "ledgers/u/activities/2024-05.yaml", "ledgers/u/reports.yaml",
                "ledgers/u/requests.yaml", "ledgers/u/redemptions.yaml", "ledgers/u/certificates.yaml"):  # fmt: skip
        assert git(root, "check-attr", "merge", rel).stdout.strip().endswith("merge: vsledger"), rel
    assert git(root, "check-attr", "merge", "ledgers/u/personal.yaml").stdout.strip().endswith("unspecified")
    assert {kind.name for kind in MERGED_KINDS} >= {k for k, v in KINDS.items() if v.layout != "document"} - {"personal"}
    again = cli(root, "git-setup")
    assert again.exit_code == 0 and (root / ".gitattributes").read_text(encoding="utf-8") == attributes
    assert cli(tmp_path / "nogit", "git-setup").exit_code == 2


def test_the_repository_names_the_driver_as_init_does(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """The repository is itself a workspace (ledgers/, rules/): its clones merge records as an init'd one's do."""
    root = tmp_path / "ws"
    assert cli(root, "init", str(root)).exit_code == 0
    assert (REPO / ".gitattributes").read_bytes() == (root / ".gitattributes").read_bytes()
    assert git(REPO, "check-attr", "merge", "ledgers/xinluo-cdc/roster.yaml").stdout.strip().endswith("merge: vsledger")


def _merge(base: str, ours: str, theirs: str, kind: str = "activities") -> tuple[str, int]:
    k = next(k for k in MERGED_KINDS if k.name == kind)
    sides: list[Records] = [split_records(text, k) for text in (base, ours, theirs)]
    merged = merge_records(*sides, k)
    return merged.text, merged.conflicts


BASE = "- id: a\n  hours: 1\n"


def _driver(tmp_path: Path, ours: str, theirs: str, rel: str) -> tuple[int, str, str]:
    """merge_file as git runs it, on three files; (conflicts, why, the result)."""
    from vsledger.write.merge import merge_file

    for name, text in {"O": BASE, "A": ours, "B": theirs}.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    conflicts, why = merge_file(tmp_path / "O", tmp_path / "A", tmp_path / "B", rel)
    return conflicts, why, (tmp_path / "A").read_text(encoding="utf-8")


def test_what_cannot_be_read_is_a_whole_file_conflict(tmp_path: Path) -> None:
    files = {"A": BASE + "\n- id: b\n  hours: [\n", "B": BASE + "\n- id: c\n  hours: 2\n"}
    conflicts, why, result = _driver(tmp_path, files["A"], files["B"], "ledgers/u/activities/2024-05.yaml")
    assert conflicts == 1 and "yaml-syntax" in why
    assert result == f"<<<<<<< ours\n{files['A']}=======\n{files['B']}>>>>>>> theirs\n"


def test_comments_and_deletions_merge_by_record() -> None:
    base = "# header\n- id: a\n  hours: 1\n\n- id: b\n  hours: 2\n"
    ours = "# header\n- id: a\n  hours: 1\n  # checked\n\n- id: b\n  hours: 2\n\n- id: c\n  hours: 3\n"
    theirs = "# header\n- id: b\n  hours: 2\n\n- id: d\n  hours: 4\n"  # a deleted, d added
    text, conflicts = _merge(base, ours, theirs)
    assert conflicts == 1  # a: a comment added here, deleted there
    assert "- id: c\n  hours: 3\n" in text and "- id: d\n  hours: 4\n" in text
    text, conflicts = _merge(base, base, theirs)
    assert conflicts == 0 and text == theirs


def test_a_workspace_in_a_folder_of_the_repository_merges_by_record(tmp_path: Path) -> None:
    b, c = "- id: b\n  hours: 2\n", "- id: c\n  hours: 3\n"
    conflicts, why, result = _driver(tmp_path, f"{BASE}\n{b}", f"{BASE}\n{c}", "台账/ledgers/u/activities/2024-05.yaml")
    assert (conflicts, why) == (0, "")
    assert result == f"{BASE}\n{b}\n{c}"  # ours, then theirs


def test_two_clones_importing_sheets_keep_everyone_once(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Imported ids follow from the sheet: two sheets give different ids (both people kept), the same
    sheet imported in both clones on the same roster gives the same records (kept once, not twice)."""
    a, b = two_clones(tmp_path, cli)
    sheets = {}
    for name, person in (("甲.csv", "王五"), ("乙.csv", "赵六"), ("同.csv", "钱七")):
        sheets[name] = tmp_path / name
        sheets[name].write_text(f"姓名,人员类别\n{person},在编\n", encoding="utf-8")
    for clone, own in ((a, "甲.csv"), (b, "乙.csv")):
        for sheet in (own, "同.csv"):
            assert cli(clone, "import", str(sheets[sheet]), "--unit", "example").exit_code == 0
        git(clone, "add", "-A")
        git(clone, "commit", "-qm", f"import {own}")
    merged = pull(a, b)
    assert merged.returncode == 0, merged.stderr
    assert cli(b, "validate", "--format", "json").json() == {"problems": []}
    roster = (b / "ledgers/example/roster.yaml").read_text(encoding="utf-8")
    assert roster.count("name: 王五") == roster.count("name: 赵六") == roster.count("name: 钱七") == 1
