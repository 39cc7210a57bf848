"""The collections a word cloud grows by one per word (app/core/shared.py) behave as the
plain tuple and dict they stand for: what one holds never changes, whatever is grown
from it or from an older one, and they iterate in the plain one's order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.core.shared import Layered, Log

KEYS = st.sampled_from([f"k{i}" for i in range(12)])
# (which earlier version to grow from, a key, a value or None to take the key away)
STEPS = st.lists(st.tuples(st.integers(min_value=0), KEYS, st.none() | st.integers()), max_size=60)


@given(STEPS)
def test_a_layered_mapping_is_the_dict_it_stands_for_from_every_version(
    steps: list[tuple[int, str, int | None]],
) -> None:
    versions: list[tuple[Layered[str, int], dict[str, int]]] = [(Layered(), {})]
    for which, key, value in steps:
        layered, plain = versions[which % len(versions)]
        if value is None:
            layered, plain = layered.without(key), {k: v for k, v in plain.items() if k != key}
        else:
            layered, plain = layered.set(key, value), {**plain, key: value}
        versions.append((layered, plain))
    for layered, plain in versions:  # every version still holds what it held, in order
        assert list(reversed(layered)) == list(reversed(plain))  # before it is read whole
        assert list(layered.items()) == list(plain.items())
        assert list(reversed(layered)) == list(reversed(plain))
        assert len(layered) == len(plain) and layered == plain and layered.as_dict() == plain
        assert all(layered[k] == v and layered.get(k) == v and k in layered for k, v in plain.items())
        assert layered.get("absent", 0) == 0 and "absent" not in layered


@given(st.lists(st.tuples(st.integers(min_value=0), st.integers()), max_size=60))
def test_a_log_is_the_tuple_it_stands_for_from_every_version(steps: list[tuple[int, int]]) -> None:
    versions: list[tuple[Log[int], tuple[int, ...]]] = [(Log(), ())]
    for which, item in steps:
        log, plain = versions[which % len(versions)]
        versions.append((log.plus(item), (*plain, item)))
    for log, plain in versions:
        assert tuple(log) == plain and len(log) == len(plain) and log == plain
        assert [log[i] for i in range(-len(plain), len(plain))] == [*plain, *plain]


def test_a_copier_makes_what_replace_makes_and_refuses_a_field_init_does_not_set() -> None:
    from dataclasses import dataclass, field, replace

    import pytest

    from app.core.actions import Start
    from app.core.room import Room
    from app.core.shared import copier
    from tests.core.roomkit import Day
    from tests.roomkit import CLOUD_PROGRAM

    day = Day.of(CLOUD_PROGRAM, people=3)
    day.act(Start())
    room = day.room
    copied = copier(Room, "activities", "seq")(room, {}, room.seq + 5)
    assert copied == replace(room, activities={}, seq=room.seq + 5)
    assert copied.participants is room.participants and room.activities != {}

    @dataclass(frozen=True)
    class Derived:
        a: int
        b: int = field(init=False, default=0)

    with pytest.raises(TypeError):
        copier(Derived, "a")
