"""Rooms and commands as JSON, for the database and the bus between processes."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from app.core.actions import Action
from app.core.registry import ACTION_ADAPTER
from app.core.room import Command, Room

_room = TypeAdapter(Room)


def action_from_json(data: dict[str, Any]) -> Action:
    return ACTION_ADAPTER.validate_python(data)


def command_to_json(cmd: Command) -> dict[str, Any]:
    return {"at": cmd.at, "actor": cmd.actor, "seed": cmd.seed, "action": cmd.action.model_dump()}


def command_from_json(data: dict[str, Any]) -> Command:
    return Command(
        action=action_from_json(data["action"]), at=data["at"], actor=data["actor"], seed=data["seed"]
    )


def room_to_json(room: Room) -> bytes:
    return _room.dump_json(room)


def room_from_json(data: bytes | str) -> Room:
    return _room.validate_json(data)
