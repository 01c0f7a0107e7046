"""Shared fixtures: real workspaces in temporary directories, the real CLI."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from vsledger.cli.app import app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# Tests never depend on the real date: every run is as if today were this day.
TODAY = "2024-06-01"

UNIT = """
id: u1
name: 测试单位
policy: p1
branches:
  - {id: b1, name: 第一党支部}
teams:
  - {id: red, name: 红队, branch: b1, convener: V0001}
"""

ROSTER = """
volunteers:
  - id: V0001
    name: 张三
    employment: staff
    party_member: true
    branch: b1
    teams: [red]
    registered_on: 2020-01-01
  - id: V0002
    name: 李四
    employment: contract
    registered_on: 2020-01-01
"""

POLICY = """
id: p1
title: 测试方案
rules:
  - id: registration
    kind: registration_rate
    min: 100%
    text: 100%注册
"""


def write_files(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test has its own cache directory: nothing is read from or left in the user's."""
    directory = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(directory))
    return directory


@pytest.fixture(autouse=True)
def machine_font_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A VSLEDGER_FONT in the developer's environment does not choose the tests' certificate font."""
    monkeypatch.delenv("VSLEDGER_FONT", raising=False)


@pytest.fixture
def git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    """Real git, with an identity that does not depend on the machine's configuration."""
    for key, value in {
        "GIT_AUTHOR_NAME": "测试",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "测试",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.fixture
def workspace(tmp_path: Path) -> Callable[..., Path]:
    """A workspace with one unit; `files` adds or replaces files (paths relative to the root)."""

    def make(files: dict[str, str] | None = None, base: bool = True) -> Path:
        defaults = {
            "rules/p1.yaml": POLICY,
            "ledgers/u1/unit.yaml": UNIT,
            "ledgers/u1/roster.yaml": ROSTER,
        }
        return write_files(tmp_path, {**(defaults if base else {}), **(files or {})})

    return make


class Result:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def cli() -> Callable[..., Result]:
    runner = CliRunner()

    def run(root: Path, *args: str, lang: str = "zh") -> Result:
        result = runner.invoke(app, ["--root", str(root), "--lang", lang, "--today", TODAY, *args], catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def vsledger_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """git runs the merge driver as `vsledger` from PATH: this checkout's, from the virtualenv."""
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
