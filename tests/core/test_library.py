"""The method library in exercises/: every program runs from its first phase to the end
of the day with a room of people, and replays to the same room; each method file shows
the grouping or method it is there for."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core import views
from app.core.actions import FormGroups, NextPhase, Start, SwitchExercise
from app.core.program import list_programs
from tests.core.roomkit import Day

ROOT = Path(__file__).parent.parent.parent
PROGRAMS = list_programs(ROOT / "exercises")


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_every_shipped_program_runs_through_the_whole_day(name: str) -> None:
    day = Day.of(PROGRAMS[name].read_text(encoding="utf-8"), people=10)
    day.act(FormGroups(mode="size", value=day.room.program.network_group_size))
    for ex in day.room.program.exercises:  # the whole menu, optional exercises too
        if not day.room.is_on(ex):
            day.act(SwitchExercise(exercise=ex.id, on=True))
    day.act(Start())
    seen = 0
    while not views.position(day.room)["day_over"]:
        for pid in day.room.participants:
            views.personal_patch(day.room, pid)
        views.board(day.room)
        day.wait(30)
        day.act(NextPhase())
        seen += 1
    assert seen == sum(len(ex.steps) for ex in day.room.program.exercises)
    assert day.replayed() == day.room


def test_the_library_has_a_program_for_each_grouping_and_method() -> None:
    programs = {
        name: Day.of(path.read_text(encoding="utf-8")).room.program for name, path in PROGRAMS.items()
    }
    groupings = {ex.grouping for p in programs.values() for ex in p.exercises}
    assert {"pairs", "triads", "network", "none", "1-2-4-all", "world_cafe"} <= groupings
    phases = [phase for p in programs.values() for ex in p.exercises for phase in ex.steps]
    assert any(phase.new_groups for phase in phases)  # Impromptu Networking, World Café
    assert any(phase.new_roles for phase in phases)  # rotating roles, Troika
    assert any(phase.role_cues for phase in phases)  # Troika's cues
    assert any(phase.minutes_per_person for phase in phases)  # «ca 1 min per pers»
    exercises = [ex for p in programs.values() for ex in p.exercises]
    assert any(ex.crowdsource for ex in exercises)  # 25/10 Crowd Sourcing
    votes = {ex.lists.vote for ex in exercises if ex.lists is not None}
    assert votes == {"dots", "points"}  # voting by points beside dot voting
    assert any(ex.optional and not ex.selected for ex in exercises)  # a method menu
