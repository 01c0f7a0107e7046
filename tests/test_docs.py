"""The user guide shows what the tool prints today, and the command reference is --help."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import REPO


@pytest.mark.skipif(shutil.which("git") is None, reason="the guides' git steps need git")
def test_docs_are_what_the_commands_print() -> None:
    from tools.docgen import expected_docs

    pages = expected_docs(REPO)
    assert {path.name for path in pages} >= {"clerk.md", "supervisor.md", "commands.md"}
    for path, text in pages.items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is behind the code: run `python -m tools.docgen`"


def test_command_reference_covers_every_command() -> None:
    import typer.main

    from vsledger.cli.app import app

    reference = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    group = typer.main.get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert f"## vsledger {name}\n" in reference
        for sub in getattr(command, "commands", {}):
            assert f"## vsledger {name} {sub}\n" in reference


def test_guides_show_located_errors_and_real_tables() -> None:
    clerk = (REPO / "docs" / "clerk.md").read_text(encoding="utf-8")
    assert "activities/2022-11.yaml:7:25: unknown-volunteer" in clerk  # the planted mistake, located
    assert "没有发现问题" in clerk and "2022 年达标总览" in clerk and "█" in clerk
    supervisor = (REPO / "docs" / "supervisor.md").read_text(encoding="utf-8")
    assert "unknown-rule-kind" in supervisor and "town-2022" in supervisor
    # The intake, run for real: a bundle, what its collection changed, the same bundle again, a refusal, the roll-up.
    assert "已写入 exports/xinluo-cdc-2023-01-04.tar.gz" in supervisor and "新增活动(1):20181229-01" in supervisor
    assert "与现有台账相同,没有变化" in supervisor and "可疑.tar.gz:1:1: bundle-unsafe-path" in supervisor
    assert "# 2022 年志愿服务汇总表(截至 2023-01-04)" in supervisor  # as check: the as-of is today


def test_the_year_end_commit_carries_no_workbook() -> None:
    """The guide exported the 台账 into the workspace and then ran `git add -A`: the workbook went into git.
    Exports now land in exports/, which git ignores; the guide's own `git status` shows it."""
    clerk = (REPO / "docs" / "clerk.md").read_text(encoding="utf-8")
    assert "已导出 exports/dongcheng-health-2022.xlsx" in clerk
    status = clerk.split("<!-- run: git status --short -->\n```text\n", 1)[1].split("```", 1)[0]
    assert "ledgers/dongcheng-health/roster.yaml" in status and "xlsx" not in status and "exports" not in status
    assert "-o 证明.pdf" not in clerk and "-o 月报.xlsx" not in clerk  # no example writes into the ledger's folder


def test_the_rules_reference_is_in_chinese() -> None:
    text = (REPO / "rules" / "README.md").read_text(encoding="utf-8")
    prose = re.sub(r"`[^`]*`|```.*?```|\([^)]*\)", "", text, flags=re.DOTALL)  # code and bracketed English terms aside
    assert len(re.findall(r"[\u4e00-\u9fff]", prose)) > 4 * len(re.findall(r"[A-Za-z]+", prose))
    assert "不是规则" in text and "not a rule" not in text and "| 参数 | 必填/默认 | 含义 |" in text
