"""Joins in linear time: a newcomer's groups come from the room's, never from a scan of
everyone (5,000 joins cost 17 s of server CPU when each one scanned every participant
a few times), and what they come to is what a scan would find."""

from __future__ import annotations

import dataclasses
import hashlib
import sys
import tracemalloc
from collections.abc import Callable, Mapping
from statistics import mean
from typing import Any

import pytest

from app.core import groups as grouping
from app.core import room as rules
from app.core import views
from app.core.actions import FormGroups, GotoExercise, Join, Start
from app.core.keys import changed
from tests.core.roomkit import Day

LATE = 600


def counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the full scans: an index built from a whole assignment, and the network
    groups read off every participant."""
    scans = {"index": 0, "network": 0}

    def counted(name: str, derive: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def scan(source: Any) -> Any:
            scans[name] += 1
            return derive(source)

        return scan

    monkeypatch.setattr(grouping.index, "_derive", counted("index", grouping.Index.of))
    monkeypatch.setattr(rules._network, "_derive", counted("network", rules._network_of))
    return scans


def brute_smallest(assignment: Mapping[str, int]) -> int | None:
    sizes: dict[int, int] = {}
    for group in assignment.values():
        sizes[group] = sizes.get(group, 0) + 1
    return min(sizes, key=lambda g: (sizes[g], g)) if sizes else None


def test_latecomers_into_network_groups_scan_no_one_and_land_where_a_scan_would_put_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    day = Day.of(people=20)
    day.act(FormGroups(mode="size", value=4))
    scans = counting(monkeypatch)
    for i in range(LATE):
        expected = brute_smallest(day.room.network_groups())
        pid = day.join(f"Sen {i}")
        assert day.room.participants[pid].group == expected
        views.events(day.room, rules.Changes(staff=True, personal=rules._group_mates(day.room, pid)))
    assert scans["network"] + scans["index"] <= 4, f"{scans} for {LATE} joins: a scan per join"
    net = day.room.network_groups()
    assert net == {p.id: p.group for p in day.room.participants.values() if p.group is not None}
    assert grouping.index(net) == grouping.Index.of(net), "the derived index is the scanned one"


def test_latecomers_into_an_exercises_own_groups_scan_no_one(monkeypatch: pytest.MonkeyPatch) -> None:
    day = Day.of(people=12)
    day.act(Start())
    pairs = next(i for i, ex in enumerate(day.room.program.exercises) if ex.grouping in ("pairs", "triads"))
    day.act(GotoExercise(index=pairs))
    scans = counting(monkeypatch)
    for i in range(LATE):
        pid = day.join(f"Sen {i}")
        assert pid in day.room.exercise_groups
        views.me(day.room, pid)
    assert scans["index"] <= 4, scans
    own = day.room.exercise_groups
    assert grouping.index(own) == grouping.Index.of(own)
    sizes = grouping.Index.of(own).sizes.values()
    assert max(sizes) - min(sizes) <= 1, "latecomers fill the smallest groups"


def _joining(day: Day, i: int) -> None:
    token, link = hashlib.sha256(b"t%d" % i).hexdigest(), hashlib.sha256(b"w%d" % i).hexdigest()
    before = day.room
    day.act(Join(name=f"P{i}", token_hash=token, workbook=link), by="system")
    changed(before, day.room)  # the keys the store writes with the join


def test_a_join_copies_nothing_of_everyone() -> None:
    """A join added its person, their phone's token and their take-home link to three new
    dicts of everyone (at 5,000 people, 120 us a join in the core against 40 us at 1,000):
    now it allocates, on average, a fraction of one copy of the room's participants."""
    day = Day.of()
    for i in range(4000):
        _joining(day, i)
    everyone = sys.getsizeof(dict(day.room.participants))
    allocated = []
    tracemalloc.start()
    try:
        for i in range(4000, 4200):
            start = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            _joining(day, i)
            allocated.append(tracemalloc.get_traced_memory()[1] - start)
    finally:
        tracemalloc.stop()
    assert mean(allocated) < everyone / 5, f"{mean(allocated):.0f} bytes a join; everyone: {everyone}"
    assert len(day.room.participants) == len(day.room.tokens) == len(day.room.workbook_links) == 4200


def test_a_join_copies_the_room_with_its_copiers_not_with_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    """dataclasses.replace walks the room's two dozen fields and checks each (10 us a copy);
    a join and the number every action gets copy it with copiers made once (shared.copier)."""
    day = Day.of(people=10)
    copies: list[type] = []
    replace = dataclasses.replace  # what app.core.room calls

    def counted(obj: Any, /, **changes: Any) -> Any:
        copies.append(type(obj))
        return replace(obj, **changes)

    monkeypatch.setattr("app.core.room.replace", counted)
    for i in range(20):
        _joining(day, 100 + i)
    assert rules.Room not in copies, f"{copies.count(rules.Room)} copies of the room by replace for 20 joins"
    assert [p.name for p in day.room.participants.values()][-2:] == ["P118", "P119"]
    assert day.room.seq == 30 and day.room.next_number == 31
