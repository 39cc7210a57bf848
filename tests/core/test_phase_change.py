"""A phase change is told to every phone as soon as it is stored: what the core does to
apply it must not grow with the room when the phase keeps its groups (at 5,000 phones,
sorting everyone's id took 1.4 ms, which every phone waited for before the first was
told). A phase that makes new groups still makes them from everyone
(tests/core/test_groupings.py)."""

from __future__ import annotations

import pytest

from app.core import room as rules
from app.core import views
from app.core.actions import NextPhase, Start
from tests.core.roomkit import Day

PEOPLE = 300


def counted_sorts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every id the core puts in join order from now on."""
    seen: list[str] = []
    join_order = rules._join_order

    def counted(pid: str) -> int:
        seen.append(pid)
        return join_order(pid)

    monkeypatch.setattr(rules, "_join_order", counted)
    return seen


def test_a_phase_that_keeps_the_groups_puts_no_one_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    day = Day.of(people=PEOPLE)
    day.act(Start())
    day.act(NextPhase())  # the first exercise's second phase: groups of the day, as they were
    before = day.room
    sorted_ids = counted_sorts(monkeypatch)
    changes = day.act(NextPhase())
    assert not sorted_ids, f"{len(sorted_ids)} ids sorted for a phase that keeps everyone's group"
    # What the phones are told is the new phase, their groups as they were.
    assert changes.public and views.position(day.room)["phase"] == 2
    assert day.room.working_groups() == before.working_groups()
