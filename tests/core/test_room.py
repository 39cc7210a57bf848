"""The room reducer: joining, groups, moving through the day, notes and round robins.
Each test drives ``apply`` with commands at chosen moments; no server, no clock."""

from __future__ import annotations

import pytest

from app.core import views
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
    timer = day.room.timer  # read again: the actions above replaced it
    assert timer is not None and timer.status == "ready"


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
    group = day.room.participants[late].group
    assert group is not None and list(day.room.network_groups().values()).count(group) == 3
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


def rr_day(people: int = 3, **round_robin: object) -> Day:
    settings = ", ".join(
        f"{k} = {str(v).lower() if isinstance(v, bool) else v}" for k, v in round_robin.items()
    )
    program = RR_PROGRAM.replace("per_person_seconds = 60", settings or "per_person_seconds = 60")
    day = Day.of(program, people=people)
    day.act(FormGroups(mode="count", value=1))
    return day


def speaker(day: Day) -> str | None:
    return day.room.current_speaker(1, day.now)


def test_round_robin_passes_by_tap_and_moves_on_by_itself_with_time_per_person() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    assert speaker(day) == "p1"
    day.act(PassTurn(), by="p1")
    assert speaker(day) == "p2"
    day.wait(60)
    assert speaker(day) == "p3"


def test_round_robin_ends_after_one_full_round_by_time() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    day.wait(3 * 60 - 1)
    assert speaker(day) == "p3"
    day.wait(1)
    assert speaker(day) is None and day.room.round_over(1, day.now)  # not p1 again
    with pytest.raises(Refused, match="round_over"):
        day.act(PassTurn(), by="p1")


def test_round_robin_ends_after_one_full_round_by_tap() -> None:
    day = rr_day(per_person_seconds=0)
    day.act(Start())
    for pid in ("p1", "p2", "p3"):
        assert speaker(day) == pid
        day.act(PassTurn(), by=pid)
    assert speaker(day) is None and day.room.round_over(1, day.now)


def test_the_program_may_ask_for_more_rounds_or_round_and_round() -> None:
    day = rr_day(per_person_seconds=60, rounds=2)
    day.act(Start())
    day.wait(3 * 60)
    assert speaker(day) == "p1"  # round 2
    day.wait(3 * 60)
    assert speaker(day) is None
    endless = rr_day(per_person_seconds=60, rounds=0)
    endless.act(Start())
    endless.wait(10 * 60 - 1)  # until the phase ends
    assert speaker(endless) == "p1"


def test_round_robin_does_not_run_before_start_and_start_begins_with_the_first_speaker() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(GotoExercise(index=0))  # the phase is ready; people find their seats
    day.wait(5 * 60)
    assert speaker(day) == "p1"
    with pytest.raises(Refused, match="not_started"):
        day.act(PassTurn(), by="p1")
    day.act(Start())
    day.wait(59)
    assert speaker(day) == "p1"
    day.wait(1)
    assert speaker(day) == "p2"
    day.act(Start())  # pressing Start again does not send the round back to p1
    assert speaker(day) == "p2"


def test_round_robin_is_frozen_while_the_timer_is_paused() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    day.wait(30)
    day.act(Pause())
    day.wait(10 * 60)
    assert speaker(day) == "p1"
    day.act(Resume())
    day.wait(29)
    assert speaker(day) == "p1"
    day.wait(1)
    assert speaker(day) == "p2"


def test_only_the_speaker_passes_the_turn_unless_the_program_lets_anyone() -> None:
    day = rr_day(per_person_seconds=0)
    day.act(Start())
    before = day.room
    with pytest.raises(Refused, match="not_your_turn"):
        day.act(PassTurn(), by="p2")
    assert day.room is before
    anyone = rr_day(per_person_seconds=0, anyone_passes=True)
    anyone.act(Start())
    anyone.act(PassTurn(turn=0), by="p3")
    assert speaker(anyone) == "p2"


def test_the_facilitator_passes_the_turn_for_a_group_whose_speaker_does_not() -> None:
    # Only the speaker passes: when Kari forgets «Ferdig» (or her phone sleeps), the group's
    # phones said «Kari har ordet» until the phase ended. The facilitator can move it on.
    day = rr_day(per_person_seconds=0)
    day.act(GotoExercise(index=0))
    with pytest.raises(Refused, match="not_started"):
        day.act(PassTurn(group=1))
    day.act(Start())
    with pytest.raises(Refused, match="no_round_robin"):
        day.act(PassTurn(group=2))  # no such group
    with pytest.raises(Refused, match="no_round_robin"):
        day.act(PassTurn())  # the facilitator names the group
    changes = day.act(PassTurn(group=1, turn=0))
    assert speaker(day) == "p2"
    assert changes.board and changes.personal == {"p1", "p2", "p3"}  # the staff's turns: board_patch
    with pytest.raises(Refused, match="turn_moved"):
        day.act(PassTurn(group=1, turn=0))  # a second click for the same turn
    turns = views.board_patch(day.room)["turns"]
    assert turns == {"1": {"order": ["p1", "p2", "p3"], "index": 1, "since_ms": 0}}
    with pytest.raises(Refused, match="not_your_turn"):
        day.act(PassTurn(group=1), by="p3")  # a phone still may not
    assert day.replayed() == day.room


def test_two_taps_for_the_same_turn_move_it_on_once() -> None:
    day = rr_day(per_person_seconds=0, anyone_passes=True)
    day.act(Start())
    day.act(PassTurn(turn=0), by="p2")
    with pytest.raises(Refused, match="turn_moved"):
        day.act(PassTurn(turn=0), by="p3")
    assert speaker(day) == "p2"


def test_when_the_speaker_leaves_the_next_person_has_the_turn() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    day.wait(60 + 30)  # p2, half way
    day.act(RemoveParticipant(participant="p2"))
    assert speaker(day) == "p3"
    day.wait(59)
    assert speaker(day) == "p3"  # a full turn of their own
    day.wait(1)
    assert speaker(day) is None  # p1 and p3 have both spoken


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


PER_PERSON = """
title = "Nettverk"
network_group_size = 5
[[exercises]]
id = "soker"
title = "Jeg søker"
[[exercises.phases]]
kind = "G"
minutes_per_person = 1
round_robin = { per_person_seconds = 60 }
"""


def test_a_phase_timed_per_person_lasts_that_long_for_the_largest_group() -> None:
    day = Day.of(PER_PERSON, people=13)
    day.act(FormGroups(mode="count", value=3))  # 5 + 4 + 4
    day.act(Start())
    assert day.room.timer is not None and day.room.timer.duration_ms == 5 * 60_000


def test_a_ready_phase_timed_per_person_follows_the_groups_until_it_starts() -> None:
    day = Day.of(PER_PERSON, people=12)
    day.act(GotoExercise(index=0))
    assert day.room.timer is not None and day.room.timer.duration_ms == 5 * 60_000  # planned size
    changes = day.act(FormGroups(mode="count", value=2))
    assert changes.public and day.room.timer.duration_ms == 6 * 60_000
    day.join("Sen")  # a seventh in one group
    assert day.room.timer.duration_ms == 7 * 60_000
    day.act(Start())
    day.join("Enda senere")
    assert day.room.timer.duration_ms == 7 * 60_000  # a running phase keeps its time


def test_the_plan_counts_per_person_phases_with_the_programs_group_size() -> None:
    program = Day.of(PER_PERSON).room.program
    assert program.planned_ms(program.exercises[0]) == 5 * 60_000
