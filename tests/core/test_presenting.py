"""The facilitator presents the room: a blank projector or a big QR code, results hidden on
the projector until revealed, the join address chosen, a step back, and minutes taken
off as well as added. Each test drives ``apply``; no server, no clock."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.core import views
from app.core.actions import (
    Extend,
    GotoExercise,
    HideResults,
    NextPhase,
    Pause,
    PreviousPhase,
    SetJoinAddress,
    ShowOnProjector,
    Start,
)
from app.core.registry import ACTION_ADAPTER, FACILITATOR_ACTIONS, PARTICIPANT_ACTIONS
from app.core.room import Refused
from app.core.serialize import room_from_json, room_to_json
from tests.core.roomkit import Day

ONE_TWO_FOUR = """
title = "1-2-4"
[[exercises]]
id = "liberating"
title = "1-2-4-Alle"
grouping = "1-2-4-all"
[[exercises.phases]]
kind = "I"
minutes = 1
[[exercises.phases]]
kind = "G"
minutes = 2
[[exercises.phases]]
kind = "G"
minutes = 4
[[exercises.phases]]
kind = "P"
minutes = 5
"""


def test_the_projector_blanks_and_shows_the_big_qr_code_for_the_staff_only() -> None:
    day = Day.of(people=2)
    assert views.snapshot(day.room, "projector")["presenting"] == {
        "show": "room",
        "hidden": [],
        "join_base": None,
    }
    changes = day.act(ShowOnProjector(show="blank"))
    assert day.room.presenting.show == "blank"
    events = views.events(day.room, changes)
    assert [(e.audience, list(e.patch)) for e in events] == [(views.STAFF, ["presenting"])]
    day.act(ShowOnProjector(show="qr"))
    assert views.snapshot(day.room, "facilitator")["presenting"]["show"] == "qr"
    assert "presenting" not in views.snapshot(day.room, "participant", "p1")
    day.act(ShowOnProjector(show="room"))
    presenting = day.room.presenting  # read again: the action replaced it
    assert presenting.show == "room"


def test_only_the_facilitator_presents() -> None:
    for kind in ("projector_show", "hide_results", "set_join_address", "previous_phase"):
        assert kind in FACILITATOR_ACTIONS
        assert kind not in PARTICIPANT_ACTIONS


def test_results_hidden_until_revealed_by_exercise() -> None:
    day = Day.of(people=2)
    day.act(Start())
    day.act(HideResults(exercise="kommentarer", hidden=True))
    day.act(HideResults(exercise="refleksjon", hidden=True))
    assert views.snapshot(day.room, "projector")["presenting"]["hidden"] == ["kommentarer", "refleksjon"]
    day.act(HideResults(exercise="kommentarer", hidden=False))  # revealed
    assert day.room.presenting.hidden == ("refleksjon",)
    with pytest.raises(Refused) as refused:
        day.act(HideResults(exercise="finnes-ikke", hidden=True))
    assert refused.value.code == "unknown_exercise"


def test_the_join_address_is_chosen_once_and_kept_through_a_replay_and_a_snapshot() -> None:
    day = Day.of(people=1)
    day.act(SetJoinAddress(url="http://192.168.1.23:8000"))
    assert views.snapshot(day.room, "facilitator")["presenting"]["join_base"] == "http://192.168.1.23:8000"
    assert day.replayed().presenting == day.room.presenting
    assert room_from_json(room_to_json(day.room), day.room.program).presenting == day.room.presenting
    day.act(SetJoinAddress(url=None))
    assert day.room.presenting.join_base is None


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "http://", "ftp://10.0.0.1", "http://10.0.0.1/j/ABC", "http://a b", "x" * 300],
)
def test_a_join_address_is_a_plain_http_origin(url: str) -> None:
    with pytest.raises(ValidationError):
        ACTION_ADAPTER.validate_python({"type": "set_join_address", "url": url})


def test_minutes_come_off_as_well_as_on_and_never_below_zero() -> None:
    day = Day.of(people=1)
    day.act(Start())  # refleksjon: 3 minutes
    day.act(Extend(seconds=-60))
    assert day.room.timer is not None
    assert day.room.timer.remaining(day.now) == 2 * 60_000
    day.wait(90)
    day.act(Extend(seconds=-60))  # 30 s were left: time is up, not negative
    assert day.room.timer.remaining(day.now) == 0
    assert day.room.timer.elapsed(day.now) == 90_000
    day.act(Extend(seconds=60))  # and a minute more runs again
    assert day.room.timer.remaining(day.now) == 60_000
    day.act(Pause())
    day.act(Extend(seconds=-120))
    assert day.room.timer.remaining(day.now) == 0
    with pytest.raises(ValidationError):
        ACTION_ADAPTER.validate_python({"type": "extend", "seconds": 0})


def test_a_step_back_returns_to_the_phase_before_with_its_timer_ready() -> None:
    day = Day.of(people=2)
    day.act(Start())
    day.act(NextPhase())  # refleksjon: I -> G
    assert day.room.phase == 1
    day.act(PreviousPhase())
    assert day.room.phase == 0
    assert day.room.timer is not None
    assert day.room.timer.status == "ready"
    assert day.room.timer.remaining(day.now) == 3 * 60_000
    with pytest.raises(Refused) as refused:
        day.act(PreviousPhase())
    assert refused.value.code == "first_phase"


def test_a_step_back_in_1_2_4_all_brings_back_the_groups_of_that_step() -> None:
    day = Day.of(ONE_TWO_FOUR, people=8)
    day.act(Start())
    assert day.room.exercise_groups == {}
    day.act(NextPhase())
    pairs = dict(day.room.exercise_groups)
    day.act(NextPhase())
    fours = dict(day.room.exercise_groups)
    assert len(set(fours.values())) == 2
    day.act(NextPhase())  # all
    day.act(PreviousPhase())
    assert day.room.exercise_groups == fours
    day.act(PreviousPhase())
    assert day.room.exercise_groups == pairs
    day.act(PreviousPhase())
    assert day.room.exercise_groups == {}
    assert views.position(day.room)["step"] == "1"


def test_no_step_back_before_the_day() -> None:
    day = Day.of(people=1)
    with pytest.raises(Refused):
        day.act(PreviousPhase())
    day.act(GotoExercise(index=1))
    with pytest.raises(Refused):
        day.act(PreviousPhase())
