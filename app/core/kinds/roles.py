"""Roles by rule: each working group gets its roles from rules the program names.

A program gives an exercise up to six roles, each with a rule: closest to or furthest
from a value (age 40), largest or smallest (hair, 1 = lightest … 5 = darkest), shortest
or longest first name, random, or the group's own choice; each rule by default picks only
among "those remaining" (people in the group who hold no role yet in this exercise).
Rules are evaluated in the order given. With ``extra``, everyone in a group larger than
its list of roles who holds none gets that role (a second observer).

How the draw works, per group (members in join order):

- For each role in order, the pool is the whole group, or with ``of_remaining`` the
  members who hold the fewest roles so far: those with none while anyone has none, and
  everyone again once all hold one (a group smaller than its list of roles wraps around,
  so someone holds two roles; a group of one holds every role).
- The pool is shuffled with the drawing command's seed, then sorted by the rule, so ties
  fall in the drawn order. A rule that needs an answer picks only among those who gave
  one: a person who declined (or had not answered when the roles were drawn) is never
  picked by "closest to 40" while someone in the pool answered. When nobody in the pool
  answered, the role is drawn by lot, and the group's phones and the board say so.
- A "choice" role is left open (``None``) until a member of the group names someone on
  a phone (``roles_choose``); a group of one has chosen already.

Questions are asked only when the exercise is current, only those the rules need, and a
person may decline. The draw happens automatically for a group as soon as every member
has answered or declined, and for every group when the exercise starts if no rule needs
an answer; ``roles_assign`` draws every group that has no roles yet (or whose members
changed since), treating whoever has not answered as declined. The facilitator may
redraw one group, swap two roles or give a role to someone.

Rotation (``rotate``): every role passes on to the next person (Tilbakemelder → Mottaker
→ Observatør → extra → Tilbakemelder), so that over as many rounds as the group has
members everyone holds each role once; where two or more are beyond the roles, the roles
go on to people who have held none yet (:func:`rotation_step`). The program's rounds are
its phases: a phase with ``new_roles = true`` starts the next round, and the roles pass
on as it starts (without such phases the facilitator passes them on with
``roles_next_round``). When the program has fewer rounds than a group has members, the
board and the phones say who will miss which role.

Ages and hair colours stay in ``State.replies``: ``board`` never shows them, and ``mine``
shows a person only their own. Randomness comes only from the seed of the command that
draws, so a room's history replays to the same roles.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from math import gcd
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.core.actions import ParticipantId
from app.core.kinds.base import Kind, KindAction, config_of
from app.core.localized import LocalizedText, required
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise
    from app.core.room import Command, Room

MAX_ROLES = 6
MAX_TEXT = 300

Question = Literal["age", "hair"]
Rule = Literal[
    "closest", "furthest", "largest", "smallest", "shortest_name", "longest_name", "random", "choice"
]

# What each rule needs to know of a person; the rest need nothing private.
_ASKS: dict[str, Question] = {"closest": "age", "furthest": "age", "largest": "hair", "smallest": "hair"}
_QUESTIONS: tuple[Question, ...] = ("age", "hair")
VALUED_RULES: tuple[Rule, ...] = ("closest", "furthest")  # the rules that take a value


Text = Annotated[LocalizedText, AfterValidator(required(MAX_TEXT))]


class RoleRule(BaseModel):
    """One role: ``{ name = "Sekretær", rule = "furthest", value = 40 }``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    description: Text | None = None
    rule: Rule = "random"
    # Only for closest / furthest; the schema says so, so the editor offers it only there.
    value: Annotated[float, Field(ge=-1000, le=1000)] | None = Field(
        default=None, json_schema_extra={"only_with": {"rule": list(VALUED_RULES)}}
    )
    of_remaining: bool = True

    @property
    def asks(self) -> Question | None:
        return _ASKS.get(self.rule)

    @model_validator(mode="after")
    def _value_fits_rule(self) -> RoleRule:
        if self.rule in VALUED_RULES and self.value is None:
            raise ValueError(f"rule {self.rule!r} needs a value, for example value = 40")
        if self.rule not in VALUED_RULES and self.value is not None:
            raise ValueError("value is only used by the rules 'closest' and 'furthest'")
        return self


class ExtraRole(BaseModel):
    """The role of everyone a group has beyond its list of roles: ``{ name = "Observatør" }``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Text
    description: Text | None = None


class Config(BaseModel):
    """``[exercises.roles]``: the roles each group gets, and whether they rotate."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: Annotated[list[RoleRule], Field(min_length=1, max_length=MAX_ROLES)]
    extra: ExtraRole | None = None  # held by each member beyond the roles (a second observer)
    rotate: bool = False  # roles pass on each round until everyone has held each

    @property
    def asks(self) -> tuple[Question, ...]:
        """The questions the phones ask: only what the rules need."""
        needed = {role.asks for role in self.roles}
        return tuple(q for q in _QUESTIONS if q in needed)


# --- state -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reply:
    """One person's private answers. Never shown to anyone but that person."""

    age: int | None = None
    hair: int | None = None  # 1 = lightest … 5 = darkest
    declined: bool = False


@dataclass(frozen=True, slots=True)
class Draw:
    """One group's roles."""

    members: tuple[str, ...]  # the group when the roles were drawn, in join order
    holders: tuple[str | None, ...]  # per role, who holds it now; None: not chosen yet
    order: tuple[str, ...]  # rotation: each person takes the role of the one before
    seed: int  # the seed of the command that drew, kept with the outcome
    round: int = 1
    by_lot: tuple[bool, ...] = ()  # per role: nobody in the pool had answered, so drawn by lot
    past: tuple[tuple[str | None, ...], ...] = ()  # the holders of the earlier rounds


@dataclass(frozen=True, slots=True)
class State:
    replies: dict[str, Reply] = field(default_factory=dict)  # participant id -> answers
    groups: dict[int, Draw] = field(default_factory=dict)  # working group -> its roles


# --- actions -------------------------------------------------------------------------------

RoleIndex = Annotated[int, Field(ge=0, lt=MAX_ROLES)]
GroupNumber = Annotated[int, Field(ge=1, le=500)]


class RolesAnswer(KindAction):
    """A phone answers the private question(s), or declines to."""

    type: Literal["roles_answer"] = "roles_answer"
    age: Annotated[int, Field(ge=1, le=120, strict=True)] | None = None
    hair: Annotated[int, Field(ge=1, le=5, strict=True)] | None = None  # 1 = lightest … 5 = darkest
    decline: bool = False

    @model_validator(mode="after")
    def _answer_or_decline(self) -> RolesAnswer:
        given = self.age is not None or self.hair is not None
        if self.decline and given:
            raise ValueError("a declined answer carries no values")
        if not self.decline and not given:
            raise ValueError("give an age or a hair colour, or decline")
        return self


class RolesChoose(KindAction):
    """A group member names who holds a role the group chooses itself."""

    type: Literal["roles_choose"] = "roles_choose"
    role: RoleIndex
    participant: ParticipantId


class RolesAssign(KindAction):
    """Draw now, for every group without roles (or whose members changed)."""

    type: Literal["roles_assign"] = "roles_assign"


class RolesRedraw(KindAction):
    type: Literal["roles_redraw"] = "roles_redraw"
    group: GroupNumber


class RolesSwap(KindAction):
    type: Literal["roles_swap"] = "roles_swap"
    group: GroupNumber
    role_a: RoleIndex
    role_b: RoleIndex

    @model_validator(mode="after")
    def _two_roles(self) -> RolesSwap:
        if self.role_a == self.role_b:
            raise ValueError("swap two different roles")
        return self


class RolesSet(KindAction):
    """The facilitator gives a role to a member of the group."""

    type: Literal["roles_set"] = "roles_set"
    group: GroupNumber
    role: RoleIndex
    participant: ParticipantId


class RolesNextRound(KindAction):
    type: Literal["roles_next_round"] = "roles_next_round"


# --- the draw (pure, seeded) ---------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = unicodedata.normalize("NFC", name).split()
    return parts[0] if parts else name


def _join_order(pid: str) -> tuple[int, str]:
    digits = pid[1:]
    return (int(digits) if digits.isdigit() else 0, pid)


def _score(role: RoleRule, value: int) -> float:
    if role.rule == "closest":
        assert role.value is not None
        return abs(value - role.value)
    if role.rule == "furthest":
        assert role.value is not None
        return -abs(value - role.value)
    if role.rule == "largest":
        return -value
    return value  # smallest


def rank(
    role: RoleRule,
    pool: Sequence[str],
    names: Mapping[str, str],
    replies: Mapping[str, Reply],
    rng: random.Random,
) -> tuple[list[str], bool]:
    """The pool, best first for this rule (ties in drawn order), and whether the rule had
    nobody to decide by, so that the first is drawn by lot. People who gave no answer come
    after everyone who did: they are never picked by a rule that needs the answer."""
    drawn = list(pool)
    rng.shuffle(drawn)
    if role.rule in ("random", "choice"):
        return drawn, False
    if role.rule in ("shortest_name", "longest_name"):
        sign = 1 if role.rule == "shortest_name" else -1
        return sorted(drawn, key=lambda pid: sign * len(first_name(names.get(pid, "")))), False
    question = role.asks
    assert question is not None

    def value(pid: str) -> int | None:
        reply = replies.get(pid)
        return None if reply is None or reply.declined else getattr(reply, question)

    answered = sorted(
        (pid for pid in drawn if value(pid) is not None), key=lambda pid: _score(role, value(pid) or 0)
    )
    return answered + [pid for pid in drawn if value(pid) is None], not answered


def draw_roles(
    roles: Sequence[RoleRule],
    members: Sequence[str],
    names: Mapping[str, str],
    replies: Mapping[str, Reply],
    rng: random.Random,
    chosen: Mapping[int, str] | None = None,
) -> tuple[tuple[str | None, ...], tuple[bool, ...]]:
    """Who holds each role in one group (``members`` non-empty, in join order), and which
    roles were drawn by lot. ``chosen`` keeps the group's earlier choices for "choice"
    roles (role index -> pid)."""
    held = dict.fromkeys(members, 0)
    holders: list[str | None] = []
    lots: list[bool] = []
    for index, role in enumerate(roles):
        lot = False
        if role.rule == "choice":
            pick = (chosen or {}).get(index)
            holder = pick if pick in held else (members[0] if len(members) == 1 else None)
        else:
            pool = list(members)
            if role.of_remaining:
                fewest = min(held.values())
                pool = [pid for pid in members if held[pid] == fewest]
            ranked, lot = rank(role, pool, names, replies, rng)
            holder = ranked[0]
        if holder is not None:
            held[holder] += 1
        holders.append(holder)
        lots.append(lot)
    return tuple(holders), tuple(lots)


def rotation_order(holders: Sequence[str | None], members: Sequence[str]) -> tuple[str, ...]:
    """Role holders in role order, then the others (in join order)."""
    order = list(dict.fromkeys(h for h in holders if h is not None))
    return (*order, *(pid for pid in members if pid not in order))


def rotation_step(people: int, roles: int, round_number: int) -> int:
    """How many seats along the order every role moves after round ``round_number``.

    With at most one person beyond the roles, one seat back: each person takes the role
    of the one after them (Tilbakemelder → Mottaker → Observatør → extra → Tilbakemelder).
    With more, the roles go on to the next ``roles`` people, who have held none yet, and
    one seat less each time the circle comes round again (every ``people / g`` rounds, g
    the greatest common divisor of people and roles): in round ``r`` role ``i`` is held at
    seat ``i + r·roles - ⌊r·g / people⌋``. Either way nobody holds two roles more than
    anyone else after any round, and after ``people`` rounds everyone has held each role
    once (tests/core/kinds/test_roles.py)."""
    if roles >= people - 1:
        return -1

    def seat(r: int) -> int:
        r %= people
        return r * roles - r * gcd(people, roles) // people

    return (seat(round_number) - seat(round_number - 1)) % people


def rotate(draw: Draw, fair: bool = True) -> Draw:
    """The next round: every role moves the same number of seats along the order
    (:func:`rotation_step`). ``fair = False`` is command format 2's rule, one seat back
    whatever the group's size (a stored room replays as it ran)."""
    order = draw.order
    position = {pid: i for i, pid in enumerate(order)}
    step = rotation_step(len(order), len(draw.holders), draw.round) if fair else -1
    holders = tuple(
        order[(position[h] + step) % len(order)] if h is not None and h in position else None
        for h in draw.holders
    )
    return replace(draw, holders=holders, round=draw.round + 1, by_lot=(), past=(*draw.past, draw.holders))


def program_rounds(exercise: Exercise) -> int:
    """How many rounds the program gives the roles: one, and one more per phase that
    starts with new roles (0: the program does not say; the facilitator passes them on)."""
    marked = sum(1 for phase in exercise.steps if phase.new_roles)
    return marked + 1 if marked else 0


def round_of_phase(exercise: Exercise, phase: int) -> int:
    """The roles' round in a phase of the exercise (1 for the first)."""
    return 1 + sum(1 for p in exercise.steps[1 : phase + 1] if p.new_roles)


def rounds_of(exercise: Exercise, draw: Draw) -> int:
    return program_rounds(exercise) or max(1, len(draw.order))


def missed(config: Config, draw: Draw, rounds: int) -> dict[str, tuple[int, ...]]:
    """Who will not have held which role by the end of ``rounds`` (roles by index): the
    rounds so far as they were, the rest as the rotation will run them."""
    seen = [*draw.past, draw.holders]
    ahead = draw
    while len(seen) < rounds:
        ahead = rotate(ahead)
        seen.append(ahead.holders)
    held = {(pid, i) for holders in seen[:rounds] for i, pid in enumerate(holders) if pid is not None}
    out = {}
    for pid in draw.order:
        lacking = tuple(i for i in range(len(config.roles)) if (pid, i) not in held)
        if lacking:
            out[pid] = lacking
    return out


def name_key(name: LocalizedText) -> str:
    """How a phase's ``role_cues`` name a role: its bokmål (or only) name."""
    return name if isinstance(name, str) else name.get("nb") or next(iter(name.values()), "")


def role_names(config: Config) -> set[str]:
    """The names a phase's ``role_cues`` may use: every role's and the extra role's."""
    names = {name_key(role.name) for role in config.roles}
    return names | ({name_key(config.extra.name)} if config.extra is not None else set())


def cues(config: Config, exercise: Exercise, phase: int) -> dict[int | None, dict[str, str]]:
    """What each role (by index; None: the extra role) is to do in a phase, as the phase's
    ``role_cues`` say."""
    steps = exercise.steps
    given = steps[phase].role_cues if 0 <= phase < len(steps) else {}
    out: dict[int | None, dict[str, str]] = {}
    for index, role in enumerate(config.roles):
        if name_key(role.name) in given:
            out[index] = _text(given[name_key(role.name)])
    if config.extra is not None and name_key(config.extra.name) in given:
        out[None] = _text(given[name_key(config.extra.name)])
    return out


def _rng(cmd: Command) -> random.Random:
    # Only the command's seed decides; the prefix keeps this stream apart from the one the
    # same command may use to form pairs or triads.
    return random.Random(f"roles:{cmd.seed}")


# --- helpers over the room -------------------------------------------------------------------


def _config(exercise: Exercise) -> Config:
    return config_of(exercise, "roles", Config)


def _is_current(room: Room, exercise: Exercise) -> bool:
    return room.current is not None and room.current.id == exercise.id


def _require_current(room: Room, exercise: Exercise) -> None:
    if not _is_current(room, exercise):
        raise Refused("not_current")


def _working(room: Room, exercise: Exercise) -> dict[str, int]:
    """The groups of this exercise now; none if it is not the current one."""
    return room.working_groups() if _is_current(room, exercise) else {}


def _members(working: Mapping[str, int], group: int) -> tuple[str, ...]:
    return tuple(sorted((pid for pid, g in working.items() if g == group), key=_join_order))


def _done(reply: Reply | None, asks: Iterable[Question]) -> bool:
    return reply is not None and (reply.declined or all(getattr(reply, q) is not None for q in asks))


def _is_stale(draw: Draw, current: Sequence[str]) -> bool:
    return bool(current) and set(draw.members) != set(current)


def _draw_groups(
    room: Room, exercise: Exercise, state: State, groups: Iterable[int], cmd: Command
) -> tuple[State, frozenset[str]]:
    """Draw the roles of ``groups`` (in this order, one seeded stream); returns who to tell."""
    config = _config(exercise)
    rng = _rng(cmd)
    working = room.working_groups()
    names = {pid: p.name for pid, p in room.participants.items()}
    drawn = dict(state.groups)
    told: set[str] = set()
    for group in groups:
        members = _members(working, group)
        if not members:
            continue
        old = state.groups.get(group)
        chosen: dict[int, str] = {}
        if old is not None:
            told |= set(old.members)
            chosen = {
                i: h for i, h in enumerate(old.holders) if h is not None and config.roles[i].rule == "choice"
            }
        holders, lots = draw_roles(config.roles, members, names, state.replies, rng, chosen)
        drawn[group] = Draw(
            members=members,
            holders=holders,
            order=rotation_order(holders, members),
            seed=cmd.seed,
            round=round_of_phase(exercise, room.phase) if _is_current(room, exercise) else 1,
            by_lot=lots,
        )
        told |= set(members)
    return replace(state, groups=drawn), frozenset(told)


def _group_draw(state: State, group: int) -> Draw:
    draw = state.groups.get(group)
    if draw is None:
        raise Refused("not_assigned")
    return draw


def _role(config: Config, index: int) -> RoleRule:
    if index >= len(config.roles):
        raise Refused("unknown_role")
    return config.roles[index]


def _with_holder(state: State, group: int, draw: Draw, index: int, pid: str) -> State:
    holders = tuple(pid if i == index else h for i, h in enumerate(draw.holders))
    # Someone who joined the group after the draw takes part in the rotation from now on.
    order = draw.order if pid in draw.order else (*draw.order, pid)
    given = replace(draw, holders=holders, order=order, by_lot=_not_by_lot(draw, index))
    return replace(state, groups={**state.groups, group: given})


def _not_by_lot(draw: Draw, *indices: int) -> tuple[bool, ...]:
    """A role given by hand (or by the group) is no longer one drawn by lot."""
    return tuple(lot and i not in indices for i, lot in enumerate(draw.by_lot))


def _everyone_drawn(state: State) -> frozenset[str]:
    return frozenset(pid for draw in state.groups.values() for pid in draw.members)


# --- the kind's functions ------------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    """No question to ask: the groups get their roles as the exercise starts."""
    config = _config(exercise)
    state = State()
    working = _working(room, exercise)
    if config.asks or not working:
        return state
    return _draw_groups(room, exercise, state, sorted(set(working.values())), cmd)[0]


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    config = _config(exercise)
    action = cmd.action
    if isinstance(action, RolesAnswer):
        return _answer(room, exercise, config, state, cmd, action)
    if isinstance(action, RolesChoose):
        return _choose(room, exercise, config, state, cmd, action)
    if isinstance(action, RolesAssign | RolesRedraw | RolesSwap | RolesSet | RolesNextRound):
        _require_current(room, exercise)
    if isinstance(action, RolesAssign):
        working = room.working_groups()
        if not working:
            raise Refused("no_groups")
        due = [
            g
            for g in sorted(set(working.values()))
            if g not in state.groups or _is_stale(state.groups[g], _members(working, g))
        ]
        if not due:
            raise Refused("already_assigned")
        state, told = _draw_groups(room, exercise, state, due, cmd)
        return state, Changes(board=True, personal=told)
    if isinstance(action, RolesRedraw):
        if action.group not in room.working_groups().values():
            raise Refused("unknown_group")
        state, told = _draw_groups(room, exercise, state, [action.group], cmd)
        return state, Changes(board=True, personal=told)
    if isinstance(action, RolesSwap):
        _role(config, action.role_a)
        _role(config, action.role_b)
        draw = _group_draw(state, action.group)
        holders = list(draw.holders)
        holders[action.role_a], holders[action.role_b] = holders[action.role_b], holders[action.role_a]
        swapped = replace(
            draw, holders=tuple(holders), by_lot=_not_by_lot(draw, action.role_a, action.role_b)
        )
        groups = {**state.groups, action.group: swapped}
        return replace(state, groups=groups), Changes(board=True, personal=frozenset(draw.members))
    if isinstance(action, RolesSet):
        _role(config, action.role)
        draw = _group_draw(state, action.group)
        if action.participant not in _members(room.working_groups(), action.group):
            raise Refused("not_in_group")
        state = _with_holder(state, action.group, draw, action.role, action.participant)
        return state, Changes(board=True, personal=frozenset({*draw.members, action.participant}))
    if isinstance(action, RolesNextRound):
        if not config.rotate:
            raise Refused("not_rotating")
        if not state.groups:
            raise Refused("not_assigned")
        groups = {g: rotate(draw, fair=cmd.v >= 3) for g, draw in state.groups.items()}
        state = replace(state, groups=groups)
        return state, Changes(board=True, personal=_everyone_drawn(state))
    raise Refused("unknown_action")


def phase_started(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    """A phase with ``new_roles`` starts the next round: every group's roles pass on."""
    config = _config(exercise)
    target = round_of_phase(exercise, room.phase)
    if not config.rotate or not any(draw.round < target for draw in state.groups.values()):
        return state, Changes()
    groups = dict(state.groups)
    for group, draw in groups.items():
        while draw.round < target:
            draw = rotate(draw, fair=cmd.v >= 3)
        groups[group] = draw
    state = replace(state, groups=groups)
    return state, Changes(board=True, personal=_everyone_drawn(state))


def _answer(
    room: Room, exercise: Exercise, config: Config, state: State, cmd: Command, action: RolesAnswer
) -> tuple[State, Changes]:
    pid = cmd.actor
    if pid not in room.participants:
        raise Refused("unknown_participant")
    asked = config.asks
    if not asked or (action.age is not None and "age" not in asked):
        raise Refused("not_asked")
    if action.hair is not None and "hair" not in asked:
        raise Refused("not_asked")
    working = _working(room, exercise)
    group = working.get(pid)
    drawn = state.groups.get(group) if group is not None else None
    if drawn is not None and pid in drawn.members:
        raise Refused("roles_drawn")
    if action.decline:
        reply = Reply(declined=True)
    else:
        before = state.replies.get(pid)
        if before is None or before.declined:
            before = Reply()
        reply = Reply(
            age=action.age if action.age is not None else before.age,
            hair=action.hair if action.hair is not None else before.hair,
        )
    state = replace(state, replies={**state.replies, pid: reply})
    told = frozenset({pid})
    # The last answer in a group draws its roles at once (never redraws: that is the
    # facilitator's call once roles are out).
    if group is not None and drawn is None:
        members = _members(working, group)
        if all(_done(state.replies.get(m), asked) for m in members):
            state, told = _draw_groups(room, exercise, state, [group], cmd)
    return state, Changes(board=True, personal=told | {pid})


def _choose(
    room: Room, exercise: Exercise, config: Config, state: State, cmd: Command, action: RolesChoose
) -> tuple[State, Changes]:
    pid = cmd.actor
    if pid not in room.participants:
        raise Refused("unknown_participant")
    role = _role(config, action.role)
    if role.rule != "choice":
        raise Refused("not_choice")
    working = _working(room, exercise)
    group = working.get(pid)
    if group is None:
        raise Refused("not_in_group")
    draw = _group_draw(state, group)
    members = _members(working, group)
    if action.participant not in members:
        raise Refused("not_in_group")
    if not _eligible(config, draw, action.role, members)[action.participant]:
        raise Refused("has_role")
    state = _with_holder(state, group, draw, action.role, action.participant)
    return state, Changes(board=True, personal=frozenset({*draw.members, *members}))


def _eligible(config: Config, draw: Draw, index: int, members: Sequence[str]) -> dict[str, bool]:
    """Who the group may choose for role ``index``: "of those remaining" excludes people
    with another role while someone has none."""
    if not config.roles[index].of_remaining:
        return dict.fromkeys(members, True)
    held = {h for i, h in enumerate(draw.holders) if i != index and h is not None}
    anyone_free = any(m not in held for m in members)
    return {m: not (anyone_free and m in held) for m in members}


# --- views -------------------------------------------------------------------------------------


def _text(value: str | dict[str, str] | None) -> dict[str, str]:
    """Texts travel in every language the program has (as in app.core.views.text)."""
    if value is None:
        return {}
    return {"nb": value} if isinstance(value, str) else dict(value)


def _role_view(config: Config, index: int) -> dict[str, Any]:
    role = config.roles[index]
    return {
        "index": index,
        "name": _text(role.name),
        "description": _text(role.description),
        "rule": role.rule,
        "value": role.value,
        "of_remaining": role.of_remaining,
    }


def _short_names(room: Room, pids: Iterable[str]) -> dict[str, str]:
    """First names only; the whole name where two in the group share a first name."""
    people = {pid: room.participants[pid].name for pid in dict.fromkeys(pids) if pid in room.participants}
    firsts = [first_name(name) for name in people.values()]
    return {pid: first_name(n) if firsts.count(first_name(n)) == 1 else n for pid, n in people.items()}


def _holders_view(room: Room, draw: Draw, members: Sequence[str]) -> list[dict[str, Any]]:
    names = _short_names(room, [*members, *(h for h in draw.holders if h is not None)])
    lots = draw.by_lot or (False,) * len(draw.holders)
    return [
        {"index": i, "holder": h, "name": names.get(h) if h is not None else None, "by_lot": lots[i]}
        for i, h in enumerate(draw.holders)
    ]


def _extra_holders(room: Room, config: Config, draw: Draw, members: Sequence[str]) -> list[str]:
    """The members holding the extra role: those in the group who hold no other."""
    if config.extra is None:
        return []
    held = set(draw.holders)
    return [m for m in members if m not in held and m in room.participants]


def _extra_name(config: Config) -> LocalizedText:
    assert config.extra is not None
    return config.extra.name


def _extra_view(config: Config) -> dict[str, Any]:
    assert config.extra is not None
    return {
        "index": None,
        "name": _text(config.extra.name),
        "description": _text(config.extra.description),
        "rule": "extra",
        "value": None,
        "of_remaining": True,
    }


def _rounds(exercise: Exercise, draw: Draw) -> dict[str, int]:
    planned = program_rounds(exercise)
    if planned:
        return {"round": min(draw.round, planned), "rounds": planned}
    count = max(1, len(draw.order))
    return {"round": (draw.round - 1) % count + 1, "rounds": count}


def _missed(exercise: Exercise, config: Config, draw: Draw) -> dict[str, tuple[int, ...]]:
    """Who misses which role over the program's rounds (nobody when it does not set them)."""
    planned = program_rounds(exercise)
    return missed(config, draw, planned) if planned and config.rotate else {}


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    """Per group: who holds which role (first names) and how many have answered."""
    config = _config(exercise)
    working = _working(room, exercise)
    groups = []
    for group in sorted(set(working.values()) | set(state.groups)):
        draw = state.groups.get(group)
        members = _members(working, group) if working else (draw.members if draw else ())
        names = _short_names(room, members)
        entry: dict[str, Any] = {
            "group": group,
            "members": [{"id": m, "name": names[m]} for m in members if m in names],
            "answered": sum(1 for m in members if _done(state.replies.get(m), config.asks)),
            "assigned": draw is not None,
            "stale": draw is not None and _is_stale(draw, members),
            "holders": _holders_view(room, draw, members) if draw else [],
            "double": draw is not None and _has_double(draw),
        }
        if config.extra is not None:
            extra = _extra_holders(room, config, draw, members) if draw else []
            entry["extra"] = [{"holder": m, "name": names.get(m, m)} for m in extra]
        if draw is not None and config.rotate:
            entry.update(_rounds(exercise, draw))
            # Who held each role in the rounds before this one (the results show every round).
            before = [h for past in draw.past for h in past if h is not None]
            earlier = _short_names(room, [*members, *before])
            entry["past"] = [[earlier.get(h) if h else None for h in holders] for holders in draw.past]
            lacking = _missed(exercise, config, draw)
            entry["missed"] = [
                {"id": m, "name": names.get(m, m), "roles": list(lacking[m])} for m in members if m in lacking
            ]
        groups.append(entry)
    phase_cues = cues(config, exercise, room.phase) if _is_current(room, exercise) else {}
    return {
        "roles": [_role_view(config, i) for i in range(len(config.roles))],
        "extra": _extra_view(config) if config.extra is not None else None,
        # What each role does in this phase ("Klient: snu ryggen til og lytt").
        "cues": [
            {
                "index": i,
                "role": _text(config.roles[i].name if i is not None else _extra_name(config)),
                "cue": cue,
            }
            for i, cue in phase_cues.items()
        ],
        "asks": list(config.asks),
        "rotate": config.rotate,
        "rounds_by_phase": program_rounds(exercise) > 0,  # the phases pass the roles on, not a button
        "groups": groups,
    }


def _has_double(draw: Draw) -> bool:
    held = [h for h in draw.holders if h is not None]
    return len(held) != len(set(held))


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    """This person's own questions and answers, their roles, and their group's holders."""
    config = _config(exercise)
    working = _working(room, exercise)
    group = working.get(pid)
    draw = state.groups.get(group) if group is not None else None
    reply = state.replies.get(pid)
    drawn_in = draw is not None and pid in draw.members
    held = (
        [i for i, h in enumerate(draw.holders) if h == pid] if draw is not None and group is not None else []
    )
    out: dict[str, Any] = {
        "asks": list(config.asks),
        "reply": {"age": reply.age, "hair": reply.hair, "declined": reply.declined} if reply else None,
        "answered": _done(reply, config.asks),
        "can_answer": bool(config.asks) and not drawn_in,
        "group": group,
        "assigned": drawn_in or bool(held),
        "rotate": config.rotate,
        "roles": [],
        "double": False,
        "holders": [],
        "choose": [],
        "cues": [],
    }
    if draw is None or group is None:
        return out
    members = _members(working, group)
    holders = _holders_view(room, draw, members)
    roles = [_role_view(config, i) for i in held]
    names = _short_names(room, members)
    extra = _extra_holders(room, config, draw, members)
    if not roles and pid in extra:
        roles = [_extra_view(config)]
    out.update(
        roles=roles,
        double=len(roles) > 1,
        holders=[{**h, "role": _text(config.roles[h["index"]].name)} for h in holders]
        + [
            {
                "index": None,
                "holder": m,
                "name": names.get(m, m),
                "by_lot": False,
                "role": _extra_view(config)["name"],
            }
            for m in extra
        ],
        choose=[
            {
                "index": i,
                "name": _text(role.name),
                "holder": draw.holders[i],
                "candidates": [
                    {"id": m, "name": names.get(m, m), "eligible": ok}
                    for m, ok in _eligible(config, draw, i, members).items()
                ],
            }
            for i, role in enumerate(config.roles)
            if role.rule == "choice"
        ],
    )
    phase_cues = cues(config, exercise, room.phase)
    mine_cues = [phase_cues[i] for i in held if i in phase_cues]
    if not held and pid in extra and None in phase_cues:
        mine_cues = [phase_cues[None]]
    out["cues"] = mine_cues
    if config.rotate:
        out.update(_rounds(exercise, draw))
        out["missed"] = [_text(config.roles[i].name) for i in _missed(exercise, config, draw).get(pid, ())]
    return out


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    """(group, role, holder's name) rows for the day's results; never an answer."""
    config = _config(exercise)
    rows = []
    for group, draw in sorted(state.groups.items()):
        names = _short_names(room, [*draw.members, *(h for h in draw.holders if h is not None)])
        for index, holder in enumerate(draw.holders):
            role = config.roles[index].name
            title = role if isinstance(role, str) else role.get("nb") or next(iter(role.values()), "")
            rows.append((str(group), title, names.get(holder, "") if holder is not None else ""))
    return rows


KIND: Kind[State] = Kind(
    name="roles",
    in_groups=True,
    participant_actions=(RolesAnswer, RolesChoose),
    facilitator_actions=(RolesAssign, RolesRedraw, RolesSwap, RolesSet, RolesNextRound),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    phase_started=phase_started,
)
