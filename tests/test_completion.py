"""Shell completion, driven the way bash and zsh drive it: environment variables, a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SAMPLE_UNITS = [
    "chengzhen",
    "county-aic",
    "county-civil-affairs",
    "dongcheng-station",
    "dongjie-station",
    "nanguan-station",
    "putian-party-school",
    "xinluo-cdc",
]


def complete_bash(words: str, cwd: Path, **env: str) -> list[str]:
    """What bash would offer after `words` (a trailing space completes a new word)."""
    count = len(words.split()) if words.endswith(" ") else len(words.split()) - 1
    environment = {key: value for key, value in os.environ.items() if key != "VSLEDGER_ROOT"}
    environment.update({"_VSLEDGER_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(count), **env})
    result = subprocess.run([sys.executable, "-m", "vsledger"], capture_output=True, text=True, env=environment, cwd=cwd, check=True)
    return result.stdout.split()


def test_commands_complete(tmp_path: Path) -> None:
    assert complete_bash("vsledger ch", tmp_path) == ["check"]
    assert set(complete_bash("vsledger request ", tmp_path)) >= {"add", "assign", "claim", "close", "list"}


def test_unit_ids_complete_from_the_workspace(tmp_path: Path) -> None:
    assert complete_bash(f"vsledger --root {REPO} check --unit ", tmp_path) == SAMPLE_UNITS
    assert complete_bash("vsledger hours -u x", tmp_path, VSLEDGER_ROOT=str(REPO)) == ["xinluo-cdc"]
    assert complete_bash("vsledger check --unit ", REPO) == SAMPLE_UNITS  # the current directory is the default root
    assert complete_bash("vsledger check --unit ", tmp_path) == []  # not a workspace: nothing to offer, no error


def test_volunteer_and_team_ids_complete_within_the_unit_given(tmp_path: Path) -> None:
    offered = complete_bash(f"vsledger --root {REPO} add-activity -u putian-party-school -p V000", tmp_path)
    assert offered == [f"V000{n}" for n in range(1, 10)]
    roster = (REPO / "ledgers/putian-party-school/roster.yaml").read_text(encoding="utf-8")
    everyone = complete_bash(f"vsledger --root {REPO} request claim R1 -u putian-party-school -v ", tmp_path)
    assert everyone and all(f"- id: {vid}\n" in roster for vid in everyone)
    assert roster.count("  - id: V") == len(everyone)
    teams = complete_bash(f"vsledger --root {REPO} request assign R1 -u xinluo-cdc --team ", tmp_path)
    unit_yaml = (REPO / "ledgers/xinluo-cdc/unit.yaml").read_text(encoding="utf-8")
    assert teams and all(f"id: {team}," in unit_yaml for team in teams)


def test_zsh_shows_names_beside_ids(tmp_path: Path) -> None:
    environment = {**os.environ, "_VSLEDGER_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": f"vsledger --root {REPO} stars -u put"}
    result = subprocess.run([sys.executable, "-m", "vsledger"], capture_output=True, text=True, env=environment, check=True)
    assert '"putian-party-school":"中共莆田市委党校"' in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_completion_script_is_offered(shell: str) -> None:
    result = subprocess.run([sys.executable, "-m", "vsledger", "--show-completion", shell], capture_output=True, text=True, check=True)
    assert "_VSLEDGER_COMPLETE" in result.stdout
