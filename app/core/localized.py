"""Text a program gives in one or several languages (Bokmål first), and how it travels."""

from __future__ import annotations

from collections.abc import Callable

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


def required(max_chars: int) -> Callable[[LocalizedText], LocalizedText]:
    """A program text's check: it says something, and in no language more than ``max_chars``
    (a pydantic ``AfterValidator``)."""

    def check(value: LocalizedText) -> LocalizedText:
        texts = [value] if isinstance(value, str) else list(value.values())
        if not any(t.strip() for t in texts):
            raise ValueError("must not be empty")
        if any(len(t) > max_chars for t in texts):
            raise ValueError(f"must be at most {max_chars} characters")
        return value

    return check
