"""Gallery walk: the pure module, driven through the room reducer (no server).

Read top to bottom, this is the specification: the program table, the rotation (every
team sees every other group's diamond once, hosts stay), hosts, the schedule's timing,
comments reaching the right host, and the return phase, in which the diamonds may still
be adjusted because the gallery names the diamond exercise with ``of``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.actions import Action, Extend, GotoExercise, NextExercise, NextPhase, Pause, Start
from app.core.kinds import diamond, gallery
from app.core.kinds.diamond import DiamondAdd, DiamondFinal, DiamondPlace
from app.core.kinds.gallery import Config, GalleryComment, GalleryHide, GalleryHost, State, rotation
from app.core.outcome import Changes, Refused
from app.core.program import parse_program
from app.core.registry import KIND_BY_ACTION
from app.core.room import FACILITATOR, Command, Participant, Room
from app.core.room import apply as room_apply
from app.core.serialize import COMMANDS, command_from_json, command_to_json
from app.core.shared import Layered

DIAMOND = "diamant"
EX = "galleri"
MINUTE = 60_000


def program(table: dict[str, Any] | None = None) -> Any:
    return parse_program(
        {
            "title": "Samling 2",
            "exercises": [
                {
                    "id": DIAMOND,
                    "title": "Sorter i «diamant»",
                    "phases": [{"kind": "G", "minutes": 20}],
                    "diamond": {},
                },
                {
                    "id": EX,
                    "title": "Gallerivandring",
                    "phases": [
                        {"kind": "timed", "minutes": 15, "title": "Gallerivandring"},
                        {"kind": "G", "minutes": 10, "title": "Retur til egne grupper"},
                    ],
                    "gallery": {"of": DIAMOND, **(table or {})},
                },
                {"id": "pause", "kind": "break", "title": "Pause", "minutes": 10},
            ],
        }
    )


@dataclass
class Day:
    """A room whose participants p1, p2, ... sit in network groups; the gallery current."""

    room: Room
    at: int = 1_000

    @classmethod
    def begin(cls, groups: list[int], table: dict[str, Any] | None = None) -> Day:
        people = {
            f"p{i}": Participant(id=f"p{i}", name=f"Person {i}", joined_at=i, group=g)
            for i, g in enumerate(groups, start=1)
        }
        day = cls(
            Room(
                code="SELJORD",
                program=program(table),
                participants=Layered(people),
                next_number=len(people) + 1,
            )
        )
        day.do(GotoExercise(index=1))
        return day

    def do(self, action: Action, actor: str = FACILITATOR, after: int = 1_000) -> Changes:
        self.at += after
        self.room, changes = room_apply(self.room, Command(action=action, at=self.at, actor=actor, seed=1))
        return changes

    def refused(self, action: Action, actor: str = FACILITATOR) -> str:
        before = self.room
        with pytest.raises(Refused) as refusal:
            self.do(action, actor)
        assert self.room == before
        return refusal.value.code

    @property
    def exercise(self) -> Any:
        return self.room.exercise_by_id(EX)

    @property
    def state(self) -> State:
        state = self.room.kind_state(self.exercise, gallery.KIND)
        assert isinstance(state, State)
        return state

    def board(self) -> dict[str, Any]:
        return gallery.board(self.room, self.exercise, self.state)

    def mine(self, pid: str) -> dict[str, Any]:
        return gallery.mine(self.room, self.exercise, self.state, pid)

    def comment(self, pid: str, group: int, text: str = "Fin diamant!") -> Changes:
        return self.do(GalleryComment(exercise=EX, group=group, text=text), pid)


# three groups of three: p1-p3 in group 1, p4-p6 in group 2, p7-p9 in group 3
THREE = [1, 1, 1, 2, 2, 2, 3, 3, 3]


# --- the program table ------------------------------------------------------------------------


def test_a_program_table_reads_into_a_config() -> None:
    config = Config.model_validate(tomllib.loads('of = "diamant"\nminutes_per_visit = 5'))
    assert (config.of, config.minutes_per_visit, config.rotation_phase, config.return_phase) == (
        "diamant",
        5,
        0,
        1,
    )


@pytest.mark.parametrize(
    "table",
    [
        {},  # of what?
        {"of": "diamant", "rotation_phase": 1, "return_phase": 1},
        {"of": "diamant", "minutes_per_visit": 0},
        {"of": "diamant", "minuttes_per_visit": 5},
    ],
)
def test_broken_tables_are_refused(table: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Config.model_validate(table)


def test_every_action_is_registered_with_the_kind() -> None:
    for action in ("gallery_host", "gallery_comment", "gallery_hide"):
        assert KIND_BY_ACTION[action] is gallery.KIND


# --- the rotation ------------------------------------------------------------------------------------


@given(st.integers(2, 8), st.integers(1, 20))
def test_every_team_sees_every_other_group_exactly_once(count: int, first: int) -> None:
    groups = list(range(first, first + count))
    steps = rotation(groups)
    assert len(steps) == count - 1
    for team in groups:
        seen = [step[team] for step in steps]
        assert sorted(seen) == sorted(g for g in groups if g != team)
    for step in steps:
        assert sorted(step.values()) == groups  # each host receives exactly one team per visit


def test_one_group_has_nowhere_to_go() -> None:
    assert rotation([1]) == []


def test_hosts_stay_and_the_others_walk_the_rotation() -> None:
    day = Day.begin(THREE)
    host = day.mine("p1")
    assert host["is_host"] and host["host"]["id"] == "p1"  # first member by join order
    assert [r["group"] for r in host["route"]] == [None, None]  # "stay"
    walker = day.mine("p2")
    assert not walker["is_host"]
    assert [r["group"] for r in walker["route"]] == [2, 3]
    assert [r["group"] for r in day.mine("p9")["route"]] == [1, 2]
    assert set(walker["diamonds"]) == {"1", "2", "3"}  # the diamonds on the route, and its own


def test_a_member_chooses_the_groups_host() -> None:
    day = Day.begin(THREE)
    changes = day.do(GalleryHost(exercise=EX, participant="p3"), "p2")
    assert changes.personal == {"p1", "p2", "p3"}
    assert day.mine("p3")["is_host"] and not day.mine("p1")["is_host"]
    assert [r["group"] for r in day.mine("p1")["route"]] == [2, 3]
    assert day.board()["groups"][0]["host"] == {"id": "p3", "name": "Person 3"}


def test_nobody_names_a_host_for_another_group() -> None:
    day = Day.begin(THREE)
    assert day.refused(GalleryHost(exercise=EX, participant="p4"), "p1") == "not_in_group"
    assert day.refused(GalleryHost(exercise=EX, participant="p99"), "p1") == "not_in_group"
    day.do(GalleryHost(exercise=EX, participant="p5"))  # the facilitator may
    assert day.mine("p5")["is_host"]


def test_the_group_chooses_its_host_before_the_walk_and_the_facilitator_at_any_time() -> None:
    day = Day.begin(THREE)
    day.do(GalleryHost(exercise=EX, participant="p2"), "p1")  # ready: the walk has not started
    day.do(Start())
    assert day.refused(GalleryHost(exercise=EX, participant="p3"), "p1") == "walk_started"
    day.do(GalleryHost(exercise=EX, participant="p3"))  # the facilitator still may (p2 went home)
    assert day.mine("p3")["is_host"]


def test_a_host_change_stored_by_a_server_of_format_1_still_replays_during_the_walk() -> None:
    """Format 1's rules let a member change the host at any time: a stored room keeps it."""
    day = Day.begin(THREE)
    day.do(Start())
    late = GalleryHost(exercise=EX, participant="p3")
    taken = command_to_json(Command(action=late, at=day.at + 1, actor="p1", seed=1))
    stored = command_from_json({**taken, "v": 1})
    assert stored.v == 1
    day.room, _ = room_apply(day.room, stored)
    assert day.mine("p3")["is_host"]
    assert command_from_json(command_to_json(stored)).v == 1  # sent on, it keeps its rules
    assert Command(action=late, at=0, actor="p1").v == COMMANDS.version == 3  # a new one: today's
    assert day.refused(GalleryHost(exercise=EX, participant="p2"), "p1") == "walk_started"
    people = day.board()["groups"][0]["people"]
    assert people == [{"id": f"p{i}", "name": f"Person {i}"} for i in (1, 2, 3)]


def test_a_host_who_leaves_the_group_is_replaced_by_the_first_member() -> None:
    day = Day.begin(THREE)
    day.do(GalleryHost(exercise=EX, participant="p3"), "p3")
    people = {**day.room.participants, "p3": replace(day.room.participants["p3"], group=2)}
    day.room = replace(day.room, participants=Layered(people))
    assert day.mine("p1")["is_host"]


# --- timing ---------------------------------------------------------------------------------------------


def test_the_rotation_phase_is_split_evenly_into_visits() -> None:
    day = Day.begin(THREE)
    day.do(Start())
    started = day.at
    clock = day.mine("p2")["clock"]
    assert clock["status"] == "running" and clock["started_at"] == started
    assert [(v["start_ms"], v["end_ms"]) for v in clock["visits"]] == [
        (0, 7.5 * MINUTE),
        (7.5 * MINUTE, 15 * MINUTE),
    ]
    assert clock["visits"][1]["ends_at"] == started + 15 * MINUTE


def test_minutes_per_visit_overrides_the_even_split() -> None:
    day = Day.begin(THREE, {"minutes_per_visit": 5})
    clock = day.board()["clock"]
    assert [(v["start_ms"], v["end_ms"]) for v in clock["visits"]] == [
        (0, 5 * MINUTE),
        (5 * MINUTE, 10 * MINUTE),
    ]
    assert clock["started_at"] is None and clock["elapsed_ms"] == 0  # not started: no absolute times


def test_a_pause_freezes_the_schedule_and_added_time_lengthens_the_last_visit() -> None:
    day = Day.begin(THREE)
    day.do(Start())
    day.do(Pause(), after=2 * MINUTE)
    clock = day.board()["clock"]
    assert clock["started_at"] is None and clock["elapsed_ms"] == 2 * MINUTE
    day.do(Start(), after=10 * MINUTE)  # resume after a long pause
    assert day.board()["clock"]["started_at"] == day.at - 2 * MINUTE
    day.do(Extend(seconds=120))
    visits = day.board()["clock"]["visits"]
    assert visits[0]["end_ms"] == 7.5 * MINUTE and visits[1]["end_ms"] == 17 * MINUTE


def test_time_scale_shortens_the_visits_like_every_phase() -> None:
    day = Day.begin(THREE)
    day.room = replace(day.room, time_scale=0.1)
    assert day.board()["clock"]["visits"][0]["end_ms"] == 0.75 * MINUTE


def test_the_stage_follows_the_phases() -> None:
    day = Day.begin(THREE)
    assert day.board()["stage"] == "rotation"
    day.do(NextPhase())
    assert day.board()["stage"] == "return"
    assert day.board()["clock"]["elapsed_ms"] == 15 * MINUTE  # the walk is over
    day.do(NextExercise())
    assert day.board()["stage"] == "closed"


# --- comments -----------------------------------------------------------------------------------------


def test_comments_reach_the_visited_groups_host_only_during_the_walk() -> None:
    day = Day.begin(THREE)
    changes = day.comment("p2", 2, "Tillit øverst – godt valgt")
    assert changes.board and changes.personal == {"p2", "p4", "p5", "p6"}
    assert [c["text"] for c in day.mine("p4")["received"]] == ["Tillit øverst – godt valgt"]  # the host
    assert day.mine("p5")["received"] == []  # a walker sees them when back home
    assert day.mine("p7")["received"] == []  # another group's host
    assert [c["text"] for c in day.mine("p2")["sent"]] == ["Tillit øverst – godt valgt"]


def test_the_board_shows_comments_per_group_without_authors() -> None:
    day = Day.begin(THREE)
    day.comment("p2", 2)
    day.comment("p8", 1, "Hvorfor humor nederst?")
    groups = {g["group"]: g for g in day.board()["groups"]}
    assert [c["text"] for c in groups[1]["comments"]] == ["Hvorfor humor nederst?"]
    assert [c["text"] for c in groups[2]["comments"]] == ["Fin diamant!"]
    assert "author" not in str(day.board()) and "p8" not in str(groups[1]["comments"])


def test_a_group_cannot_comment_on_itself_or_a_group_that_does_not_exist() -> None:
    day = Day.begin(THREE)
    assert day.refused(GalleryComment(exercise=EX, group=1, text="Vi er best"), "p2") == "own_group"
    assert day.refused(GalleryComment(exercise=EX, group=9, text="Hei"), "p2") == "unknown_group"


def test_comment_floods_are_capped() -> None:
    day = Day.begin(THREE, {"max_comments_per_person": 2})
    day.comment("p2", 2)
    day.comment("p2", 3)
    assert day.refused(GalleryComment(exercise=EX, group=2, text="En til"), "p2") == "too_many"


def test_comments_are_short_and_not_blank() -> None:
    for text in ("", "   ", "x" * 301):
        with pytest.raises(ValidationError):
            GalleryComment(exercise=EX, group=2, text=text)


def test_the_facilitator_hides_a_comment() -> None:
    day = Day.begin(THREE)
    day.comment("p2", 2, "Upassende")
    day.do(GalleryHide(exercise=EX, comment=1))
    assert day.board()["groups"][1]["comments"][0]["text"] is None
    assert day.mine("p4")["received"] == []
    assert day.refused(GalleryHide(exercise=EX, comment=5)) == "unknown_item"


# --- the return phase -------------------------------------------------------------------------------


def test_in_the_return_phase_the_whole_group_reads_its_comments() -> None:
    day = Day.begin(THREE)
    day.comment("p2", 2, "Tydelig prioritering")
    day.do(NextPhase())
    for pid in ("p4", "p5", "p6"):
        assert [c["text"] for c in day.mine(pid)["received"]] == ["Tydelig prioritering"]


def test_the_diamond_may_be_adjusted_and_finalised_during_the_gallery_walk_because_of_of() -> None:
    day = Day.begin(THREE)
    assert day.room.open_exercises() == {EX, DIAMOND}
    day.do(NextPhase())
    for slot, value in enumerate(
        ["Tillit", "Respekt", "Åpenhet", "Mot", "Raushet", "Ærlighet", "Humor", "Lojalitet", "Glede"]
    ):
        day.do(DiamondAdd(exercise=DIAMOND, value=value), "p5")
        day.do(DiamondPlace(exercise=DIAMOND, value=value, slot=slot), "p6")
    day.do(DiamondPlace(exercise=DIAMOND, value="Mot", slot=0), "p4")  # the swap after the walk
    day.do(DiamondFinal(exercise=DIAMOND), "p4")
    mine = day.mine("p5")
    assert mine["diamond"]["diamond"]["slots"][:4] == ["Mot", "Respekt", "Åpenhet", "Tillit"]
    assert mine["diamond"]["diamond"]["final"]
    assert day.board()["groups"][1]["diamond"]["rows"][0] == ["Mot"]
    assert day.refused(DiamondAdd(exercise=DIAMOND, value="Glede", group=1), "p5") == "not_in_group"
    day.do(NextExercise())
    assert day.refused(DiamondFinal(exercise=DIAMOND, final=False), "p4") == "exercise_closed"


def test_visitors_see_the_diamond_as_the_group_left_it() -> None:
    day = Day.begin(THREE)
    day.do(DiamondAdd(exercise=DIAMOND, value="Tillit"), "p4")
    day.do(DiamondPlace(exercise=DIAMOND, value="Tillit", slot=0), "p4")
    assert day.mine("p2")["diamonds"]["2"]["rows"][0] == ["Tillit"]
    diamond_ex = day.room.exercise_by_id(DIAMOND)
    assert diamond_ex is not None
    state = day.room.kind_state(diamond_ex, diamond.KIND)
    assert state.groups[2].slots[0] == "Tillit"


def test_the_export_lists_visible_comments_per_group() -> None:
    day = Day.begin(THREE)
    day.comment("p2", 2, "Bra")
    day.comment("p5", 3, "Skjult")
    day.do(GalleryHide(exercise=EX, comment=2))
    assert gallery.export(day.room, day.exercise, day.state) == [("2", "kommentar", "Bra")]


def test_the_comments_a_person_left_on_the_walk_are_in_their_workbook_only() -> None:
    from app.core import workbook

    day = Day.begin(THREE)
    day.comment("p2", 2, "Tillit øverst – godt valgt")
    mine, host = workbook.personal(day.room, "p2"), workbook.personal(day.room, "p4")
    assert mine is not None and host is not None
    assert [(e.exercise, e.written.texts, e.written.shared) for e in mine.other] == [
        (EX, ("Tillit øverst – godt valgt",), True)
    ]
    assert host.other == ()  # the host received it: it is not what the host wrote
