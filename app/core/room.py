"""A live room: its state and the one function that changes it.

``apply(room, command)`` takes an action (already validated) with the moment it happened,
who did it and a random seed, and returns the new room plus what changed. It does no I/O
and reads no clock, so it is tested without a server and a room's history replays to the
same state after a restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from app.core import groups as grouping
from app.core import workbook
from app.core.actions import (
    Action,
    AddPhone,
    Extend,
    ForgetAnswers,
    FormGroups,
    GotoExercise,
    HideResults,
    Join,
    LinkWorkbook,
    MoveExercise,
    MoveParticipant,
    NextExercise,
    NextPhase,
    PassTurn,
    Pause,
    PreviousPhase,
    ProjectorShow,
    RemoveParticipant,
    RenameParticipant,
    Resume,
    SaveNote,
    SetJoinAddress,
    ShowOnProjector,
    Start,
    SwitchExercise,
)
from app.core.kinds.base import Kind, KindAction
from app.core.outcome import Changes, Refused
from app.core.program import OWN_GROUPS, Exercise, Phase, Program
from app.core.registry import KIND_BY_ACTION, KINDS, Activities
from app.core.shared import Layered, copier, stored, with_key
from app.core.timer import Timer

FACILITATOR = "facilitator"
SYSTEM = "system"

__all__ = [
    "FACILITATOR",
    "SYSTEM",
    "Changes",
    "Command",
    "Participant",
    "Presenting",
    "Refused",
    "Room",
    "Turn",
    "apply",
]


def _join_order(pid: str) -> int:
    return int(pid[1:])


def _network_of(participants: Mapping[str, Participant]) -> dict[str, int]:
    return {p.id: p.group for p in participants.values() if p.group is not None}


def _kinds_of(exercise: Exercise) -> tuple[Kind[Any], ...]:
    return tuple(kind for kind in KINDS if getattr(exercise, kind.name, None) is not None)


_NO_GROUPS: dict[str, int] = {}  # working groups of an exercise without groups (never changed)

_kinds: grouping.ByIdentity[Exercise, tuple[Kind[Any], ...]] = grouping.ByIdentity(_kinds_of, keep=256)


def _open_of(exercise: Exercise) -> frozenset[str]:
    referred = {getattr(getattr(exercise, kind.name), "of", None) for kind in _kinds(exercise)}
    return frozenset({exercise.id} | {r for r in referred if isinstance(r, str)})


# Where participants may act while an exercise runs (asked at every word of a burst).
_open: grouping.ByIdentity[Exercise, frozenset[str]] = grouping.ByIdentity(_open_of, keep=256)

# A room's network groups, by its participants dict (never changed in place).
_network: grouping.ByIdentity[Mapping[str, Participant], dict[str, int]] = grouping.ByIdentity(_network_of)


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    joined_at: int
    group: int | None = None  # network group (nettverksgruppe), kept all day


@dataclass(frozen=True, slots=True)
class Turn:
    """Round robin in one group: ``order`` of speakers, and how far it has come.

    Turns are counted over all rounds (turn ``k`` is ``order[k % len(order)]``'s, in round
    ``k // len(order) + 1``). ``index`` turns were passed on by a tap, the last one
    ``since_ms`` into the phase as its timer measures it; with time per person the turn
    moves on by itself as the *timer* runs, so nothing moves before Start or while paused.
    """

    order: tuple[str, ...]
    index: int = 0
    since_ms: int = 0


@dataclass(frozen=True, slots=True)
class Presenting:
    """What the facilitator chose for the projector: what it shows (the room, a blank
    screen, the big QR code), the exercises whose results it hides until revealed, and
    the address it gives phones (None: the address its own page was opened at)."""

    show: ProjectorShow = "room"
    hidden: tuple[str, ...] = ()  # exercise ids, sorted
    join_base: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """One entry of a room's history: the action and its circumstances."""

    action: Action
    at: int  # epoch ms, set by the server
    actor: str  # participant id, FACILITATOR or SYSTEM
    seed: int = 0  # drawn by the server for actions that shuffle
    # The command format it was stored in (docs/storage.md): the rules in force when it was
    # accepted, where a rule was tightened since. A command taken now is of today's format.
    v: int = 3


_PARTICIPANTS, _KEYS = stored(dict[str, Participant], Layered), stored(dict[str, str], Layered)


@dataclass(frozen=True, slots=True)
class Room:
    code: str
    program: Program
    time_scale: float = 1.0  # tests and rehearsals shorten every phase by this factor
    seq: int = 0
    # Grown by one per join without copying what was there (shared.Layered): three dicts
    # of everyone copied per join made 5,000 joins quadratic.
    participants: Annotated[Layered[str, Participant], *_PARTICIPANTS] = field(default_factory=Layered)
    tokens: Annotated[Layered[str, str], *_KEYS] = field(default_factory=Layered)  # token hash -> pid
    next_number: int = 1
    exercise: int = -1  # -1: the day has not started; len(exercises): the day is over
    phase: int = 0
    timer: Timer | None = None
    day_started_at: int | None = None
    exercise_groups: dict[str, int] = field(default_factory=dict)  # pairs / triads / fours / tables
    earlier_groups: tuple[dict[str, int], ...] = ()  # the exercise's groups of its earlier rounds
    # The own groups of the exercises left, round by round (exercise id -> its rounds), for
    # each person's «Mine svar»; the current exercise's are the two fields above.
    groups_by_exercise: dict[str, tuple[dict[str, int], ...]] = field(default_factory=dict)
    hosts: dict[int, str] = field(default_factory=dict)  # World Café: table -> its host, who stays
    seating: tuple[str, ...] = ()  # new partners each round: the first pairs' circle (see groups)
    turns: dict[int, Turn] = field(default_factory=dict)  # round robin per group
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # pid -> exercise -> text
    # take-home link key hash -> pid
    workbook_links: Annotated[Layered[str, str], *_KEYS] = field(default_factory=Layered)
    activities: dict[str, Activities] = field(default_factory=dict)  # exercise id -> kinds' state
    # The method menu: the facilitator's order of the day (exercise ids; empty: the
    # program's), what they switched on or off, and the exercises entered so far.
    order: tuple[str, ...] = ()
    switched: dict[str, bool] = field(default_factory=dict)
    visited: tuple[str, ...] = ()
    presenting: Presenting = field(default_factory=Presenting)

    # --- derived facts ---------------------------------------------------------------

    @property
    def current(self) -> Exercise | None:
        if 0 <= self.exercise < len(self.program.exercises):
            return self.program.exercises[self.exercise]
        return None

    @property
    def current_phase(self) -> Phase | None:
        ex = self.current
        if ex is None or self.phase >= len(ex.steps):
            return None
        return ex.steps[self.phase]

    def duration_ms(self, phase: Phase) -> int:
        """How long a phase of the current exercise lasts here (scaled; per person: for
        the largest group now)."""
        return max(1000, round(phase.duration_ms(self.largest_group()) * self.time_scale))

    def largest_group(self) -> int:
        """The size of the largest working group now; the plan's while none is formed."""
        ex = self.current
        working = self.working_groups()
        if working:
            return max(grouping.index(working).sizes.values())
        size = self.program.network_group_size
        return ex.planned_group_size(size) if ex is not None else size

    # --- the day's plan (method menu) ---------------------------------------------------

    def plan(self) -> list[int]:
        """The exercises' indices in the order the day runs them."""
        if not self.order:
            return list(range(len(self.program.exercises)))
        index = {ex.id: i for i, ex in enumerate(self.program.exercises)}
        return [index[ident] for ident in self.order]

    def is_on(self, exercise: Exercise) -> bool:
        return self.switched.get(exercise.id, exercise.selected)

    def plan_position(self, index: int) -> int:
        """Where exercise ``index`` sits in the plan; -1 before the day, len after it."""
        plan = self.plan()
        if 0 <= index < len(plan):
            return plan.index(index)
        return -1 if index < 0 else len(plan)

    def next_on(self, after: int) -> int:
        """The next exercise switched on after exercise ``after`` (-1: from the start);
        ``len(exercises)`` when none is left."""
        plan = self.plan()
        for index in plan[self.plan_position(after) + 1 :]:
            if self.is_on(self.program.exercises[index]):
                return index
        return len(plan)

    def planned_before(self, index: int) -> int:
        """Planned (unscaled) ms of the exercises switched on before ``index`` in the plan:
        skipped exercises count nothing, so skipping is not time gained."""
        plan = self.plan()
        program = self.program
        return sum(
            program.planned_ms(program.exercises[i])
            for i in plan[: self.plan_position(index)]
            if self.is_on(program.exercises[i])
        )

    def exercise_by_id(self, exercise_id: str) -> Exercise | None:
        return next((ex for ex in self.program.exercises if ex.id == exercise_id), None)

    def kinds_of(self, exercise: Exercise) -> tuple[Kind[Any], ...]:
        """The exercise kinds an exercise uses: those whose table the program fills in
        (kept per exercise: a phase start asks once for each of 5,000 phones)."""
        return _kinds(exercise)

    def kind_state(self, exercise: Exercise, kind: Kind[Any]) -> Any:
        activities = self.activities.get(exercise.id)
        return getattr(activities, kind.name) if activities is not None else None

    def open_exercises(self) -> frozenset[str]:
        """Where participants may act now: the current exercise and any it builds on
        (a kind table may name an earlier exercise with ``of = "<id>"``)."""
        ex = self.current
        return frozenset() if ex is None else _open(ex)

    def network_groups(self) -> dict[str, int]:
        """pid -> network group (not to be changed: it is shared, see ``_network``)."""
        return _network(self.participants)

    def working_groups(self) -> dict[str, int]:
        """The groups the current exercise works in: its own (pairs, triads, the steps of
        1-2-4-All, World Café tables), or the network."""
        ex = self.current
        if ex is not None and ex.grouping in OWN_GROUPS:
            return self.exercise_groups
        if ex is not None and ex.grouping == "none":
            return _NO_GROUPS  # one object: its index is found, not derived, for every view
        return self.network_groups()

    def group_of(self, pid: str) -> int | None:
        return self.working_groups().get(pid)

    def rounds_of(self, exercise: Exercise) -> tuple[dict[str, int], ...]:
        """An exercise's own groups, round by round (1-2-4-All: its pairs, then its fours):
        the current exercise's as they stand, an earlier one's as it was left."""
        if exercise.grouping not in OWN_GROUPS:
            return ()
        if self.current is not None and exercise.id == self.current.id:
            return tuple(groups for groups in (*self.earlier_groups, self.exercise_groups) if groups)
        return self.groups_by_exercise.get(exercise.id, ())

    def table_host(self, table: int) -> str | None:
        """World Café: the host drawn for a table while they sit there, else its first member."""
        host = self.hosts.get(table)
        if host is not None and self.exercise_groups.get(host) == table:
            return host
        seated = sorted(grouping.members(self.exercise_groups, table), key=_join_order)
        return seated[0] if seated else None

    def groups_round(self) -> int:
        """The round of an exercise whose groups change (1 + the phases so far with new groups)."""
        ex = self.current
        if ex is None or self.phase == 0:
            return 1  # (a phase's view asks for every phone: no list of steps made for it)
        return 1 + sum(1 for p in ex.steps[1 : self.phase + 1] if p.new_groups)

    def elapsed(self, now: int) -> int:
        """How much of the current phase has run, by its timer."""
        return self.timer.elapsed(now) if self.timer is not None else 0

    def turn_number(self, group: int, now: int) -> int | None:
        """The group's turn now (see :class:`Turn`); ``turns_in_round_robin`` once all
        rounds are over; None without a round robin."""
        turn = self.turns.get(group)
        phase = self.current_phase
        if turn is None or not turn.order or phase is None or phase.round_robin is None:
            return None
        rr = phase.round_robin
        per_person = round(rr.per_person_seconds * 1000 * self.time_scale)
        moved = max(0, self.elapsed(now) - turn.since_ms) // per_person if per_person > 0 else 0
        number = turn.index + moved
        if rr.rounds > 0:
            number = min(number, rr.rounds * len(turn.order))
        return number

    def round_over(self, group: int, now: int) -> bool:
        number = self.turn_number(group, now)
        phase = self.current_phase
        turn = self.turns.get(group)
        if number is None or phase is None or phase.round_robin is None or turn is None:
            return False
        return phase.round_robin.rounds > 0 and number >= phase.round_robin.rounds * len(turn.order)

    def current_speaker(self, group: int, now: int) -> str | None:
        number = self.turn_number(group, now)
        if number is None or self.round_over(group, now):
            return None
        order = self.turns[group].order
        return order[number % len(order)]


# --- the reducer ---------------------------------------------------------------------------


def apply(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Apply one command; raises :class:`Refused` if it is not allowed in this state."""
    handler = _HANDLERS.get(type(cmd.action))
    if handler is not None:
        new_room, changes = handler(room, cmd)
    elif isinstance(cmd.action, KindAction) and cmd.action.type in KIND_BY_ACTION:
        return _apply_kind(room, KIND_BY_ACTION[cmd.action.type], cmd)  # numbered there
    else:
        raise Refused("unknown_action")
    return _numbered(new_room, room.seq + 1), changes


# The room copied with the fields an action changes (shared.copier: a third of replace's
# cost for the room's two dozen fields, paid by every action, and by a join twice).
_numbered = copier(Room, "seq")
_joined = copier(Room, "participants", "tokens", "workbook_links", "next_number", "exercise_groups")


def _join(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, Join)
    if action.token_hash in room.tokens:
        raise Refused("already_joined")
    pid = f"p{room.next_number}"
    links = _with_link(room.workbook_links, action.workbook, pid)
    net = room.network_groups()
    person = Participant(id=pid, name=action.name, joined_at=cmd.at, group=grouping.smallest_group(net))
    participants = with_key(room.participants, pid, person)
    # The newcomer's groups are derived from the room's, not found by scanning everyone.
    _network.put(participants, net if person.group is None else grouping.joined(net, pid, person.group))
    exercise_groups = room.exercise_groups
    if exercise_groups:
        exercise_groups = grouping.joined(exercise_groups, pid, grouping.smallest_group(exercise_groups) or 1)
    tokens = with_key(room.tokens, action.token_hash, pid)
    new_room = _joined(room, participants, tokens, links, room.next_number + 1, exercise_groups)
    new_room = _with_turn_joined(new_room, pid, cmd.at)
    new_room = _refit_timer(room, new_room)
    return new_room, Changes(
        public=new_room.timer != room.timer, staff=True, board=True, personal=_group_mates(new_room, pid)
    )


def _with_turn_joined(room: Room, pid: str, now: int) -> Room:
    """A latecomer in a round robin speaks last in their group's round."""
    group = room.group_of(pid)
    if group is None or group not in room.turns:
        return room
    turn = room.turns[group]
    return replace(room, turns={**room.turns, group: _reordered(room, group, (*turn.order, pid), now)})


def _reordered(room: Room, group: int, order: tuple[str, ...], now: int) -> Turn:
    """The group's turn after its speakers changed: the same round, the same speaker (or,
    if they left, the one after them); a speaker starting now has their full time."""
    turn = room.turns[group]
    number = room.turn_number(group, now) or 0
    old = turn.order
    laps, position = divmod(number, len(old)) if old else (0, 0)
    staying = set(order)
    before = sum(1 for pid in old[:position] if pid in staying)
    index = laps * len(order) + before
    return Turn(order=order, index=index, since_ms=room.elapsed(now))


def _refit_timer(before: Room, room: Room) -> Room:
    """A phase timed per person that has not started follows its groups' size."""
    phase = room.current_phase
    timer = room.timer
    if phase is None or phase.minutes_per_person is None or timer is None or timer.status != "ready":
        return room
    if before.timer is not None and timer.duration_ms != before.duration_ms(phase):
        return room  # the facilitator set this phase's time by hand
    return replace(room, timer=Timer.ready(room.duration_ms(phase)))


def _group_mates(room: Room, pid: str) -> frozenset[str]:
    group = room.group_of(pid)
    if group is None:
        return frozenset({pid})
    return frozenset(grouping.members(room.working_groups(), group)) | {pid}


def _require_participant(room: Room, pid: str) -> Participant:
    person = room.participants.get(pid)
    if person is None:
        raise Refused("unknown_participant")
    return person


def _rename(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, RenameParticipant)
    person = _require_participant(room, action.participant)
    participants = with_key(room.participants, person.id, replace(person, name=action.name))
    new_room = replace(room, participants=participants)
    return new_room, Changes(staff=True, personal=_group_mates(new_room, person.id))


def _remove(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, RemoveParticipant)
    person = _require_participant(room, action.participant)
    mates = _group_mates(room, person.id)
    participants = Layered({k: v for k, v in room.participants.items() if k != person.id})
    tokens = Layered({k: v for k, v in room.tokens.items() if v != person.id})
    exercise_groups = {k: v for k, v in room.exercise_groups.items() if k != person.id}
    turns = {
        g: _reordered(room, g, tuple(p for p in t.order if p != person.id), cmd.at)
        if person.id in t.order
        else t
        for g, t in room.turns.items()
        if set(t.order) != {person.id}
    }
    notes = {k: v for k, v in room.notes.items() if k != person.id}
    new_room = replace(
        room,
        participants=participants,
        tokens=tokens,
        exercise_groups=exercise_groups,
        turns=turns,
        notes=notes,
        workbook_links=Layered({k: v for k, v in room.workbook_links.items() if v != person.id}),
    )
    new_room = _refit_timer(room, new_room)
    return new_room, Changes(public=new_room.timer != room.timer, staff=True, board=True, personal=mates)


def _form_groups(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, FormGroups)
    ids = sorted(room.participants, key=_join_order)
    if not ids:
        raise Refused("no_participants")
    if action.mode == "size":
        assignment = grouping.by_size(ids, action.value, cmd.seed)
    else:
        assignment = grouping.by_count(ids, action.value, cmd.seed)
    participants = Layered({pid: replace(p, group=assignment[pid]) for pid, p in room.participants.items()})
    new_room = replace(room, participants=participants)
    new_room = _refit_timer(room, _restart_turns(new_room, cmd.at))
    return new_room, Changes(
        public=new_room.timer != room.timer, staff=True, board=True, everyone_personal=True
    )


def _move(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, MoveParticipant)
    person = _require_participant(room, action.participant)
    before = _group_mates(room, person.id)
    ex = room.current
    if ex is not None and ex.grouping in OWN_GROUPS:
        new_room = replace(room, exercise_groups={**room.exercise_groups, person.id: action.group})
    else:
        participants = with_key(room.participants, person.id, replace(person, group=action.group))
        new_room = replace(room, participants=participants)
    new_room = _refit_timer(room, _restart_turns(new_room, cmd.at))
    changes = Changes(public=new_room.timer != room.timer, staff=True, board=True)
    return new_room, changes | Changes(personal=before | _group_mates(new_room, person.id))


# --- moving through the day ------------------------------------------------------------------


def _enter(room: Room, index: int, cmd: Command) -> Room:
    """Go to exercise ``index`` (its first phase, timer ready), forming its own groups;
    the groups of the exercise left are kept (``groups_by_exercise``)."""
    left = room.current
    if left is not None and room.rounds_of(left):  # kept for «Mine svar»
        room = replace(room, groups_by_exercise={**room.groups_by_exercise, left.id: room.rounds_of(left)})
    exercise_groups: dict[str, int] = {}
    hosts: dict[int, str] = {}
    seating: tuple[str, ...] = ()
    if 0 <= index < len(room.program.exercises):
        ex = room.program.exercises[index]
        ids = sorted(room.participants, key=_join_order)
        if ex.grouping == "pairs" and ids and any(p.new_groups for p in ex.steps):
            seating = tuple(grouping.shuffled(ids, cmd.seed))
            exercise_groups = grouping.circle_pairs(seating, 0)
        elif ex.grouping == "pairs" and ids:
            exercise_groups = grouping.by_size(ids, 2, cmd.seed)
        elif ex.grouping == "triads" and ids:
            exercise_groups = grouping.triads(ids, cmd.seed)
        elif ex.grouping == "world_cafe" and ids:
            exercise_groups = room.network_groups() or grouping.by_size(
                ids, room.program.network_group_size, cmd.seed
            )
            hosts = grouping.draw_hosts(exercise_groups, cmd.seed)
        if ex.id not in room.visited:
            room = replace(room, visited=(*room.visited, ex.id))
    new_room = replace(
        room,
        exercise=index,
        phase=0,
        exercise_groups=exercise_groups,
        earlier_groups=(),
        hosts=hosts,
        seating=seating,
        turns={},
    )
    phase = new_room.current_phase
    new_room = replace(new_room, timer=Timer.ready(new_room.duration_ms(phase)) if phase else None)
    return _start_kinds(_restart_turns(new_room, cmd.at), cmd)


def _start_kinds(room: Room, cmd: Command) -> Room:
    """Entering an exercise starts each kind it uses, once; coming back keeps its work."""
    ex = room.current
    if ex is None:
        return room
    activities = room.activities.get(ex.id, Activities())
    for kind in room.kinds_of(ex):
        if getattr(activities, kind.name) is None:
            activities = replace(activities, **{kind.name: kind.start(room, ex, cmd)})
    return replace(room, activities={**room.activities, ex.id: activities})


def _apply_kind(room: Room, kind: Kind[Any], cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, KindAction)
    exercise = room.exercise_by_id(action.exercise)
    if exercise is None or getattr(exercise, kind.name, None) is None:
        raise Refused("unknown_exercise")
    if cmd.actor != FACILITATOR:
        _require_participant(room, cmd.actor)
        if exercise.id not in room.open_exercises():
            raise Refused("exercise_closed")
    activities = room.activities.get(exercise.id, Activities())
    state = getattr(activities, kind.name)
    if state is None:
        state = kind.start(room, exercise, cmd)
    new_state, changes = kind.apply(room, exercise, state, cmd)
    activities = _with_state[kind.name](activities, new_state)
    # One copy of the room, numbered here (a word in a burst of 1,500 a second: each
    # copy of the room's two dozen fields costs some 10 µs with replace, 4 µs so).
    return _kind_applied(room, {**room.activities, exercise.id: activities}, room.seq + 1), changes


_kind_applied = copier(Room, "activities", "seq")
_with_state = {kind.name: copier(Activities, kind.name) for kind in KINDS}


def _restart_turns(room: Room, now: int) -> Room:
    """A round-robin phase starts with the group's first member (by join order)."""
    phase = room.current_phase
    if phase is None or phase.round_robin is None:
        return replace(room, turns={})
    working = room.working_groups()
    since = room.elapsed(now)
    turns = {
        g: Turn(order=tuple(sorted(grouping.members(working, g), key=_join_order)), since_ms=since)
        for g in grouping.numbers(working)
    }
    return replace(room, turns=turns)


def _everyone(changes: Changes | None = None) -> Changes:
    everything = Changes(public=True, staff=True, board=True, everyone_personal=True)
    return everything if changes is None else changes | everything


def _start(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Start the day (its first exercise switched on) or the current phase's timer. The
    round robin was set up when the phase was entered and starts with the timer."""
    changes = Changes()
    if room.current is None:
        if room.exercise >= len(room.program.exercises):
            raise Refused("day_over")
        first = room.next_on(-1)
        if first >= len(room.program.exercises):
            raise Refused("day_over")
        room = _enter(room, first, cmd)
        changes = Changes(plan=True)
    assert room.timer is not None
    day_started_at = room.day_started_at if room.day_started_at is not None else cmd.at
    room = replace(room, timer=room.timer.start(cmd.at), day_started_at=day_started_at)
    return room, _everyone(changes)


def _pause(room: Room, cmd: Command) -> tuple[Room, Changes]:
    if room.timer is None or room.timer.status != "running":
        raise Refused("not_running")
    return replace(room, timer=room.timer.pause(cmd.at)), Changes(public=True)


def _resume(room: Room, cmd: Command) -> tuple[Room, Changes]:
    if room.timer is None or room.timer.status != "paused":
        raise Refused("not_paused")
    return replace(room, timer=room.timer.start(cmd.at)), Changes(public=True)


def _extend(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, Extend)
    if room.timer is None:
        raise Refused("no_phase")
    ms = max(1000, round(abs(action.seconds) * 1000 * room.time_scale))
    ms = ms if action.seconds > 0 else -ms
    return replace(room, timer=room.timer.extend(ms, cmd.at)), Changes(public=True)


def _next_phase(room: Room, cmd: Command) -> tuple[Room, Changes]:
    ex = room.current
    if ex is None:
        raise Refused("no_phase")
    if room.phase + 1 >= len(ex.steps):
        return _next_exercise(room, cmd)
    room = _regroup(replace(room, phase=room.phase + 1), cmd.seed)
    phase = room.current_phase
    assert phase is not None
    room = replace(room, timer=Timer.ready(room.duration_ms(phase)).start(cmd.at))
    room = _restart_turns(room, cmd.at)
    changes = _everyone()
    for kind in room.kinds_of(ex):
        state = room.kind_state(ex, kind)
        if kind.phase_started is not None and state is not None:
            state, kind_changes = kind.phase_started(room, ex, state, cmd)
            activities = replace(room.activities[ex.id], **{kind.name: state})
            room = replace(room, activities={**room.activities, ex.id: activities})
            changes = changes | kind_changes
    return room, changes


def _previous_phase(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Back to the phase before, its timer ready: the groups it had come back (those of
    the step left were the newest of the exercise's rounds). The kinds keep their work."""
    ex = room.current
    if ex is None or room.phase == 0:
        raise Refused("first_phase")
    if ex.grouping == "1-2-4-all" or ex.steps[room.phase].new_groups:
        earlier = room.earlier_groups
        room = replace(room, exercise_groups=earlier[-1] if earlier else {}, earlier_groups=earlier[:-1])
    room = replace(room, phase=room.phase - 1)
    phase = room.current_phase
    assert phase is not None
    room = replace(room, timer=Timer.ready(room.duration_ms(phase)))
    return _restart_turns(room, cmd.at), _everyone()


def _regroup(room: Room, seed: int) -> Room:
    """The groups of the phase just entered, where the exercise's grouping changes them:
    1-2-4-All's steps (alone, pairs, fours, all), new partners, World Café's move."""
    ex = room.current
    phase = room.current_phase
    assert ex is not None and phase is not None
    now = room.exercise_groups
    if ex.grouping == "1-2-4-all":
        if room.phase == 1:
            groups = grouping.by_size(_in_join_order(room), 2, seed)
        elif room.phase == 2:
            groups = grouping.merge_pairs(now)
        else:
            groups = {}
    elif phase.new_groups and ex.grouping in ("pairs", "triads"):
        size = 2 if ex.grouping == "pairs" else 3
        groups = grouping.fresh_groups(
            _in_join_order(room), size, (*room.earlier_groups, now), seed, room.seating
        )
    elif phase.new_groups and ex.grouping == "world_cafe":
        hosts = {table: host for table in grouping.numbers(now) if (host := room.table_host(table))}
        groups = grouping.move_tables(_in_join_order(room), now, hosts, room.earlier_groups, seed)
        room = replace(room, hosts=hosts)
    else:
        return room
    earlier = (*room.earlier_groups, now) if now else room.earlier_groups
    return replace(room, exercise_groups=groups, earlier_groups=earlier)


def _in_join_order(room: Room) -> list[str]:
    """Everyone, for a phase that makes new groups: only then (sorting 5,000 ids took
    1.4 ms, before any phone heard of a phase that keeps its groups)."""
    return sorted(room.participants, key=_join_order)


def _next_exercise(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """On to the next exercise of the plan that is switched on."""
    if room.exercise >= len(room.program.exercises):
        raise Refused("day_over")
    return _goto_index(room, room.next_on(room.exercise), cmd)


def _goto(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Jump to an exercise (-1: the agenda before the day; len: the end of the day). A
    jump ahead skips the exercises jumped over that were not run: the plan no longer
    counts their minutes, so the jump is not time gained."""
    action = cmd.action
    assert isinstance(action, GotoExercise)
    exercises = room.program.exercises
    if action.index > len(exercises):
        raise Refused("unknown_exercise")
    here, there = room.plan_position(room.exercise), room.plan_position(action.index)
    for index in room.plan()[max(0, here + 1) : there]:
        if room.is_on(exercises[index]) and exercises[index].id not in room.visited:
            room = _switched(room, exercises[index], on=False)
    if 0 <= action.index < len(exercises):
        room = _switched(room, exercises[action.index], on=True)
    return _goto_index(room, action.index, cmd)


def _goto_index(room: Room, index: int, cmd: Command) -> tuple[Room, Changes]:
    room = _enter(room, index, cmd)
    if room.current is not None and room.day_started_at is None:
        room = replace(room, day_started_at=cmd.at)
    return room, _everyone(Changes(plan=True))


# --- the method menu -------------------------------------------------------------------------


def _ahead(room: Room, exercise_id: str) -> Exercise:
    """An exercise of the plan that has not been run yet (the menu changes only those)."""
    ex = room.program.exercise(exercise_id)
    if ex is None:
        raise Refused("unknown_exercise")
    if ex.id in room.visited:
        raise Refused("exercise_done")
    return ex


def _switch(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, SwitchExercise)
    return _switched(room, _ahead(room, action.exercise), on=action.on), Changes(plan=True)


def _switched(room: Room, ex: Exercise, *, on: bool) -> Room:
    """The room with ``ex`` switched on or off (only what differs from the program is kept)."""
    switched = {k: v for k, v in room.switched.items() if k != ex.id}
    if on != ex.selected:
        switched[ex.id] = on
    return replace(room, switched=switched)


def _move_exercise(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, MoveExercise)
    ex = _ahead(room, action.exercise)
    exercises = room.program.exercises
    if action.position >= len(exercises) or action.position <= room.plan_position(room.exercise):
        raise Refused("not_ahead")
    order = [exercises[i].id for i in room.plan() if exercises[i].id != ex.id]
    order.insert(action.position, ex.id)
    if order == [e.id for e in exercises]:
        order = []
    return replace(room, order=tuple(order)), Changes(plan=True)


# --- the projector ----------------------------------------------------------------------------


def _show(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, ShowOnProjector)
    return replace(room, presenting=replace(room.presenting, show=action.show)), Changes(presenting=True)


def _hide_results(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, HideResults)
    if room.exercise_by_id(action.exercise) is None:
        raise Refused("unknown_exercise")
    hidden = set(room.presenting.hidden) - {action.exercise}
    if action.hidden:
        hidden.add(action.exercise)
    presenting = replace(room.presenting, hidden=tuple(sorted(hidden)))
    return replace(room, presenting=presenting), Changes(presenting=True)


def _set_join_address(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, SetJoinAddress)
    presenting = replace(room.presenting, join_base=action.url)
    return replace(room, presenting=presenting), Changes(presenting=True)


# --- participants' own work ------------------------------------------------------------------


def _save_note(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, SaveNote)
    _require_participant(room, cmd.actor)
    if not any(ex.id == action.exercise for ex in room.program.exercises):
        raise Refused("unknown_exercise")
    mine = {**room.notes.get(cmd.actor, {}), action.exercise: action.text}
    return replace(room, notes={**room.notes, cmd.actor: mine}), Changes(personal=frozenset({cmd.actor}))


def _pass_turn(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """The speaker hands over ("Ferdig"); where the program lets anyone pass, any member
    may; the facilitator may in any group (a speaker who forgot, a phone gone to sleep).
    The round robin runs with the phase's timer: not before Start."""
    action = cmd.action
    assert isinstance(action, PassTurn)
    by_facilitator = cmd.actor == FACILITATOR
    if by_facilitator:
        group = action.group
    else:
        _require_participant(room, cmd.actor)
        group = room.group_of(cmd.actor)  # a phone passes in its own group only
    phase = room.current_phase
    if phase is None or phase.round_robin is None or group is None or group not in room.turns:
        raise Refused("no_round_robin")
    if room.timer is None or room.timer.status == "ready":
        raise Refused("not_started")
    if room.round_over(group, cmd.at):
        raise Refused("round_over")
    number = room.turn_number(group, cmd.at)
    assert number is not None
    if action.turn is not None and action.turn != number:
        raise Refused("turn_moved")
    allowed = by_facilitator or phase.round_robin.anyone_passes
    if not allowed and room.current_speaker(group, cmd.at) != cmd.actor:
        raise Refused("not_your_turn")
    new_turn = replace(room.turns[group], index=number + 1, since_ms=room.elapsed(cmd.at))
    new_room = replace(room, turns={**room.turns, group: new_turn})
    members = frozenset(grouping.members(new_room.working_groups(), group))
    return new_room, Changes(board=True, personal=members)  # the staff's turns go with the board


# --- the person's workbook ------------------------------------------------------------------


def _with_link(links: Layered[str, str], key_hash: str | None, pid: str) -> Layered[str, str]:
    """The take-home links with ``pid``'s new one (refused: that key is someone's already)."""
    if key_hash is None:
        return links
    if key_hash in links:
        raise Refused("already_linked")
    return with_key(links, key_hash, pid)


def _link_workbook(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, LinkWorkbook)
    _require_participant(room, cmd.actor)
    links = _with_link(room.workbook_links, action.key_hash, cmd.actor)
    return replace(room, workbook_links=links), Changes()


def _add_phone(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Another phone is this person's too (nothing any screen shows changes)."""
    action = cmd.action
    assert isinstance(action, AddPhone)
    _require_participant(room, cmd.actor)
    if action.token_hash in room.tokens:
        raise Refused("already_joined")
    links = _with_link(room.workbook_links, action.workbook, cmd.actor)
    tokens = with_key(room.tokens, action.token_hash, cmd.actor)
    return replace(room, tokens=tokens, workbook_links=links), Changes()


def _forget_answers(room: Room, cmd: Command) -> tuple[Room, Changes]:
    _require_participant(room, cmd.actor)
    return workbook.forget(room, cmd.actor), Changes(board=True, personal=frozenset({cmd.actor}))


_HANDLERS = {
    Join: _join,
    RenameParticipant: _rename,
    RemoveParticipant: _remove,
    FormGroups: _form_groups,
    MoveParticipant: _move,
    Start: _start,
    Pause: _pause,
    Resume: _resume,
    Extend: _extend,
    NextPhase: _next_phase,
    PreviousPhase: _previous_phase,
    NextExercise: _next_exercise,
    GotoExercise: _goto,
    SwitchExercise: _switch,
    MoveExercise: _move_exercise,
    ShowOnProjector: _show,
    HideResults: _hide_results,
    SetJoinAddress: _set_join_address,
    SaveNote: _save_note,
    PassTurn: _pass_turn,
    LinkWorkbook: _link_workbook,
    AddPhone: _add_phone,
    ForgetAnswers: _forget_answers,
}
