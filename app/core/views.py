"""What each screen may see of a room, and the events that tell it about a change.

A screen's state is a small dict of top-level keys. Every event replaces some of those
keys for one audience: all screens, the staff screens (facilitator and projector), or one
participant. Private things (notes, tokens) only ever go to their owner.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from app.core import groups as grouping
from app.core.localized import text
from app.core.program import Phase
from app.core.room import Changes, Room, Turn

ALL = "all"
STAFF = "staff"
Audience = str  # ALL, STAFF or a participant id
Role = Literal["facilitator", "projector", "participant"]


@dataclass(frozen=True, slots=True)
class Event:
    audience: Audience
    patch: dict[str, Any]


def agenda(room: Room) -> list[dict[str, Any]]:
    """The day in the order it runs (the method menu may reorder it), each exercise with
    its planned clock offset among those switched on; a skipped exercise has none."""
    program = room.program
    items = []
    offset = 0
    current = room.current
    for index in room.plan():
        ex = program.exercises[index]
        planned = program.planned_ms(ex)
        size = ex.planned_group_size(program.network_group_size)
        on = room.is_on(ex)
        items.append(
            {
                "index": index,
                "id": ex.id,
                "kind": ex.kind,
                "title": text(ex.title),
                "optional": ex.optional,
                "on": on,
                "done": ex.id in room.visited and (current is None or current.id != ex.id),
                "planned_offset_ms": offset if on else None,
                "planned_ms": planned,
                "phases": [{"kind": p.kind, "minutes": p.duration_ms(size) / 60_000} for p in ex.steps],
            }
        )
        if on:
            offset += planned
    return items


def room_header(room: Room) -> dict[str, Any]:
    program = room.program
    return {
        "code": room.code,
        "title": text(program.title),
        "description": text(program.description),
        "date": program.date,
        "start": program.start,
        "network_group_size": program.network_group_size,
        "time_scale": room.time_scale,
    }


def _round_robin(room: Room, phase: Phase) -> dict[str, Any] | None:
    rr = phase.round_robin
    if rr is None:
        return None
    return {
        "per_person_ms": round(rr.per_person_seconds * 1000 * room.time_scale),
        "rounds": rr.rounds,
        "anyone_passes": rr.anyone_passes,
    }


def _step(grouping: str, phase: int) -> str | None:
    if grouping != "1-2-4-all":
        return None
    return ("1", "2", "4")[phase] if phase < 3 else "all"


def position(room: Room) -> dict[str, Any]:
    """Where the day is: exercise, phase and timer. The same for every screen."""
    ex = room.current
    phase = room.current_phase
    base: dict[str, Any] = {
        "exercise": room.exercise,
        "phase": room.phase,
        "day_started_at": room.day_started_at,
        "day_over": room.exercise >= len(room.program.exercises),
    }
    if ex is None or phase is None:
        return base
    size = ex.planned_group_size(room.program.network_group_size)
    offset = room.planned_before(room.exercise)
    offset += sum(p.duration_ms(size) for p in ex.steps[: room.phase])
    return {
        **base,
        "exercise_id": ex.id,
        "kind": ex.kind,
        "title": text(ex.title),
        "instruction": text(ex.instruction),
        "grouping": ex.grouping,
        # 1-2-4-All's step ("1", "2", "4", "all"); the round of groups that change each round.
        "step": _step(ex.grouping, room.phase),
        "groups_round": room.groups_round(),
        "groups_rounds": 1 + sum(1 for p in ex.steps[1:] if p.new_groups),
        "phase_count": len(ex.steps),
        "phase_kind": phase.kind,
        "phase_title": text(phase.title),
        "phase_instruction": text(phase.instruction),
        "notes": phase.has_notes,
        "round_robin": _round_robin(room, phase),
        "half_time_signal": phase.half_time_signal,
        "timer": room.timer.to_json() if room.timer else None,
        # Planned minutes of the day before this phase, unscaled, for "ahead / behind":
        # only exercises switched on count, so a skipped one is not time gained.
        "planned_elapsed_ms": offset,
        "planned_phase_ms": phase.duration_ms(size),
    }


def participants(room: Room) -> list[dict[str, Any]]:
    groups = Groups.of(room)
    return [participant(room, pid, groups) for pid in room.participants]


def participant(room: Room, pid: str, groups: Groups) -> dict[str, Any]:
    """One line of the staff's participant list. Each field is also in the person's own
    ``me``, so whenever a line changes the core names the person in ``Changes.personal``
    (or ``everyone_personal``): the staff screens are told only those lines."""
    p = room.participants[pid]
    working = groups.working.get(pid)
    return {
        "id": pid,
        "name": p.name,
        "group": p.group,
        "working_group": working,
        "host": groups.hosts.get(working or 0) == pid,  # World Café
    }


def same_lines(before: Room, after: Room) -> bool:
    """Whether every line of the participant list (:func:`participant`) reads the same in
    both rooms: the same people (a room's participants are never changed in place) in the
    same working groups, with the same hosts. A phase change that moves no one then makes
    no line again (5,000 made and compared per phase change, before the facilitator's
    acknowledgement)."""
    if before.participants is not after.participants:
        return False
    working, now = before.working_groups(), after.working_groups()
    if working is not now and working != now:
        return False
    return Groups.of(before).hosts == Groups.of(after).hosts  # World Café's; else both empty


@dataclass(frozen=True, slots=True)
class Groups:
    """The working groups, computed once for all the phones an event goes to (a phase
    start re-sends 5,000 phones their own view: finding each one's group mates by
    scanning everyone would be quadratic)."""

    working: dict[str, int]
    members: dict[int, tuple[str, ...]]
    hosts: dict[int, str]  # World Café: each table's host
    round: int  # the round of an exercise whose groups change each round

    @classmethod
    def of(cls, room: Room) -> Groups:
        working = room.working_groups()
        members = grouping.index(working).members  # kept while the room's groups stay
        ex = room.current
        hosts: dict[int, str] = {}
        if ex is not None and ex.grouping == "world_cafe":
            hosts = {table: host for table in members if (host := room.table_host(table)) is not None}
        return cls(working, members, hosts, room.groups_round())


def me(room: Room, pid: str, groups: Groups | None = None) -> dict[str, Any]:
    person = room.participants.get(pid)
    if person is None:
        return {"id": pid, "removed": True}
    groups = groups or Groups.of(room)
    group = groups.working.get(pid)
    mates = groups.members.get(group, (pid,)) if group is not None else (pid,)
    turn = room.turns.get(group) if group is not None else None
    return {
        "id": pid,
        "name": person.name,
        "group": group,
        "network_group": person.group,
        "members": [{"id": m, "name": room.participants[m].name} for m in mates if m in room.participants],
        "host": group is not None and groups.hosts.get(group) == pid,  # World Café: stays at the table
        "round": groups.round,
        "turn": _turn(turn) if turn else None,
    }


def notes(room: Room, pid: str) -> dict[str, str]:
    return dict(room.notes.get(pid, {}))


def board(room: Room) -> dict[str, Any]:
    """The current exercise's shared results, for the facilitator and the projector."""
    ex = room.current
    if ex is None:
        return {}
    out: dict[str, Any] = {"exercise": ex.id}
    for kind in room.kinds_of(ex):
        state = room.kind_state(ex, kind)
        if state is not None:
            out[kind.name] = kind.board(room, ex, state)
    return out


def activity(room: Room, pid: str) -> dict[str, Any]:
    """What the current exercise's kinds show this participant."""
    ex = room.current
    if ex is None or pid not in room.participants:
        return {}
    out: dict[str, Any] = {"exercise": ex.id}
    for kind in room.kinds_of(ex):
        state = room.kind_state(ex, kind)
        if state is not None:
            out[kind.name] = kind.mine(room, ex, state, pid)
    return out


def results(room: Room) -> list[dict[str, Any]]:
    """Every exercise's shared results, for the day's summary."""
    out = []
    for ex in room.program.exercises:
        boards = {}
        for kind in room.kinds_of(ex):
            state = room.kind_state(ex, kind)
            if state is not None:
                boards[kind.name] = kind.board(room, ex, state)
        if boards:
            out.append({"exercise": ex.id, "title": text(ex.title), **boards})
    return out


def public_patch(room: Room) -> dict[str, Any]:
    return {"position": position(room)}


def presenting(room: Room) -> dict[str, Any]:
    """What the facilitator chose for the projector (see room.Presenting)."""
    chosen = room.presenting
    return {"show": chosen.show, "hidden": list(chosen.hidden), "join_base": chosen.join_base}


def staff_patch(room: Room) -> dict[str, Any]:
    return {"participants": participants(room)}


def turns(room: Room) -> dict[str, dict[str, Any]]:
    """Each group's round robin, for the facilitator's «Gi ordet videre» (see :func:`_turn`)."""
    return {str(group): _turn(turn) for group, turn in sorted(room.turns.items())}


def _turn(turn: Turn) -> dict[str, Any]:
    """A round robin as the screens count it (lib/turns.js): the order by participant id,
    the turns passed on by a tap, and when the last one was, by the phase's timer."""
    return {"order": list(turn.order), "index": turn.index, "since_ms": turn.since_ms}


def board_patch(room: Room) -> dict[str, Any]:
    return {"board": board(room), "turns": turns(room)}


def personal_patch(room: Room, pid: str, groups: Groups | None = None) -> dict[str, Any]:
    return {"me": me(room, pid, groups), "notes": notes(room, pid), "activity": activity(room, pid)}


def shared_state(room: Room) -> dict[str, Any]:
    """What every screen's snapshot begins with, the same for everyone in the room (no
    one's own view, nothing for the staff only): the fan-out makes and encodes it once
    per room state for all the phones that attach at that state."""
    return {"room": room_header(room), "agenda": agenda(room), **public_patch(room)}


def snapshot(room: Room, role: Role, pid: str | None = None) -> dict[str, Any]:
    state = shared_state(room)
    if role in ("facilitator", "projector"):
        state.update(staff_patch(room))
        state.update(board_patch(room))
        state["presenting"] = presenting(room)
    if role == "participant" and pid is not None:
        state.update(personal_patch(room, pid))
    return state


def _unchanged(before: Room, groups: Groups, pid: str, patch: dict[str, Any], changes: Changes) -> bool:
    if pid in changes.personal or pid not in before.participants:
        return False
    return patch == personal_patch(before, pid, groups)


def events(room: Room, changes: Changes, before: Room | None = None) -> list[Event]:
    """The events that bring every screen up to date after an action changed ``room``."""
    out: list[Event] = []
    if changes.public:
        out.append(Event(ALL, public_patch(room)))
    if changes.plan:
        out.append(Event(ALL, {"agenda": agenda(room)}))
    if changes.staff:
        out.append(Event(STAFF, staff_patch(room)))
    if changes.board:
        out.append(Event(STAFF, board_patch(room)))
    if changes.presenting:
        out.append(Event(STAFF, {"presenting": presenting(room)}))
    out.extend(personal_events(room, changes, before))
    return out


def personal_events(
    room: Room, changes: Changes, before: Room | None = None, among: Collection[str] | None = None
) -> Iterator[Event]:
    """The participants' own views that changed, one at a time (a phase start makes 5,000:
    each can be sent and dropped before the next is made); only those of ``among`` when
    given (the phones connected: one that is not gets its view when it connects, and the
    newcomer of a join never is)."""
    if changes.everyone_personal:
        people = set(room.participants) | (set(before.participants) if before else set())
    else:
        people = set(changes.personal)
    if among is not None:  # by asking ``among`` of each: set.intersection_update would go through it whole
        people = {pid for pid in people if pid in among}
    groups = Groups.of(room) if people else None
    # When everyone's view may have changed (a new phase, new groups), send only the
    # views that did: a phase start then costs one frame per phone, not two.
    old_groups = Groups.of(before) if before is not None and changes.everyone_personal else None
    for pid in sorted(people):
        patch = personal_patch(room, pid, groups)
        if (
            old_groups is not None
            and before is not None
            and _unchanged(before, old_groups, pid, patch, changes)
        ):
            continue
        yield Event(pid, patch)
