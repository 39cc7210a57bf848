"""Every UI string goes through the translation layer, and both languages are complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.core.registry import ALL_ACTION_TYPES  # noqa: F401 - imports every kind
from app.i18n import LANGUAGES, catalog

ROOT = Path(__file__).parent.parent
USED = re.compile(r"""\bt\(\s*["']([a-z_]+(?:\.[a-z0-9_]+)+)["']""")


def used_keys() -> set[str]:
    keys: set[str] = set()
    for folder in (ROOT / "app" / "templates", ROOT / "app" / "static" / "js"):
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".js"}:
                keys |= set(USED.findall(path.read_text(encoding="utf-8")))
    return keys


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_the_pages_and_scripts_use_has_a_text(lang: str) -> None:
    keys = used_keys()
    assert len(keys) > 200  # the pattern finds the pages' keys at all
    # Keys built at run time ("roles.hair_" + level) end in "_" or "."; their parts are checked elsewhere.
    assert sorted(k for k in keys if k not in catalog(lang) and not k.endswith(("_", "."))) == []


def test_every_refusal_code_has_a_text_in_both_languages() -> None:
    codes: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        codes |= set(re.findall(r'Refused\("([a-z_]+)"\)', path.read_text(encoding="utf-8")))
        codes |= set(re.findall(r'"code": "([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert len(codes) > 20
    for lang in LANGUAGES:
        assert sorted(c for c in codes if f"error.{c}" not in catalog(lang)) == []


def test_english_is_not_a_copy_of_bokmal() -> None:
    nb, en = catalog("nb"), catalog("en")
    same = [k for k in nb if nb[k] == en[k] and len(nb[k]) > 12]
    assert len(same) < len(nb) // 20, same


def test_plural_choices_take_the_form_of_their_number() -> None:
    from app.i18n import PLURAL, translate

    assert translate("people.caption", "nb", count=1, online=1).startswith("1 ")
    texts = {lang: catalog(lang) for lang in LANGUAGES}
    chosen = [k for k, v in texts["nb"].items() if PLURAL.search(v)]
    assert len(chosen) >= 8  # the counts on the staff screens and the results
    for lang, entries in texts.items():
        for key in chosen:
            names = set(re.findall(r"\{([a-z_]+)[|}]", entries[key]))
            one = translate(key, lang, **{name: 1 for name in names})
            other = translate(key, lang, **{name: 3 for name in names})
            assert "|" not in one and "|" not in other, (lang, key)
            assert one != other, (lang, key)


def test_dates_read_as_the_browser_writes_them() -> None:
    from app.i18n import format_date

    assert format_date("2023-06-14", "nb") == "14. juni 2023"  # tests/js/i18n.test.mjs: the same
    assert format_date("2023-06-14", "en") == "14 June 2023"
    assert format_date("2026-01-02", "nb") == "2. januar 2026"
    assert format_date("", "nb") == ""
    assert format_date("neste uke", "nb") == "neste uke"
