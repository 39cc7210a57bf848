"""The room reducer: joining, groups, moving through the day, notes and round robins.
Each test drives ``apply`` with commands at chosen moments; no server, no clock."""

from __future__ import annotations

import pytest

from app.core.actions import (
    Extend,
    FormGroups,
    GotoExercise,
    MoveParticipant,
    NextExercise,
    NextPhase,
    PassTurn,
    Pause,
    RemoveParticipant,
    RenameParticipant,
    Resume,
    SaveNote,
    Start,
)
from app.core.room import Refused
from tests.core.roomkit import Day

RR_PROGRAM = """
title = "Runde"
[[exercises]]
id = "runde"
title = "Runde"
[[exercises.phases]]
kind = "G"
minutes = 10
round_robin = { per_person_seconds = 60 }
"""


def test_people_join_with_their_own_ids_and_the_day_has_not_started() -> None:
    day = Day.of(people=3)
    assert [p.name for p in day.room.participants.values()] == ["Person 1", "Person 2", "Person 3"]
    assert day.room.exercise == -1
    assert day.room.current is None


def test_start_enters_the_first_exercise_and_runs_its_first_phase() -> None:
    day = Day.of(people=2)
    day.act(Start())
    assert day.room.current is not None and day.room.current.id == "refleksjon"
    assert day.room.timer is not None
    assert day.room.timer.status == "running"
    assert day.room.timer.ends_at == day.now + 3 * 60_000
    assert day.room.day_started_at == day.now


def test_pause_resume_and_extend_move_the_deadline() -> None:
    day = Day.of(people=1)
    day.act(Start())
    day.wait(60)
    day.act(Pause())
    day.wait(600)  # a long pause costs no time
    day.act(Resume())
    assert day.room.timer is not None and day.room.timer.remaining(day.now) == 120_000
    day.act(Extend(seconds=60))
    assert day.room.timer.remaining(day.now) == 180_000


def test_next_phase_runs_the_next_timer_and_after_the_last_phase_comes_the_next_exercise() -> None:
    day = Day.of(people=2)
    day.act(Start())
    day.act(NextPhase())
    assert day.room.current_phase is not None and day.room.current_phase.kind == "G"
    assert day.room.timer is not None and day.room.timer.status == "running"
    day.act(NextPhase())
    day.act(NextPhase())
    assert day.room.current is not None and day.room.current.id == "duoer"
    assert day.room.timer is not None and day.room.timer.status == "ready"


def test_next_exercise_and_goto_move_through_the_agenda_and_the_end_of_the_day() -> None:
    day = Day.of(people=2)
    day.act(GotoExercise(index=2))
    assert day.room.current is not None and day.room.current.id == "kommentarer"
    day.act(NextExercise())
    assert day.room.current is None and day.room.exercise == 3
    with pytest.raises(Refused, match="day_over"):
        day.act(NextExercise())
    day.act(GotoExercise(index=-1))
    assert day.room.exercise == -1


def test_a_refused_action_leaves_the_room_exactly_as_it_was() -> None:
    day = Day.of(people=2)
    before = day.room
    for action in (Pause(), Resume(), Extend(), PassTurn()):
        with pytest.raises(Refused):
            day.act(action, by="p1" if isinstance(action, PassTurn) else "facilitator")
    assert day.room is before


def test_time_scale_shortens_every_phase_for_rehearsals() -> None:
    day = Day.of(people=1, time_scale=0.01)
    day.act(Start())
    assert day.room.timer is not None and day.room.timer.duration_ms == 1800


def test_network_groups_last_all_day_and_a_latecomer_joins_the_smallest() -> None:
    day = Day.of(people=5)
    day.act(FormGroups(mode="count", value=2))
    sizes = sorted([list(day.room.network_groups().values()).count(g) for g in (1, 2)])
    assert sizes == [2, 3]
    late = day.join("Sen")
    assert list(day.room.network_groups().values()).count(day.room.participants[late].group) == 3
    day.act(GotoExercise(index=0))
    day.act(NextExercise())
    day.act(GotoExercise(index=0))
    assert day.room.participants[late].group is not None


def test_a_pairs_exercise_makes_its_own_pairs_and_keeps_the_network_groups() -> None:
    day = Day.of(people=4)
    day.act(FormGroups(mode="size", value=4))
    day.act(GotoExercise(index=1))
    assert sorted(day.room.working_groups().values()) == [1, 1, 2, 2]
    assert set(day.room.network_groups().values()) == {1}


def test_moving_renaming_and_removing_a_participant() -> None:
    day = Day.of(people=4)
    day.act(FormGroups(mode="count", value=2))
    day.act(MoveParticipant(participant="p1", group=3))
    assert day.room.participants["p1"].group == 3
    day.act(RenameParticipant(participant="p2", name="  Kari  Nordmann "))
    assert day.room.participants["p2"].name == "Kari Nordmann"
    day.act(RemoveParticipant(participant="p3"))
    assert "p3" not in day.room.participants
    assert "p3" not in day.room.tokens.values()
    with pytest.raises(Refused, match="unknown_participant"):
        day.act(RenameParticipant(participant="p3", name="Igjen"))


def test_notes_are_kept_per_person_and_exercise() -> None:
    day = Day.of(people=2)
    day.act(Start())
    day.act(SaveNote(exercise="refleksjon", text="Tillit\nMot"), by="p1")
    day.act(SaveNote(exercise="refleksjon", text="Tillit, mot og glede"), by="p1")
    assert day.room.notes == {"p1": {"refleksjon": "Tillit, mot og glede"}}
    with pytest.raises(Refused, match="unknown_exercise"):
        day.act(SaveNote(exercise="finnes-ikke", text="x"), by="p2")


def test_round_robin_passes_by_tap_and_moves_on_by_itself_with_time_per_person() -> None:
    day = Day.of(RR_PROGRAM, people=3)
    day.act(FormGroups(mode="count", value=1))
    day.act(Start())
    assert day.room.current_speaker(1, day.now) == "p1"
    day.act(PassTurn(), by="p1")
    assert day.room.current_speaker(1, day.now) == "p2"
    day.wait(60)
    assert day.room.current_speaker(1, day.now) == "p3"
    day.wait(60)
    assert day.room.current_speaker(1, day.now) == "p1"  # round and round


def test_a_latecomer_speaks_last_in_the_round() -> None:
    day = Day.of(RR_PROGRAM, people=2)
    day.act(FormGroups(mode="count", value=1))
    day.act(Start())
    late = day.join("Sen")
    assert day.room.turns[1].order[-1] == late


def test_replaying_the_history_gives_the_same_room() -> None:
    day = Day.of(people=5)
    day.act(FormGroups(mode="size", value=2))
    day.act(Start())
    day.act(SaveNote(exercise="refleksjon", text="notat"), by="p2")
    day.wait(30)
    day.act(NextPhase())
    day.act(GotoExercise(index=1))
    assert day.replayed() == day.room
