"""Forming groups: balanced, random but repeatable, nobody alone, latecomers fill gaps."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from app.core import groups

PEOPLE = [f"p{i}" for i in range(1, 24)]


def sizes(assignment: dict[str, int]) -> list[int]:
    return sorted(Counter(assignment.values()).values())


def test_groups_by_size_are_about_that_size() -> None:
    assignment = groups.by_size(PEOPLE, 5, seed=7)
    assert set(assignment) == set(PEOPLE)
    assert sizes(assignment) == [4, 4, 5, 5, 5]


def test_groups_by_count_make_that_many_groups() -> None:
    assert len(set(groups.by_count(PEOPLE, 4, seed=1).values())) == 4


def test_the_same_seed_gives_the_same_groups_and_another_seed_other_groups() -> None:
    assert groups.by_size(PEOPLE, 5, seed=3) == groups.by_size(PEOPLE, 5, seed=3)
    assert groups.by_size(PEOPLE, 5, seed=3) != groups.by_size(PEOPLE, 5, seed=4)


def test_pairs_and_triads_leave_nobody_alone() -> None:
    assert sizes(groups.by_size(PEOPLE[:7], 2, seed=1)) == [2, 2, 3]
    assert sizes(groups.by_size(PEOPLE[:7], 3, seed=1)) == [3, 4]
    assert sizes(groups.by_size(PEOPLE[:3], 2, seed=1)) == [3]


def test_a_latecomer_joins_the_smallest_group_lowest_number_first() -> None:
    assert groups.smallest_group({"p1": 1, "p2": 1, "p3": 2}) == 2
    assert groups.smallest_group({"p1": 1, "p2": 2}) == 1
    assert groups.smallest_group({}) is None


@given(
    people=st.integers(min_value=2, max_value=80),
    size=st.integers(min_value=2, max_value=8),
    seed=st.integers(min_value=0, max_value=2**32),
)
def test_groups_are_balanced_within_one_and_nobody_is_alone(people: int, size: int, seed: int) -> None:
    ids = [f"p{i}" for i in range(people)]
    assignment = groups.by_size(ids, size, seed)
    counts = sizes(assignment)
    assert sum(counts) == people
    assert counts[-1] - counts[0] <= 1
    assert counts[0] >= 2


def test_triads_are_threes_and_fours_never_a_pair() -> None:
    assert sizes(groups.triads(PEOPLE[:10], seed=1)) == [3, 3, 4]
    assert sizes(groups.triads(PEOPLE[:11], seed=1)) == [3, 4, 4]
    assert sizes(groups.triads(PEOPLE[:8], seed=1)) == [4, 4]
    assert sizes(groups.triads(PEOPLE[:5], seed=1)) == [5]


@given(people=st.integers(min_value=3, max_value=80), seed=st.integers(min_value=0, max_value=2**32))
def test_triads_of_any_room_are_three_or_four(people: int, seed: int) -> None:
    counts = sizes(groups.triads([f"p{i}" for i in range(people)], seed))
    assert sum(counts) == people
    assert counts[0] >= 3 and (counts[-1] <= 4 or len(counts) == 1)
