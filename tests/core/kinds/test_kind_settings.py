"""A kind finds its settings in the exercise's table of its own name (``config_of``):
an exercise of another kind is refused as unknown, never read as one of this kind's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.core.actions import Start
from app.core.kinds import crowdsource, diamond, gallery, roles
from app.core.kinds.base import config_of
from app.core.outcome import Refused
from app.core.program import parse_program
from app.core.room import FACILITATOR, Command, Room

PROGRAM = parse_program(
    {
        "title": "Samling 2",
        "exercises": [
            {"id": "diamant", "title": "Diamant", "phases": [{"kind": "G", "minutes": 20}], "diamond": {}},
            {"id": "ord", "title": "Ordsky", "phases": [{"kind": "I", "minutes": 5}], "wordcloud": {}},
        ],
    }
)
ROOM = Room(code="SELJORD", program=PROGRAM)
CMD = Command(action=Start(), at=1_000, actor=FACILITATOR, seed=1)


def exercise(exercise_id: str) -> Any:
    found = ROOM.exercise_by_id(exercise_id)
    assert found is not None
    return found


def test_an_exercise_gives_its_own_kinds_settings() -> None:
    assert config_of(exercise("diamant"), "diamond", diamond.Config) == exercise("diamant").diamond


# Each kind's first look at an exercise's settings: entering it, or (crowdsource) its board.
ASKS: dict[str, Callable[[Any], object]] = {
    "crowdsource": lambda ex: crowdsource.board(ROOM, ex, crowdsource.State()),
    "diamond": lambda ex: diamond.start(ROOM, ex, CMD),
    "gallery": lambda ex: gallery.start(ROOM, ex, CMD),
    "roles": lambda ex: roles.start(ROOM, ex, CMD),
}


@pytest.mark.parametrize("kind", sorted(ASKS))
def test_another_kinds_exercise_is_refused_as_unknown(kind: str) -> None:
    with pytest.raises(Refused, match="unknown_exercise"):
        ASKS[kind](exercise("ord"))
