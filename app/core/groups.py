"""Forming groups: balanced random groups, pairs and triads, latecomers.

Pure functions over participant ids. Randomness comes from a seed carried by the action,
so replaying a room's history gives the same groups.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence


def group_count_for_size(people: int, size: int) -> int:
    """How many groups make groups of about ``size``, never leaving anyone alone."""
    if people <= 1:
        return 1
    return max(1, min(round(people / size), people // 2))


def deal(ids: Sequence[str], count: int, seed: int) -> dict[str, int]:
    """Shuffle ``ids`` and deal them into ``count`` groups numbered from 1.

    Dealing round the table keeps sizes within one of each other (balanced).
    """
    count = max(1, min(count, len(ids))) if ids else 1
    shuffled = list(ids)
    random.Random(seed).shuffle(shuffled)
    return {pid: i % count + 1 for i, pid in enumerate(shuffled)}


def by_size(ids: Sequence[str], size: int, seed: int) -> dict[str, int]:
    return deal(ids, group_count_for_size(len(ids), size), seed)


def by_count(ids: Sequence[str], count: int, seed: int) -> dict[str, int]:
    return deal(ids, count, seed)


def triads(ids: Sequence[str], seed: int) -> dict[str, int]:
    """Groups of three; what does not divide makes groups of four (10 people: 4 + 3 + 3),
    never a pair that cannot fill three roles. Fewer than six people make one group."""
    return deal(ids, max(1, len(ids) // 3), seed)


def smallest_group(assignment: Mapping[str, int]) -> int | None:
    """The group a latecomer joins: the smallest, the lowest number on a tie."""
    if not assignment:
        return None
    sizes = Counter(assignment.values())
    return min(sizes, key=lambda g: (sizes[g], g))


def members(assignment: Mapping[str, int], group: int) -> list[str]:
    return [pid for pid, g in assignment.items() if g == group]


def numbers(assignment: Mapping[str, int]) -> list[int]:
    return sorted(set(assignment.values()))
