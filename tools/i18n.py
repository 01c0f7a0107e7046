"""Keep the gettext catalogues in step with the English in the code (needs babel).

    python -m tools.i18n          # write locale/vsledger.pot, merge it into each .po, compile each .mo

English is the source language: the messages in `messages.py`, the export
headers in `exporting.py` and the report wording in `reports/period.py`, the field descriptions of the editor schemas
in `schema.py`. This
collects them with their contexts into a template, merges the template into
every translation with babel (new entries come out untranslated, changed ones
fuzzy, for a translator's tool such as Poedit or Weblate), and compiles the
`.mo` files that `messages.translate` reads at run time. A test fails when the
catalogues are behind the code.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from vsledger.render.messages import DOMAIN, GETTEXT_LANGS, LOCALE_DIR, PROBLEMS, UI

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"


def source_messages() -> Iterator[tuple[str, str]]:
    """(context, English) of every string a user may read, in a stable order."""
    from vsledger.render.export import ALL_COLUMNS, SHEET_TITLES
    from vsledger.render.period import TEXT
    from vsledger.render.schema import DESCRIPTIONS
    from vsledger.render.summary import ALL_SUMMARY_COLUMNS, SUMMARY_SHEETS
    from vsledger.render.views import CSV_HEADERS

    for code, (message, hint) in PROBLEMS.items():
        yield f"problem:{code}", message
        if hint:
            yield f"hint:{code}", hint
    for key, text in UI.items():
        yield f"ui:{key}", text
    for key, title in SHEET_TITLES.items():
        yield f"sheet:{key}", title
    seen: set[tuple[str, str]] = set()

    def columns(found: Iterable[Any]) -> Iterator[tuple[str, str]]:
        """Each column heading once, though several sheets share it."""
        for column in found:
            if (column.context, column.en) not in seen:
                seen.add((column.context, column.en))
                yield column.context, column.en

    yield from columns(ALL_COLUMNS)
    for key, text in TEXT.items():
        yield f"report:{key}", text
    for key, text in CSV_HEADERS.items():
        yield f"csv:{key}", text
    for key, title in SUMMARY_SHEETS.items():
        yield f"sheet:{key}", title
    yield from columns(ALL_SUMMARY_COLUMNS)
    for key, text in DESCRIPTIONS.items():
        yield f"schema:{key}", text


def po_path(lang: str) -> Path:
    return LOCALE_DIR / GETTEXT_LANGS[lang] / "LC_MESSAGES" / f"{DOMAIN}.po"


def template() -> object:
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="vsledger", domain=DOMAIN, charset="utf-8", fuzzy=False)
    for context, english in source_messages():
        catalog.add(english, context=context)
    return catalog


def update() -> list[str]:
    """Write the template, merge it into every translation, compile; the files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po, write_po

    written: list[str] = []
    pot = template()
    TEMPLATE.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("wb") as handle:
        write_po(handle, pot, omit_header=True, sort_output=False, width=0)  # type: ignore[arg-type]
    written.append(str(TEMPLATE))
    for lang in GETTEXT_LANGS:
        path = po_path(lang)
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=GETTEXT_LANGS[lang], domain=DOMAIN)
        catalog.update(pot, no_fuzzy_matching=True)  # type: ignore[arg-type]
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=True, sort_output=False, width=0, ignore_obsolete=True)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written += [str(path), str(path.with_suffix(".mo"))]
    return written


if __name__ == "__main__":
    for name in update():
        sys.stdout.write(f"wrote {name}\n")
