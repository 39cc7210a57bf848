"""Diamond ranking: the pure module, driven through the room reducer (no server).

Read top to bottom, this is the specification: the program table, filling and ranking a
diamond, swaps, the pool's limits, who may edit which diamond, finalising, concurrent
edits from several phones, the combined ranking, suggestions from earlier exercises, and
the export.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.actions import Action, GotoExercise, NextExercise
from app.core.kinds import diamond, wordcloud
from app.core.kinds.diamond import (
    Config,
    Diamond,
    DiamondAdd,
    DiamondClear,
    DiamondFinal,
    DiamondPlace,
    DiamondRemove,
    State,
    combined_ranking,
    points_of,
    row_of,
)
from app.core.outcome import Changes, Refused
from app.core.program import parse_program
from app.core.registry import KIND_BY_ACTION, Activities
from app.core.room import FACILITATOR, Command, Participant, Room
from app.core.room import apply as room_apply
from app.core.shared import Layered

EX = "diamant"
NINE = ["Tillit", "Respekt", "Åpenhet", "Mot", "Raushet", "Ærlighet", "Humor", "Lojalitet", "Nysgjerrighet"]


def program(diamond_table: dict[str, Any] | None = None, *, earlier: dict[str, Any] | None = None) -> Any:
    exercises: list[dict[str, Any]] = []
    if earlier is not None:
        exercises.append(earlier)
    exercises += [
        {
            "id": EX,
            "title": "Sorter i «diamant»",
            "phases": [{"kind": "G", "minutes": 20}],
            "diamond": diamond_table or {},
        },
        {"id": "pause", "kind": "break", "title": "Pause", "minutes": 10},
    ]
    return parse_program({"title": "Samling 2", "exercises": exercises})


@dataclass
class Day:
    """A room whose participants p1, p2, ... sit in network groups; the diamond current."""

    room: Room
    at: int = 1_000

    @classmethod
    def begin(cls, groups: list[int], table: dict[str, Any] | None = None, **kw: Any) -> Day:
        people = {
            f"p{i}": Participant(id=f"p{i}", name=f"Person {i}", joined_at=i, group=g)
            for i, g in enumerate(groups, start=1)
        }
        prog = program(table, **kw)
        day = cls(
            Room(code="SELJORD", program=prog, participants=Layered(people), next_number=len(people) + 1)
        )
        day.do(GotoExercise(index=[ex.id for ex in prog.exercises].index(EX)))
        return day

    def do(self, action: Action, actor: str = FACILITATOR) -> Changes:
        self.at += 1_000
        self.room, changes = room_apply(self.room, Command(action=action, at=self.at, actor=actor, seed=1))
        return changes

    def refused(self, action: Action, actor: str = FACILITATOR) -> str:
        before = self.room
        with pytest.raises(Refused) as refusal:
            self.do(action, actor)
        assert self.room == before  # a refusal changes nothing
        return refusal.value.code

    @property
    def exercise(self) -> Any:
        ex = self.room.exercise_by_id(EX)
        assert ex is not None
        return ex

    @property
    def state(self) -> State:
        state = self.room.kind_state(self.exercise, diamond.KIND)
        assert isinstance(state, State)
        return state

    def diamond(self, group: int = 1) -> Diamond:
        return diamond.diamond_of(self.exercise, self.state, group)

    def board(self) -> dict[str, Any]:
        return diamond.board(self.room, self.exercise, self.state)

    def mine(self, pid: str) -> dict[str, Any]:
        return diamond.mine(self.room, self.exercise, self.state, pid)

    # phone shorthands
    def add(self, value: str, pid: str = "p1") -> Changes:
        return self.do(DiamondAdd(exercise=EX, value=value), pid)

    def place(self, value: str, slot: int, pid: str = "p1") -> Changes:
        return self.do(DiamondPlace(exercise=EX, value=value, slot=slot), pid)

    def fill(self, values: list[str], pid: str = "p1") -> None:
        for slot, value in enumerate(values):
            self.add(value, pid)
            self.place(value, slot, pid)


# --- the diamond's shape ----------------------------------------------------------------------


def test_rows_are_1_2_3_2_1_with_row_1_worth_5_points() -> None:
    assert [row_of(s) for s in range(9)] == [1, 2, 2, 3, 3, 3, 4, 4, 5]
    assert [points_of(s) for s in range(9)] == [5, 4, 4, 3, 3, 3, 2, 2, 1]


# --- the program table ------------------------------------------------------------------------


def test_a_program_table_reads_into_a_config() -> None:
    table = tomllib.loads('sources = ["ordsky", "verdier"]\nvalues = ["Tillit", " Respekt "]')
    config = Config.model_validate(table)
    assert config.sources == ["ordsky", "verdier"]
    assert config.values == ["Tillit", "Respekt"]  # trimmed like every value
    assert Config() == Config(sources=[], values=[])


@pytest.mark.parametrize(
    "table",
    [
        {"values": [f"v{i}" for i in range(10)]},  # more than the diamond holds
        {"values": ["Tillit", "tillit"]},  # the same value twice
        {"sources": [""]},
        {"colour": "blue"},  # a typo is reported, not ignored
    ],
)
def test_broken_tables_are_refused(table: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Config.model_validate(table)


def test_every_action_is_registered_with_the_kind() -> None:
    for action in ("diamond_add", "diamond_remove", "diamond_place", "diamond_clear", "diamond_final"):
        assert KIND_BY_ACTION[action] is diamond.KIND


# --- filling and ranking --------------------------------------------------------------------------


def test_a_group_fills_its_diamond_and_the_board_shows_it_in_rows() -> None:
    day = Day.begin([1, 1, 1, 2, 2, 2])
    day.fill(NINE)
    board = day.board()
    one = board["groups"][0]
    assert one["group"] == 1
    assert one["rows"] == [NINE[0:1], NINE[1:3], NINE[3:6], NINE[6:8], NINE[8:9]]
    assert one["full"] and one["unplaced"] == []
    assert board["groups"][1]["rows"] == [[None], [None, None], [None, None, None], [None, None], [None]]
    assert board["method"] == "diamond.method_points"


def test_a_group_finalises_only_a_full_diamond() -> None:
    day = Day.begin([1, 1])
    day.fill(NINE[:8])
    assert day.refused(DiamondFinal(exercise=EX), "p2") == "diamond_incomplete"
    day.add(NINE[8])
    day.place(NINE[8], 8)
    day.do(DiamondFinal(exercise=EX), "p2")
    assert day.diamond().final
    assert day.board()["finals"] == 1


def test_a_final_diamond_refuses_edits_until_the_group_reopens_it() -> None:
    day = Day.begin([1, 1])
    day.fill(NINE)
    day.do(DiamondFinal(exercise=EX), "p1")
    assert day.refused(DiamondClear(exercise=EX, slot=0), "p2") == "diamond_locked"
    day.do(DiamondFinal(exercise=EX, final=False), "p2")
    day.do(DiamondClear(exercise=EX, slot=0), "p2")
    assert day.diamond().slots[0] is None and not day.diamond().final


# --- placing: swaps, clearing, removing ------------------------------------------------------------


def test_placing_on_an_occupied_slot_swaps_the_two_values() -> None:
    day = Day.begin([1])
    day.fill(["Tillit", "Respekt"])
    day.place("Respekt", 0)
    assert day.diamond().slots[:2] == ("Respekt", "Tillit")


def test_a_value_from_the_pool_pushes_the_slots_value_back_to_the_pool() -> None:
    day = Day.begin([1])
    day.fill(["Tillit"])
    day.add("Mot")
    day.place("Mot", 0)
    assert day.diamond().slots[0] == "Mot"
    assert day.board()["groups"][0]["unplaced"] == ["Tillit"]


def test_a_value_moves_rather_than_being_copied() -> None:
    day = Day.begin([1])
    day.fill(["Tillit"])
    day.place("tillit", 4)  # values are matched without regard to case
    assert day.diamond().slots.count("Tillit") == 1
    assert day.diamond().slot_of("Tillit") == 4


def test_clearing_a_slot_keeps_its_value_in_the_pool() -> None:
    day = Day.begin([1])
    day.fill(["Tillit"])
    day.do(DiamondClear(exercise=EX, slot=0), "p1")
    assert day.diamond().slots[0] is None and day.diamond().pool == ("Tillit",)


def test_removing_a_value_takes_it_out_of_its_slot_too() -> None:
    day = Day.begin([1])
    day.fill(["Tillit", "Mot"])
    day.do(DiamondRemove(exercise=EX, value="TILLIT"), "p1")
    assert day.diamond().pool == ("Mot",)
    assert day.diamond().slots[0] is None
    assert day.refused(DiamondRemove(exercise=EX, value="Tillit"), "p1") == "unknown_item"
    assert day.refused(DiamondPlace(exercise=EX, value="Tillit", slot=0), "p1") == "unknown_item"


def test_every_change_bumps_the_groups_version_and_a_no_op_does_not() -> None:
    day = Day.begin([1, 1])
    day.fill(["Tillit"])
    version = day.diamond().version
    assert version == 2
    changes = day.place("Tillit", 0, "p2")
    assert changes == Changes() and day.diamond().version == version


def test_a_change_tells_the_board_and_the_groups_phones_only() -> None:
    day = Day.begin([1, 1, 2])
    changes = day.add("Tillit", "p2")
    assert changes.board and changes.personal == {"p1", "p2"}


# --- the pool's limits -------------------------------------------------------------------------------


def test_a_tenth_value_is_refused() -> None:
    day = Day.begin([1])
    for value in NINE:
        day.add(value)
    assert day.refused(DiamondAdd(exercise=EX, value="Glede"), "p1") == "diamond_full"


@pytest.mark.parametrize("again", ["Tillit", "tillit", "  TILLIT ", "Tillit\t"])
def test_a_value_already_in_the_pool_is_refused(again: str) -> None:
    day = Day.begin([1])
    day.add("Tillit")
    assert day.refused(DiamondAdd(exercise=EX, value=again), "p1") == "duplicate"


def test_values_are_normalised_like_words() -> None:
    day = Day.begin([1])
    decomposed = unicodedata.normalize("NFD", "Åpenhet")
    day.add(f"  {decomposed}\n")
    assert day.diamond().pool == ("Åpenhet",)
    assert day.refused(DiamondAdd(exercise=EX, value="åpenhet"), "p1") == "duplicate"


def test_empty_and_overlong_values_never_reach_the_kind() -> None:
    for value in ("", "   ", "x" * 61):
        with pytest.raises(ValidationError):
            DiamondAdd(exercise=EX, value=value)


def test_preset_values_start_every_groups_pool() -> None:
    day = Day.begin([1, 2], {"values": ["Tillit", "Mot"]})
    assert day.diamond(1).pool == ("Tillit", "Mot")
    assert day.mine("p2")["diamond"]["pool"] == ["Tillit", "Mot"]
    assert day.refused(DiamondAdd(exercise=EX, value="mot"), "p2") == "duplicate"


# --- whose diamond ---------------------------------------------------------------------------------


def test_a_participant_cannot_edit_another_groups_diamond() -> None:
    day = Day.begin([1, 2])
    assert day.refused(DiamondAdd(exercise=EX, value="Tillit", group=2), "p1") == "not_in_group"
    day.add("Tillit", "p1")
    assert day.diamond(2).pool == ()


def test_someone_without_a_group_cannot_edit() -> None:
    day = Day.begin([1])
    people = {**day.room.participants, "p9": Participant(id="p9", name="Ny", joined_at=9, group=None)}
    day.room = replace(day.room, participants=Layered(people))
    assert day.refused(DiamondAdd(exercise=EX, value="Tillit"), "p9") == "not_in_group"


def test_the_facilitator_edits_any_group_naming_it() -> None:
    day = Day.begin([1, 2])
    day.do(DiamondAdd(exercise=EX, value="Tillit", group=2))
    assert day.diamond(2).pool == ("Tillit",)
    assert day.refused(DiamondAdd(exercise=EX, value="Mot")) == "unknown_group"


def test_participants_edit_only_while_the_exercise_is_open() -> None:
    day = Day.begin([1])
    day.do(NextExercise())
    assert day.refused(DiamondAdd(exercise=EX, value="Tillit"), "p1") == "exercise_closed"


# --- concurrent edits ------------------------------------------------------------------------------

Op = tuple[str, int, int]  # (kind, value index, slot)
ops = st.lists(
    st.tuples(st.sampled_from(["place", "clear"]), st.integers(0, 8), st.integers(0, 8)), max_size=30
)


def _run(day: Day, sequence: list[tuple[str, Op]]) -> None:
    for pid, (kind, value, slot) in sequence:
        action: Action
        if kind == "place":
            action = DiamondPlace(exercise=EX, value=NINE[value], slot=slot)
        else:
            action = DiamondClear(exercise=EX, slot=slot)
        day.do(action, pid)


def _consistent(d: Diamond, pool: tuple[str, ...]) -> None:
    placed = [v for v in d.slots if v is not None]
    assert len(placed) == len(set(placed))  # a value is in at most one slot
    assert set(placed) <= set(d.pool)  # only pool values are placed
    assert d.pool == pool  # nothing lost from (or added to) the pool


@settings(max_examples=60, deadline=None)
@given(first=ops, second=ops, interleave=st.lists(st.booleans(), max_size=60))
def test_two_members_editing_at_once_always_leave_a_consistent_diamond(
    first: list[Op], second: list[Op], interleave: list[bool]
) -> None:
    """The server applies the two phones' edits in whatever order they arrive; any
    interleaving keeps each value in at most one slot and the pool whole."""
    day = Day.begin([1, 1])
    for value in NINE:
        day.add(value)
    pool = day.diamond().pool
    a, b, merged = list(first), list(second), []
    for pick_a in interleave + [True] * len(a) + [False] * len(b):
        if pick_a and a:
            merged.append(("p1", a.pop(0)))
        elif b:
            merged.append(("p2", b.pop(0)))
    merged += [("p1", op) for op in a]
    _run(day, merged)
    _consistent(day.diamond(), pool)


@settings(max_examples=40, deadline=None)
@given(first=ops, second=ops)
def test_either_order_of_two_edits_is_consistent(first: list[Op], second: list[Op]) -> None:
    for order in ((first, second), (second, first)):
        day = Day.begin([1, 1])
        for value in NINE:
            day.add(value)
        pool = day.diamond().pool
        _run(day, [("p1", op) for op in order[0]] + [("p2", op) for op in order[1]])
        _consistent(day.diamond(), pool)


# --- the combined ranking ------------------------------------------------------------------------


def test_the_combined_ranking_sums_row_points_over_the_groups() -> None:
    day = Day.begin([1, 2])
    day.fill(["Tillit", "Mot", "Humor"], "p1")  # 5, 4, 4
    day.fill(["Respekt", "tillit"], "p2")  # 5, 4
    ranking = day.board()["ranking"]
    assert ranking[0] == {"value": "Tillit", "points": 9, "groups": 2}
    # Respekt 5; Humor and Mot tie at 4 and are sorted by name
    assert [(r["value"], r["points"]) for r in ranking[1:]] == [("Respekt", 5), ("Humor", 4), ("Mot", 4)]
    assert day.board()["points"] == [5, 4, 3, 2, 1]


def test_only_placed_values_count_in_the_ranking() -> None:
    state = State(groups={1: Diamond(pool=("Tillit", "Mot"), slots=("Mot",) + (None,) * 8)})
    assert combined_ranking(state) == [{"value": "Mot", "points": 5, "groups": 1}]


# --- suggestions and views --------------------------------------------------------------------------


def test_a_diamond_offers_its_ranking_as_suggestions() -> None:
    day = Day.begin([1, 2])
    day.fill(["Tillit", "Mot"], "p1")
    day.fill(["Mot"], "p2")
    hook = diamond.KIND.suggestions
    assert hook is not None
    assert hook(day.room, day.exercise, day.state, 1) == ["Tillit", "Mot"]
    assert hook(day.room, day.exercise, day.state, None) == ["Mot", "Tillit"]
    assert hook(day.room, day.exercise, day.state, 7) == []


def test_mine_offers_the_sources_suggestions_not_yet_in_the_pool() -> None:
    earlier = {
        "id": "forste",
        "title": "Første runde",
        "phases": [{"kind": "G", "minutes": 5}],
        "diamond": {},
    }
    day = Day.begin([1, 2], {"sources": ["forste"]}, earlier=earlier)
    first = day.room.exercise_by_id("forste")
    assert first is not None
    state = State(
        groups={
            1: Diamond(pool=("Tillit", "Mot"), slots=("Tillit", "Mot") + (None,) * 7),
            2: Diamond(pool=("Humor",), slots=("Humor",) + (None,) * 8),
        }
    )
    day.room = replace(day.room, activities={**day.room.activities, "forste": Activities(diamond=state)})
    day.add("mot", "p1")
    mine = day.mine("p1")
    assert mine["group"] == 1
    assert mine["suggestions"] == ["Tillit"]  # per group; "Mot" is in the pool already
    assert day.mine("p2")["suggestions"] == ["Humor"]


def test_the_board_shows_an_earlier_word_cloud_as_input() -> None:
    earlier = {
        "id": "ordsky",
        "title": {"nb": "Vi lager en ordsky!", "en": "Let's make a word cloud!"},
        "phases": [{"kind": "I", "minutes": 5}],
        "wordcloud": {},
    }
    day = Day.begin([1, 2], {"sources": ["ordsky"]}, earlier=earlier)
    assert day.board()["inputs"] == [{"exercise": "ordsky", "title": earlier["title"], "version": 0}]
    sent = wordcloud.State(version=12)
    day.room = replace(day.room, activities={**day.room.activities, "ordsky": Activities(wordcloud=sent)})
    assert day.board()["inputs"][0]["version"] == 12  # the screens draw the cloud as it ended
    assert Day.begin([1]).board()["inputs"] == []  # no sources, nothing shown


def test_mine_without_a_group_shows_nothing_to_edit() -> None:
    day = Day.begin([1])
    assert day.mine("p7")["diamond"] is None


def test_the_export_lists_each_groups_slots_and_the_ranking() -> None:
    day = Day.begin([1])
    day.fill(["Tillit", "Mot"])
    rows = diamond.export(day.room, day.exercise, day.state)
    assert rows[:3] == [
        ("1", "rad 1, plass 1", "Tillit"),
        ("1", "rad 2, plass 1", "Mot"),
        ("1", "ferdig", "nei"),
    ]
    assert ("", "Tillit", "5") in rows
