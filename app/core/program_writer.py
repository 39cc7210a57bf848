"""Programs back to text: a :class:`Program` as a TOML program file in the documented format.

The editor saves what a facilitator built through :func:`write_program`, so the editor and
hand-written files stay one format: ``load_program_text(write_program(p)) == p`` for every
program (tests/core/test_program_writer.py). Only what differs from the defaults is
written, in the order of the documentation: the day, its workbook, then each exercise
with its fields, its kinds' tables and its phases. Texts in one language stay a string;
texts in several are a table ``{ nb = "…", en = "…" }``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from app.core.program import Program

# Lists of tables written as ``[[…]]`` sections (the rest are inline arrays).
_SECTIONS = frozenset({"exercises", "phases", "groups", "questions", "sections"})
# Small tables written inline on their key's line (the rest get a ``[…]`` header).
_INLINE = frozenset({"round_robin", "role_cues", "scale", "extra"})
# Keys always written, even at their default, because a reader needs them to see the meaning.
_ALWAYS = {"round_robin": ("per_person_seconds",)}
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def program_data(program: Program) -> dict[str, Any]:
    """The program as plain data, without defaults (what a file needs to say)."""
    data: dict[str, Any] = program.model_dump(mode="json", exclude_defaults=True)
    _with_always(data, program.model_dump(mode="json"))
    return data


def _with_always(data: Any, full: Any) -> None:
    """Put back the keys of :data:`_ALWAYS` that ``exclude_defaults`` dropped."""
    if isinstance(data, dict) and isinstance(full, dict):
        for key, value in data.items():
            if key in _ALWAYS and isinstance(value, dict) and isinstance(full.get(key), dict):
                for name in _ALWAYS[key]:
                    value.setdefault(name, full[key].get(name))
            _with_always(value, full.get(key))
    elif isinstance(data, list) and isinstance(full, list):
        for item, whole in zip(data, full, strict=False):
            _with_always(item, whole)


def write_program(program: Program, *, comment: str = "") -> str:
    """The program as a TOML file; ``comment`` (one or more lines) heads the file."""
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    lines += list(_table(program_data(program), program, ()))
    return "\n".join(lines).strip("\n") + "\n"


def _table(data: dict[str, Any], model: BaseModel, path: tuple[str, ...]) -> Iterator[str]:
    """A table's own keys, then its sub-tables (the model's own sub-models), then its
    lists of tables."""
    tables: list[tuple[str, dict[str, Any], BaseModel]] = []
    sections: list[tuple[str, list[dict[str, Any]], list[BaseModel]]] = []
    for key, value in data.items():
        field = getattr(model, key, None)
        if value is None:
            continue
        if isinstance(field, BaseModel) and isinstance(value, dict) and key not in _INLINE:
            tables.append((key, value, field))
        elif (
            isinstance(field, list)
            and value
            and key in _SECTIONS
            and all(isinstance(f, BaseModel) for f in field)
        ):
            sections.append((key, value, field))
        else:
            yield f"{_key(key)} = {_inline(value)}"
    for key, value, sub in tables:
        yield ""
        yield f"[{_dotted((*path, key))}]"
        yield from _table(value, sub, (*path, key))
    for key, items, subs in sections:
        for item, sub in zip(items, subs, strict=True):
            yield ""
            yield f"[[{_dotted((*path, key))}]]"
            yield from _table(item, sub, (*path, key))


def _inline(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("a program holds no infinite numbers")
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        items = [_inline(v) for v in value]
        one_line = "[" + ", ".join(items) + "]"
        if len(one_line) <= 100 or not any(isinstance(v, dict) for v in value):
            return one_line
        return "[\n" + "".join(f"  {item},\n" for item in items) + "]"
    if isinstance(value, dict):
        pairs = [f"{_key(k)} = {_inline(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(pairs) + " }" if pairs else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to a program file")


def _string(value: str) -> str:
    out = []
    for ch in value:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(_key(part) for part in path)
