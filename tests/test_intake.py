"""bundle and collect: a unit's ledger travels to the supervising body whole, verified, without
personal numbers; a crafted archive is refused and writes nothing."""

from __future__ import annotations

import errno
import gzip
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import POLICY, REPO, TODAY, Result, write_files

GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="needs git")

ACTIVITIES = """
- id: 20240105-01
  date: 2024-01-05
  title: 义诊
  location: 东城社区
  hours: 2
  participants: [V0001, V0002]
"""


def tree(root: Path) -> dict[str, bytes | str]:
    """Every path under `root` with its bytes (a link: its target): what 'nothing written' compares."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = path.read_bytes()
        else:
            out[rel] = "dir"
    return out


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


def commit_all(root: Path, message: str = "ledger") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def unit_ws(tmp_path: Path, git_identity: None) -> Path:
    """A unit's own workspace in git, with personal.yaml kept out of it."""
    root = tmp_path / "unit"
    write_files(root, {"rules/p1.yaml": POLICY})
    from conftest import ROSTER, UNIT

    write_files(
        root,
        {
            "ledgers/u1/unit.yaml": UNIT,
            "ledgers/u1/roster.yaml": ROSTER,
            "ledgers/u1/activities/2024-01.yaml": ACTIVITIES,
            "ledgers/u1/personal.yaml": '- {id: V0001, phone: "13800000000"}\n',
            ".gitignore": "ledgers/*/personal.yaml\n",
        },
    )
    if GIT:
        git(root, "init", "-q")
        commit_all(root)
    return root


@pytest.fixture
def supervisor(tmp_path: Path) -> Path:
    root = tmp_path / "supervisor"
    write_files(root, {"rules/p1.yaml": POLICY})
    (root / "ledgers").mkdir()
    return root


def add_second_unit(unit_ws: Path) -> None:
    """u2: a copy of u1 under its own id."""
    shutil.copytree(unit_ws / "ledgers/u1", unit_ws / "ledgers/u2")
    unit_yaml = unit_ws / "ledgers/u2/unit.yaml"
    unit_yaml.write_text(unit_yaml.read_text(encoding="utf-8").replace("id: u1", "id: u2"), encoding="utf-8")


def supervisor_in_git(supervisor: Path) -> None:
    git(supervisor, "init", "-q")
    commit_all(supervisor, "rules")


def make_bundle(cli: Callable[..., Result], unit_ws: Path, out: Path, unit: str = "u1") -> Path:
    result = cli(unit_ws, "bundle", "--unit", unit, "--out", str(out))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert out.is_file()
    return out


def members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isreg()}  # type: ignore[union-attr]


# --- bundle --------------------------------------------------------------------------


@needs_git
def test_bundle_holds_the_unit_and_a_manifest_never_personal_yaml(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    content = members(archive)
    assert set(content) == {"manifest.json", "u1/unit.yaml", "u1/roster.yaml", "u1/activities/2024-01.yaml"}
    manifest = json.loads(content["manifest.json"])
    assert manifest["unit"] == "u1" and manifest["format"] == "vsledger-bundle" and manifest["version"] == 1
    assert manifest["vsledger"] == __import__("vsledger").__version__
    assert manifest["commit"] == git(unit_ws, "rev-parse", "HEAD").strip() and manifest["modified"] is False
    for entry in manifest["files"]:
        data = content[f"u1/{entry['path']}"]
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["size"] == len(data)
    assert b"13800000000" not in archive.read_bytes() and b"13800000000" not in gzip.decompress(archive.read_bytes())


@needs_git
def test_the_same_ledger_gives_the_same_archive(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    first = make_bundle(cli, unit_ws, tmp_path / "a.tar.gz").read_bytes()
    second = make_bundle(cli, unit_ws, tmp_path / "b.tar.gz").read_bytes()
    assert first == second
    make_bundle(cli, unit_ws, tmp_path / "a.tar.gz")  # a bundle is replaced by the next one, not refused
    foreign = tmp_path / "mine.tar.gz"
    foreign.write_bytes(gzip.compress(b"a clerk's own archive"))
    refused = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(foreign))
    assert refused.exit_code == 2 and "out-not-export" in refused.stderr
    assert gzip.decompress(foreign.read_bytes()) == b"a clerk's own archive"


@needs_git
def test_bundle_says_when_the_unit_has_uncommitted_changes(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    (unit_ws / "ledgers/u1/reports.yaml").write_text("- {kind: plan, period: '2024', submitted_on: 2024-01-10}\n", encoding="utf-8")
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(tmp_path / "u1.tar.gz"))
    assert "尚未提交" in result.stdout  # beside the line that says the bundle was written
    assert json.loads(members(tmp_path / "u1.tar.gz")["manifest.json"])["modified"] is True


def test_bundle_names_the_hidden_files_it_leaves_out(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    (unit_ws / "ledgers/u1/.notes.txt").write_text("备忘", encoding="utf-8")
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(tmp_path / "u1.tar.gz"))
    assert result.exit_code == 0, result.stderr
    assert "未打包(隐藏文件):.notes.txt" in result.stdout
    assert not any(".notes.txt" in name for name in members(tmp_path / "u1.tar.gz"))


def test_bundle_refuses_a_symlink_and_writes_nothing(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET, outside the unit", encoding="utf-8")
    (unit_ws / "ledgers/u1/attachments").mkdir()
    (unit_ws / "ledgers/u1/attachments/photo.jpg").symlink_to(secret)
    out = tmp_path / "u1.tar.gz"
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(out))
    assert result.exit_code == 1
    assert "ledgers/u1/attachments/photo.jpg:1:1: bundle-symlink" in result.stderr
    assert "TOP SECRET" not in result.stdout + result.stderr  # never quoted from where the link points
    assert "用文件本身替换链接" in result.stderr  # the hint
    assert not out.exists()


def test_bundle_refuses_a_unit_directory_that_is_a_symlink(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    elsewhere = unit_ws / "stash"  # inside the workspace, so the loader accepts the unit (outside it is unknown)
    (unit_ws / "ledgers/u1").rename(elsewhere)
    (unit_ws / "ledgers/u1").symlink_to(elsewhere)
    out = tmp_path / "u1.tar.gz"
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(out))
    assert result.exit_code == 1 and "ledgers/u1:1:1: bundle-symlink" in result.stderr
    assert not out.exists()


def test_bundle_refuses_full_numbers_in_the_roster(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    roster = unit_ws / "ledgers/u1/roster.yaml"
    roster.write_text(roster.read_text(encoding="utf-8") + '    phone: "13912345678"\n', encoding="utf-8")
    out = tmp_path / "u1.tar.gz"
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(out))
    assert result.exit_code == 1
    assert "ledgers/u1/roster.yaml:13:13: bundle-personal-number" in result.stderr
    assert "13912345678" not in result.stderr and "139****5678" in result.stderr
    assert not out.exists()


def test_bundle_is_never_written_inside_the_ledger(cli: Callable[..., Result], unit_ws: Path) -> None:
    out = unit_ws / "ledgers/u1/u1.tar.gz"
    result = cli(unit_ws, "bundle", "--unit", "u1", "--out", str(out))
    assert result.exit_code == 2 and "out-inside-ledger" in result.stderr
    assert not out.exists()


def test_bundle_of_an_unknown_unit_is_a_usage_error(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> None:
    result = cli(unit_ws, "bundle", "--unit", "nobody", "--out", str(tmp_path / "x.tar.gz"))
    assert result.exit_code == 2
    assert not (tmp_path / "x.tar.gz").exists()


# --- collect: the round trip --------------------------------------------------------------


@needs_git
def test_round_trip_gives_the_supervisor_the_units_own_check(cli: Callable[..., Result], tmp_path: Path, git_identity: None) -> None:
    unit_root = tmp_path / "unit"
    for name in ("rules", "ledgers", "schemas"):
        shutil.copytree(REPO / name, unit_root / name)
    git(unit_root, "init", "-q")
    commit_all(unit_root)
    supervisor = tmp_path / "supervisor"
    shutil.copytree(REPO / "rules", supervisor / "rules")
    (supervisor / "ledgers").mkdir()
    for unit in ("xinluo-cdc", "putian-party-school"):
        archive = make_bundle(cli, unit_root, tmp_path / f"{unit}.tar.gz", unit)
        result = cli(supervisor, "collect", str(archive))
        assert result.exit_code == 0, result.stderr
        args = ("check", "--year", "2022", "--as-of", "2022-12-31", "--unit", unit, "--format", "json", "--no-chart")
        assert cli(supervisor, *args).json() == cli(unit_root, *args).json()
        assert (
            cli(supervisor, "validate", "--unit", unit, "--format", "json").json()
            == cli(unit_root, "validate", "--unit", unit, "--format", "json").json()
        )


@needs_git
def test_collect_places_the_unit_and_says_what_changed(cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path) -> None:
    first = make_bundle(cli, unit_ws, tmp_path / "first.tar.gz")
    result = cli(supervisor, "collect", str(first))
    assert result.exit_code == 0, result.stderr
    assert "u1(测试单位):新收取" in result.stdout and "新增活动(1):20240105-01 2024-01-05 义诊" in result.stdout
    assert "新增志愿者(2):V0001 张三; V0002 李四" in result.stdout
    assert not (supervisor / "ledgers/u1/personal.yaml").exists()
    assert tree(supervisor / "ledgers/u1") == {rel: data for rel, data in tree(unit_ws / "ledgers/u1").items() if rel != "personal.yaml"}
    # The supervisor keeps numbers of their own; a later bundle never touches them.
    personal = supervisor / "ledgers/u1/personal.yaml"
    personal.write_text('- {id: V0002, phone: "13700000000"}\n', encoding="utf-8")
    inode = personal.stat().st_ino

    # The unit works on: an activity added, one corrected, one withdrawn, a volunteer joins, one leaves.
    month = unit_ws / "ledgers/u1/activities/2024-01.yaml"
    month.write_text(
        month.read_text(encoding="utf-8")
        + "\n- id: 20240110-01\n  date: 2024-01-10\n  title: 宣讲\n  location: 西城\n  hours: 1\n  participants: [V0001]\n"
        + "\n- id: 20240105-02\n  date: 2024-01-05\n  title: 义诊\n  location: 东城社区\n  hours: 3\n  participants: [V0001, V0002]\n"
        + "  corrects: 20240105-01\n"
        + "\n- id: 20240111-01\n  date: 2024-01-11\n  title: 宣讲\n  location: 西城\n  participants: []\n  hours: 1\n"
        + "  corrects: 20240110-01\n",
        encoding="utf-8",
    )
    roster = unit_ws / "ledgers/u1/roster.yaml"
    roster.write_text(
        roster.read_text(encoding="utf-8")
        .replace("    registered_on: 2020-01-01\n", "    registered_on: 2020-01-01\n    left: 2024-03-31\n", 2)
        .replace("    left: 2024-03-31\n", "", 1)
        + "  - id: V0003\n    name: 王五\n    employment: staff\n",
        encoding="utf-8",
    )
    commit_all(unit_ws, "more")
    second = make_bundle(cli, unit_ws, tmp_path / "second.tar.gz")
    result = cli(supervisor, "collect", str(second), "--format", "json")
    assert result.exit_code == 0, result.stderr
    (change,) = result.json()["collected"]
    assert change["state"] == "updated" and change["commit"] == git(unit_ws, "rev-parse", "HEAD").strip()
    assert [a["id"] for a in change["activities_added"]] == ["20240110-01"]
    assert change["activities_corrected"] == [{"id": "20240105-02", "corrects": "20240105-01", "title": "义诊"}]
    assert change["activities_withdrawn"] == [{"id": "20240111-01", "corrects": "20240110-01"}]
    assert change["volunteers_added"] == [{"id": "V0003", "name": "王五"}]
    assert change["volunteers_leaving"] == [{"id": "V0002", "name": "李四", "left": "2024-03-31"}]
    assert change["files_changed"] == ["activities/2024-01.yaml", "roster.yaml"] and change["files_removed"] == []
    assert personal.read_text(encoding="utf-8") == '- {id: V0002, phone: "13700000000"}\n' and personal.stat().st_ino == inode
    assert (supervisor / "ledgers/u1/roster.yaml").read_bytes() == roster.read_bytes()
    assert not [p for p in (supervisor / "ledgers").iterdir() if p.name.startswith(".")]  # no staging left behind


@needs_git
def test_collecting_the_same_bundle_twice_changes_nothing(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    supervisor_in_git(supervisor)
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    assert cli(supervisor, "collect", str(archive), "--commit").exit_code == 0
    log = git(supervisor, "log", "--format=%H %s")
    assert log.count("\n") == 2 and "collect: u1 bundle of 2024-06-01 at " in log
    before = tree(supervisor / "ledgers")
    mtimes = {p: p.stat().st_mtime_ns for p in (supervisor / "ledgers").rglob("*")}
    result = cli(supervisor, "collect", str(archive), "--commit")
    assert result.exit_code == 0
    assert "与现有台账相同,没有变化" in result.stdout
    assert tree(supervisor / "ledgers") == before
    assert {p: p.stat().st_mtime_ns for p in (supervisor / "ledgers").rglob("*")} == mtimes
    assert git(supervisor, "log", "--format=%H %s") == log


@needs_git
def test_collect_commit_leaves_the_supervisors_personal_yaml_out_of_git(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    supervisor_in_git(supervisor)
    (supervisor / "ledgers/u1").mkdir()
    (supervisor / "ledgers/u1/personal.yaml").write_text('- {id: V0001, phone: "13800000000"}\n', encoding="utf-8")
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    result = cli(supervisor, "collect", str(archive), "--commit")
    assert result.exit_code == 0, result.stderr
    assert "已提交到 git" in result.stdout
    committed = git(supervisor, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(committed) == ["ledgers/u1/activities/2024-01.yaml", "ledgers/u1/roster.yaml", "ledgers/u1/unit.yaml"]
    assert (supervisor / "ledgers/u1/personal.yaml").read_text(encoding="utf-8") == '- {id: V0001, phone: "13800000000"}\n'


# --- collect: crafted archives ----------------------------------------------------------


def _info(name: str, data: bytes = b"", kind: bytes = tarfile.REGTYPE, link: str = "") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    return info, data


def craft(path: Path, entries: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return path


def good_entries(cli: Callable[..., Result], unit_ws: Path, tmp_path: Path) -> list[tuple[tarfile.TarInfo, bytes]]:
    archive = make_bundle(cli, unit_ws, tmp_path / "good.tar.gz")
    return [_info(name, data) for name, data in members(archive).items()]


def manifest_listing(entries: list[tuple[tarfile.TarInfo, bytes]], extra: dict[str, bytes]) -> list[tuple[tarfile.TarInfo, bytes]]:
    """The entries plus `extra` files, with a manifest that lists them honestly (a forger's best)."""
    manifest = json.loads(dict((i.name, d) for i, d in entries)["manifest.json"])
    for name, data in extra.items():
        manifest["files"].append({"path": name.split("/", 1)[1], "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
    out = [_info("manifest.json", json.dumps(manifest).encode())]
    out += [(i, d) for i, d in entries if i.name != "manifest.json"]
    return out + [_info(name, data) for name, data in extra.items()]


CRAFTED: dict[str, tuple[Callable[[list[tuple[tarfile.TarInfo, bytes]]], list[tuple[tarfile.TarInfo, bytes]]], str]] = {
    "path traversal": (lambda e: [*e, _info("u1/../../evil.yaml", b"x: 1\n")], "bundle-unsafe-path"),
    "absolute path": (lambda e: [*e, _info("/tmp/evil.yaml", b"x: 1\n")], "bundle-unsafe-path"),
    "symlink": (lambda e: [*e, _info("u1/attachments/a.jpg", kind=tarfile.SYMTYPE, link="/etc/passwd")], "bundle-link"),
    "hardlink": (lambda e: [*e, _info("u1/attachments/a.jpg", kind=tarfile.LNKTYPE, link="u1/roster.yaml")], "bundle-link"),
    "device file": (lambda e: [*e, _info("u1/attachments/null", kind=tarfile.CHRTYPE)], "bundle-special-file"),
    "fifo": (lambda e: [*e, _info("u1/attachments/pipe", kind=tarfile.FIFOTYPE)], "bundle-special-file"),
    "mismatched manifest": (
        lambda e: [(i, d.replace(b"hours: 2", b"hours: 9") if i.name.endswith("2024-01.yaml") else d) for i, d in e],
        "bundle-digest-mismatch",
    ),
    "extra unlisted file": (lambda e: [*e, _info("u1/activities/2024-02.yaml", b"[]\n")], "bundle-unlisted-file"),
    "missing listed file": (lambda e: [(i, d) for i, d in e if i.name != "u1/roster.yaml"], "bundle-missing-file"),
    "personal.yaml": (
        lambda e: manifest_listing(e, {"u1/personal.yaml": b'- {id: V0001, phone: "13800000000"}\n'}),
        "bundle-personal-file",
    ),
    "no manifest": (lambda e: [(i, d) for i, d in e if i.name != "manifest.json"], "bundle-no-manifest"),
    "duplicate member": (lambda e: [*e, _info("u1/roster.yaml", b"volunteers: []\n")], "bundle-duplicate-member"),
}


@needs_git
@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_a_crafted_archive_is_refused_and_writes_nothing(
    case: str, cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    entries = good_entries(cli, unit_ws, tmp_path)
    assert cli(supervisor, "collect", str(tmp_path / "good.tar.gz")).exit_code == 0  # an old copy to keep intact
    change, code = CRAFTED[case]
    archive = craft(tmp_path / "crafted.tar.gz", change(entries))
    before = tree(tmp_path)
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1
    assert f"{archive}:1:1: {code}:" in result.stderr
    assert "没有收取任何压缩包" in result.stderr
    assert tree(tmp_path) == before
    assert not (tmp_path.parent / "evil.yaml").exists() and not Path("/tmp/evil.yaml").exists()


@needs_git
def test_another_units_files_are_refused_even_when_the_manifest_lists_them(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    entries = good_entries(cli, unit_ws, tmp_path)
    manifest = json.loads(dict((i.name, d) for i, d in entries)["manifest.json"])
    data = b"id: u2\nname: x\n"
    rest = [(i, d) for i, d in entries if i.name != "manifest.json"]
    archive = craft(
        tmp_path / "crafted.tar.gz", [_info("manifest.json", json.dumps(manifest).encode()), *rest, _info("u2/unit.yaml", data)]
    )
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1 and "bundle-outside-unit" in result.stderr
    assert not (supervisor / "ledgers/u2").exists() and not (supervisor / "ledgers/u1").exists()


@needs_git
def test_a_unit_yaml_naming_another_unit_is_refused(cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path) -> None:
    unit_yaml = unit_ws / "ledgers/u1/unit.yaml"
    unit_yaml.write_text(unit_yaml.read_text(encoding="utf-8").replace("id: u1", "id: u9"), encoding="utf-8")
    archive = tmp_path / "u1.tar.gz"
    cli(unit_ws, "bundle", "--unit", "u1", "--out", str(archive))  # the unit's ledger is invalid (exit 1) but bundled
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1 and "bundle-unit-mismatch" in result.stderr
    assert not (supervisor / "ledgers/u1").exists()


@needs_git
def test_collect_unit_option_refuses_another_units_bundle(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    result = cli(supervisor, "collect", str(archive), "--unit", "u2")
    assert result.exit_code == 1 and "压缩包属于单位 “u1”,不是 “u2”" in result.stderr
    assert list((supervisor / "ledgers").iterdir()) == []


@needs_git
def test_an_oversized_member_is_refused_before_it_is_read(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.collect as collect

    entries = good_entries(cli, unit_ws, tmp_path)
    monkeypatch.setattr(collect, "MAX_MEMBER_BYTES", 1000)
    archive = craft(tmp_path / "big.tar.gz", [*entries, _info("u1/attachments/video.mp4", b"\0" * 5000)])
    before = tree(tmp_path)
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1 and "bundle-member-too-large" in result.stderr and "u1/attachments/video.mp4" in result.stderr
    assert tree(tmp_path) == before


@needs_git
def test_every_problem_of_every_archive_is_reported_and_a_good_one_is_not_taken_alone(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    entries = good_entries(cli, unit_ws, tmp_path)
    bad = craft(tmp_path / "bad.tar.gz", [*entries, _info("../x.yaml", b""), _info("u1/extra.yaml", b"")])
    result = cli(supervisor, "collect", str(tmp_path / "good.tar.gz"), str(bad))
    assert result.exit_code == 1
    assert "bundle-unsafe-path" in result.stderr and "bundle-unlisted-file" in result.stderr
    assert list((supervisor / "ledgers").iterdir()) == []


def test_a_file_that_is_not_a_bundle_is_refused(cli: Callable[..., Result], supervisor: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    result = cli(supervisor, "collect", str(junk))
    assert result.exit_code == 1 and "bundle-unreadable" in result.stderr
    assert list((supervisor / "ledgers").iterdir()) == []


def test_collect_outside_a_workspace_is_a_usage_error(cli: Callable[..., Result], tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"x")
    (tmp_path / "empty").mkdir()
    assert cli(tmp_path / "empty", "collect", str(junk)).exit_code == 2


# --- collect: placing ----------------------------------------------------------------------


@needs_git
def test_a_failure_while_placing_leaves_the_old_copy_whole(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.collect as collect

    assert cli(supervisor, "collect", str(make_bundle(cli, unit_ws, tmp_path / "first.tar.gz"))).exit_code == 0
    (supervisor / "ledgers/u1/personal.yaml").write_text('- {id: V0001, phone: "13800000000"}\n', encoding="utf-8")
    before = tree(supervisor)
    month = unit_ws / "ledgers/u1/activities/2024-01.yaml"
    month.write_text(month.read_text(encoding="utf-8").replace("hours: 2", "hours: 3"), encoding="utf-8")
    second = make_bundle(cli, unit_ws, tmp_path / "second.tar.gz")

    def disk_full(item: object, destination: Path) -> None:
        (destination / "u1").mkdir(exist_ok=True)
        (destination / "u1" / "unit.yaml").write_bytes(b"id: u1\n")  # half extracted
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(collect, "_extract", disk_full)
    result = cli(supervisor, "collect", str(second))
    assert result.exit_code == 1
    assert "disk-full" in result.stderr and "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert tree(supervisor) == before  # the old copy whole, personal.yaml too, no staging left behind


@needs_git
def test_collect_takes_the_lock_every_write_takes(cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path) -> None:
    """An unwritable lock file is a plain, located refusal, as for add-* (it was the lock library's own error)."""
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    lock = supervisor / ".vsledger.lock"
    lock.write_bytes(b"")
    lock.chmod(0o444)
    before = tree(supervisor)
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1 and ".vsledger.lock:1:1: lock-not-writable" in result.stderr, result.stderr
    assert tree(supervisor) == before


@needs_git
def test_without_an_atomic_exchange_the_old_copy_is_moved_aside_only_once_the_new_one_is_complete(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.collect as collect

    monkeypatch.setattr(collect, "_exchange", lambda a, b: False)  # as on a system without renameat2
    assert cli(supervisor, "collect", str(make_bundle(cli, unit_ws, tmp_path / "first.tar.gz"))).exit_code == 0
    (unit_ws / "ledgers/u1/reports.yaml").write_text("- {kind: plan, period: '2024', submitted_on: 2024-01-10}\n", encoding="utf-8")
    result = cli(supervisor, "collect", str(make_bundle(cli, unit_ws, tmp_path / "second.tar.gz")), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["collected"][0]["files_added"] == ["reports.yaml"]
    assert (supervisor / "ledgers/u1/reports.yaml").read_bytes() == (unit_ws / "ledgers/u1/reports.yaml").read_bytes()
    assert sorted(p.name for p in (supervisor / "ledgers").iterdir()) == ["u1"]


@needs_git
def test_several_units_at_once_and_never_the_same_unit_twice(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    add_second_unit(unit_ws)
    u1 = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz", "u1")
    u2 = make_bundle(cli, unit_ws, tmp_path / "u2.tar.gz", "u2")
    again = tmp_path / "u1-again.tar.gz"
    shutil.copy(u1, again)
    result = cli(supervisor, "collect", str(u1), str(again))
    assert result.exit_code == 1 and "bundle-same-unit-twice" in result.stderr
    assert list((supervisor / "ledgers").iterdir()) == []
    result = cli(supervisor, "collect", str(u1), str(u2), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert [(c["unit"], c["state"]) for c in result.json()["collected"]] == [("u1", "new"), ("u2", "new")]
    assert sorted(p.name for p in (supervisor / "ledgers").iterdir()) == ["u1", "u2"]


@needs_git
def test_a_broken_ledger_travels_and_the_supervisor_is_told(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    (unit_ws / "ledgers/u1/unit.yaml").write_text("id: [u1\nname: 测试单位\n", encoding="utf-8")
    archive = tmp_path / "u1.tar.gz"
    assert cli(unit_ws, "bundle", "--unit", "u1", "--out", str(archive)).exit_code == 1  # written, and the ledger is invalid
    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 1 and "yaml-syntax" in result.stderr and "台账有 1 个错误" in result.stderr
    assert (supervisor / "ledgers/u1/unit.yaml").read_bytes() == (unit_ws / "ledgers/u1/unit.yaml").read_bytes()
    assert cli(supervisor, "collect", str(archive), "--format", "csv").exit_code == 2  # no csv: a usage error, not a table


@needs_git
def test_a_unit_refused_while_staging_keeps_the_others_out_too(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.collect as collect

    add_second_unit(unit_ws)
    u1 = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz", "u1")
    u2 = make_bundle(cli, unit_ws, tmp_path / "u2.tar.gz", "u2")
    checked = collect._check_on_disk

    def swapped_after_verification(item: collect.Verified, new_dir: Path) -> list[collect.Problem]:
        if item.manifest.unit == "u2":  # as if the file had been replaced between reading and extracting it
            (new_dir / "roster.yaml").write_text("volunteers: []\n", encoding="utf-8")
        return checked(item, new_dir)

    monkeypatch.setattr(collect, "_check_on_disk", swapped_after_verification)
    result = cli(supervisor, "collect", str(u1), str(u2))
    assert result.exit_code == 1 and "u2.tar.gz:1:1: bundle-digest-mismatch" in result.stderr and "u2/roster.yaml" in result.stderr
    assert list((supervisor / "ledgers").iterdir()) == []  # u1 was fine, and is not in place either


# --- collect: what an interrupted collect leaves behind ---------------------------------------

# The CLI in its own process, stopped at a chosen point of a collect so that the test can kill it there:
# "staged" once the unit is extracted into its staging folder; "moved-aside" (no atomic exchange, as
# without renameat2) once the old copy is moved into the staging folder and before the new one takes its place.
KILLABLE = """
import os, sys, time
from pathlib import Path
import vsledger.write.collect as collect

ready, where = Path(sys.argv.pop(1)), sys.argv.pop(1)

def stop_here():
    ready.write_text("ready", encoding="utf-8")
    time.sleep(120)

if where == "staged":
    checked = collect._check_on_disk
    def check(item, new_dir):
        found = checked(item, new_dir)
        stop_here()
        return found
    collect._check_on_disk = check
else:
    collect._exchange = lambda a, b: False
    rename = os.rename
    def moving(src, dst):
        rename(src, dst)
        if Path(dst).name == "old":
            stop_here()
    os.rename = moving

from vsledger.cli.app import run
sys.argv = ["vsledger", *sys.argv[1:]]
run()
"""


def collect_killed(supervisor: Path, archive: Path, where: str, tmp_path: Path) -> subprocess.Popen[str]:
    """`vsledger collect` in a process of its own, stopped at `where` and still alive: the caller kills it."""
    ready = tmp_path / "ready"
    ready.unlink(missing_ok=True)
    args = [sys.executable, "-c", KILLABLE, str(ready), where, "--root", str(supervisor), "--today", TODAY, "collect", str(archive)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if process.poll() is not None:
            pytest.fail(f"the collect ended before it was stopped: {process.communicate()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("the collect never reached the point to kill it at")
        time.sleep(0.05)
    return process


def kill(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL


def leftovers(supervisor: Path) -> list[str]:
    return sorted(p.name for p in (supervisor / "ledgers").iterdir() if p.name.startswith("."))


@needs_git
def test_a_collect_killed_while_staging_leaves_a_folder_the_next_collect_removes_and_names(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.transaction as transaction

    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    process = collect_killed(supervisor, archive, "staged", tmp_path)
    try:
        (staging,) = leftovers(supervisor)
        assert (supervisor / "ledgers" / staging / "ledgers/u1/roster.yaml").is_file()
        # A second collect while the first is alive waits for its lock, and never touches its folder.
        during = tree(supervisor)
        monkeypatch.setattr(transaction, "LOCK_TIMEOUT_SECONDS", 0.5)
        result = cli(supervisor, "collect", str(archive))
        assert result.exit_code == 1 and "locked" in result.stderr and "collect-leftover" not in result.stderr
        assert tree(supervisor) == during
        monkeypatch.undo()
    finally:
        kill(process)
    assert leftovers(supervisor) == [staging]  # the killed process could not clean up
    assert not (supervisor / "ledgers/u1").exists()
    assert cli(supervisor, "validate").exit_code == 0  # the loader never reads it

    result = cli(supervisor, "collect", str(archive))
    assert result.exit_code == 0, result.stderr
    assert (
        f"ledgers/{staging}:1:1: collect-leftover-removed: 警告: 此前一次收取中途中断(进程被终止或机器停机),留下了 ledgers/{staging};已删除"
        in result.stderr
    )
    assert "u1(测试单位):新收取" in result.stdout
    assert leftovers(supervisor) == [] and (supervisor / "ledgers/u1/roster.yaml").is_file()
    # Said once: the next collect finds nothing to clear.
    result = cli(supervisor, "collect", str(archive), "--format", "json", lang="en")
    assert result.exit_code == 0 and "collect-leftover" not in result.stderr and result.json()["problems"] == []


@needs_git
def test_an_old_copy_a_killed_collect_had_moved_aside_is_put_back_first(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    assert cli(supervisor, "collect", str(make_bundle(cli, unit_ws, tmp_path / "first.tar.gz"))).exit_code == 0
    (supervisor / "ledgers/u1/personal.yaml").write_text('- {id: V0002, phone: "13700000000"}\n', encoding="utf-8")
    old_copy = tree(supervisor / "ledgers/u1")
    (unit_ws / "ledgers/u1/reports.yaml").write_text("- {kind: plan, period: '2024', submitted_on: 2024-01-10}\n", encoding="utf-8")
    second = make_bundle(cli, unit_ws, tmp_path / "second.tar.gz")
    kill(collect_killed(supervisor, second, "moved-aside", tmp_path))
    (staging,) = leftovers(supervisor)
    assert not (supervisor / "ledgers/u1").exists()  # the unit's only copy is in the staging folder
    assert tree(supervisor / "ledgers" / staging / "old") == old_copy

    result = cli(supervisor, "collect", str(second), "--format", "json", lang="en")
    assert result.exit_code == 0, result.stderr
    assert (
        f"ledgers/u1:1:1: collect-leftover-restored: warning: an interrupted collect had moved the old copy of ledgers/u1 into ledgers/{staging}; it is back in place"
        in result.stderr
    )
    (warning,) = result.json()["problems"]
    assert (warning["file"], warning["code"], warning["level"]) == ("ledgers/u1", "collect-leftover-restored", "warning")
    # What changed is told against the old copy put back, and the supervisor's personal.yaml came back with it.
    (change,) = result.json()["collected"]
    assert change["state"] == "updated" and change["files_added"] == ["reports.yaml"] and change["files_changed"] == []
    assert (supervisor / "ledgers/u1/personal.yaml").read_text(encoding="utf-8") == '- {id: V0002, phone: "13700000000"}\n'
    assert leftovers(supervisor) == []


@needs_git
def test_an_old_copy_that_cannot_be_put_back_stays_and_nothing_is_collected(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    assert cli(supervisor, "collect", str(archive)).exit_code == 0
    staging = supervisor / "ledgers/.u1.collect-ab3_x9qz"
    staging.mkdir()
    os.rename(supervisor / "ledgers/u1", staging / "old")  # as a collect killed between the two renames leaves it
    before = tree(supervisor)
    rename = os.rename

    def refused(src: Path, dst: Path) -> None:
        if Path(src).name == "old":
            raise PermissionError(errno.EACCES, "Permission denied")
        rename(src, dst)

    monkeypatch.setattr(os, "rename", refused)
    result = cli(supervisor, "collect", str(archive), lang="en")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert (
        "ledgers/.u1.collect-ab3_x9qz:1:1: collect-leftover-not-restored: ledgers/.u1.collect-ab3_x9qz holds the old copy of ledgers/u1, "
        "moved aside by an interrupted collect, and it could not be put back (Permission denied): "
        "move ledgers/.u1.collect-ab3_x9qz/old to ledgers/u1 yourself, then collect again" in result.stderr
    )
    assert result.stderr.index("nothing collected") < result.stderr.index("collect-leftover-not-restored")
    assert tree(supervisor) == before  # the only copy stays where it is; u1 is not collected anew beside it


@needs_git
def test_only_real_staging_folders_are_removed_and_no_link_is_followed(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    write_files(outside, {"keep.txt": "not the ledger's\n"})
    ledgers = supervisor / "ledgers"
    stale = ledgers / ".u1.collect-ab3_x9qz"
    write_files(stale, {"ledgers/u1/roster.yaml": "volunteers: []\n"})
    (stale / "ledgers/u1/elsewhere").symlink_to(outside, target_is_directory=True)  # inside: removed, never followed
    (ledgers / ".u2.collect-k2m8a0pq").symlink_to(outside, target_is_directory=True)  # the name, but a link
    write_files(ledgers, {".u3.collect-k2m8a0pq": "a file\n"})  # the name, but a file
    for name in (".u1.collect-short", ".U1.collect-ab3_x9qz", ".u1.collected-ab3_x9qz", ".notes", "u1.collect-ab3_x9qz"):
        write_files(ledgers / name, {"x.txt": "mine\n"})  # near the pattern, and not it
    untouched = {rel: data for rel, data in tree(ledgers).items() if not rel.startswith(".u1.collect-ab3_x9qz")}

    result = cli(supervisor, "collect", str(make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")))
    assert result.exit_code == 0, result.stderr
    assert not stale.exists() and tree(outside) == {"keep.txt": b"not the ledger's\n"}
    assert {rel: data for rel, data in tree(ledgers).items() if rel.split("/")[0] != "u1"} == untouched
    assert result.stderr.count("collect-leftover") == 3
    assert "ledgers/.u1.collect-ab3_x9qz:1:1: collect-leftover-removed" in result.stderr
    for name in (".u2.collect-k2m8a0pq", ".u3.collect-k2m8a0pq"):
        assert (
            f"ledgers/{name}:1:1: collect-leftover-kept: 警告: ledgers/{name} 的名字像收取用的临时目录,却是链接或文件;未改动"
            in result.stderr
        )


@needs_git
def test_leftovers_cleared_before_a_refusal_are_still_told(
    cli: Callable[..., Result], unit_ws: Path, supervisor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import vsledger.write.collect as collect

    write_files(supervisor / "ledgers/.u1.collect-ab3_x9qz", {"ledgers/u1/roster.yaml": "volunteers: []\n"})
    archive = make_bundle(cli, unit_ws, tmp_path / "u1.tar.gz")
    checked = collect._check_on_disk

    def swapped_after_verification(item: collect.Verified, new_dir: Path) -> list[collect.Problem]:
        (new_dir / "roster.yaml").write_text("volunteers: []\n", encoding="utf-8")
        return checked(item, new_dir)

    monkeypatch.setattr(collect, "_check_on_disk", swapped_after_verification)
    result = cli(supervisor, "collect", str(archive), lang="en")
    assert result.exit_code == 1 and "bundle-digest-mismatch" in result.stderr
    removed = result.stderr.index("ledgers/.u1.collect-ab3_x9qz:1:1: collect-leftover-removed: warning:")
    assert removed < result.stderr.index("nothing collected; every file is as it was:")
    assert list((supervisor / "ledgers").iterdir()) == []
