"""The translation layer: every UI string is looked up here by key.

Catalogs are flat JSON files: ``app/locales/<lang>.json`` for the pages, and one
``app/locales/<kind>/<lang>.json`` per exercise kind (keys prefixed with the kind's name).
``nb`` is the reference and the default. The browser scripts get the same merged
catalog embedded in the page.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).parent / "locales"
LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"


def catalog_files(lang: str) -> list[Path]:
    return [LOCALES_DIR / f"{lang}.json", *sorted(LOCALES_DIR.glob(f"*/{lang}.json"))]


@cache
def catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in catalog_files(lang):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


PLURAL = re.compile(r"\{([a-z_]+)\|([^|{}]*)\|([^|{}]*)\}")


def plural(count: object) -> str:
    """ "one" or "other": bokmål and English share the rule (exactly 1 is singular), the
    one ``Intl.PluralRules`` gives the browser (lib/i18n.js)."""
    return "one" if count == 1 and not isinstance(count, bool) else "other"


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    """The text for ``key``, its {name}s filled in and each plural choice
    ``{name|one|other}`` made by the number ``name`` is; a missing key shows itself, so
    it is noticed, never blank."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    template = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    template = PLURAL.sub(lambda m: m[2] if plural(params.get(m[1])) == "one" else m[3], template)
    return template.format(**params) if params else template


ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def format_date(iso: str | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """ "14. juni 2023" / "14 June 2023" for a program's ISO date, as the browser's
    ``Intl.DateTimeFormat`` writes it (lib/i18n.js formatDate); anything else as it is."""
    match = ISO_DATE.match(iso or "")
    if not match:
        return iso or ""
    months = translate("date.months", lang).split(",")
    day, month = int(match[3]), int(match[2])
    if not 1 <= month <= len(months):
        return iso or ""
    return translate("date.long", lang, day=day, month=months[month - 1], year=match[1])


def choose_language(requested: str | None, cookie: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    for candidate in (requested, cookie):
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else DEFAULT_LANGUAGE
