"""Text a program gives in one or several languages (Bokmål first), and how it travels."""

from __future__ import annotations

LocalizedText = str | dict[str, str]  # "Tekst" or {nb = "Tekst", en = "Text"}


def text(value: LocalizedText | None) -> dict[str, str]:
    """Texts travel in every language the program has; each screen picks its own."""
    if value is None:
        return {}
    if isinstance(value, str):
        return {"nb": value}
    return dict(value)


def localize(value: LocalizedText | None, lang: str) -> str:
    """Pick the text for ``lang``, falling back to bokmål, then to any translation."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get("nb") or next(iter(value.values()), "")
