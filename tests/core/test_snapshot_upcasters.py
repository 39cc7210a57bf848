"""Snapshots written by an older server load to the same room as this one would have.

Version 2 timed a round robin's turn by the wall clock (``since``, epoch ms); version 3
by the phase's timer (``since_ms``), so that a turn stands still while the phase is
paused. A room snapshotted mid-turn by the old server must go on with the same speaker
and the same time left for them, not jump ahead or start over. Version 4 keeps the groups
of the exercises left, for «Mine svar».
"""

from __future__ import annotations

import json
from dataclasses import replace

from app.core.actions import PassTurn, Pause, Start
from app.core.serialize import SNAPSHOTS, room_from_json, room_to_json
from tests.core.test_room import rr_day, speaker


def as_version_2(snapshot: bytes, wall_since: dict[str, int]) -> bytes:
    """The snapshot as the old server wrote it: each turn's start as a wall-clock time."""
    record = json.loads(snapshot)
    record["v"] = 2
    for group, turn in record["room"]["turns"].items():
        del turn["since_ms"]
        turn["since"] = wall_since[group]
    return json.dumps(record).encode()


def test_a_running_round_robin_goes_on_with_the_same_speaker_and_time_left() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    day.wait(10)
    day.act(PassTurn(), by="p1")  # p2 has the floor from here, on the old server's clock
    passed_at = day.now
    day.wait(45)
    old = as_version_2(room_to_json(day.room), {"1": passed_at})
    loaded = room_from_json(old, day.room.program)
    assert loaded == day.room
    day.room = loaded
    assert speaker(day) == "p2"
    day.wait(14)
    assert speaker(day) == "p2", "p2 still has a second of the minute"
    day.wait(2)
    assert speaker(day) == "p3"


def test_a_paused_round_robin_gives_the_speaker_their_turn_from_the_resume() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    day.wait(20)
    day.act(Pause())
    day.wait(300)  # the old server's wall clock ran on while the phase stood still
    old = as_version_2(room_to_json(day.room), {"1": day.now - 320_000})
    loaded = room_from_json(old, day.room.program)
    assert loaded.turns[1].since_ms == loaded.elapsed(day.now)
    day.room = loaded
    assert speaker(day) == "p1", "the pause did not use up anyone's turn"


def test_this_server_writes_version_4() -> None:
    day = rr_day(per_person_seconds=60)
    day.act(Start())
    assert json.loads(room_to_json(day.room))["v"] == SNAPSHOTS.version == 4


def test_a_version_3_snapshot_loads_with_the_current_exercises_groups_and_keeps_the_next() -> None:
    """Version 3 kept no groups of the exercises left (``groups_by_exercise``): it loads
    without them; the current exercise's groups are there, and kept when it is left."""
    from app.core import workbook
    from app.core.actions import NextExercise
    from tests.core.roomkit import Day
    from tests.core.test_workbook import GROUPS_DAY

    day = Day.of(GROUPS_DAY, people=4)
    day.act(Start())
    day.act(NextExercise())  # Impromptu Networking left: its pairs kept
    day.act(NextExercise())  # the trios now
    record = json.loads(room_to_json(day.room))
    assert record["room"].pop("groups_by_exercise") != {}
    record["v"] = 3
    loaded = room_from_json(json.dumps(record).encode(), day.room.program)
    assert loaded == replace(day.room, groups_by_exercise={})
    mine = workbook.personal(loaded, "p1")
    assert mine is not None and [g.exercise for g in mine.groups] == ["trioer"]
    day.room = loaded
    day.act(NextExercise())
    mine = workbook.personal(day.room, "p1")
    assert mine is not None and [g.exercise for g in mine.groups] == ["trioer"]  # kept on leaving
