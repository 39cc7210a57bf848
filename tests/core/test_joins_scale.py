"""Joins in linear time: a newcomer's groups come from the room's, never from a scan of
everyone (5,000 joins cost 17 s of server CPU when each one scanned every participant
a few times), and what they come to is what a scan would find."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from app.core import groups as grouping
from app.core import room as rules
from app.core import views
from app.core.actions import FormGroups, GotoExercise, Start
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
