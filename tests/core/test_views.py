"""What each screen may see: private things (notes, other people's details) only ever go
to their owner, and every change reaches exactly the screens it concerns."""

from __future__ import annotations

import json
from pathlib import Path

from app.core import views
from app.core.actions import FormGroups, SaveNote, Start
from app.core.program import load_program_text
from app.core.room import Room, apply
from app.core.serialize import command_from_json
from tests.core.roomkit import Day
from tests.golden.scenarios import PROGRAMS

GOLDEN = Path(__file__).parent.parent / "golden"


def test_a_phone_sees_its_own_notes_and_group_but_never_the_participant_list() -> None:
    day = Day.of(people=3)
    day.act(FormGroups(mode="count", value=1))
    day.act(Start())
    day.act(SaveNote(exercise="refleksjon", text="hemmelig notat"), by="p1")
    mine = views.snapshot(day.room, "participant", "p1")
    theirs = views.snapshot(day.room, "participant", "p2")
    assert mine["notes"] == {"refleksjon": "hemmelig notat"}
    assert "hemmelig notat" not in json.dumps(theirs)
    assert "participants" not in theirs
    assert theirs["me"]["name"] == "Person 2"
    assert {m["name"] for m in theirs["me"]["members"]} == {"Person 1", "Person 2", "Person 3"}


def test_the_projector_and_facilitator_see_people_but_no_notes() -> None:
    day = Day.of(people=2)
    day.act(Start())
    day.act(SaveNote(exercise="refleksjon", text="hemmelig notat"), by="p1")
    for role in ("projector", "facilitator"):
        state = views.snapshot(day.room, role)
        assert [p["name"] for p in state["participants"]] == ["Person 1", "Person 2"]
        assert "hemmelig notat" not in json.dumps(state)
        assert "tokens" not in json.dumps(state)


def test_every_screen_gets_the_same_position_and_deadline() -> None:
    day = Day.of(people=1)
    day.act(Start())
    positions = [
        views.snapshot(day.room, role, "p1")["position"]
        for role in ("facilitator", "projector", "participant")
    ]
    assert positions[0] == positions[1] == positions[2]
    assert positions[0]["timer"]["ends_at"] == day.now + 180_000


def test_a_note_is_an_event_for_its_writer_only() -> None:
    day = Day.of(people=3)
    day.act(Start())
    before = day.room
    changes = day.act(SaveNote(exercise="refleksjon", text="x"), by="p2")
    events = views.events(day.room, changes, before)
    assert [e.audience for e in events] == ["p2"]


def test_starting_a_phase_tells_every_screen() -> None:
    day = Day.of(people=2)
    before = day.room
    changes = day.act(Start())
    audiences = [e.audience for e in views.events(day.room, changes, before)]
    assert audiences[0] == views.ALL
    assert {"p1", "p2"} <= set(audiences)


def test_the_agenda_has_planned_offsets_in_program_minutes() -> None:
    day = Day.of()
    agenda = views.agenda(day.room)
    assert [item["planned_offset_ms"] for item in agenda] == [0, 21 * 60_000, 28 * 60_000]


def test_what_every_screen_shares_changes_only_with_an_action_that_says_so() -> None:
    """The room's header, agenda and position change only with an action that tells every
    screen (``public`` or ``plan``): the fan-out keeps them, encoded, across every other
    action (a burst of words), for the phones that attach meanwhile. Every action of every
    golden day, replayed."""
    played = 0
    for history_file in sorted(GOLDEN.glob("*/history.json")):
        history = json.loads(history_file.read_text(encoding="utf-8"))
        meta = history["workshop"]
        program_text = (PROGRAMS / meta["program_name"]).read_text(encoding="utf-8")
        room = Room(
            code=meta["code"],
            program=load_program_text(program_text, source=meta["program_name"]),
            time_scale=meta["time_scale"],
        )
        shared = views.shared_state(room)
        for row in history["commands"]:
            cmd = command_from_json(row["body"])
            room, changes = apply(room, cmd)
            now = views.shared_state(room)
            if not (changes.public or changes.plan):
                assert now == shared, f"{history_file.parent.name} {row['seq']} {cmd.action.type}"
            shared = now
            played += 1
    assert played > 300
