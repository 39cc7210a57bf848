"""Diamond ranking ("Sorter i «diamant»"): each group places 9 values in rows 1-2-3-2-1.

Row 1 (one slot) is the most important, row 5 (one slot) the least. Slots are numbered
0..8 from the top, left to right: row 1 = slot 0, row 2 = slots 1-2, row 3 = slots 3-5,
row 4 = slots 6-7, row 5 = slot 8.

Each working group has a pool of up to 9 distinct values (typed in, picked from the
suggestions of earlier exercises named in ``sources``, or preset by the program's
``values``) and places them into the slots. Several phones of one group edit the same
diamond at once; the server applies their actions one after the other, and every action
is defined on *values*, not on positions a phone saw, so any order of concurrent edits
gives a consistent diamond:

- ``diamond_place`` puts a value in a slot. A value already in another slot moves (the
  slot it left gets whatever the target slot held: a swap); a value from the pool pushes
  the target slot's value back to the pool. A value is never in two slots, and nothing
  leaves the pool except by ``diamond_remove``.
- ``diamond_clear`` empties a slot (its value stays in the pool).
- ``diamond_remove`` takes a value out of the pool (and its slot).
- ``diamond_final`` marks the diamond agreed (only when all 9 slots are filled); a final
  diamond refuses edits (``diamond_locked``) until the group reopens it, so a late drag
  from a slow phone cannot silently change an agreed result.

Every change bumps the group's ``version`` (shown to phones; no action needs it).

The combined ranking on the projector gives each placed value 5 points in row 1, 4 in
row 2 … 1 in row 5, summed over the groups (values compared case-insensitively); ties
are sorted by name.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from app.core.actions import clean_line
from app.core.kinds import wordcloud
from app.core.kinds.base import ExerciseId, Kind, KindAction, config_of
from app.core.localized import text as texts_of
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

SLOTS = 9
ROWS: tuple[tuple[int, ...], ...] = ((0,), (1, 2), (3, 4, 5), (6, 7), (8,))
MAX_VALUE = 60
MAX_SOURCES = 10
MAX_SUGGESTIONS = 30
FACILITATOR = "facilitator"  # app.core.room.FACILITATOR (room imports the registry, which imports us)
METHOD = "diamond.method_points"  # text key: "Rad 1 = 5 poeng … rad 5 = 1 poeng, summert"


def row_of(slot: int) -> int:
    """The row (1 = top, most important) of a slot 0..8."""
    return next(r for r, slots in enumerate(ROWS, start=1) if slot in slots)


def points_of(slot: int) -> int:
    """Row 1 = 5 points … row 5 = 1 point."""
    return len(ROWS) + 1 - row_of(slot)


def key_of(value: str) -> str:
    """How two values are compared: case-insensitive, after normalising."""
    return value.casefold()


ValueText = Annotated[str, Field(min_length=1, max_length=MAX_VALUE * 2), AfterValidator(clean_line)]


def _short(value: str) -> str:
    if len(value) > MAX_VALUE:
        raise ValueError(f"must be at most {MAX_VALUE} characters")
    return value


Value = Annotated[ValueText, AfterValidator(_short)]
Slot = Annotated[int, Field(ge=0, lt=SLOTS, strict=True)]
GroupNumber = Annotated[int, Field(ge=1, le=500)]


class Config(BaseModel):
    """``[exercises.diamond]``: where suggestions come from, and optional preset values."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Earlier exercises (by id) whose kinds offer values to pick: a word cloud's top words,
    # a group's list (checked when the program is loaded, see ``check``).
    sources: Annotated[list[ExerciseId], Field(max_length=MAX_SOURCES)] = Field(default_factory=list)
    # Values every group's pool starts with (at most 9, distinct).
    values: Annotated[list[Value], Field(max_length=SLOTS)] = Field(default_factory=list)

    @field_validator("values")
    @classmethod
    def _distinct(cls, values: list[str]) -> list[str]:
        keys = [key_of(v) for v in values]
        if len(set(keys)) != len(keys):
            raise ValueError("values must be distinct (case does not count)")
        return values


# --- state -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Diamond:
    """One group's diamond: its pool of values and which value sits in each slot."""

    pool: tuple[str, ...] = ()  # in the order added
    slots: tuple[str | None, ...] = (None,) * SLOTS
    final: bool = False
    version: int = 0

    @property
    def full(self) -> bool:
        return all(v is not None for v in self.slots)

    def find(self, value: str) -> str | None:
        """The pool's spelling of ``value``, if it is in the pool."""
        key = key_of(value)
        return next((v for v in self.pool if key_of(v) == key), None)

    def slot_of(self, value: str) -> int | None:
        return next((i for i, v in enumerate(self.slots) if v == value), None)

    def ranked(self) -> list[str]:
        """The placed values, most important first."""
        return [v for v in self.slots if v is not None]


@dataclass(frozen=True, slots=True)
class State:
    groups: dict[int, Diamond] = field(default_factory=dict)  # working group -> its diamond


# --- actions -------------------------------------------------------------------------------------


class _DiamondAction(KindAction):
    # Only the facilitator names the group; a participant always edits their own group's
    # diamond (naming another group is refused with ``not_in_group``).
    group: GroupNumber | None = None


class DiamondAdd(_DiamondAction):
    type: Literal["diamond_add"] = "diamond_add"
    value: Value


class DiamondRemove(_DiamondAction):
    type: Literal["diamond_remove"] = "diamond_remove"
    value: Value


class DiamondPlace(_DiamondAction):
    type: Literal["diamond_place"] = "diamond_place"
    value: Value
    slot: Slot


class DiamondClear(_DiamondAction):
    type: Literal["diamond_clear"] = "diamond_clear"
    slot: Slot


class DiamondFinal(_DiamondAction):
    type: Literal["diamond_final"] = "diamond_final"
    final: bool = True


ACTIONS: tuple[type[KindAction], ...] = (DiamondAdd, DiamondRemove, DiamondPlace, DiamondClear, DiamondFinal)


# --- the operations (pure, on one diamond) -------------------------------------------------------


def add(diamond: Diamond, value: str) -> Diamond:
    if diamond.find(value) is not None:
        raise Refused("duplicate")
    if len(diamond.pool) >= SLOTS:
        raise Refused("diamond_full")
    return replace(diamond, pool=(*diamond.pool, value))


def remove(diamond: Diamond, value: str) -> Diamond:
    found = diamond.find(value)
    if found is None:
        raise Refused("unknown_item")
    return replace(
        diamond,
        pool=tuple(v for v in diamond.pool if v != found),
        slots=tuple(None if v == found else v for v in diamond.slots),
    )


def place(diamond: Diamond, value: str, slot: int) -> Diamond:
    """Put ``value`` (from the pool) into ``slot``; a value already there swaps with it."""
    found = diamond.find(value)
    if found is None:
        raise Refused("unknown_item")
    slots = list(diamond.slots)
    origin = diamond.slot_of(found)
    displaced = slots[slot]
    slots[slot] = found
    if origin is not None and origin != slot:
        slots[origin] = displaced  # a swap; None when the target slot was empty
    return replace(diamond, slots=tuple(slots))


def clear(diamond: Diamond, slot: int) -> Diamond:
    return replace(diamond, slots=tuple(None if i == slot else v for i, v in enumerate(diamond.slots)))


# --- helpers over the room ---------------------------------------------------------------------


def _config(exercise: Exercise) -> Config:
    return config_of(exercise, "diamond", Config)


def _join_order(pid: str) -> tuple[int, str]:
    digits = pid[1:]
    return (int(digits) if digits.isdigit() else 0, pid)


def members(room: Room, group: int) -> tuple[str, ...]:
    """The group's members now (the current exercise's working groups), in join order."""
    return tuple(sorted((p for p, g in room.working_groups().items() if g == group), key=_join_order))


def diamond_of(exercise: Exercise, state: State, group: int) -> Diamond:
    """A group's diamond; a group that has not touched it yet has the preset values."""
    existing = state.groups.get(group)
    if existing is not None:
        return existing
    return Diamond(pool=tuple(_config(exercise).values))


def groups_shown(room: Room, exercise: Exercise, state: State) -> list[int]:
    """Groups with a diamond, and while the exercise (or one built on it) is open, every
    working group."""
    shown = set(state.groups)
    if exercise.id in room.open_exercises():
        shown |= set(room.working_groups().values())
    return sorted(shown)


def _target_group(room: Room, action: _DiamondAction, actor: str) -> int:
    if actor == FACILITATOR:
        if action.group is None:
            raise Refused("unknown_group")
        return action.group
    group = room.working_groups().get(actor)
    if group is None or (action.group is not None and action.group != group):
        raise Refused("not_in_group")
    return group


# --- the kind's functions ------------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    _config(exercise)
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    action = cmd.action
    if not isinstance(action, _DiamondAction):
        raise Refused("unknown_action")
    group = _target_group(room, action, cmd.actor)
    before = diamond_of(exercise, state, group)
    if isinstance(action, DiamondFinal):
        if action.final and not before.full:
            raise Refused("diamond_incomplete")
        after = replace(before, final=action.final)
    else:
        if before.final:
            raise Refused("diamond_locked")
        if isinstance(action, DiamondAdd):
            after = add(before, action.value)
        elif isinstance(action, DiamondRemove):
            after = remove(before, action.value)
        elif isinstance(action, DiamondPlace):
            after = place(before, action.value, action.slot)
        elif isinstance(action, DiamondClear):
            after = clear(before, action.slot)
        else:
            raise Refused("unknown_action")
    if after == before:
        return state, Changes()  # placing a value where it already is: nothing to tell
    after = replace(after, version=before.version + 1)
    told = frozenset(members(room, group)) | ({cmd.actor} if cmd.actor in room.participants else set())
    return replace(state, groups={**state.groups, group: after}), Changes(board=True, personal=told)


def combined_ranking(state: State) -> list[dict[str, Any]]:
    """Every placed value with its points summed over the groups, best first, ties by name.

    A value is spelled as the lowest-numbered group spelled it."""
    points: dict[str, int] = {}
    spelling: dict[str, str] = {}
    groups: dict[str, int] = {}
    for _, diamond in sorted(state.groups.items()):
        for slot, value in enumerate(diamond.slots):
            if value is None:
                continue
            key = key_of(value)
            spelling.setdefault(key, value)
            points[key] = points.get(key, 0) + points_of(slot)
            groups[key] = groups.get(key, 0) + 1
    order = sorted(points, key=lambda k: (-points[k], spelling[k].casefold(), spelling[k]))
    return [{"value": spelling[k], "points": points[k], "groups": groups[k]} for k in order]


def rows_of(diamond: Diamond) -> list[list[str | None]]:
    return [[diamond.slots[s] for s in row] for row in ROWS]


def diamond_view(diamond: Diamond) -> dict[str, Any]:
    """One diamond as the screens draw it (shared results: nothing private here)."""
    return {
        "pool": list(diamond.pool),
        "slots": list(diamond.slots),
        "rows": rows_of(diamond),
        "unplaced": [v for v in diamond.pool if diamond.slot_of(v) is None],
        "final": diamond.final,
        "full": diamond.full,
        "version": diamond.version,
    }


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    groups = [
        {"group": g, **diamond_view(diamond_of(exercise, state, g))}
        for g in groups_shown(room, exercise, state)
    ]
    return {
        "groups": groups,
        "inputs": source_clouds(room, exercise),
        "finals": sum(1 for g in groups if g["final"]),
        "ranking": combined_ranking(state),
        "method": METHOD,
        "points": [points_of(row[0]) for row in ROWS],
    }


def source_clouds(room: Room, exercise: Exercise) -> list[dict[str, Any]]:
    """The word clouds among the ``sources``, for the staff screens to show as input
    ("Sett inn ordsky"): which exercise, its title, and the version to draw."""
    out = []
    for source_id in _config(exercise).sources:
        source = room.exercise_by_id(source_id)
        if source is None or source.wordcloud is None or source.id == exercise.id:
            continue
        state = room.kind_state(source, wordcloud.KIND)
        version = state.version if isinstance(state, wordcloud.State) else 0
        out.append({"exercise": source.id, "title": texts_of(source.title), "version": version})
    return out


def source_suggestions(room: Room, exercise: Exercise, group: int | None) -> list[str]:
    """What the ``sources`` offer this group, most popular first, without repeats."""
    out: list[str] = []
    seen: set[str] = set()
    for source_id in _config(exercise).sources:
        source = room.exercise_by_id(source_id)
        if source is None or source.id == exercise.id:
            continue
        for kind in room.kinds_of(source):
            if kind.suggestions is None:
                continue
            source_state = room.kind_state(source, kind)
            if source_state is None:
                continue
            for text in kind.suggestions(room, source, source_state, group):
                try:
                    value = _short(clean_line(text))
                except ValueError:
                    continue
                if key_of(value) not in seen:
                    seen.add(key_of(value))
                    out.append(value)
    return out[:MAX_SUGGESTIONS]


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    group = room.working_groups().get(pid)
    if group is None:
        return {"group": None, "diamond": None, "suggestions": [], "max": SLOTS}
    diamond = diamond_of(exercise, state, group)
    taken = {key_of(v) for v in diamond.pool}
    suggestions = [s for s in source_suggestions(room, exercise, group) if key_of(s) not in taken]
    return {
        "group": group,
        "diamond": diamond_view(diamond),
        "suggestions": suggestions,
        "max": SLOTS,
        "method": METHOD,
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    """(group, "rad 2, plass 1", value) per placed value, then the combined ranking."""
    rows: list[tuple[str, str, str]] = []
    for group, diamond in sorted(state.groups.items()):
        for r, slots in enumerate(ROWS, start=1):
            for place_no, slot in enumerate(slots, start=1):
                value = diamond.slots[slot]
                if value is not None:
                    rows.append((str(group), f"rad {r}, plass {place_no}", value))
        rows.append((str(group), "ferdig", "ja" if diamond.final else "nei"))
    for entry in combined_ranking(state):
        rows.append(("", entry["value"], str(entry["points"])))
    return rows


def suggestions(room: Room, exercise: Exercise, state: State, group: int | None) -> list[str]:
    """A group's diamond, most important first (final or not); for the room, the combined
    ranking."""
    if group is None:
        return [entry["value"] for entry in combined_ranking(state)]
    diamond = state.groups.get(group)
    return diamond.ranked() if diamond is not None else []


def check(program: Program, exercise: Exercise) -> Iterator[tuple[str, str]]:
    """Each source is an earlier exercise with something to offer (a word cloud, lists …)."""
    from app.core.program import referenced
    from app.core.registry import KINDS  # the registry imports this module

    for number, source_id in enumerate(_config(exercise).sources):
        source, problem = referenced(program, exercise, source_id)
        if problem is not None:
            yield f"sources[{number}]", problem
        elif source is not None and not any(
            kind.suggestions is not None and getattr(source, kind.name, None) is not None for kind in KINDS
        ):
            yield f"sources[{number}]", f"{source_id!r} has no word cloud, lists or diamond to offer values"


KIND: Kind[State] = Kind(
    name="diamond",
    in_groups=True,
    participant_actions=ACTIONS,
    facilitator_actions=ACTIONS,
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    suggestions=suggestions,
    check=check,
)
