"""Roles by rule: the pure module, driven with rooms built in memory (no server).

Read top to bottom, this is the specification: the seed examples of the day, ties,
people who decline, small groups, the facilitator's corrections, rotation, the group's
own choice, refusals that leave the state alone, privacy, and replay.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from app.core import views
from app.core.actions import Action, GotoExercise, Join, MoveParticipant, NextPhase, Start
from app.core.kinds import roles
from app.core.kinds.roles import (
    Config,
    RoleRule,
    RolesAnswer,
    RolesAssign,
    RolesChoose,
    RolesNextRound,
    RolesRedraw,
    RolesSet,
    RolesSwap,
    State,
)
from app.core.outcome import Changes, Refused
from app.core.program import Exercise, Phase, Program, ProgramError, load_program_text
from app.core.room import FACILITATOR, Command, Participant, Room
from app.core.room import apply as room_apply
from app.core.shared import Layered
from tests.core.roomkit import Day

EX = "roller"

# The lead adds ``roles: roles.Config | None`` to Exercise; until then a stand-in subclass.
if "roles" in Exercise.model_fields:
    RolesExercise = Exercise
else:

    class RolesExercise(Exercise):  # type: ignore[no-redef]
        roles: Config | None = None


IGP = Config(
    roles=[
        RoleRule(
            name="Ordstyrer og tidtaker", rule="closest", value=40, description="Leder ordet og tar tiden"
        ),
        RoleRule(name="Sekretær", rule="furthest", value=40),
    ]
)
DIAMOND = Config(
    roles=[
        RoleRule(name="Ordstyrer og tidtaker", rule="largest"),
        RoleRule(name="Viddevakt", rule="smallest"),
        RoleRule(name={"nb": "Sekretær / melder i plenum", "en": "Secretary"}, rule="shortest_name"),
    ]
)
TRIADS = Config(
    roles=[
        RoleRule(name="Tilbakemelder"),
        RoleRule(name="Mottaker"),
        RoleRule(name="Observatør"),
    ],
    rotate=True,
)
HOST = Config(roles=[RoleRule(name="Vert", rule="choice")])


def build_room(
    config: Config,
    groups: list[list[str]],
    grouping: str = "network",
    current: bool = True,
) -> Room:
    """A room whose participants p1, p2, ... sit in ``groups`` (lists of names)."""
    fields: dict[str, Any] = {"grouping": grouping, "phases": [Phase(kind="G", minutes=20)], "roles": config}
    exercise = RolesExercise(id=EX, title="Roller", **fields)
    other = Exercise(id="pause", kind="break", title="Pause", minutes=10)
    program = Program(title="Dag", exercises=[exercise, other])
    people: dict[str, Participant] = {}
    placement: dict[str, int] = {}
    for number, names in enumerate(groups, start=1):
        for name in names:
            pid = f"p{len(people) + 1}"
            network = number if grouping == "network" else None
            people[pid] = Participant(id=pid, name=name, joined_at=0, group=network)
            placement[pid] = number
    return Room(
        code="ROLLER",
        program=program,
        participants=Layered(people),
        next_number=len(people) + 1,
        exercise=0 if current else 1,
        exercise_groups=placement if grouping in ("pairs", "triads") else {},
    )


@dataclass
class Run:
    """One roles exercise: a room, the kind's state, and helpers that apply commands."""

    room: Room
    state: State = field(default_factory=State)
    at: int = 1_000

    @classmethod
    def begin(cls, config: Config, groups: list[list[str]], seed: int = 7, **kw: Any) -> Run:
        room = build_room(config, groups, **kw)
        run = cls(room)
        run.state = roles.start(room, run.exercise, run.cmd(GotoExercise(index=0), SYSTEM_ACTOR, seed))
        return run

    @property
    def exercise(self) -> Exercise:
        return self.room.program.exercises[0]

    def cmd(self, action: Action, actor: str, seed: int) -> Command:
        self.at += 1
        return Command(action=action, at=self.at, actor=actor, seed=seed)

    def act(self, action: Action, actor: str = FACILITATOR, seed: int = 1) -> Changes:
        self.state, changes = roles.apply(self.room, self.exercise, self.state, self.cmd(action, actor, seed))
        return changes

    def answer(self, pid: str, seed: int = 1, **fields: Any) -> Changes:
        return self.act(RolesAnswer(exercise=EX, **fields), actor=pid, seed=seed)

    def refused(self, action: Action, actor: str = FACILITATOR) -> str:
        before = self.state
        with pytest.raises(Refused) as refusal:
            self.act(action, actor)
        assert self.state == before  # a refusal changes nothing
        return refusal.value.code

    def holders(self, group: int = 1) -> tuple[str | None, ...]:
        return self.state.groups[group].holders

    def name(self, pid: str | None) -> str | None:
        return None if pid is None else self.room.participants[pid].name

    def names(self, group: int = 1) -> list[str | None]:
        return [self.name(h) for h in self.holders(group)]

    def board(self) -> dict[str, Any]:
        return roles.board(self.room, self.exercise, self.state)

    def mine(self, pid: str) -> dict[str, Any]:
        return roles.mine(self.room, self.exercise, self.state, pid)


SYSTEM_ACTOR = "system"


# --- the program table ----------------------------------------------------------------------------


def test_a_program_table_reads_into_a_config() -> None:
    table = tomllib.loads(
        """
        rotate = false
        [[roles]]
        name = "Ordstyrer og tidtaker"
        description = { nb = "Leder ordet", en = "Chairs" }
        rule = "closest"
        value = 40
        [[roles]]
        name = "Sekretær"
        rule = "furthest"
        value = 40
        """
    )
    config = Config.model_validate(table)
    assert [r.rule for r in config.roles] == ["closest", "furthest"]
    assert config.asks == ("age",)
    assert config.roles[0].of_remaining is True


def test_the_questions_follow_from_the_rules() -> None:
    assert IGP.asks == ("age",)
    assert DIAMOND.asks == ("hair",)
    assert TRIADS.asks == ()
    both = Config(roles=[RoleRule(name="A", rule="smallest"), RoleRule(name="B", rule="closest", value=30)])
    assert both.asks == ("age", "hair")


@pytest.mark.parametrize(
    "table",
    [
        {"roles": []},
        {"roles": [{"name": f"R{i}"} for i in range(7)]},
        {"roles": [{"name": "A", "rule": "closest"}]},  # closest to what?
        {"roles": [{"name": "A", "rule": "random", "value": 40}]},  # value unused
        {"roles": [{"name": "  "}]},
        {"roles": [{"name": {"nb": ""}}]},
        {"roles": [{"name": "A", "rule": "oldest"}]},
        {"roles": [{"name": "A", "colour": "blue"}]},
        {"roles": [{"name": "A"}], "rotat": True},
    ],
)
def test_a_broken_table_is_refused(table: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Config.model_validate(table)


# --- the seed examples ----------------------------------------------------------------------------


def test_values_igp_chair_is_closest_to_40_and_secretary_furthest() -> None:
    run = Run.begin(IGP, [["Kari", "Ola", "Per", "Liv"]])
    for pid, age in (("p1", 39), ("p2", 55), ("p3", 23), ("p4", 44)):
        run.answer(pid, age=age)
    # The last answer drew the group's roles.
    assert run.names() == ["Kari", "Per"]


def test_diamond_darkest_lightest_then_shortest_name_of_those_remaining() -> None:
    run = Run.begin(DIAMOND, [["Kristine", "Bo", "Anne", "Sigurd", "Ida"]])
    for pid, hair in (("p1", 5), ("p2", 1), ("p3", 3), ("p4", 2), ("p5", 4)):
        run.answer(pid, hair=hair)
    # Bo has the shortest name but is the Viddevakt already: Ida (3 letters) is next.
    assert run.names() == ["Kristine", "Bo", "Ida"]


def test_shortest_name_counts_the_first_name_only() -> None:
    config = Config(roles=[RoleRule(name="Sekretær", rule="shortest_name")])
    run = Run.begin(config, [["Anne Marie Hansen", "Kristoffer"]])
    assert run.names() == ["Anne Marie Hansen"]


def test_triads_get_random_roles_as_the_exercise_starts() -> None:
    run = Run.begin(TRIADS, [["A", "B", "C"], ["D", "E", "F"]], grouping="triads")
    for group in (1, 2):
        assert sorted(h or "" for h in run.holders(group)) == sorted(run.state.groups[group].members)
    assert run.mine("p1")["asks"] == []
    assert run.mine("p1")["assigned"] is True


def test_nothing_is_drawn_at_the_start_while_questions_are_open() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    assert run.state.groups == {}
    assert run.mine("p1")["asks"] == ["age"]
    assert run.mine("p1")["can_answer"] is True


# --- answers --------------------------------------------------------------------------------------


def test_only_the_questions_the_rules_need_are_accepted() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    assert run.refused(RolesAnswer(exercise=EX, hair=3), actor="p1") == "not_asked"
    assert run.refused(RolesAnswer(exercise=EX, age=40, hair=3), actor="p1") == "not_asked"
    triads = Run.begin(TRIADS, [["A", "B", "C"]], grouping="triads")
    assert triads.refused(RolesAnswer(exercise=EX, decline=True), actor="p1") == "not_asked"


@pytest.mark.parametrize(
    "fields",
    [{}, {"age": 0}, {"age": 121}, {"hair": 0}, {"hair": 6}, {"age": 40, "decline": True}, {"age": "40"}],
)
def test_malformed_answers_fail_validation(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RolesAnswer(exercise=EX, **fields)


def test_an_answer_is_told_to_its_owner_and_counted_on_the_board() -> None:
    run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
    changes = run.answer("p1", age=38)
    assert changes.personal == {"p1"}
    assert changes.board
    assert run.mine("p1")["reply"] == {"age": 38, "hair": None, "declined": False}
    assert run.mine("p1")["answered"] is True
    assert run.board()["groups"][0]["answered"] == 1


def test_an_answer_can_be_changed_or_withdrawn_until_the_roles_are_drawn() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    run.answer("p1", age=38)
    run.answer("p1", decline=True)
    assert run.mine("p1")["reply"] == {"age": None, "hair": None, "declined": True}
    run.answer("p1", age=41)
    run.answer("p2", age=70)
    assert run.names() == ["Kari", "Ola"]
    assert run.refused(RolesAnswer(exercise=EX, age=40), actor="p1") == "roles_drawn"


def test_two_questions_may_be_answered_one_at_a_time() -> None:
    config = Config(roles=[RoleRule(name="A", rule="largest"), RoleRule(name="B", rule="closest", value=40)])
    run = Run.begin(config, [["Kari", "Ola"]])
    run.answer("p1", hair=2)
    assert run.mine("p1")["answered"] is False
    run.answer("p1", age=40)
    assert run.mine("p1")["reply"] == {"age": 40, "hair": 2, "declined": False}
    assert run.mine("p1")["answered"] is True


def test_the_last_answer_in_a_group_draws_only_that_group() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"], ["Per", "Liv"]])
    run.answer("p1", age=30)
    run.answer("p3", age=30)
    changes = run.answer("p2", decline=True)
    assert set(run.state.groups) == {1}
    assert changes.personal == {"p1", "p2"}
    assert run.mine("p3")["assigned"] is False


def test_a_person_who_declines_is_never_drawn_by_a_rule_that_needs_the_answer() -> None:
    # Ola declines: over many draws he is never closest to 40 nor furthest from it
    # while someone who answered is left to pick.
    for seed in range(40):
        run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
        run.answer("p1", age=40)
        run.answer("p2", decline=True)
        run.answer("p3", age=70, seed=seed)
        assert run.names() == ["Kari", "Per"]
        assert [h["by_lot"] for h in run.board()["groups"][0]["holders"]] == [False, False]


def test_a_role_nobody_left_could_be_ranked_for_is_drawn_by_lot_and_the_group_is_told() -> None:
    outcomes = set()
    for seed in range(40):
        run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
        run.answer("p1", age=40)
        run.answer("p2", decline=True)
        run.answer("p3", decline=True, seed=seed)
        chair, secretary = run.names()
        assert chair == "Kari"
        outcomes.add(secretary)
        holders = run.mine("p2")["holders"]
        assert [h["by_lot"] for h in holders] == [False, True]  # Ola's phone says so
    assert outcomes == {"Ola", "Per"}


def test_a_role_given_by_hand_is_no_longer_drawn_by_lot() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    run.answer("p1", decline=True)
    run.answer("p2", decline=True)
    assert [h["by_lot"] for h in run.board()["groups"][0]["holders"]] == [True, True]
    run.act(RolesSet(exercise=EX, group=1, role=0, participant="p2"))
    assert [h["by_lot"] for h in run.board()["groups"][0]["holders"]] == [False, True]


# --- ties and seeds -------------------------------------------------------------------------------


def test_a_tie_is_broken_by_the_drawing_commands_seed() -> None:
    def chair(seed: int) -> str | None:
        run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
        run.answer("p1", age=35)
        run.answer("p2", age=45)
        run.answer("p3", age=80, seed=seed)
        return run.names()[0]

    winners = {chair(seed) for seed in range(30)}
    assert winners == {"Kari", "Ola"}
    assert all(chair(seed) == chair(seed) for seed in range(10))


def test_the_draw_is_recorded_with_its_seed() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    run.act(RolesAssign(exercise=EX), seed=424242)
    assert run.state.groups[1].seed == 424242


# --- small groups ---------------------------------------------------------------------------------


def test_a_pair_with_three_roles_wraps_round_and_the_phone_says_so() -> None:
    run = Run.begin(DIAMOND, [["Kristine", "Bo"]])
    run.answer("p1", hair=5)
    run.answer("p2", hair=1)
    assert run.names() == ["Kristine", "Bo", "Bo"]  # everyone holds a role; Bo's name is shorter
    bo = run.mine("p2")
    assert bo["double"] is True
    assert [r["name"]["nb"] for r in bo["roles"]] == ["Viddevakt", "Sekretær / melder i plenum"]
    assert run.mine("p1")["double"] is False
    assert run.board()["groups"][0]["double"] is True


def test_a_group_of_one_holds_every_role() -> None:
    run = Run.begin(DIAMOND, [["Kari"]])
    run.answer("p1", decline=True)
    assert run.holders() == ("p1", "p1", "p1")
    assert len(run.mine("p1")["roles"]) == 3


def test_of_remaining_false_may_pick_someone_who_has_a_role() -> None:
    config = Config(
        roles=[
            RoleRule(name="Ordstyrer", rule="closest", value=40),
            RoleRule(name="Tidtaker", rule="closest", value=40, of_remaining=False),
        ]
    )
    run = Run.begin(config, [["Kari", "Ola", "Per"]])
    for pid, age in (("p1", 40), ("p2", 20), ("p3", 60)):
        run.answer(pid, age=age)
    assert run.names() == ["Kari", "Kari"]


# --- the facilitator ------------------------------------------------------------------------------


def test_assign_now_treats_people_who_have_not_answered_as_declined() -> None:
    run = Run.begin(IGP, [["Kari", "Ola", "Per"], ["Liv", "Siv"]])
    run.answer("p1", age=40)
    changes = run.act(RolesAssign(exercise=EX))
    assert set(run.state.groups) == {1, 2}
    assert changes.personal == {"p1", "p2", "p3", "p4", "p5"}
    assert all(h is not None for g in (1, 2) for h in run.holders(g))
    assert run.refused(RolesAnswer(exercise=EX, age=50), actor="p2") == "roles_drawn"


def test_assign_draws_only_groups_without_roles_and_refuses_when_there_are_none() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"], ["Per", "Liv"]])
    run.answer("p1", age=40)
    run.answer("p2", age=20)
    first = run.state.groups[1]
    run.act(RolesAssign(exercise=EX), seed=99)
    assert run.state.groups[1] == first
    assert set(run.state.groups) == {1, 2}
    assert run.refused(RolesAssign(exercise=EX)) == "already_assigned"


def test_a_group_whose_members_changed_is_marked_and_redrawn_by_assign() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"], ["Per", "Liv"]])
    run.act(RolesAssign(exercise=EX))
    run.room, _ = room_apply(
        run.room, Command(action=MoveParticipant(participant="p2", group=2), at=5_000, actor=FACILITATOR)
    )
    board = run.board()
    assert [g["stale"] for g in board["groups"]] == [True, True]
    run.act(RolesAssign(exercise=EX))
    assert set(run.holders(1)) == {"p1"}
    assert set(run.holders(2)) <= {"p2", "p3", "p4"}
    assert [g["stale"] for g in run.board()["groups"]] == [False, False]


def test_a_latecomer_may_answer_but_is_only_drawn_in_by_the_facilitator() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    run.act(RolesAssign(exercise=EX))
    run.room, _ = room_apply(
        run.room, Command(action=Join(name="Nora", token_hash="a" * 64), at=6_000, actor="system")
    )
    assert run.room.working_groups()["p3"] == 1
    run.answer("p3", age=40)
    assert run.state.groups[1].members == ("p1", "p2")
    assert run.mine("p3")["assigned"] is False
    assert run.mine("p3")["holders"]  # sees the group's roles
    run.act(RolesRedraw(exercise=EX, group=1))
    assert run.names()[0] == "Nora"


def test_redraw_draws_one_group_again_with_the_new_seed() -> None:
    run = Run.begin(TRIADS, [["A", "B", "C"], ["D", "E", "F"]], grouping="triads")
    other = run.state.groups[2]
    outcomes = set()
    for seed in range(20):
        run.act(RolesRedraw(exercise=EX, group=1), seed=seed)
        outcomes.add(run.holders(1))
        assert run.state.groups[2] == other
    assert len(outcomes) > 1
    assert run.refused(RolesRedraw(exercise=EX, group=9)) == "unknown_group"


def test_swap_two_roles_and_give_a_role_to_someone() -> None:
    run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
    for pid, age in (("p1", 40), ("p2", 20), ("p3", 50)):
        run.answer(pid, age=age)
    assert run.names() == ["Kari", "Ola"]
    changes = run.act(RolesSwap(exercise=EX, group=1, role_a=0, role_b=1))
    assert run.names() == ["Ola", "Kari"]
    assert changes.personal == {"p1", "p2", "p3"}
    run.act(RolesSet(exercise=EX, group=1, role=1, participant="p3"))
    assert run.names() == ["Ola", "Per"]
    assert run.mine("p1")["roles"] == []
    assert run.refused(RolesSet(exercise=EX, group=1, role=0, participant="p9")) == "not_in_group"
    assert run.refused(RolesSet(exercise=EX, group=1, role=5, participant="p1")) == "unknown_role"
    assert run.refused(RolesSwap(exercise=EX, group=1, role_a=0, role_b=4)) == "unknown_role"
    assert run.refused(RolesSwap(exercise=EX, group=2, role_a=0, role_b=1)) == "not_assigned"
    with pytest.raises(ValidationError):
        RolesSwap(exercise=EX, group=1, role_a=1, role_b=1)


def test_roles_change_only_in_the_current_exercise() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]], current=False)
    assert run.state == State()
    assert run.refused(RolesAssign(exercise=EX)) == "not_current"
    assert run.refused(RolesNextRound(exercise=EX)) == "not_current"


def test_assign_needs_groups() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]], grouping="none")
    assert run.refused(RolesAssign(exercise=EX)) == "no_groups"


# --- rotation -------------------------------------------------------------------------------------


def test_triads_rotate_so_everyone_holds_each_role_once() -> None:
    run = Run.begin(TRIADS, [["A", "B", "C"], ["D", "E", "F", "G"]], grouping="triads")
    seen: dict[str, list[int | None]] = {pid: [] for pid in run.room.participants}
    for _ in range(4):
        for draw in run.state.groups.values():
            for pid in draw.members:
                held = [i for i, h in enumerate(draw.holders) if h == pid]
                seen[pid].append(held[0] if held else None)
        run.act(RolesNextRound(exercise=EX))
    for pid in ("p1", "p2", "p3"):  # three rounds in a triad, then it starts over
        assert sorted(seen[pid][:3], key=lambda r: -1 if r is None else r) == [0, 1, 2]
        assert seen[pid][3] == seen[pid][0]
    for pid in ("p4", "p5", "p6", "p7"):  # a group of four sits out one round each
        assert sorted(seen[pid], key=lambda r: -1 if r is None else r) == [None, 0, 1, 2]


def test_rotation_moves_each_person_on_to_the_next_role() -> None:
    run = Run.begin(TRIADS, [["A", "B", "C"]], grouping="triads")
    before = run.holders()
    changes = run.act(RolesNextRound(exercise=EX))
    after = run.holders()
    # The Tilbakemelder becomes Mottaker, the Mottaker Observatør, the Observatør Tilbakemelder.
    assert after == (before[2], before[0], before[1])
    assert changes.personal == {"p1", "p2", "p3"}
    assert run.board()["groups"][0]["round"] == 2
    assert run.mine("p1")["rounds"] == 3


def test_the_board_keeps_who_held_each_role_in_the_rounds_before() -> None:
    run = Run.begin(TRIADS, [["Anne", "Bo", "Cato"]], grouping="triads")
    names = {"p1": "Anne", "p2": "Bo", "p3": "Cato"}
    rounds = [[names[h] for h in run.holders() if h is not None]]
    assert run.board()["groups"][0]["past"] == []
    for _ in range(2):
        run.act(RolesNextRound(exercise=EX))
        rounds.append([names[h] for h in run.holders() if h is not None])
    group = run.board()["groups"][0]
    assert group["past"] == rounds[:2]  # rounds 1 and 2; round 3 is the holders now
    assert [h["name"] for h in group["holders"]] == rounds[2]


def main_roles_held(run: Run, rounds: int) -> dict[str, set[int]]:
    """Which main roles (by index) each member held over the first ``rounds`` rounds."""
    held: dict[str, set[int]] = {pid: set() for pid in run.state.groups[1].members}
    for number in range(rounds):
        if number:
            run.act(RolesNextRound(exercise=EX))
        for index, holder in enumerate(run.holders()):
            if holder is not None:
                held[holder].add(index)
    return held


def test_a_group_of_five_with_two_roles_gives_them_to_new_people_each_round() -> None:
    # Ordstyrer and sekretær passed one step each round: over three rounds one person held
    # both while another held neither. Now each round the roles go on to people who have
    # had none yet: everyone gets one, one person gets both (6 roles for 5 people).
    run = Run.begin(IGP.model_copy(update={"rotate": True}), [["A", "B", "C", "D", "E"]])
    run.act(RolesAssign(exercise=EX))
    counts = sorted(len(held) for held in main_roles_held(run, 3).values())
    assert counts == [1, 1, 1, 1, 2]


def test_a_round_stored_by_a_server_of_command_format_2_replays_as_it_ran() -> None:
    """Format 2 moved the roles one seat a round in any group: a stored room keeps that."""
    run = Run.begin(IGP.model_copy(update={"rotate": True}), [["A", "B", "C", "D", "E"]])
    run.act(RolesAssign(exercise=EX))
    order = run.state.groups[1].order
    assert run.holders() == order[:2]
    stored = replace(run.cmd(RolesNextRound(exercise=EX), FACILITATOR, 1), v=2)
    replayed, _ = roles.apply(run.room, run.exercise, run.state, stored)
    assert replayed.groups[1].holders == (order[4], order[0])  # one seat back, as it ran
    run.act(RolesNextRound(exercise=EX))  # today's command: on to two who had no role
    assert run.holders() == (order[2], order[3])


@pytest.mark.parametrize(
    ("people", "count"), [(people, count) for people in range(2, 9) for count in (1, 2, 3) if count <= people]
)
def test_the_roles_are_shared_as_evenly_as_the_rounds_allow(people: int, count: int) -> None:
    """After any number of rounds nobody has held two main roles more than anyone else,
    and only after as many rounds as members has everyone held each role."""
    config = Config(roles=[RoleRule(name=f"Rolle {i + 1}") for i in range(count)], rotate=True)
    for rounds in range(1, people + 1):
        run = Run.begin(config, [[f"P{i}" for i in range(people)]], grouping="triads")
        counts = [len(held) for held in main_roles_held(run, rounds).values()]
        assert max(counts) - min(counts) <= 1, (rounds, counts)
        assert (min(counts) == count) == (rounds == people), (rounds, counts)


def test_next_round_only_when_the_program_rotates() -> None:
    run = Run.begin(IGP, [["Kari", "Ola"]])
    run.act(RolesAssign(exercise=EX))
    assert run.refused(RolesNextRound(exercise=EX)) == "not_rotating"
    triads = Run.begin(TRIADS, [["A", "B", "C"]], grouping="triads")
    triads.state = State()
    assert triads.refused(RolesNextRound(exercise=EX)) == "not_assigned"


# --- the group's choice ---------------------------------------------------------------------------


def test_the_group_chooses_its_host_on_a_phone() -> None:
    run = Run.begin(HOST, [["Kari", "Ola", "Per"], ["Liv"]])
    assert run.holders(1) == (None,)
    assert run.holders(2) == ("p4",)  # a group of one has chosen already
    choose = run.mine("p1")["choose"]
    assert [c["id"] for c in choose[0]["candidates"]] == ["p1", "p2", "p3"]
    changes = run.act(RolesChoose(exercise=EX, role=0, participant="p2"), actor="p3")
    assert run.names(1) == ["Ola"]
    assert changes.personal == {"p1", "p2", "p3"}
    assert run.mine("p2")["roles"][0]["name"] == {"nb": "Vert"}
    run.act(RolesChoose(exercise=EX, role=0, participant="p1"), actor="p2")  # changed their mind
    assert run.names(1) == ["Kari"]
    assert run.refused(RolesChoose(exercise=EX, role=0, participant="p4"), actor="p1") == "not_in_group"
    assert run.refused(RolesChoose(exercise=EX, role=3, participant="p1"), actor="p1") == "unknown_role"


def test_only_a_choice_role_is_chosen_and_only_after_the_draw() -> None:
    config = Config(
        roles=[RoleRule(name="Ordstyrer", rule="closest", value=40), RoleRule(name="Vert", rule="choice")]
    )
    run = Run.begin(config, [["Kari", "Ola", "Per"]])
    assert run.refused(RolesChoose(exercise=EX, role=1, participant="p2"), actor="p1") == "not_assigned"
    for pid, age in (("p1", 40), ("p2", 20), ("p3", 60)):
        run.answer(pid, age=age)
    assert run.refused(RolesChoose(exercise=EX, role=0, participant="p2"), actor="p1") == "not_choice"
    # "Of those remaining": Kari has a role while Ola and Per have none.
    assert run.refused(RolesChoose(exercise=EX, role=1, participant="p1"), actor="p2") == "has_role"
    eligible = {c["id"]: c["eligible"] for c in run.mine("p2")["choose"][0]["candidates"]}
    assert eligible == {"p1": False, "p2": True, "p3": True}
    run.act(RolesChoose(exercise=EX, role=1, participant="p3"), actor="p2")
    # A redraw keeps the group's choice.
    run.act(RolesRedraw(exercise=EX, group=1), seed=5)
    assert run.holders()[1] == "p3"


# --- privacy --------------------------------------------------------------------------------------


def _numbers(data: Any) -> set[str]:
    return set(re.findall(r"(?<![\w.])\d+(?![\w.])", json.dumps(data, ensure_ascii=False)))


def test_ages_never_reach_the_board_or_another_phone() -> None:
    run = Run.begin(IGP, [["Kari", "Ola", "Per"]])
    ages = {"p1": 87, "p2": 113, "p3": 61}
    for pid, age in ages.items():
        run.answer(pid, age=age)
    assert run.state.groups  # drawn
    for shown in (run.board(), run.mine("p2"), run.mine("p3")):
        assert "87" not in _numbers(shown)
    assert "113" not in _numbers(run.mine("p1"))
    assert "87" in _numbers(run.mine("p1"))  # Kari sees her own answer
    assert "age" not in json.dumps(run.board()["groups"])


def test_board_shows_first_names_and_counts_only() -> None:
    run = Run.begin(IGP, [["Kari Nordmann", "Ola Berg", "Kari Holm"]])
    run.answer("p1", age=40)
    run.answer("p2", decline=True)
    group = run.board()["groups"][0]
    assert group["answered"] == 2
    assert [m["name"] for m in group["members"]] == ["Kari Nordmann", "Ola", "Kari Holm"]
    assert set(group) == {"group", "members", "answered", "assigned", "stale", "holders", "double"}


# --- storage and replay ---------------------------------------------------------------------------


def test_state_survives_a_json_round_trip() -> None:
    run = Run.begin(DIAMOND, [["Kari", "Ola", "Per"], ["Liv"]])
    run.answer("p1", hair=2)
    run.answer("p4", decline=True)
    adapter = TypeAdapter(State)
    assert adapter.validate_json(adapter.dump_json(run.state)) == run.state


def test_the_same_history_gives_the_same_roles() -> None:
    def history() -> State:
        run = Run.begin(DIAMOND, [["Kari", "Ola", "Per", "Liv"], ["Siv", "Bo", "Ida"]], seed=3)
        run.answer("p1", hair=3, seed=11)
        run.answer("p2", hair=3, seed=12)
        run.answer("p3", decline=True, seed=13)
        run.act(RolesAssign(exercise=EX), seed=14)
        run.act(RolesRedraw(exercise=EX, group=2), seed=15)
        return run.state

    assert history() == history()


def test_the_results_export_names_the_holders_and_nothing_private() -> None:
    run = Run.begin(IGP, [["Kari Nordmann", "Ola"], ["Liv"]])
    run.answer("p1", age=87)
    run.answer("p2", age=113)
    run.answer("p3", decline=True)
    assert roles.export(run.room, run.exercise, run.state) == [
        ("1", "Ordstyrer og tidtaker", "Kari"),
        ("1", "Sekretær", "Ola"),
        ("2", "Ordstyrer og tidtaker", "Liv"),
        ("2", "Sekretær", "Liv"),
    ]


def test_through_the_room_reducer() -> None:
    room = build_room(IGP, [["Kari", "Ola"]], current=False)
    room, _ = room_apply(room, Command(action=GotoExercise(index=0), at=1, actor=FACILITATOR, seed=1))
    room, _ = room_apply(room, Command(action=RolesAnswer(exercise=EX, age=40), at=2, actor="p1", seed=2))
    room, changes = room_apply(
        room, Command(action=RolesAnswer(exercise=EX, age=9), at=3, actor="p2", seed=3)
    )
    assert changes.personal == {"p1", "p2"}
    state = room.activities[EX].roles
    assert state is not None and state.groups[1].holders == ("p1", "p2")


# --- properties -----------------------------------------------------------------------------------

NAMES = ["Bo", "Ida", "Kari", "Sigurd", "Anne", "Kristoffer", "Liv", "Per"]

rules = st.builds(
    lambda rule, value, of_remaining: RoleRule(
        name=f"R-{rule}",
        rule=rule,
        value=value if rule in ("closest", "furthest") else None,
        of_remaining=of_remaining,
    ),
    st.sampled_from(
        ["closest", "furthest", "largest", "smallest", "shortest_name", "longest_name", "random"]
    ),
    st.sampled_from([40.0, 30.0, 55.5]),
    st.booleans(),
)
replies = st.one_of(
    st.none(),  # has not answered
    st.just("decline"),
    st.tuples(st.integers(1, 120), st.integers(1, 5)),
)


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Config, list[list[str]], list[Any], int]:
    config = Config(roles=draw(st.lists(rules, min_size=1, max_size=6)))
    sizes = draw(st.lists(st.integers(1, 7), min_size=1, max_size=4))
    groups = [[draw(st.sampled_from(NAMES)) for _ in range(size)] for size in sizes]
    answers = [draw(replies) for _ in range(sum(sizes))]
    return config, groups, answers, draw(st.integers(0, 2**32 - 1))


def play(config: Config, groups: list[list[str]], answers: list[Any], seed: int) -> Run:
    run = Run.begin(config, groups, seed=seed)
    for number, reply in enumerate(answers, start=1):
        if reply is None:
            continue
        fields: dict[str, Any] = {"decline": True}
        if reply != "decline":
            fields = {q: v for q, v in zip(("age", "hair"), reply, strict=True) if q in config.asks}
        if config.asks:
            run.answer(f"p{number}", seed=seed + number, **fields)
    if len(run.state.groups) < len(groups):
        run.act(RolesAssign(exercise=EX), seed=seed)
    return run


def _eligible_pools(
    config: Config, members: tuple[str, ...], holders: tuple[str | None, ...]
) -> list[list[str]]:
    """Who each role could go to, replaying "of those remaining" in order."""
    held = dict.fromkeys(members, 0)
    pools = []
    for role, holder in zip(config.roles, holders, strict=True):
        fewest = min(held.values())
        pools.append([m for m in members if not role.of_remaining or held[m] == fewest])
        assert holder is not None
        held[holder] += 1
    return pools


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_every_role_goes_to_one_eligible_member(
    scenario: tuple[Config, list[list[str]], list[Any], int],
) -> None:
    config, groups, answers, seed = scenario
    run = play(config, groups, answers, seed)
    assert set(run.state.groups) == set(range(1, len(groups) + 1))
    for draw in run.state.groups.values():
        assert len(draw.holders) == len(config.roles)
        pools = _eligible_pools(config, draw.members, draw.holders)
        for role, holder, pool in zip(config.roles, draw.holders, pools, strict=True):
            assert holder in pool  # exactly one member, and "of those remaining" respected
            reply = run.state.replies.get(holder)
            if role.asks and reply is not None and not reply.declined:
                mine = getattr(reply, role.asks)
                others = [
                    getattr(r, role.asks) for m in pool if (r := run.state.replies.get(m)) and not r.declined
                ]
                assert all(roles._score(role, mine) <= roles._score(role, v) for v in others)
            elif role.asks:  # no answer from the holder: nobody in the pool had one (by lot)
                answers = [run.state.replies.get(m) for m in pool]
                assert all(r is None or r.declined or getattr(r, role.asks) is None for r in answers)
            if role.rule in ("shortest_name", "longest_name"):
                sign = 1 if role.rule == "shortest_name" else -1
                lengths = [sign * len(roles.first_name(run.name(m) or "")) for m in pool]
                assert sign * len(roles.first_name(run.name(holder) or "")) == min(lengths)
        if all(r.of_remaining for r in config.roles) and len(draw.members) <= len(config.roles):
            assert set(draw.holders) == set(draw.members)  # everyone holds at least one role
        if all(r.of_remaining for r in config.roles) and len(draw.members) >= len(config.roles):
            assert len(set(draw.holders)) == len(config.roles)  # nobody holds two


@settings(max_examples=100, deadline=None)
@given(scenarios())
def test_the_same_seed_gives_the_same_outcome(
    scenario: tuple[Config, list[list[str]], list[Any], int],
) -> None:
    assert play(*scenario).state == play(*scenario).state


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.integers(1, 120), st.integers(1, 5))
def test_private_values_never_show_outside_their_owners_phone(
    scenario: tuple[Config, list[list[str]], list[Any], int], other_age: int, other_hair: int
) -> None:
    """What the board and other phones show does not depend on anyone's values: give
    everyone other values, keep the outcome, and the views are the same."""
    run = play(*scenario)
    altered = {
        pid: reply if reply.declined else replace(reply, age=other_age, hair=other_hair)
        for pid, reply in run.state.replies.items()
    }
    twin = replace(run, state=replace(run.state, replies=altered))
    assert json.dumps(run.board()) == json.dumps(twin.board())
    for pid in run.room.participants:
        own = run.mine(pid)
        twin_own = twin.mine(pid)
        own.pop("reply")
        twin_own.pop("reply")
        assert own == twin_own  # only the person's own reply differs


# --- rounds that follow the program's phases ------------------------------------------------------

TRIO_DAY = """
title = "Coaching"
[[exercises]]
id = "trio"
title = "Coaching for læring"
grouping = "triads"
[exercises.roles]
rotate = true
roles = [{ name = "Seg selv" }, { name = "Leder" }, { name = "Observatør" }]
extra = { name = "Observatør 2", description = "Observerer sammen med observatøren" }
[[exercises.phases]]
kind = "I"
minutes = 2
[[exercises.phases]]
kind = "G"
minutes = 5
title = "Runde 1"
[[exercises.phases]]
kind = "G"
minutes = 5
title = "Runde 2 (nye roller)"
new_roles = true
[[exercises.phases]]
kind = "G"
minutes = 5
title = "Runde 3 (nye roller)"
new_roles = true
"""


def trio_day(people: int) -> Day:
    day = Day.of(TRIO_DAY, people=people)
    day.act(Start())
    return day


def trio_state(day: Day) -> State:
    state = day.room.activities["trio"].roles
    assert state is not None
    return state


def trio_board(day: Day) -> dict[str, Any]:
    assert day.room.current is not None
    return roles.board(day.room, day.room.current, trio_state(day))


def held_by_round(day: Day) -> list[dict[str, str]]:
    """Each round's role name per person (the extra role too), from the phones."""
    rounds = []
    for phase in range(1, 4):
        while day.room.phase < phase:
            day.act(NextPhase())
        rounds.append(
            {
                pid: "+".join(r["name"]["nb"] for r in views.activity(day.room, pid)["roles"]["roles"])
                for pid in day.room.participants
            }
        )
    return rounds


def test_ten_people_in_triads_make_three_groups_with_a_second_observer_in_the_four() -> None:
    day = trio_day(10)
    sizes = sorted(Counter(day.room.working_groups().values()).values())
    assert sizes == [3, 3, 4]
    for pid in day.room.participants:
        mine = views.activity(day.room, pid)["roles"]
        assert len(mine["roles"]) == 1  # nobody without a role, nobody with two
        assert (mine["round"], mine["rounds"]) == (1, 3)  # the program's three rounds, in every group
    board = trio_board(day)
    four = next(g for g in board["groups"] if len(g["members"]) == 4)
    assert len(four["extra"]) == 1


def test_the_roles_pass_on_when_a_new_roles_phase_starts() -> None:
    day = trio_day(3)
    day.act(NextPhase())  # round 1 practice: the same roles
    first = trio_state(day).groups[1].holders
    day.act(NextPhase())  # "Runde 2 (nye roller)"
    state = trio_state(day)
    assert state.groups[1].round == 2
    assert state.groups[1].holders == (first[2], first[0], first[1])
    assert views.activity(day.room, "p1")["roles"]["round"] == 2
    assert trio_board(day)["rounds_by_phase"] is True  # no «Neste runde» button to press as well


def test_over_the_programs_three_rounds_everyone_in_a_triad_holds_each_role() -> None:
    day = trio_day(9)
    rounds = held_by_round(day)
    for pid in day.room.participants:
        assert sorted(r[pid] for r in rounds) == ["Leder", "Observatør", "Seg selv"]
    assert all(not g["missed"] for g in trio_board(day)["groups"])


def test_a_group_of_four_with_three_rounds_says_who_misses_which_role() -> None:
    day = trio_day(10)
    board = trio_board(day)
    four = next(g for g in board["groups"] if len(g["members"]) == 4)
    missed = {m["id"]: m["roles"] for m in four["missed"]}
    # 4 people x 3 roles need 4 rounds: in 3, three people each miss one role, each a different one.
    assert len(missed) == 3 and sorted(r for rs in missed.values() for r in rs) == [0, 1, 2]
    rounds = held_by_round(day)
    names = ["Seg selv", "Leder", "Observatør"]
    for pid in (m["id"] for m in four["members"]):
        held = {r[pid] for r in rounds}
        lacking = [names[i] for i in missed.get(pid, [])]
        assert sorted(set(names) - held) == sorted(lacking)  # what was announced is what happened
        assert [t["nb"] for t in views.activity(day.room, pid)["roles"]["missed"]] == lacking


def test_new_roles_needs_rotating_roles_and_a_later_phase() -> None:
    with pytest.raises(
        ProgramError, match=r'exercise 1 \("trio"\), field phases\[2\]\.new_roles: needs roles with rotate'
    ):
        load_program_text(TRIO_DAY.replace("rotate = true", "rotate = false"), source="t.toml")
    first = TRIO_DAY.replace('kind = "I"\nminutes = 2', 'kind = "I"\nminutes = 2\nnew_roles = true')
    with pytest.raises(ProgramError, match=r"field phases\[0\]\.new_roles: the first phase"):
        load_program_text(first, source="t.toml")


# --- cues per role and phase (Troika Consulting) ---------------------------------------------------

TROIKA_STEPS = [
    ("Klient: legg fram utfordringen", {"Klient": "Legg fram utfordringen", "Konsulent": "Lytt"}),
    ("Konsulentene spør", {"Klient": "Svar kort", "Konsulent": "Still oppklarende spørsmål"}),
    ("Klienten lytter", {"Klient": "Snu ryggen til og lytt", "Konsulent": "Drøft utfordringen sammen"}),
]


def troika_program() -> str:
    text = """
title = "Troika"
[[exercises]]
id = "troika"
title = "Troika-konsultasjon"
grouping = "triads"
[exercises.roles]
rotate = true
roles = [{ name = "Klient" }]
extra = { name = "Konsulent" }
"""
    for round_number in range(1, 4):
        for step, (title, cues) in enumerate(TROIKA_STEPS):
            text += (
                f'[[exercises.phases]]\nkind = "G"\nminutes = 2\ntitle = "Runde {round_number}: {title}"\n'
            )
            if step == 0 and round_number > 1:
                text += "new_roles = true\n"
            text += "role_cues = { " + ", ".join(f'{k} = "{v}"' for k, v in cues.items()) + " }\n"
    return text


def test_troika_every_member_is_the_client_once_and_each_phone_is_cued_for_its_role() -> None:
    day = Day.of(troika_program(), people=3)
    day.act(Start())
    clients = []
    for phase in range(9):
        while day.room.phase < phase:
            day.act(NextPhase())
        step = TROIKA_STEPS[phase % 3][1]
        for pid in day.room.participants:
            mine = views.activity(day.room, pid)["roles"]
            role = mine["roles"][0]["name"]["nb"]
            assert mine["cues"] == [{"nb": step[role]}]
            if role == "Klient" and phase % 3 == 0:
                clients.append(pid)
        board = views.board(day.room)["roles"]
        assert {c["role"]["nb"]: c["cue"]["nb"] for c in board["cues"]} == step
    assert sorted(clients) == ["p1", "p2", "p3"]


def test_cues_must_name_the_exercises_roles() -> None:
    text = troika_program().replace("Konsulent = ", "Konsulenten = ", 1)
    with pytest.raises(
        ProgramError, match=r"field phases\[0\]\.role_cues: 'Konsulenten' is none of the roles"
    ):
        load_program_text(text, source="t.toml")
