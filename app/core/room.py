"""A live room: its state and the one function that changes it.

``apply(room, command)`` takes an action (already validated) with the moment it happened,
who did it and a random seed, and returns the new room plus what changed. It does no I/O
and reads no clock, so it is tested without a server and a room's history replays to the
same state after a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from app.core import groups as grouping
from app.core import workbook
from app.core.actions import (
    Action,
    Extend,
    ForgetAnswers,
    FormGroups,
    GotoExercise,
    Join,
    LinkWorkbook,
    MoveParticipant,
    NextExercise,
    NextPhase,
    PassTurn,
    Pause,
    RemoveParticipant,
    RenameParticipant,
    Resume,
    SaveNote,
    Start,
)
from app.core.kinds.base import Kind, KindAction
from app.core.outcome import Changes, Refused
from app.core.program import Exercise, Phase, Program
from app.core.registry import KIND_BY_ACTION, KINDS, Activities
from app.core.timer import Timer

FACILITATOR = "facilitator"
SYSTEM = "system"

__all__ = ["FACILITATOR", "SYSTEM", "Changes", "Command", "Participant", "Refused", "Room", "Turn", "apply"]


@dataclass(frozen=True, slots=True)
class Participant:
    id: str
    name: str
    joined_at: int
    group: int | None = None  # network group (nettverksgruppe), kept all day


@dataclass(frozen=True, slots=True)
class Turn:
    """Round robin in one group: ``order`` of speakers, who spoke since ``since``."""

    order: tuple[str, ...]
    index: int
    since: int


@dataclass(frozen=True, slots=True)
class Command:
    """One entry of a room's history: the action and its circumstances."""

    action: Action
    at: int  # epoch ms, set by the server
    actor: str  # participant id, FACILITATOR or SYSTEM
    seed: int = 0  # drawn by the server for actions that shuffle


@dataclass(frozen=True, slots=True)
class Room:
    code: str
    program: Program
    time_scale: float = 1.0  # tests and rehearsals shorten every phase by this factor
    seq: int = 0
    participants: dict[str, Participant] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # token hash -> participant id
    next_number: int = 1
    exercise: int = -1  # -1: the day has not started; len(exercises): the day is over
    phase: int = 0
    timer: Timer | None = None
    day_started_at: int | None = None
    exercise_groups: dict[str, int] = field(default_factory=dict)  # pairs / triads
    turns: dict[int, Turn] = field(default_factory=dict)  # round robin per group
    notes: dict[str, dict[str, str]] = field(default_factory=dict)  # pid -> exercise -> text
    workbook_links: dict[str, str] = field(default_factory=dict)  # take-home link key hash -> pid
    activities: dict[str, Activities] = field(default_factory=dict)  # exercise id -> kinds' state

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
        return max(1000, round(phase.duration_ms * self.time_scale))

    def exercise_by_id(self, exercise_id: str) -> Exercise | None:
        return next((ex for ex in self.program.exercises if ex.id == exercise_id), None)

    def kinds_of(self, exercise: Exercise) -> list[Kind[Any]]:
        """The exercise kinds an exercise uses: those whose table the program fills in."""
        return [kind for kind in KINDS if getattr(exercise, kind.name, None) is not None]

    def kind_state(self, exercise: Exercise, kind: Kind[Any]) -> Any:
        activities = self.activities.get(exercise.id)
        return getattr(activities, kind.name) if activities is not None else None

    def open_exercises(self) -> set[str]:
        """Where participants may act now: the current exercise and any it builds on
        (a kind table may name an earlier exercise with ``of = "<id>"``)."""
        ex = self.current
        if ex is None:
            return set()
        referred = {getattr(getattr(ex, kind.name), "of", None) for kind in self.kinds_of(ex)}
        return {ex.id} | {r for r in referred if isinstance(r, str)}

    def network_groups(self) -> dict[str, int]:
        return {p.id: p.group for p in self.participants.values() if p.group is not None}

    def working_groups(self) -> dict[str, int]:
        """The groups the current exercise works in: its own pairs/triads, or the network."""
        ex = self.current
        if ex is not None and ex.grouping in ("pairs", "triads"):
            return self.exercise_groups
        if ex is not None and ex.grouping == "none":
            return {}
        return self.network_groups()

    def group_of(self, pid: str) -> int | None:
        return self.working_groups().get(pid)

    def current_speaker(self, group: int, now: int) -> str | None:
        turn = self.turns.get(group)
        phase = self.current_phase
        if turn is None or not turn.order or phase is None or phase.round_robin is None:
            return None
        return turn.order[_turn_index(turn, phase, self.time_scale, now)]


def _turn_index(turn: Turn, phase: Phase, time_scale: float, now: int) -> int:
    """Whose turn it is: the tapped index, moved on by per-person time where one is set."""
    assert phase.round_robin is not None
    per_person = round(phase.round_robin.per_person_seconds * 1000 * time_scale)
    moved = (now - turn.since) // per_person if per_person > 0 else 0
    return int(turn.index + moved) % len(turn.order)


# --- the reducer ---------------------------------------------------------------------------


def apply(room: Room, cmd: Command) -> tuple[Room, Changes]:
    """Apply one command; raises :class:`Refused` if it is not allowed in this state."""
    handler = _HANDLERS.get(type(cmd.action))
    if handler is not None:
        new_room, changes = handler(room, cmd)
    elif isinstance(cmd.action, KindAction) and cmd.action.type in KIND_BY_ACTION:
        new_room, changes = _apply_kind(room, KIND_BY_ACTION[cmd.action.type], cmd)
    else:
        raise Refused("unknown_action")
    return replace(new_room, seq=room.seq + 1), changes


def _join(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, Join)
    if action.token_hash in room.tokens:
        raise Refused("already_joined")
    pid = f"p{room.next_number}"
    net = room.network_groups()
    person = Participant(id=pid, name=action.name, joined_at=cmd.at, group=grouping.smallest_group(net))
    participants = {**room.participants, pid: person}
    exercise_groups = room.exercise_groups
    if exercise_groups:
        exercise_groups = {**exercise_groups, pid: grouping.smallest_group(exercise_groups) or 1}
    new_room = replace(
        room,
        participants=participants,
        tokens={**room.tokens, action.token_hash: pid},
        next_number=room.next_number + 1,
        exercise_groups=exercise_groups,
    )
    new_room = _with_turn_joined(new_room, pid, cmd.at)
    return new_room, Changes(staff=True, board=True, personal=_group_mates(new_room, pid))


def _with_turn_joined(room: Room, pid: str, now: int) -> Room:
    """A latecomer in a round robin speaks last in their group's round."""
    group = room.group_of(pid)
    if group is None or group not in room.turns:
        return room
    turn = room.turns[group]
    return replace(room, turns={**room.turns, group: replace(turn, order=(*turn.order, pid))})


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
    participants = {**room.participants, person.id: replace(person, name=action.name)}
    new_room = replace(room, participants=participants)
    return new_room, Changes(staff=True, personal=_group_mates(new_room, person.id))


def _remove(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, RemoveParticipant)
    person = _require_participant(room, action.participant)
    mates = _group_mates(room, person.id)
    participants = {k: v for k, v in room.participants.items() if k != person.id}
    tokens = {k: v for k, v in room.tokens.items() if v != person.id}
    exercise_groups = {k: v for k, v in room.exercise_groups.items() if k != person.id}
    turns = {g: _without_speaker(t, person.id) for g, t in room.turns.items() if set(t.order) != {person.id}}
    notes = {k: v for k, v in room.notes.items() if k != person.id}
    new_room = replace(
        room,
        participants=participants,
        tokens=tokens,
        exercise_groups=exercise_groups,
        turns=turns,
        notes=notes,
        workbook_links={k: v for k, v in room.workbook_links.items() if v != person.id},
    )
    return new_room, Changes(staff=True, board=True, personal=mates)


def _without_speaker(turn: Turn, pid: str) -> Turn:
    if pid not in turn.order:
        return turn
    position = turn.order.index(pid)
    order = tuple(p for p in turn.order if p != pid)
    index = turn.index - 1 if position < turn.index else turn.index
    return replace(turn, order=order, index=index % len(order) if order else 0)


def _form_groups(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, FormGroups)
    ids = sorted(room.participants, key=lambda pid: int(pid[1:]))
    if not ids:
        raise Refused("no_participants")
    if action.mode == "size":
        assignment = grouping.by_size(ids, action.value, cmd.seed)
    else:
        assignment = grouping.by_count(ids, action.value, cmd.seed)
    participants = {pid: replace(p, group=assignment[pid]) for pid, p in room.participants.items()}
    new_room = replace(room, participants=participants)
    new_room = _restart_turns(new_room, cmd.at)
    return new_room, Changes(staff=True, board=True, everyone_personal=True)


def _move(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, MoveParticipant)
    person = _require_participant(room, action.participant)
    before = _group_mates(room, person.id)
    ex = room.current
    if ex is not None and ex.grouping in ("pairs", "triads"):
        new_room = replace(room, exercise_groups={**room.exercise_groups, person.id: action.group})
    else:
        participants = {**room.participants, person.id: replace(person, group=action.group)}
        new_room = replace(room, participants=participants)
    new_room = _restart_turns(new_room, cmd.at)
    return new_room, Changes(staff=True, board=True, personal=before | _group_mates(new_room, person.id))


# --- moving through the day ------------------------------------------------------------------


def _enter(room: Room, index: int, cmd: Command) -> Room:
    """Go to exercise ``index`` (its first phase, timer ready), forming its own groups."""
    exercise_groups: dict[str, int] = {}
    if 0 <= index < len(room.program.exercises):
        ex = room.program.exercises[index]
        ids = sorted(room.participants, key=lambda pid: int(pid[1:]))
        if ex.grouping in ("pairs", "triads") and ids:
            size = 2 if ex.grouping == "pairs" else 3
            exercise_groups = grouping.by_size(ids, size, cmd.seed)
    new_room = replace(room, exercise=index, phase=0, exercise_groups=exercise_groups, turns={})
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
    activities = replace(activities, **{kind.name: new_state})
    return replace(room, activities={**room.activities, exercise.id: activities}), changes


def _restart_turns(room: Room, now: int) -> Room:
    """A round-robin phase starts with the group's first member (by join order)."""
    phase = room.current_phase
    if phase is None or phase.round_robin is None:
        return replace(room, turns={})
    working = room.working_groups()
    turns = {
        g: Turn(
            order=tuple(sorted(grouping.members(working, g), key=lambda pid: int(pid[1:]))),
            index=0,
            since=now,
        )
        for g in grouping.numbers(working)
    }
    return replace(room, turns=turns)


def _everyone(changes: Changes | None = None) -> Changes:
    everything = Changes(public=True, staff=True, board=True, everyone_personal=True)
    return everything if changes is None else changes | everything


def _start(room: Room, cmd: Command) -> tuple[Room, Changes]:
    if room.current is None:
        if room.exercise >= len(room.program.exercises):
            raise Refused("day_over")
        room = _enter(room, 0, cmd)
    assert room.timer is not None
    day_started_at = room.day_started_at if room.day_started_at is not None else cmd.at
    room = replace(room, timer=room.timer.start(cmd.at), day_started_at=day_started_at)
    return _restart_turns(room, cmd.at), _everyone()


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
    ms = max(1000, round(action.seconds * 1000 * room.time_scale))
    return replace(room, timer=room.timer.extend(ms, cmd.at)), Changes(public=True)


def _next_phase(room: Room, cmd: Command) -> tuple[Room, Changes]:
    ex = room.current
    if ex is None:
        raise Refused("no_phase")
    if room.phase + 1 >= len(ex.steps):
        return _next_exercise(room, cmd)
    room = replace(room, phase=room.phase + 1)
    phase = room.current_phase
    assert phase is not None
    room = replace(room, timer=Timer.ready(room.duration_ms(phase)).start(cmd.at))
    return _restart_turns(room, cmd.at), _everyone()


def _next_exercise(room: Room, cmd: Command) -> tuple[Room, Changes]:
    if room.exercise >= len(room.program.exercises):
        raise Refused("day_over")
    return _goto_index(room, room.exercise + 1, cmd)


def _goto(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, GotoExercise)
    if action.index > len(room.program.exercises):
        raise Refused("unknown_exercise")
    return _goto_index(room, action.index, cmd)


def _goto_index(room: Room, index: int, cmd: Command) -> tuple[Room, Changes]:
    room = _enter(room, index, cmd)
    if room.current is not None and room.day_started_at is None:
        room = replace(room, day_started_at=cmd.at)
    return room, _everyone()


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
    _require_participant(room, cmd.actor)
    phase = room.current_phase
    group = room.group_of(cmd.actor)
    if phase is None or phase.round_robin is None or group is None or group not in room.turns:
        raise Refused("no_round_robin")
    turn = room.turns[group]
    index = _turn_index(turn, phase, room.time_scale, cmd.at)
    new_turn = replace(turn, index=(index + 1) % len(turn.order), since=cmd.at)
    new_room = replace(room, turns={**room.turns, group: new_turn})
    return new_room, Changes(personal=_group_mates(new_room, cmd.actor))


# --- the person's workbook ------------------------------------------------------------------


def _link_workbook(room: Room, cmd: Command) -> tuple[Room, Changes]:
    action = cmd.action
    assert isinstance(action, LinkWorkbook)
    _require_participant(room, cmd.actor)
    if action.key_hash in room.workbook_links:
        raise Refused("already_linked")
    return replace(room, workbook_links={**room.workbook_links, action.key_hash: cmd.actor}), Changes()


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
    NextExercise: _next_exercise,
    GotoExercise: _goto,
    SaveNote: _save_note,
    PassTurn: _pass_turn,
    LinkWorkbook: _link_workbook,
    ForgetAnswers: _forget_answers,
}
