"""The user guide shows what the tool prints today, and the command reference is --help."""

from __future__ import annotations

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
    assert "已写入 xinluo-cdc-2023-01-04.tar.gz" in supervisor and "新增活动(1):20181229-01" in supervisor
    assert "与现有台账相同,没有变化" in supervisor and "可疑.tar.gz:1:1: bundle-unsafe-path" in supervisor
    assert "# 2022 年志愿服务汇总表(截至 2022-12-31)" in supervisor
