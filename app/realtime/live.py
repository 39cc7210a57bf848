"""One live room in this server process: the writer, the fan-out and the outbox together.

``LiveRoom.submit`` is the path of every action: the writer applies it to the pure core
and stores it (together with what else arrived meanwhile), the fan-out tells this
process's screens, and only then is it acknowledged. The outbox hands it to every other
process serving the room, whose writer applies it and whose fan-out tells its screens.
Events carry the room's sequence number; a reconnecting screen gets what it missed from
a short replay buffer, or a fresh snapshot.

With the in-process bus (one server process) nothing is published: there is no other
process. Redis pub/sub may lose a message without telling anyone. While this process serves
screens in the room (or stored something in the last minute), it publishes the room's
latest sequence number every ``HEAD_EVERY`` seconds, so a process that lost the last
message of a quiet room (a "pause") notices the gap and reads it from the database.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from app.bus import Published
from app.core.room import Command, Room
from app.core.serialize import command_to_json
from app.realtime import wire
from app.realtime.connection import Connection
from app.realtime.fanout import FanOut
from app.realtime.outbox import Outbox
from app.realtime.ratelimit import TokenBucket
from app.realtime.writer import Accepted, RoomWriter
from app.storage.tables import Workshop

if TYPE_CHECKING:
    from app.realtime.hub import Hub

CLOSED = "closed"  # bus message body (seq 0) when a workshop is closed or deleted
HEAD = "head"  # bus message body when it only tells the room's latest sequence number
HEAD_EVERY = 2.5  # seconds between two of those
HEAD_AFTER_WRITE = 60.0  # keep telling it this long after storing, screens or not


class LiveRoom:
    def __init__(self, hub: Hub, workshop: Workshop, room: Room) -> None:
        assert workshop.id is not None
        self.hub = hub
        self.workshop_id: int = workshop.id
        self.projector_key = workshop.projector_key
        self.facilitator_key_hash = workshop.facilitator_key_hash
        settings = hub.settings
        self.budget = TokenBucket(settings.room_messages_per_second, settings.room_messages_per_second * 2)
        self.fanout = FanOut(room, settings.board_interval_ms)
        self.outbox = Outbox(hub.bus, room.code)
        self.writer = RoomWriter(
            hub.store,
            workshop.id,
            room,
            snapshot_every=settings.snapshot_every,
            tell=self.fanout.applied,
            publish=self._stored,
            backlog_limit=settings.room_backlog,
        )
        self._wrote_at = -HEAD_AFTER_WRITE
        self._beat: asyncio.TimerHandle | None = None

    @property
    def code(self) -> str:
        return self.writer.code

    @property
    def room(self) -> Room:
        return self.writer.room

    @property
    def connections(self) -> set[Connection]:
        return self.fanout.connections

    # --- changing the room ----------------------------------------------------------------

    async def submit(self, cmd: Command, idempotency_key: str | None = None) -> Accepted:
        """Apply, store, tell this process's screens, then answer; other processes hear of
        it through the bus. See :meth:`RoomWriter.submit` for what it raises."""
        return await self.writer.submit(cmd, idempotency_key)

    @property
    def crowded(self) -> bool:
        """Whether a phone's action handed on now would wait in line."""
        return self.writer.crowded

    def flooded(self) -> bool:
        """Whether a new action is answered ``room_busy`` at once: the whole room sends more
        than its budget (a flood, not a burst: a room's real bursts wait in line)."""
        return not self.budget.take()

    def _stored(self, seq: int, cmd: Command) -> None:
        """Stored here: the other processes serving the room hear of it (with one process
        and the in-process bus there are none, and nothing is published)."""
        self._wrote_at = time.monotonic()
        if self.hub.bus.shared:
            self.outbox.put(Published(self.code, seq, command_to_json(cmd)))
            self._keep_beating()

    async def save_snapshot(self) -> None:
        await self.writer.save_snapshot()

    async def on_published(self, message: Published) -> None:
        """A message on the bus, from this process or another: update and tell the screens."""
        if message.command.get(CLOSED):
            await self.hub.forget(self.code)
        elif message.command.get(HEAD):
            await self.writer.heard(message.seq)
        else:
            await self.writer.heard(message.seq, message.command)

    async def resync(self) -> None:
        """The bus was down: whatever it lost is in the database."""
        await self.writer.resync()

    # --- the room's latest number, for the other processes ----------------------------------

    def _keep_beating(self) -> None:
        if self._beat is None:
            self._beat = asyncio.get_running_loop().call_later(HEAD_EVERY, self._tell_head)

    def _tell_head(self) -> None:
        self._beat = None
        if not self.fanout.connections and time.monotonic() - self._wrote_at > HEAD_AFTER_WRITE:
            return  # no one here to keep current, nothing of ours to tell: quiet
        if self.outbox.empty:  # else what is queued tells it, in order
            self.outbox.put(Published(self.code, self.room.seq, {HEAD: True}))
        self._keep_beating()

    # --- screens coming and going ----------------------------------------------------------

    def attach(self, conn: Connection, last_seq: int | None) -> None:
        """Register a screen and queue what it needs to catch up, with no await between:
        the welcome and the snapshot (or the missed events) leave in one write. After a
        restart 5,000 phones come back within seconds, and each write to a socket is a
        system call (``wire.corked``)."""
        with wire.corked():
            self.fanout.attach(conn, last_seq)
        if self.hub.bus.shared:
            self._keep_beating()

    def detach(self, conn: Connection) -> None:
        self.fanout.detach(conn)

    def stop(self) -> None:
        """The room is forgotten: nothing more is sent, here or to the bus."""
        self.fanout.stop()
        self.outbox.stop()
        if self._beat is not None:
            self._beat.cancel()
            self._beat = None
