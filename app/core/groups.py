"""Forming groups: balanced random groups, pairs and triads, latecomers.

Pure functions over participant ids. Randomness comes from a seed carried by the action,
so replaying a room's history gives the same groups.
"""

from __future__ import annotations

import random
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


def group_count_for_size(people: int, size: int) -> int:
    """How many groups make groups of about ``size``, never leaving anyone alone."""
    if people <= 1:
        return 1
    return max(1, min(round(people / size), people // 2))


def shuffled(ids: Sequence[str], seed: int) -> list[str]:
    order = list(ids)
    random.Random(seed).shuffle(order)
    return order


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


@dataclass(frozen=True, slots=True)
class Index:
    """Who is in which group of one assignment (pid -> group), in the assignment's order."""

    sizes: dict[int, int]
    members: dict[int, tuple[str, ...]]

    @classmethod
    def of(cls, assignment: Mapping[str, int]) -> Index:
        lists: dict[int, list[str]] = {}
        for pid, group in assignment.items():
            lists.setdefault(group, []).append(pid)
        return cls({g: len(m) for g, m in lists.items()}, {g: tuple(m) for g, m in lists.items()})


class ByIdentity(Generic[K, V]):
    """Values derived from objects that are never changed in place (a room's dicts: every
    change makes a new one), kept for the last few objects by identity. A join then finds
    its room's groups without scanning every participant, and 5,000 joins cost linear
    time. It holds the objects it keeps, so an id is never mistaken for another's; more of
    them while a batch of room states is in flight (see :func:`holding`)."""

    def __init__(self, derive: Callable[[K], V], keep: int = 8) -> None:
        self._derive = derive
        self._keep = keep
        self._entries: OrderedDict[int, tuple[K, V]] = OrderedDict()
        _caches.append(self)

    def __call__(self, source: K) -> V:
        found = self.known(source)
        if found is None:
            found = self._derive(source)
            self.put(source, found)
        return found

    def known(self, source: K) -> V | None:
        entry = self._entries.get(id(source))
        if entry is None or entry[0] is not source:
            return None
        self._entries.move_to_end(id(source))
        return entry[1]

    def put(self, source: K, value: V) -> None:
        self._entries[id(source)] = (source, value)
        self._entries.move_to_end(id(source))
        self.trim()

    def trim(self) -> None:
        while len(self._entries) > self._keep + _held:
            self._entries.popitem(last=False)


_caches: list[ByIdentity[Any, Any]] = []
_held = 0  # room states in flight in batches, two objects each (see holding)


@contextmanager
def holding(states: int) -> Iterator[None]:
    """Keep what was derived for ``states`` more room states while a batch of them is in
    flight: a room's writer applies a batch of joins (up to its BATCH_LIMIT), stores it,
    and only then tells the screens of each step, whose groups were derived from the step
    before while it was applied. Kept for the last 8 only, those of the first steps were
    gone by then and derived again, a scan of everyone for each join of the batch. Each
    state has two assignments (its network groups and its exercise's own); the objects
    kept are the batch's, alive until it is told, and let go (but the last 8) with it."""
    global _held
    _held += 2 * states
    try:
        yield
    finally:
        _held -= 2 * states
        for cache in _caches:
            cache.trim()


index: ByIdentity[Mapping[str, int], Index] = ByIdentity(Index.of)


def joined(assignment: Mapping[str, int], pid: str, group: int) -> dict[str, int]:
    """The assignment with a newcomer in ``group``: a new dict, whose index is derived from
    the old one's when that is known (no scan of everyone)."""
    after = {**assignment, pid: group}
    old = index.known(assignment)
    if old is not None and pid not in assignment:
        sizes = {**old.sizes, group: old.sizes.get(group, 0) + 1}
        index.put(after, Index(sizes, {**old.members, group: (*old.members.get(group, ()), pid)}))
    return after


def smallest_group(assignment: Mapping[str, int]) -> int | None:
    """The group a latecomer joins: the smallest, the lowest number on a tie."""
    if not assignment:
        return None
    sizes = index(assignment).sizes
    return min(sizes, key=lambda g: (sizes[g], g))


def members(assignment: Mapping[str, int], group: int) -> list[str]:
    return list(index(assignment).members.get(group, ()))


def numbers(assignment: Mapping[str, int]) -> list[int]:
    return sorted(index(assignment).sizes)


# --- groupings that change between rounds -------------------------------------------------


def met(earlier: Iterable[Mapping[str, int]]) -> Counter[frozenset[str]]:
    """How often each two people sat in one group in the earlier rounds."""
    counts: Counter[frozenset[str]] = Counter()
    for assignment in earlier:
        groups: dict[int, list[str]] = {}
        for pid, group in assignment.items():
            groups.setdefault(group, []).append(pid)
        for people in groups.values():
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    counts[frozenset((a, b))] += 1
    return counts


WINDOW = 40  # candidates looked at for each seat: keeps a round of 2,000 people fast


def _tries(people: int) -> int:
    return max(2, min(40, 8000 // max(1, people)))


def _sizes(people: int, count: int) -> list[int]:
    """Balanced group sizes (as ``deal`` makes them), largest first."""
    return [people // count + (1 if i < people % count else 0) for i in range(count)]


def circle_pairs(people: Sequence[str], round_number: int) -> dict[str, int]:
    """Round ``round_number`` (0, 1, …) of the circle method: with the same people, every
    two meet exactly once in ``len(people) - 1`` rounds (one more with an odd number). The
    one left without a partner (odd numbers) joins the last pair."""
    slots: list[str | None] = [*people, None] if len(people) % 2 else list(people)
    if len(slots) < 2:
        return dict.fromkeys(people, 1)
    turn = round_number % (len(slots) - 1)
    moving = slots[1:]
    seated = [slots[0], *moving[-turn:], *moving[:-turn]] if turn else slots
    out: dict[str, int] = {}
    alone: str | None = None
    number = 0
    for i in range(len(seated) // 2):
        a, b = seated[i], seated[-1 - i]
        if a is None or b is None:
            alone = a if b is None else b
            continue
        number += 1
        out[a] = out[b] = number
    if alone is not None:
        out[alone] = max(number, 1)
    return out


def _cost(assignment: Mapping[str, int], seen: Counter[frozenset[str]]) -> int:
    return sum(seen[pair] for pair in met([assignment]))


def fresh_groups(
    ids: Sequence[str],
    size: int,
    earlier: Sequence[Mapping[str, int]],
    seed: int,
    circle: Sequence[str] = (),
) -> dict[str, int]:
    """New groups of about ``size`` (pairs: 2, triads: 3) in which people meet as few of
    the people they met in ``earlier`` rounds as can be found: none while that is
    possible (Impromptu Networking: a new partner each round). ``circle`` is the seat
    order of the first round's pairs: while the same people take part, the circle method
    gives every round new partners for as many rounds as there can be."""
    if not ids:
        return {}
    count = max(1, len(ids) // 3) if size == 3 else group_count_for_size(len(ids), size)
    seen = met(earlier)
    best: tuple[int, dict[str, int]] | None = None
    if size == 2 and circle and sorted(circle) == sorted(ids):
        candidate = circle_pairs(circle, len(earlier))
        best = (_cost(candidate, seen), candidate)
        if best[0] == 0:
            return candidate
    rng = random.Random(f"fresh:{seed}")
    for _ in range(_tries(len(ids))):
        order = list(ids)
        rng.shuffle(order)
        free = order
        assignment: dict[str, int] = {}
        cost = 0
        for number, target in enumerate(_sizes(len(ids), count), start=1):
            group = [free[0]]
            free = free[1:]
            while len(group) < target and free:
                window = free[:WINDOW]
                pick = min(window, key=lambda pid: sum(seen[frozenset((pid, m))] for m in group))
                cost += sum(seen[frozenset((pick, m))] for m in group)
                group.append(pick)
                free.remove(pick)
            assignment.update(dict.fromkeys(group, number))
        if best is None or cost < best[0]:
            best = (cost, assignment)
        if cost == 0:
            break
    assert best is not None
    return best[1]


def merge_pairs(pairs: Mapping[str, int]) -> dict[str, int]:
    """1-2-4-All: each pair joins another pair (pairs 1+2 make four 1, 3+4 four 2 …); an
    odd pair out joins the last four, so nobody is left a pair."""
    numbers = sorted(set(pairs.values()))
    fours = {pair: i // 2 + 1 for i, pair in enumerate(numbers)}
    if len(numbers) % 2 == 1 and len(numbers) > 1:
        fours[numbers[-1]] = fours[numbers[-2]]
    return {pid: fours[pair] for pid, pair in pairs.items()}


def move_tables(
    ids: Sequence[str],
    tables: Mapping[str, int],
    hosts: Mapping[int, str],
    earlier: Sequence[Mapping[str, int]],
    seed: int,
) -> dict[str, int]:
    """World Café: the hosts stay at their tables; everyone else moves to a table they
    have not sat at yet, among people they have not met, as far as can be found. The
    tables keep about the sizes they had."""
    numbers = sorted(set(tables.values())) or [1]
    stay = {pid: table for table, pid in hosts.items() if pid in ids and table in numbers}
    movers = [pid for pid in ids if pid not in stay]
    visited: dict[str, set[int]] = {pid: set() for pid in ids}
    for assignment in (*earlier, tables):
        for pid, table in assignment.items():
            if pid in visited:
                visited[pid].add(table)
    seen = met((*earlier, tables))
    capacity = dict(zip(numbers, _sizes(len(ids), len(numbers)), strict=True))
    rng = random.Random(f"cafe:{seed}")
    best: tuple[int, dict[str, int]] | None = None
    for _ in range(_tries(len(ids))):
        order = list(movers)
        rng.shuffle(order)
        seated: dict[int, list[str]] = {t: [p for p, s in stay.items() if s == t] for t in numbers}
        cost = 0
        for pid in order:
            open_tables = [t for t in numbers if len(seated[t]) < capacity[t]] or numbers
            if len(open_tables) > WINDOW:
                open_tables = rng.sample(open_tables, WINDOW)

            def penalty(table: int, pid: str = pid, seated: dict[int, list[str]] = seated) -> int:
                at_table = seated[table]
                return 100 * (table in visited[pid]) + sum(seen[frozenset((pid, m))] for m in at_table)

            table = min(open_tables, key=lambda t: (penalty(t), len(seated[t]), rng.random()))
            cost += penalty(table)
            seated[table].append(pid)
        if best is None or cost < best[0]:
            best = (cost, {pid: t for t, people in seated.items() for pid in people})
        if cost == 0:
            break
    assert best is not None
    return best[1]


def draw_hosts(tables: Mapping[str, int], seed: int) -> dict[int, str]:
    """One host per table, drawn (World Café: the host stays when the others move)."""
    rng = random.Random(f"hosts:{seed}")
    return {
        table: rng.choice(sorted(members(tables, table), key=lambda pid: (len(pid), pid)))
        for table in numbers(tables)
    }
