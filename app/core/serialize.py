"""Rooms and commands as JSON, for the database and the bus between processes.

Every stored record carries its format version (``"v"``); a record stored before
versions existed has none and is version 1. A record of an older version is brought up
to today's shape by upcasters, one step per version, before it is decoded, so a room
stored by an older server loads on a newer one. docs/storage.md describes each version.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from app.core.actions import Action
from app.core.program import Program
from app.core.registry import ACTION_ADAPTER, ALL_ACTION_TYPES
from app.core.room import Command, Room

_room = TypeAdapter(Room)

Record = dict[str, Any]
Upcaster = Callable[[Record], Record]


class UnknownFormat(ValueError):
    """A stored record no upcaster brings to today's version (a newer server wrote it, or
    it is damaged). The message names versions only, never the record's content."""


class Format:
    """One kind of stored record: the version this server writes, and the steps up.

    ``upcasters[k]`` turns a record of version ``k`` into the shape of version ``k + 1``
    (it need not set ``"v"``; ``upcast`` does). Register a step with ``@FORMAT.step(k)``
    when you raise ``version``; never change a step once released.
    """

    def __init__(self, name: str, version: int) -> None:
        self.name = name
        self.version = version
        self.upcasters: dict[int, Upcaster] = {}

    def step(self, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def register(upcaster: Upcaster) -> Upcaster:
            self.upcasters[from_version] = upcaster
            return upcaster

        return register

    def version_of(self, record: Record) -> int:
        version = record.get("v", 1)
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise UnknownFormat(f"{self.name}: the format version is not a positive number")
        return version

    def upcast(self, record: Record) -> Record:
        """The record in today's shape (with ``"v"`` set to today's version)."""
        version = self.version_of(record)
        if version > self.version:
            raise UnknownFormat(f"{self.name}: format {version} is newer than this server's {self.version}")
        while version < self.version:
            upcaster = self.upcasters.get(version)
            if upcaster is None:
                raise UnknownFormat(f"{self.name}: no upcaster from format {version}")
            record = upcaster(record)
            version += 1
            record["v"] = version
        return record


COMMANDS = Format("command", version=3)


@COMMANDS.step(1)
def _rules_of_version_1(record: Record) -> Record:
    """Version 2 has version 1's shape. A version 1 command was accepted by the rules of
    its day, kept on the command (``Command.v``): a group member could change the gallery
    walk's host at any time, which version 2 allows only until the walk starts."""
    return record


@COMMANDS.step(2)
def _rules_of_version_2(record: Record) -> Record:
    """Version 3 has version 2's shape. Under version 2's rules rotating roles moved one
    seat a round whatever the group's size, so in a group with two or more people beyond
    the roles some held every role and others none; since version 3 the roles go on to
    people who have had none yet. A version 2 round replays as it ran."""
    return record


SNAPSHOTS = Format("snapshot", version=4)


@SNAPSHOTS.step(1)
def _snapshot_without_program(record: Record) -> Record:
    """Version 1 was the room itself, with the whole parsed program inside. Version 2 is
    ``{"v": 2, "room": ...}`` without the program: the workshop's row keeps the program
    as written, and a snapshot is read with it, exactly as a replay from the beginning is."""
    return {"room": {key: value for key, value in record.items() if key != "program"}}


@SNAPSHOTS.step(2)
def _turns_timed_by_the_phase(record: Record) -> Record:
    """Version 2 timed a round robin's turn from ``since``, a wall-clock time (so a turn
    moved on while the phase was paused). Version 3 keeps ``since_ms``, how far into the
    phase by its timer the turn began: read off the stored timer at ``since`` while it
    runs; a paused or ready phase gives the speaker their turn from where it stands."""
    room = record.get("room")
    if not isinstance(room, dict) or not isinstance(room.get("turns"), dict):
        return record
    timer = room.get("timer")
    turns = {group: _turn_by_the_phase(turn, timer) for group, turn in room["turns"].items()}
    return {**record, "room": {**room, "turns": turns}}


@SNAPSHOTS.step(3)
def _groups_kept_per_exercise(record: Record) -> Record:
    """Version 4 keeps the own groups of every exercise left (``groups_by_exercise``, for
    «Mine svar»); version 3 kept only the current exercise's. What version 3 did not keep
    cannot be made up: the exercises left before the snapshot have none."""
    room = record.get("room")
    if not isinstance(room, dict):
        return record
    return {**record, "room": {"groups_by_exercise": {}, **room}}


def _turn_by_the_phase(turn: Any, timer: Any) -> Any:
    if not isinstance(turn, dict) or "since" not in turn:
        return turn
    turn = dict(turn)
    since = turn.pop("since")
    turn.setdefault("since_ms", _phase_time_at(timer, since))
    return turn


def _phase_time_at(timer: Any, at: Any) -> int:
    """How much of the phase had run at epoch ms ``at``, as ``Timer.elapsed`` counts it."""
    if not isinstance(timer, dict) or not isinstance(at, int):
        return 0
    duration = timer.get("duration_ms")
    if not isinstance(duration, int):
        return 0
    ends_at, remaining = timer.get("ends_at"), timer.get("remaining_ms")
    if timer.get("status") == "running" and isinstance(ends_at, int):
        remaining = max(0, ends_at - at)
    elif not isinstance(remaining, int):
        remaining = duration
    return max(0, duration - remaining)


def action_from_json(data: dict[str, Any]) -> Action:
    return ACTION_ADAPTER.validate_python(data)


def command_to_json(cmd: Command) -> Record:
    return {
        "v": cmd.v,
        "at": cmd.at,
        "actor": cmd.actor,
        "seed": cmd.seed,
        "action": cmd.action.model_dump(),
    }


def command_from_json(data: Record) -> Command:
    """A stored (or published) command, of any version an upcaster knows. Raises
    :class:`UnknownFormat`, naming the action's type and fields but not their values,
    when today's models refuse it."""
    stored_in = COMMANDS.version_of(data)
    data = COMMANDS.upcast(dict(data))
    try:
        return Command(
            action=action_from_json(data["action"]),
            at=data["at"],
            actor=data["actor"],
            seed=data["seed"],
            v=stored_in,
        )
    except (ValidationError, KeyError, TypeError) as exc:
        action = data.get("action")
        kind = action.get("type") if isinstance(action, dict) else None
        named = f"a {kind!r} action" if kind in ALL_ACTION_TYPES else "an action"
        if isinstance(exc, ValidationError):
            fields = sorted({".".join(str(part) for part in error["loc"]) for error in exc.errors()})
            where = ", ".join(fields) or "type"
            raise UnknownFormat(f"command: {named} that today's rules refuse (at {where})") from None
        raise UnknownFormat(f"command: {named} with a field missing or of the wrong type") from None


def room_to_json(room: Room) -> bytes:
    """A snapshot: the room without its program (the workshop's row holds that)."""
    state = _room.dump_json(room, exclude={"program"})
    return b'{"v":%d,"room":%s}' % (SNAPSHOTS.version, state)


def room_from_json(data: bytes | str, program: Program) -> Room:
    """A stored snapshot of any version an upcaster knows, read with the workshop's
    program. Raises :class:`UnknownFormat` or pydantic's ``ValidationError`` (a
    ``ValueError``) when it cannot be read."""
    record = json.loads(data)
    if not isinstance(record, dict):
        raise UnknownFormat("snapshot: not a JSON object")
    record = SNAPSHOTS.upcast(record)
    room = record.get("room")
    if not isinstance(room, dict):
        raise UnknownFormat("snapshot: no room in it")
    return _room.validate_python({**room, "program": program})
