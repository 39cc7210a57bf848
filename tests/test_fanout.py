"""The fan-out: what each screen of a room in this process is sent, and when.

No server and no database: the room changes through the pure core, and the screens are
stand-ins that keep the frames they were sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.core import views
from app.core.actions import FormGroups, Join, NextPhase, Pause, RemoveParticipant, SaveNote, Start
from app.core.kinds import wordcloud
from app.core.program import load_program_text
from app.core.room import FACILITATOR, SYSTEM, Command, Room, apply
from app.protocol import encode
from app.realtime.connection import CLOSE_REMOVED, CLOSE_TOO_SLOW
from app.realtime.fanout import FanOut, Step
from app.workshops import digest
from tests.fakescreen import FakeScreen
from tests.phoneclient import merge_people, run_async
from tests.roomkit import CLOUD_PROGRAM, DEMO_PROGRAM


def command(action: Any, actor: str, at: int = 1_000) -> Command:
    return Command(action=action, at=at, actor=actor, seed=7)


class Story:
    """A room and the steps applied to it, for feeding a fan-out."""

    def __init__(self) -> None:
        self.room = Room(code="ABCDEF", program=load_program_text(DEMO_PROGRAM, source="demo.toml"))

    def do(self, action: Any, actor: str = FACILITATOR) -> Step:
        before = self.room
        after, changes = apply(before, command(action, actor))
        self.room = after
        return Step(before, changes, after)

    @classmethod
    def cloud(cls, people: int) -> Story:
        """A word cloud under way, with ``people`` joined (p1, p2, ...)."""
        story = cls()
        story.room = Room(code="ABCDEF", program=load_program_text(CLOUD_PROGRAM, source="ordsky.toml"))
        for i in range(people):
            story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)
        story.do(Start())
        return story


def test_screens_are_told_in_sequence_order_whatever_order_the_steps_come_in() -> None:
    story = Story()
    kari = story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    staff, phone = FakeScreen(role="facilitator"), FakeScreen(participant="p1")
    fanout.attach(staff, None)  # type: ignore[arg-type]
    fanout.attach(phone, None)  # type: ignore[arg-type]
    assert kari.seq == fanout.delivered

    start, pause = story.do(Start()), story.do(Pause())
    fanout.applied([pause])  # read first from the bus, say: it waits for the one before
    assert not phone.of_type("event")
    fanout.applied([start, pause])  # both, and one of them twice
    seqs = [f["seq"] for f in phone.of_type("event")]
    assert seqs == sorted(seqs) and set(seqs) == {start.seq, pause.seq}
    assert phone.of_type("event")[-1]["patch"]["position"]["timer"]["status"] == "paused"
    assert fanout.delivered == pause.seq and fanout.room is pause.after


def test_a_private_note_goes_to_its_writer_only_and_a_reconnect_gets_only_what_it_missed() -> None:
    story = Story()
    story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    story.do(Join(name="Ola", token_hash=digest("t2")), SYSTEM)
    started = story.do(Start())
    fanout = FanOut(story.room, board_interval_ms=0)
    staff, kari, ola = (
        FakeScreen(role="projector"),
        FakeScreen(participant="p1"),
        FakeScreen(participant="p2"),
    )
    for screen in (staff, kari, ola):
        fanout.attach(screen, None)  # type: ignore[arg-type]
    fanout.detach(ola)  # type: ignore[arg-type]
    last_seen = started.seq

    fanout.applied([story.do(SaveNote(exercise="refleksjon", text="hemmelig"), "p1")])
    paused = story.do(Pause())
    fanout.applied([paused])
    assert "hemmelig" in json.dumps(kari.frames)
    assert "hemmelig" not in json.dumps(staff.frames)

    back = FakeScreen(participant="p2")
    fanout.attach(back, last_seen)  # type: ignore[arg-type]
    assert back.frames[0]["type"] == "welcome"
    assert not back.of_type("snapshot"), "still in the replay buffer: only the events"
    assert [f["seq"] for f in back.of_type("event")] == [paused.seq]
    assert "hemmelig" not in json.dumps(back.frames)


def test_the_staff_see_who_comes_and_goes_once_per_person() -> None:
    story = Story()
    story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    staff = FakeScreen(role="facilitator")
    fanout.attach(staff, None)  # type: ignore[arg-type]
    phone, tablet = FakeScreen(participant="p1"), FakeScreen(participant="p1")
    fanout.attach(phone, None)  # type: ignore[arg-type]
    fanout.attach(tablet, None)  # type: ignore[arg-type]
    fanout.detach(phone)  # type: ignore[arg-type]
    assert [(f["online"], f["offline"]) for f in staff.of_type("people")] == [(["p1"], [])]
    fanout.detach(tablet)  # type: ignore[arg-type]
    assert [(f["online"], f["offline"]) for f in staff.of_type("people")] == [(["p1"], []), ([], ["p1"])]
    late = FakeScreen(role="facilitator")
    fanout.attach(late, None)  # type: ignore[arg-type]
    assert late.of_type("snapshot")[0]["state"]["online"] == []


def test_a_removed_participant_is_told_and_disconnected() -> None:
    story = Story()
    story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    phone = FakeScreen(participant="p1")
    fanout.attach(phone, None)  # type: ignore[arg-type]
    fanout.applied([story.do(RemoveParticipant(participant="p1"))])
    assert phone.of_type("event")[-1]["patch"]["me"] == {"id": "p1", "removed": True}
    assert phone.closed_with == CLOSE_REMOVED


def test_the_board_reaches_the_staff_at_most_once_per_interval_and_the_last_one_is_current() -> None:
    class Projector(FakeScreen):
        def send(self, frame: str) -> None:
            super().send(frame)
            self.frames[-1]["at"] = time.monotonic()

    async def burst() -> tuple[Projector, Story, float]:
        story = Story.cloud(20)
        fanout = FanOut(story.room, board_interval_ms=200)
        projector = Projector(role="projector")
        fanout.attach(projector, None)  # type: ignore[arg-type]
        began = time.monotonic()
        for i in range(20):
            fanout.applied([story.do(wordcloud.Submit(exercise="ordsky", word="Tillit"), f"p{i + 1}")])
            await asyncio.sleep(0.01)
        took = time.monotonic() - began
        await asyncio.sleep(0.3)
        fanout.stop()
        return projector, story, took

    projector, story, took = run_async(burst())
    boards = [f for f in projector.of_type("event") if "board" in f["patch"]]
    assert 1 <= len(boards) <= took / 0.2 + 2, "20 words in a moment: a board or two, not twenty"
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(boards)]
    assert all(gap >= 0.19 for gap in gaps), gaps
    assert boards[-1]["patch"] == views.board_patch(story.room), "the last board has every word"


def test_a_view_that_fails_never_reaches_the_writer_and_the_screens_start_afresh(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    story = Story()
    story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    phone = FakeScreen(participant="p1")
    fanout.attach(phone, None)  # type: ignore[arg-type]

    def broken(*args: Any) -> list[views.Event]:
        raise RuntimeError("a bug in a view")

    monkeypatch.setattr(views, "events", broken)
    started = story.do(Start())
    fanout.applied([started])  # does not raise
    assert fanout.delivered == started.seq
    assert phone.closed_with == CLOSE_TOO_SLOW, "it reconnects and gets a snapshot"
    assert not fanout.recent, "no replay across the gap"


def test_joins_reach_the_staff_as_the_new_lines_only_gathered_and_never_the_whole_list() -> None:
    """2,000 phones join in a burst while the facilitator and the projector watch: the
    staff get a few small ``people`` messages with the new lines, not the whole list per
    join (5,000 joins used to send the facilitator 778 MB)."""

    async def burst() -> tuple[list[FakeScreen], Story]:
        story = Story()
        fanout = FanOut(story.room, board_interval_ms=200)
        staff = [FakeScreen(role="facilitator"), FakeScreen(role="projector")]
        for screen in staff:
            fanout.attach(screen, None)  # type: ignore[arg-type]
        for i in range(2000):
            fanout.applied([story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)])
            if i % 100 == 99:
                await asyncio.sleep(0.05)  # the joins come over a second or two
        await asyncio.sleep(0.3)
        fanout.stop()
        return staff, story

    staff, story = run_async(burst())
    for screen in staff:
        people = screen.of_type("people")
        assert len(people) <= 30, "gathered: a few messages a second, not one per join"
        assert sum(len(m["changed"]) for m in people) == 2000, "each new line once"
        assert all("participants" not in f.get("patch", {}) for f in screen.of_type("event"))
        sent = sum(len(json.dumps(f)) for f in screen.frames if f["type"] != "snapshot")
        assert sent < 2000 * 300, f"{sent} bytes for 2,000 joins"
        state = screen.of_type("snapshot")[0]["state"]
        for message in people:
            merge_people(state, message)
        assert state["participants"] == views.participants(story.room), "the same list as a snapshot"


def thirty_and_the_facilitator() -> tuple[Story, FanOut, FakeScreen]:
    story = Story()
    for i in range(30):
        story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    staff = FakeScreen(role="facilitator")
    fanout.attach(staff, None)  # type: ignore[arg-type]
    return story, fanout, staff


def test_a_phase_change_tells_the_staff_only_the_lines_that_changed() -> None:
    story, fanout, staff = thirty_and_the_facilitator()
    fanout.applied([story.do(Start())])  # every phone's view may change; no line did
    assert not staff.of_type("people")
    assert all("participants" not in f["patch"] for f in staff.of_type("event"))
    fanout.applied([story.do(FormGroups(mode="count", value=3))])  # every line changes, once
    (people,) = staff.of_type("people")
    assert len(people["changed"]) == 30 and people["removed"] == []
    fanout.applied([story.do(RemoveParticipant(participant="p7"))])
    removal = staff.of_type("people")[-1]
    assert "p7" in removal["removed"] and all(line["id"] != "p7" for line in removal["changed"])


def test_a_phase_change_that_moves_no_one_makes_no_line_of_the_list_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every phone's view may change with a phase, so every line of the staff's list might
    have: made again and compared, 5,000 of them, before the facilitator's answer. A phase
    that keeps the people and their groups cannot change a line."""
    story, fanout, staff = thirty_and_the_facilitator()
    fanout.applied([story.do(Start())])
    made: list[str] = []
    line = views.participant

    def counted(room: Room, pid: str, groups: views.Groups) -> dict[str, Any]:
        made.append(pid)
        return line(room, pid, groups)

    monkeypatch.setattr(views, "participant", counted)
    fanout.applied([story.do(NextPhase())])
    assert not made, f"{len(made)} lines made again for a phase that moved no one"
    assert not staff.of_type("people")
    fanout.applied([story.do(FormGroups(mode="count", value=3))])  # every line changes: all sent
    (people,) = staff.of_type("people")
    assert len(people["changed"]) == 30 and {line["group"] for line in people["changed"]} == {1, 2, 3}


def test_a_phone_back_after_a_gap_gets_what_everyone_got_and_its_own_view_as_it_is_now() -> None:
    story = Story()
    for i in range(4):
        story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)
    started = story.do(Start())
    fanout = FanOut(story.room, board_interval_ms=0)
    fanout.applied([started])
    fanout.applied([story.do(FormGroups(mode="count", value=2))])  # p2's group: its own view
    fanout.applied([story.do(Pause())])
    back = FakeScreen(participant="p2")
    fanout.attach(back, started.seq)  # type: ignore[arg-type]
    assert not back.of_type("snapshot")
    events = back.of_type("event")
    assert events[-1]["seq"] == fanout.delivered
    assert events[-1]["patch"] == json.loads(json.dumps(views.personal_patch(story.room, "p2")))
    assert events[0]["patch"]["position"]["timer"]["status"] == "paused"


@dataclass(eq=False)
class RawScreen(FakeScreen):
    """A screen that also keeps the text of each frame, as the browser receives it."""

    texts: list[str] = field(default_factory=list)

    def send(self, frame: str) -> None:
        self.texts.append(frame)
        super().send(frame)


SHARED_KEYS = ("room", "agenda", "position")


def test_phones_attaching_at_one_state_share_the_room_and_each_get_their_own_view() -> None:
    """After a restart thousands of phones say hello at the same state: what they share is
    made once, but each still gets exactly the snapshot made for it alone, its own notes
    and group, and no one else's; a phone that comes after a change gets the room as it
    is then."""
    story = Story()
    for i in range(4):
        story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)
    story.do(Start())
    story.do(FormGroups(mode="count", value=2))
    story.do(SaveNote(exercise="refleksjon", text="Kari sin hemmelighet"), "p1")
    story.do(SaveNote(exercise="refleksjon", text="Olas hemmelighet"), "p2")
    fanout = FanOut(story.room, board_interval_ms=0)
    kari, ola = RawScreen(participant="p1"), RawScreen(participant="p2")
    projector = RawScreen(role="projector")
    for screen in (kari, ola, projector):
        fanout.attach(screen, None)  # type: ignore[arg-type]

    def alone(pid: str) -> str:  # the frame made for this phone only
        state = views.snapshot(story.room, "participant", pid)
        return encode({"type": "snapshot", "seq": fanout.delivered, "state": state})

    assert kari.texts[1] == alone("p1") and ola.texts[1] == alone("p2"), "the same text as made alone"
    mine, theirs = kari.of_type("snapshot")[0]["state"], ola.of_type("snapshot")[0]["state"]
    assert {key: mine[key] for key in SHARED_KEYS} == {key: theirs[key] for key in SHARED_KEYS}
    assert (mine["me"]["id"], theirs["me"]["id"]) == ("p1", "p2")
    assert mine["notes"] == {"refleksjon": "Kari sin hemmelighet"}
    assert theirs["notes"] == {"refleksjon": "Olas hemmelighet"}
    assert "Kari sin" not in ola.texts[1] and "Olas" not in kari.texts[1]
    assert mine["me"]["group"] != theirs["me"]["group"]
    assert "Kari sin" not in projector.texts[1], "the staff's own snapshot, without anyone's notes"
    assert "participants" in projector.of_type("snapshot")[0]["state"]

    fanout.applied([story.do(Pause())])
    later = RawScreen(participant="p3")
    fanout.attach(later, None)  # type: ignore[arg-type]
    assert later.texts[1] == alone("p3")
    assert later.of_type("snapshot")[0]["state"]["position"]["timer"]["status"] == "paused"
    fanout.applied([story.do(SaveNote(exercise="refleksjon", text="Per sitt"), "p3")])  # not public
    again = RawScreen(participant="p3")
    fanout.attach(again, None)  # type: ignore[arg-type]
    assert again.texts[1] == alone("p3") and "Per sitt" in again.texts[1]


def test_a_join_makes_the_views_of_the_connected_phones_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A join changes the newcomer's own view and their group mates': the newcomer's phone
    is never connected yet (it gets its page and then its snapshot), and a mate who is
    not connected gets their view when they connect; only the connected mates' are made."""
    story = Story()
    for i in range(3):
        story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)
    story.do(FormGroups(mode="count", value=1))  # everyone together: each join is everyone's mate
    fanout = FanOut(story.room, board_interval_ms=0)
    kari = FakeScreen(participant="p1")
    fanout.attach(kari, None)  # type: ignore[arg-type]
    made: list[str] = []
    personal_patch = views.personal_patch

    def counted(room: Room, pid: str, groups: views.Groups | None = None) -> dict[str, Any]:
        made.append(pid)
        return personal_patch(room, pid, groups)

    monkeypatch.setattr(views, "personal_patch", counted)
    for i in range(3, 50):
        fanout.applied([story.do(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM)])
    assert made == ["p1"] * 47, "the newcomers' and the unconnected mates' views were made"
    last = [f for f in kari.of_type("event") if "me" in f["patch"]][-1]["patch"]["me"]
    assert [m["id"] for m in last["members"]] == [f"p{i}" for i in range(1, 51)]  # with every newcomer


def test_a_word_is_told_to_its_author_without_looking_at_every_connected_phone() -> None:
    """A word changes its author's own view only: which phones are connected is asked of
    that one phone, not by going through all of them (at 5,000 connected phones every word
    went through the 5,000, and a burst of 15,000 words cost the server a fifth more)."""

    class Connected(dict[str, Any]):
        def __iter__(self) -> Any:
            raise AssertionError("went through every connected phone for one word")

    story = Story.cloud(30)
    fanout = FanOut(story.room, board_interval_ms=0)
    phones = [FakeScreen(participant=f"p{i + 1}") for i in range(30)]
    for phone in phones:
        fanout.attach(phone, None)  # type: ignore[arg-type]
    fanout.phones = Connected(fanout.phones)
    fanout.applied([story.do(wordcloud.Submit(exercise="ordsky", word="Tillit"), "p3")])
    mine = [f["patch"]["me"] for f in phones[2].of_type("event") if "me" in f["patch"]]
    assert mine, "the author's phone was not told of its word"
    assert not any("me" in f["patch"] for p in phones if p is not phones[2] for f in p.of_type("event"))
