"""The method menu: exercises the facilitator switches on or off, or moves, before or
during the day; the agenda and "ahead / behind" follow, and a skipped exercise's minutes
are never counted as time gained."""

from __future__ import annotations

from typing import Any

import pytest

from app.core import serialize, views
from app.core.actions import GotoExercise, MoveExercise, NextExercise, NextPhase, Start, SwitchExercise
from app.core.room import Refused
from tests.core.roomkit import Day

MENU = """
title = "Nettverkssamling"
start = "09:00"
network_group_size = 4

[[exercises]]
id = "siden-sist"
title = "Hva har skjedd siden sist"
[[exercises.phases]]
kind = "G"
minutes = 15

[[exercises]]
id = "kollegaveiledning"
title = "Kollegaveiledning"
optional = true
[[exercises.phases]]
kind = "G"
minutes = 20

[[exercises]]
id = "jeg-soker"
title = "Jeg søker"
optional = true
selected = false
[[exercises.phases]]
kind = "G"
minutes_per_person = 1

[[exercises]]
id = "mingling"
kind = "break"
title = "Mingling"
optional = true
minutes = 15

[[exercises]]
id = "hva-na"
title = "Hva nå?"
[[exercises.phases]]
kind = "I"
minutes = 5
[[exercises.phases]]
kind = "G"
minutes = 10
"""


def agenda(day: Day) -> list[dict[str, Any]]:
    return views.agenda(day.room)


def planned(day: Day) -> list[tuple[str, int | None]]:
    """(id, planned minutes into the day) per exercise, in the order the day runs them."""
    return [
        (item["id"], None if item["planned_offset_ms"] is None else item["planned_offset_ms"] // 60_000)
        for item in agenda(day)
    ]


def current(day: Day) -> str | None:
    return day.room.current.id if day.room.current else None


def test_an_exercise_the_program_leaves_off_is_in_the_menu_but_not_in_the_plan() -> None:
    day = Day.of(MENU)
    assert planned(day) == [
        ("siden-sist", 0),
        ("kollegaveiledning", 15),
        ("jeg-soker", None),
        ("mingling", 35),
        ("hva-na", 50),
    ]
    menu = {item["id"]: (item["optional"], item["on"]) for item in agenda(day)}
    assert menu["jeg-soker"] == (True, False) and menu["siden-sist"] == (False, True)
    day.act(Start())
    day.act(NextExercise())
    day.act(NextExercise())
    assert current(day) == "mingling"  # jeg-soker is not run


def test_switching_an_exercise_on_or_off_recomputes_the_agenda_for_every_screen() -> None:
    day = Day.of(MENU)
    changes = day.act(SwitchExercise(exercise="jeg-soker", on=True))
    assert changes.plan
    day.act(SwitchExercise(exercise="mingling", on=False))
    assert planned(day) == [
        ("siden-sist", 0),
        ("kollegaveiledning", 15),
        ("jeg-soker", 35),
        ("mingling", None),
        ("hva-na", 39),  # 1 min per person x the programme's 4
    ]
    audiences = {e.audience: e.patch for e in views.events(day.room, changes)}
    assert "agenda" in audiences[views.ALL]


def test_the_facilitator_chooses_the_next_exercise_during_the_day() -> None:
    day = Day.of(MENU)
    day.act(Start())
    day.act(SwitchExercise(exercise="jeg-soker", on=True))
    day.act(MoveExercise(exercise="jeg-soker", position=1))  # right after the current one
    assert [item["id"] for item in agenda(day)][:3] == ["siden-sist", "jeg-soker", "kollegaveiledning"]
    day.act(NextExercise())
    assert current(day) == "jeg-soker"
    day.act(NextExercise())
    assert current(day) == "kollegaveiledning"


def test_what_is_done_or_running_cannot_be_switched_or_moved_and_nothing_moves_behind_now() -> None:
    day = Day.of(MENU)
    day.act(Start())
    day.act(NextExercise())
    before = day.room
    for action, code in [
        (SwitchExercise(exercise="siden-sist", on=False), "exercise_done"),
        (SwitchExercise(exercise="kollegaveiledning", on=False), "exercise_done"),
        (MoveExercise(exercise="mingling", position=0), "not_ahead"),
        (MoveExercise(exercise="mingling", position=1), "not_ahead"),
        (SwitchExercise(exercise="finnes-ikke", on=True), "unknown_exercise"),
    ]:
        with pytest.raises(Refused, match=code):
            day.act(action)
    assert day.room is before


def drift_minutes(day: Day) -> int:
    """What the facilitator's page shows as ahead (negative) or behind, as it computes it."""
    position = views.position(day.room)
    timer = day.room.timer
    assert timer is not None and day.room.day_started_at is not None
    used = timer.duration_ms - timer.remaining(day.now)
    planned_now = (
        day.room.day_started_at + position["planned_elapsed_ms"] + min(used, position["planned_phase_ms"])
    )
    minutes: int = round((day.now - planned_now) / 60_000)
    return minutes


def test_skipping_an_exercise_is_not_time_gained() -> None:
    day = Day.of(MENU)
    day.act(Start())
    day.wait(15 * 60)
    day.act(SwitchExercise(exercise="kollegaveiledning", on=False))
    day.act(NextExercise())  # straight on to the mingling, on time
    day.act(Start())
    assert current(day) == "mingling"
    assert drift_minutes(day) == 0  # not "20 min foran skjema"


def test_jumping_past_an_exercise_skips_it_so_it_is_not_time_gained_either() -> None:
    day = Day.of(MENU)
    day.act(Start())
    day.wait(15 * 60)
    day.act(GotoExercise(index=4))  # past kollegaveiledning and mingling
    day.act(Start())
    assert drift_minutes(day) == 0
    shown = {item["id"]: (item["on"], item["done"]) for item in agenda(day)}
    assert shown["kollegaveiledning"] == (False, False)  # skipped, shown as such
    assert shown["siden-sist"] == (True, True)


def test_going_back_to_an_exercise_that_was_run_keeps_what_came_after_it() -> None:
    day = Day.of(MENU)
    day.act(Start())
    day.act(NextExercise())
    day.act(GotoExercise(index=0))
    day.act(GotoExercise(index=3))  # kollegaveiledning was run: not skipped
    assert {item["id"]: item["on"] for item in agenda(day)}["kollegaveiledning"]


def test_the_menu_replays_to_the_same_day() -> None:
    day = Day.of(MENU, people=3)
    day.act(SwitchExercise(exercise="jeg-soker", on=True))
    day.act(MoveExercise(exercise="hva-na", position=1))
    day.act(Start())
    day.act(NextPhase())
    day.act(NextExercise())
    assert day.replayed() == day.room


def test_a_snapshot_keeps_the_menu() -> None:
    day = Day.of(MENU, people=3)
    day.act(SwitchExercise(exercise="jeg-soker", on=True))
    day.act(MoveExercise(exercise="hva-na", position=1))
    day.act(Start())
    assert serialize.room_from_json(serialize.room_to_json(day.room), day.room.program) == day.room
