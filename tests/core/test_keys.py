"""The keys a room keeps at its door follow the room: added and taken away with the
commands that give or take them, as every stored golden day replays."""

from __future__ import annotations

import pytest

from app.core.keys import NO_CHANGE, KeyChanges, changed, held
from app.core.program import load_program_text
from app.core.room import Room, apply
from app.core.serialize import command_from_json
from tests.golden.scenarios import PROGRAMS
from tests.golden.stored import GOLDEN, read_json

DAYS = sorted(folder.name for folder in GOLDEN.iterdir() if (folder / "history.json").exists())


@pytest.mark.parametrize("day", DAYS)
def test_the_door_holds_exactly_the_rooms_keys_after_every_command_of_a_stored_day(day: str) -> None:
    history = read_json(GOLDEN / day / "history.json")
    meta = history["workshop"]
    text = (PROGRAMS / meta["program_name"]).read_text(encoding="utf-8")
    program = load_program_text(text, source=meta["program_name"])
    room = Room(code=meta["code"], program=program, time_scale=meta["time_scale"])
    door: set[tuple[str, str]] = set()
    together, taken_away = NO_CHANGE, 0
    for row in history["commands"]:
        after, _ = apply(room, command_from_json(row["body"]))
        step = changed(room, after)
        door = (door - step.removed) | step.added
        together, taken_away, room = together.then(step), taken_away + len(step.removed), after
        assert door == held(room), (day, row["seq"], row["body"]["action"]["type"])
    assert together.added == held(room) and not together.removed  # one batch of the whole day
    if day == "igp":
        assert taken_away > 0  # the day removes people: their keys went with them


def test_a_key_given_and_taken_away_within_one_write_is_neither() -> None:
    a, b = ("token", "a" * 64), ("link", "b" * 64)
    given, taken = KeyChanges(added=frozenset({a, b})), KeyChanges(removed=frozenset({a}))
    assert given.then(taken) == KeyChanges(added=frozenset({b}))
    assert KeyChanges(removed=frozenset({a})).then(KeyChanges(added=frozenset({a}))) == NO_CHANGE
