"""Groupings that change between rounds: 1-2-4-All (alone, pairs, each pair with another
pair, all), Impromptu Networking (a new partner each round, no repeats while possible)
and World Café (the table hosts stay, the others move to tables they have not sat at)."""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import pytest

from app.core import groups, serialize, views
from app.core.actions import FormGroups, NextPhase, Start
from app.core.program import ProgramError, load_program_text
from tests.core.roomkit import Day


def sizes(assignment: dict[str, int]) -> list[int]:
    return sorted(Counter(assignment.values()).values())


def phase_program(grouping: str, phases: int, new_groups: bool = True) -> str:
    text = f'title = "Dag"\n[[exercises]]\nid = "metode"\ntitle = "Metode"\ngrouping = "{grouping}"\n'
    for number in range(phases):
        text += '[[exercises.phases]]\nkind = "G"\nminutes = 2\n'
        if number and new_groups:
            text += "new_groups = true\n"
    return text


ONE_TWO_FOUR = phase_program("1-2-4-all", 4, new_groups=False)


def test_one_two_four_all_goes_from_alone_to_pairs_to_fours_to_all() -> None:
    day = Day.of(ONE_TWO_FOUR, people=9)
    day.act(Start())
    assert day.room.working_groups() == {}  # 1: alone
    assert views.me(day.room, "p1")["group"] is None
    day.act(NextPhase())
    pairs = dict(day.room.working_groups())
    assert sizes(pairs) == [2, 2, 2, 3]  # 2: pairs (one trio, nobody alone)
    day.act(NextPhase())
    fours = day.room.working_groups()
    assert sizes(fours) == [4, 5]  # 4: each pair joined another pair
    for pair in set(pairs.values()):
        assert len({fours[p] for p in pairs if pairs[p] == pair}) == 1  # a pair stays together
    day.act(NextPhase())
    assert day.room.working_groups() == {}  # All: the whole room


def test_an_odd_pair_out_joins_a_four_rather_than_stay_a_pair() -> None:
    pairs = {f"p{i}": i // 2 + 1 for i in range(10)}  # five pairs
    assert sizes(groups.merge_pairs(pairs)) == [4, 6]


def partners(day: Day) -> set[frozenset[str]]:
    working = day.room.working_groups()
    by_group: dict[int, list[str]] = {}
    for pid, group in working.items():
        by_group.setdefault(group, []).append(pid)
    return {frozenset(pair) for people in by_group.values() for pair in combinations(people, 2)}


@pytest.mark.parametrize("people", [6, 8, 12, 20, 31])
def test_impromptu_networking_gives_a_new_partner_every_round(people: int) -> None:
    day = Day.of(phase_program("pairs", 4), people=people)
    day.act(Start())
    met: set[frozenset[str]] = set()
    for _ in range(4):
        now = partners(day)
        assert not now & met, "two people met again while a new partner was possible"
        assert min(sizes(day.room.working_groups())) >= 2
        met |= now
        if day.room.phase < 3:
            day.act(NextPhase())


def test_new_triads_meet_new_people_too() -> None:
    day = Day.of(phase_program("triads", 2), people=12)
    day.act(Start())
    first = partners(day)
    day.act(NextPhase())
    assert not partners(day) & first
    assert sizes(day.room.working_groups()) == [3, 3, 3, 3]


def test_world_cafe_hosts_stay_and_the_others_move_to_tables_they_have_not_sat_at() -> None:
    day = Day.of(phase_program("world_cafe", 3), people=20)
    day.act(FormGroups(mode="count", value=4))  # four tables of five, from the network groups
    day.act(Start())
    hosts = {table: day.room.table_host(table) for table in range(1, 5)}
    assert all(hosts.values())
    hosts_by_table = {table: host for table, host in hosts.items() if host is not None}
    seats: dict[str, list[int]] = {pid: [] for pid in day.room.participants}
    for _ in range(3):
        tables = day.room.working_groups()
        assert sizes(tables) == [5, 5, 5, 5]
        for table, host in hosts_by_table.items():
            assert tables[host] == table  # the host stays
            assert day.room.table_host(table) == host
        for pid, table in tables.items():
            seats[pid].append(table)
        if day.room.phase < 2:
            day.act(NextPhase())
    for pid, tables_sat in seats.items():
        if pid not in hosts.values():
            assert len(set(tables_sat)) == 3, f"{pid} sat at a table twice: {tables_sat}"
    me = views.me(day.room, hosts[1] or "")
    assert me["host"] is True and me["round"] == 3


def test_new_groups_needs_a_grouping_that_can_change_and_a_later_phase() -> None:
    with pytest.raises(
        ProgramError, match=r"phases\[1\]\.new_groups: needs grouping pairs, triads or world_cafe"
    ):
        load_program_text(phase_program("network", 2), source="t.toml")
    first = phase_program("pairs", 1).replace("minutes = 2\n", "minutes = 2\nnew_groups = true\n", 1)
    with pytest.raises(ProgramError, match=r"phases\[0\]\.new_groups: the first phase"):
        load_program_text(first, source="t.toml")


def test_changing_groups_replay_to_the_same_room() -> None:
    day = Day.of(phase_program("world_cafe", 3), people=13)
    day.act(FormGroups(mode="count", value=3))
    day.act(Start())
    day.act(NextPhase())
    day.join("Sen")
    day.act(NextPhase())
    assert day.replayed() == day.room


def test_every_screen_is_told_the_step_and_the_round() -> None:
    day = Day.of(ONE_TWO_FOUR, people=4)
    day.act(Start())
    steps = [views.position(day.room)["step"]]
    for _ in range(3):
        day.act(NextPhase())
        steps.append(views.position(day.room)["step"])
    assert steps == ["1", "2", "4", "all"]
    cafe = Day.of(phase_program("world_cafe", 3), people=6)
    cafe.act(Start())
    cafe.act(NextPhase())
    assert (views.position(cafe.room)["groups_round"], views.position(cafe.room)["groups_rounds"]) == (2, 3)


def test_a_snapshot_keeps_the_tables_their_hosts_and_the_earlier_rounds() -> None:
    day = Day.of(phase_program("world_cafe", 3), people=12)
    day.act(FormGroups(mode="count", value=3))
    day.act(Start())
    day.act(NextPhase())
    assert serialize.room_from_json(serialize.room_to_json(day.room), day.room.program) == day.room
