"""Every program Samling ships (the days in exercises/ and the method templates in
app/methods/) says its roles in English too: the role names, what each role does, and
each phase's cue for a role — an English-speaking room never reads «Tilbakemelder»."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.kinds.roles import ExtraRole, RoleRule
from app.core.localized import LocalizedText
from app.core.program import load_program

ROOT = Path(__file__).parent.parent
SHIPPED = sorted([*(ROOT / "exercises").glob("*.toml"), *(ROOT / "app" / "methods").glob("*.toml")])


def english(value: LocalizedText | None) -> bool:
    return value is None or (isinstance(value, dict) and bool(value.get("en", "").strip()))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_programs_roles_are_in_english_too(path: Path) -> None:
    program = load_program(path)
    missing = []
    for ex in program.exercises:
        if ex.roles is None:
            continue
        roles: list[RoleRule | ExtraRole] = [
            *ex.roles.roles,
            *([ex.roles.extra] if ex.roles.extra is not None else []),
        ]
        missing += [f"{ex.id}: role {r.name!r}" for r in roles if not english(r.name)]
        missing += [f"{ex.id}: what {r.name!r} does" for r in roles if not english(r.description)]
        for number, phase in enumerate(ex.steps):
            missing += [
                f"{ex.id}: phase {number + 1}'s cue for {n!r}"
                for n, c in phase.role_cues.items()
                if not english(c)
            ]
    assert missing == []
