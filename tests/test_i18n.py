"""The gettext catalogues keep up with the English in the code, and both languages read right.

English is the source; `vsledger/render/locale/zh_CN/LC_MESSAGES/vsledger.po` holds the Chinese and
`python -m tools.i18n` regenerates the template, merges and compiles. These tests fail when
someone adds a message and forgets that step.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from conftest import REPO, Result
from tools.i18n import TEMPLATE, po_path, source_messages, template
from vsledger.render.messages import DOMAIN, LOCALE_DIR, PROBLEMS, UI, translate

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _zh() -> object:
    with po_path("zh").open("rb") as handle:
        return read_po(handle, locale="zh_CN", domain=DOMAIN)


def test_template_is_what_the_code_holds() -> None:
    buffer = io.BytesIO()
    write_po(buffer, template(), omit_header=True, sort_output=False, width=0)  # type: ignore[arg-type]
    assert TEMPLATE.read_bytes() == buffer.getvalue(), "run: python -m tools.i18n"


def test_every_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    catalog = _zh()
    for context, english in source_messages():
        entry = catalog.get(english, context=context)  # type: ignore[attr-defined]
        assert entry is not None and entry.string, (context, english)
        assert not entry.fuzzy, (context, english)
        assert set(PLACEHOLDER.findall(entry.string)) == set(PLACEHOLDER.findall(english)), (context, english, entry.string)


def test_the_compiled_catalogue_is_current() -> None:
    """What the program reads at run time (.mo) says what the translators wrote (.po)."""
    compiled = gettext.GNUTranslations(po_path("zh").with_suffix(".mo").open("rb"))
    for message in _zh():  # type: ignore[attr-defined]
        if message.id and message.context:
            assert compiled.pgettext(message.context, message.id) == message.string, (message.context, message.id)


def test_the_catalogue_ships_with_the_package() -> None:
    assert (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    assert "locale/*/LC_MESSAGES/*.mo" in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_english_is_the_source_and_chinese_the_translation() -> None:
    assert translate("problem:unknown-team", PROBLEMS["unknown-team"][0], "en") == PROBLEMS["unknown-team"][0]
    assert translate("problem:unknown-team", PROBLEMS["unknown-team"][0], "zh") == "服务队 “{id}” 未在 unit.yaml 中定义"
    assert translate("ui:error", UI["error"], "zh") == "错误"
    assert translate("column:m05", "05", "zh") == "5月"  # one English word, many contexts


# --- both languages, through the CLI --------------------------------------------------------------

COMMANDS = [
    ("validate",),
    ("hours", "--year", "2022", "--by", "month"),
    ("check", "--year", "2022", "--unit", "xinluo-cdc"),
    ("stars", "--unit", "putian-party-school"),
    ("request", "list", "--all"),
    ("report", "monthly", "--unit", "xinluo-cdc", "--period", "2022-05"),
]


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_each_command_speaks_both_languages(args: tuple[str, ...], cli: Callable[..., Result]) -> None:
    zh, en = cli(REPO, *args, lang="zh"), cli(REPO, *args, lang="en")
    assert zh.exit_code == en.exit_code
    han = re.compile(r"[\u4e00-\u9fff]")
    # Chinese output is mostly Chinese words; English output has Chinese only in the ledger's own text.
    assert len(han.findall(zh.stdout)) > len(han.findall(en.stdout))
    assert zh.stdout != en.stdout


def test_lang_from_the_environment(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from vsledger.cli.app import app

    runner = CliRunner()
    for env, expected in [({"VSLEDGER_LANG": "en"}, "no problems found"), ({"LANG": "en_US.UTF-8"}, "no problems found"),
                          ({"LANG": "zh_CN.UTF-8"}, "没有发现问题"), ({}, "没有发现问题")]:  # fmt: skip
        for name in ("VSLEDGER_LANG", "LANG", "LC_ALL", "LC_MESSAGES"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        result = runner.invoke(app, ["--root", str(REPO / "rules" / ".."), "--today", "2024-06-01", "validate", "--unit", "chengzhen"])
        assert expected in result.stdout, (env, result.stdout)


@pytest.mark.parametrize(("activities", "summary"), [(1, "0 errors, 1 warning"), (2, "0 errors, 2 warnings")])
def test_english_counts_take_the_singular_for_one(
    workspace: Callable[..., Path], cli: Callable[..., Result], activities: int, summary: str
) -> None:
    """A day of more than 8 hours is one warning each; English says "1 warning", Chinese has no plural."""
    records = "".join(
        f"- {{id: 20220{m}05-01, date: 2022-0{m}-05, title: 长时间服务, location: 社区, hours: 9, participants: [V0001]}}\n"
        for m in range(1, activities + 1)
    )
    files = {f"ledgers/u1/activities/2022-0{m}.yaml": records.splitlines()[m - 1] + "\n" for m in range(1, activities + 1)}
    root = workspace(files)
    english = cli(root, "validate", lang="en")
    assert re.search(re.escape(summary) + r"\b", english.stdout + english.stderr)
    chinese = cli(root, "validate")
    assert f"0 个错误,{activities} 个警告" in chinese.stdout + chinese.stderr
