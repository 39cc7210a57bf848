"""The garbage collector as the server manages it (app/realtime/collector.py): what lives
on is frozen so full collections no longer look at it, garbage in cycles is still freed,
and the one long collection (a sweep) waits until the rooms are quiet."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from app.realtime import collector
from app.realtime.collector import QUIET, Collector


class Node:
    """An object in a reference cycle, whose end a test can see (weakref)."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    now = [1_000.0]
    monkeypatch.setattr("app.realtime.collector.time.monotonic", lambda: now[0])
    yield now
    gc.unfreeze()


def test_a_tick_frees_new_garbage_and_freezes_what_lives_on(clock: list[float]) -> None:
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    try:
        frozen = gc.get_freeze_count()
        kept = [Node() for _ in range(1000)]  # a room's state, say: it stays
        gone = weakref.ref(Node())  # garbage in a cycle
        collector.busy()
        managed.tick()
        assert gone() is None, "garbage in a cycle is freed at the next tick"
        assert gc.get_freeze_count() >= frozen + 1000, "what lives on is frozen"
        assert not any(o is kept[0] for o in gc.get_objects(generation=2)), "no collection looks at it"
    finally:
        managed.stop()
    assert gc.get_freeze_count() == 0, "stopped: nothing stays frozen"


def test_garbage_among_frozen_objects_waits_for_a_quiet_sweep(clock: list[float]) -> None:
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    try:
        crowd = [Node() for _ in range(3 * max(1, gc.get_freeze_count()) // 2 + 1000)]
        left = weakref.ref(crowd[0])
        collector.busy()
        managed.tick()  # the crowd is frozen, and grew the frozen by half
        del crowd  # they leave: in cycles, and frozen
        collector.busy()
        clock[0] += QUIET / 2
        managed.tick()
        assert left() is not None, "no sweep while the rooms are busy"
        clock[0] += QUIET
        managed.tick()
        assert left() is None, "swept once the rooms were quiet"
    finally:
        managed.stop()


def test_the_collector_is_handed_back_as_it_was(clock: list[float]) -> None:
    before = gc.get_threshold()
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    assert gc.get_threshold() == collector.THRESHOLDS
    managed.stop()
    assert gc.get_threshold() == before


def test_a_room_that_leaves_memory_is_swept_at_the_next_quiet_moment(clock: list[float]) -> None:
    """A room evicted (idle), closed or deleted leaves its objects in cycles among the
    frozen; nothing new grows the frozen, yet they are freed once the rooms are quiet."""
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    try:
        room = [Node() for _ in range(3 * max(1, gc.get_freeze_count()) // 2 + 1000)]
        left = weakref.ref(room[0])
        collector.busy()
        managed.tick()  # the room is frozen: the frozen grew by half
        clock[0] += QUIET + 1
        managed.tick()  # quiet: swept; the room is still in memory, frozen again
        assert left() is not None
        del room  # the room leaves memory: in cycles, and frozen
        collector.released()
        managed.tick()
        clock[0] += QUIET + 1
        managed.tick()
        assert left() is None, "swept at the next quiet moment, though the frozen did not grow"
    finally:
        managed.stop()


def test_a_room_told_of_another_processs_actions_is_not_quiet(clock: list[float]) -> None:
    """With two workers, the one the facilitator is not on stores nothing itself, but its
    phones are told of every phase change: a sweep there (a full collection, 187 ms at
    2,500 phones in bench/broadcast.py --workers 2) stops their events just the same."""
    from app.core.actions import Join, Start
    from app.core.room import SYSTEM
    from app.realtime.fanout import FanOut
    from app.workshops import digest
    from tests.fakescreen import FakeScreen
    from tests.test_fanout import Story

    story = Story()
    story.do(Join(name="Kari", token_hash=digest("t1")), SYSTEM)
    fanout = FanOut(story.room, board_interval_ms=0)
    phone = FakeScreen(participant="p1")
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    try:
        fanout.attach(phone, None)  # type: ignore[arg-type]
        crowd = [Node() for _ in range(3 * max(1, gc.get_freeze_count()) // 2 + 1000)]
        left = weakref.ref(crowd[0])
        managed.tick()  # the crowd is frozen, and grew the frozen by half
        del crowd  # they leave: in cycles, and frozen
        clock[0] += QUIET / 2
        fanout.applied([story.do(Start())])  # another process stored it; the bus says so
        clock[0] += QUIET / 2 + 1
        managed.tick()
        assert phone.of_type("event"), "the phone was told"
        assert left() is not None, "no sweep while the room's screens are being told"
    finally:
        managed.stop()


def test_while_a_whole_room_comes_back_a_tick_only_freezes_and_a_quiet_sweep_frees(
    clock: list[float],
) -> None:
    """A restarted server takes 5,000 phones back within seconds: a tick that collected
    first would walk every new connection's objects (30-40 ms a tick, a twentieth of the
    CPU that brings them back). With ``STORM`` screens come since the last tick it only
    freezes; what it froze in cycles is freed by the next quiet sweep."""
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    collections: list[str] = []

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(f"generation {info['generation']}")

    try:
        gone = weakref.ref(Node())  # garbage in a cycle, not yet collected
        for _ in range(collector.STORM):
            collector.arrived()  # as FanOut.attach says each screen that comes
        gc.callbacks.append(seen)
        try:
            managed.tick()
        finally:
            gc.callbacks.remove(seen)
        assert collections == [], "no collection while the room pours in"
        assert gone() is not None, "frozen, not yet freed"
        collector.arrived()  # the storm is over: one screen in a tick
        managed.tick()
        assert gone() is not None, "frozen garbage waits for the sweep"
        clock[0] += QUIET + 1
        managed.tick()
        assert gone() is None, "the quiet sweep freed what the storm's tick froze"
    finally:
        managed.stop()


def test_a_few_screens_coming_in_a_tick_are_collected_as_ever(clock: list[float]) -> None:
    managed = Collector(clock=lambda: clock[0])
    managed.start()
    try:
        gone = weakref.ref(Node())
        for _ in range(collector.STORM - 1):
            collector.arrived()
        managed.tick()
        assert gone() is None, "garbage in a cycle is freed at the tick"
    finally:
        managed.stop()
