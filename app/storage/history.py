"""A stored room back in memory: its snapshot and the commands after it, replayed.

The one way a room is rebuilt from the database (the hub loading a room; anything else
that needs a stored room's state). A snapshot is only a shortcut: one that cannot be
read (damaged, or a shape no upcaster knows) is set aside with a warning, and the whole
history replays from the beginning instead, to the same state. The history itself has
no such way out: a command that cannot be read or is refused on replay stops the load
(:class:`HistoryError`), since skipping it would silently change the room.
"""

from __future__ import annotations

import logging

from app.core.program import load_program_text
from app.core.room import Command, Refused, Room, apply
from app.core.serialize import UnknownFormat, room_from_json
from app.storage.store import Store, StoredRoom

log = logging.getLogger(__name__)


class HistoryError(RuntimeError):
    """A stored room cannot be rebuilt. The message names the room, the sequence number
    and what went wrong, never a command's content (notes, ages)."""


def restore(store: Store, stored: StoredRoom) -> Room:
    """The room as ``stored`` holds it; reads the whole history when the snapshot fails."""
    workshop = stored.workshop
    code = workshop.code
    program = load_program_text(workshop.program_text, source=workshop.program_name)
    commands = stored.commands
    room: Room | None = None
    if stored.snapshot is not None:
        try:
            room = room_from_json(stored.snapshot, program)
            if room.seq != stored.snapshot_seq or room.code != code:
                raise UnknownFormat("snapshot: it is not of this room at its sequence number")
        except Exception as exc:  # only a shortcut: the history has it all
            reason = str(exc) if isinstance(exc, UnknownFormat) else type(exc).__name__
            log.warning(
                "room %s: the snapshot at %d cannot be read (%s); replaying the whole history",
                code,
                stored.snapshot_seq,
                reason,
            )
            room = None
            assert workshop.id is not None
            commands = store.commands_after(workshop.id, 0)
            if len(commands) < stored.snapshot_seq:
                raise HistoryError(
                    f"room {code}: the snapshot at {stored.snapshot_seq} cannot be read and "
                    f"the history holds only {len(commands)} commands"
                ) from None
    if room is None:
        room = Room(code=code, program=program, time_scale=workshop.time_scale)
    return replay(room, commands)


def replay(room: Room, commands: list[tuple[int, Command]]) -> Room:
    """Apply stored commands in order; each must be the room's next and be accepted."""
    for seq, cmd in commands:
        if seq != room.seq + 1:
            raise HistoryError(f"room {room.code}: history out of order at {seq} (after {room.seq})")
        try:
            room, _ = apply(room, cmd)
        except Refused as exc:
            raise HistoryError(
                f"room {room.code}: stored command {seq} ({cmd.action.type}) is refused on replay: {exc}"
            ) from None
    return room
