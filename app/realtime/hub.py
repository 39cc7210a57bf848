"""Live rooms in this server process: the one place that changes a room and tells screens.

``LiveRoom.submit`` is the path of every action: apply it to the pure core, store it
(together with what else arrived meanwhile), tell this process's screens; only then is
it acknowledged. The bus then hands it to every other process serving the room, which
sends the resulting events to its own screens. Events
carry the room's sequence number; a reconnecting screen gets what it missed from a short
replay buffer, or a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.bus import Bus, Published
from app.core import views
from app.core.program import load_program_text
from app.core.room import Changes, Command, Refused, Room, apply
from app.core.serialize import command_from_json, command_to_json, room_from_json, room_to_json
from app.protocol import encode
from app.realtime.connection import CLOSE_REMOVED, CLOSE_ROOM_CLOSED, Connection
from app.realtime.ratelimit import TokenBucket
from app.settings import Settings
from app.storage.store import DuplicateSeq, NewCommand, Store
from app.storage.tables import Workshop

log = logging.getLogger(__name__)

REPLAY_LENGTH = 256  # events kept for screens that reconnect after a short gap
KNOWN_KEYS = 4096  # idempotency keys remembered in memory per room
CLOSED = "closed"  # bus message body (seq 0) when a workshop is closed or deleted
MAX_ORDER_RETRIES = 20  # lost races for a sequence number before an action is given up


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True)
class Accepted:
    seq: int
    room: Room


@dataclass(frozen=True)
class _Waiting:
    """An action waiting for the room's next write, and the screen waiting for the answer."""

    cmd: Command
    key: str | None  # the screen's message id: a resend with the same id is stored once
    answer: asyncio.Future[Accepted]

    @property
    def known_as(self) -> tuple[str, str] | None:
        return (self.cmd.actor, self.key) if self.key is not None else None

    def settle(self, outcome: Accepted | BaseException) -> None:
        if self.answer.done():
            return  # the screen went away; what was stored stays stored (it may resend)
        if isinstance(outcome, BaseException):
            self.answer.set_exception(outcome)
        else:
            self.answer.set_result(outcome)


class LiveRoom:
    def __init__(self, hub: Hub, workshop: Workshop, room: Room) -> None:
        assert workshop.id is not None
        self.hub = hub
        self.workshop_id: int = workshop.id
        self.projector_key = workshop.projector_key
        self.facilitator_key_hash = workshop.facilitator_key_hash
        self.room = room
        self.delivered = room.seq
        self.lock = asyncio.Lock()
        # Screens by whom they belong to, so that sending a phone its own view does not
        # scan every connection of the room.
        self.connections: set[Connection] = set()
        self.staff: set[Connection] = set()
        self.phones: dict[str, set[Connection]] = {}
        self.online: Counter[str] = Counter()
        self.recent: deque[tuple[int, list[views.Event]]] = deque(maxlen=REPLAY_LENGTH)
        self.known_keys: OrderedDict[tuple[str, str], int] = OrderedDict()
        self.budget = TokenBucket(
            hub.settings.room_messages_per_second, hub.settings.room_messages_per_second * 2
        )
        self._pending: dict[int, tuple[Room, Changes, Room]] = {}
        self._waiting: list[_Waiting] = []  # actions for the next write; see ``submit``
        self._writer: asyncio.Task[None] | None = None
        self._outbox: deque[Published] = deque()  # stored, for the other processes
        self._publisher: asyncio.Task[None] | None = None
        # The shared results (board) on the staff screens: see ``_board_changed``.
        self._board_sent_at = 0.0
        self._board_timer: asyncio.TimerHandle | None = None

    @property
    def code(self) -> str:
        return self.room.code

    # --- changing the room --------------------------------------------------------

    async def submit(self, cmd: Command, idempotency_key: str | None = None) -> Accepted:
        """Apply, store, tell this process's screens, then answer; other processes hear of
        it through the bus. Raises :class:`Refused` and leaves the room untouched.

        Actions that arrive while the room is writing wait, and are then stored together
        in one transaction (a group commit): a burst of 2,000 phones costs a few writes a
        second instead of one round trip to the database each, and every action is still
        acknowledged only after it is stored.
        """
        waiting = _Waiting(cmd, idempotency_key, asyncio.get_running_loop().create_future())
        self._waiting.append(waiting)
        if self._writer is None:
            self._writer = asyncio.create_task(self._write_waiting())
        return await waiting.answer

    async def _write_waiting(self) -> None:
        batch: list[_Waiting] = []
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, []
                async with self.lock:
                    try:
                        await self._write(batch)
                    except Exception as exc:  # the database is down: none of them was stored
                        for waiting in batch:
                            waiting.settle(exc)
        finally:
            self._writer = None
            for waiting in (*batch, *self._waiting):  # only when cancelled: the server stops
                waiting.settle(ConnectionAbortedError("the server is stopping"))

    async def _write(self, batch: list[_Waiting]) -> None:
        """Store a batch in order and tell everyone; answer each action.

        Several processes may serve one room: the database decides the order. When
        another process stored one of our sequence numbers first, nothing of the batch is
        stored; this one reads what it missed, and applies the batch again to the room as
        it now is. A resend of an action stored before is answered with its first number.
        """
        store = self.hub.store
        for _ in range(MAX_ORDER_RETRIES):
            room = self.room
            steps: list[tuple[_Waiting, Room, Changes, Room]] = []
            answers: list[tuple[_Waiting, int | Refused]] = []
            keys: dict[tuple[str, str], int] = {}  # remembered only once they are stored
            for waiting in batch:
                known_as = waiting.known_as
                earlier = (self.known_keys.get(known_as) or keys.get(known_as)) if known_as else None
                if earlier is not None:  # a resend, maybe within this batch
                    answers.append((waiting, earlier))
                    continue
                try:
                    after, changes = apply(room, waiting.cmd)
                except Refused as exc:
                    answers.append((waiting, exc))
                    continue
                steps.append((waiting, room, changes, after))
                if known_as:
                    keys[known_as] = after.seq
                room = after
            stored = [NewCommand(after.seq, waiting.cmd, waiting.key) for waiting, _, _, after in steps]
            try:
                if stored:
                    await asyncio.to_thread(store.append, self.workshop_id, stored)
            except DuplicateSeq:
                resent = await asyncio.to_thread(store.seqs_for_keys, self.workshop_id, list(keys))
                for known_as, seq in resent.items():
                    self._remember(*known_as, seq)
                if not await self._catch_up() and not resent:
                    raise
                continue
            for known_as, seq in keys.items():
                self._remember(*known_as, seq)
            await self._accept(steps, room)
            for waiting, answer in answers:
                waiting.settle(answer if isinstance(answer, Refused) else Accepted(answer, self.room))
            return
        raise DuplicateSeq(f"room {self.code}: no free sequence number after {MAX_ORDER_RETRIES} tries")

    async def _accept(self, steps: list[tuple[_Waiting, Room, Changes, Room]], room: Room) -> None:
        """The batch is stored: the room moves on, screens everywhere are told, in order."""
        every = self.hub.settings.snapshot_every
        crossed = room.seq // every > self.room.seq // every
        for _, before, changes, after in steps:
            self._pending[after.seq] = (before, changes, after)
        self.room = room
        self._flush()
        for waiting, _, _, after in steps:
            self._outbox.append(Published(self.code, after.seq, command_to_json(waiting.cmd)))
            waiting.settle(Accepted(after.seq, after))
        if self._publisher is None:
            self._publisher = asyncio.create_task(self._publish_outbox())
        if crossed:
            try:
                await self.save_snapshot()
            except Exception:  # only a shortcut for loading: the history has it all
                log.warning("room %s: could not store a snapshot", self.code, exc_info=True)

    async def _publish_outbox(self) -> None:
        """Hand stored commands to the bus, in order, without holding up the answers:
        an action is acknowledged once it is stored, and a process that misses a message
        (Redis away, a slow publish) reads it from the database when it sees the gap."""
        try:
            while self._outbox:
                await self.hub.bus.publish(self._outbox.popleft())
        finally:
            self._publisher = None

    async def save_snapshot(self) -> None:
        """Store the room as it is, so that loading it replays only what came after."""
        room = self.room
        await asyncio.to_thread(self.hub.store.save_snapshot, self.workshop_id, room.seq, room_to_json(room))

    def _remember(self, actor: str, key: str, seq: int) -> None:
        self.known_keys[(actor, key)] = seq
        if len(self.known_keys) > KNOWN_KEYS:
            self.known_keys.popitem(last=False)

    def _take(self, seq: int, cmd: Command) -> None:
        """Apply a command another process stored (seq is the next one) to our copy."""
        before = self.room
        after, changes = apply(before, cmd)
        assert after.seq == seq, f"room {self.code}: expected {after.seq}, got {seq}"
        self._pending[seq] = (before, changes, after)
        self.room = after

    async def _catch_up(self) -> bool:
        """Read and apply what other processes stored since our copy; True if anything."""
        missed = await asyncio.to_thread(self.hub.store.commands_after, self.workshop_id, self.room.seq)
        for seq, cmd in missed:
            self._take(seq, cmd)
        self._flush()
        return bool(missed)

    async def on_published(self, message: Published) -> None:
        """A stored command, from this process or another: update and tell the screens."""
        if message.command.get(CLOSED):
            await self.hub.forget(self.code)
            return
        if message.seq <= self.room.seq:
            self._flush()  # ours (or already read from the database)
            return
        async with self.lock:
            if message.seq == self.room.seq + 1:
                self._take(message.seq, command_from_json(message.command))
                self._flush()
            elif message.seq > self.room.seq:
                await self._catch_up()  # a gap: the bus lost something; the database did not

    async def resync(self) -> None:
        """The bus was down: whatever it lost is in the database."""
        async with self.lock:
            await self._catch_up()

    def _flush(self) -> None:
        """Tell the screens about every applied command, strictly in sequence order."""
        while self.delivered + 1 in self._pending:
            seq = self.delivered + 1
            before, changes, after = self._pending.pop(seq)
            self.delivered = seq
            self.deliver(seq, views.events(after, replace(changes, board=False), before))
            if changes.board:
                self._board_changed()
            if len(after.participants) < len(before.participants):  # someone was removed
                for pid in set(before.participants) - set(after.participants):
                    self.disconnect_participant(pid)

    def _board_changed(self) -> None:
        """Send the staff screens the board now, or once the interval since the last is over.

        A board is the whole of the current results (every word with its count), not a
        delta: the newest replaces all before it. 2,000 phones sending words in a burst
        would otherwise have the server count and send the whole cloud 600 times a second
        to a projector that can show a few; coalesced, a burst costs a few boards a second
        and each word is still on the projector within the interval.
        """
        if self._board_timer is not None:
            return  # a send is due; it will read the room as it is then
        wait = self._board_sent_at + self.hub.settings.board_interval_ms / 1000 - time.monotonic()
        if wait <= 0:
            self._send_board()
        else:
            self._board_timer = asyncio.get_running_loop().call_later(wait, self._send_board)

    def stop(self) -> None:
        """The room is forgotten: nothing more is sent."""
        if self._board_timer is not None:
            self._board_timer.cancel()
            self._board_timer = None

    def _send_board(self) -> None:
        self._board_timer = None
        self._board_sent_at = time.monotonic()
        if self.staff:
            self.send_staff({"type": "event", "seq": self.delivered, "patch": views.board_patch(self.room)})

    # --- telling screens ----------------------------------------------------------

    def deliver(self, seq: int, events: list[views.Event]) -> None:
        self.recent.append((seq, events))
        for event in events:
            audience = self._audience(event.audience)
            if not audience:
                continue  # a phone that is not connected gets a snapshot when it is
            # One encoded frame for everyone the event goes to.
            frame = encode({"type": "event", "seq": seq, "patch": event.patch})
            for conn in audience:
                conn.send(frame)

    def _audience(self, audience: str) -> Iterable[Connection]:
        if audience == views.ALL:
            return list(self.connections)
        if audience == views.STAFF:
            return list(self.staff)
        return list(self.phones.get(audience, ()))

    def send_staff(self, message: dict[str, Any]) -> None:
        frame = encode(message)
        for conn in self.staff:
            conn.send(frame)

    def disconnect_participant(self, pid: str) -> None:
        for conn in list(self.phones.get(pid, ())):
            conn.close(CLOSE_REMOVED)

    # --- screens coming and going -------------------------------------------------

    def attach(self, conn: Connection, last_seq: int | None) -> None:
        """Register a screen and queue what it needs to catch up, with no await between."""
        self.connections.add(conn)
        if conn.is_staff:
            self.staff.add(conn)
        if conn.participant is not None:
            self.phones.setdefault(conn.participant, set()).add(conn)
        conn.send(
            encode(
                {
                    "type": "welcome",
                    "role": conn.role,
                    "participant": conn.participant,
                    "server_time": now_ms(),
                }
            )
        )
        missed = self._missed_since(last_seq, conn)
        if missed is None:
            state = views.snapshot(self.room, conn.role, conn.participant)
            if conn.is_staff:
                state["online"] = sorted(self.online)
            conn.send(encode({"type": "snapshot", "seq": self.delivered, "state": state}))
        else:
            for frame in missed:
                conn.send(frame)
        if conn.participant is not None:
            self.online[conn.participant] += 1
            if self.online[conn.participant] == 1:
                self.send_staff({"type": "presence", "participant": conn.participant, "online": True})

    def _missed_since(self, last_seq: int | None, conn: Connection) -> list[str] | None:
        if last_seq is None or last_seq > self.delivered or conn.is_staff:
            return None
        if last_seq == self.delivered:
            return []
        if not self.recent or self.recent[0][0] > last_seq + 1:
            return None
        frames = []
        for seq, events in self.recent:
            if seq <= last_seq:
                continue
            for event in events:
                if event.audience in (views.ALL, conn.participant):
                    frames.append(encode({"type": "event", "seq": seq, "patch": event.patch}))
        return frames

    def detach(self, conn: Connection) -> None:
        self.connections.discard(conn)
        self.staff.discard(conn)
        if conn.participant is not None:
            mine = self.phones.get(conn.participant)
            if mine is not None:
                mine.discard(conn)
                if not mine:
                    del self.phones[conn.participant]
        if conn.participant is not None and self.online[conn.participant] > 0:
            self.online[conn.participant] -= 1
            if self.online[conn.participant] == 0:
                del self.online[conn.participant]
                self.send_staff({"type": "presence", "participant": conn.participant, "online": False})


class Hub:
    """All live rooms of this process, loaded from the database on first use."""

    def __init__(self, settings: Settings, store: Store, bus: Bus) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.rooms: dict[str, LiveRoom] = {}
        self._loading = asyncio.Lock()
        bus.on_reconnect = self.resync

    async def get(self, code: str) -> LiveRoom | None:
        live = self.rooms.get(code)
        if live is not None:
            return live
        async with self._loading:
            live = self.rooms.get(code)
            if live is None:
                live = await self._load(code)
        return live

    async def _load(self, code: str) -> LiveRoom | None:
        stored = await asyncio.to_thread(self.store.load_room, code)
        if stored is None or stored.workshop.closed_at is not None:
            return None
        workshop = stored.workshop
        if stored.snapshot is not None:
            room = room_from_json(stored.snapshot)
        else:
            program = load_program_text(workshop.program_text, source=workshop.program_name)
            room = Room(code=workshop.code, program=program, time_scale=workshop.time_scale)
        for seq, cmd in stored.commands:
            room, _ = apply(room, cmd)
            assert room.seq == seq, f"room {code}: history out of order at {seq}"
        live = LiveRoom(self, workshop, room)
        self.rooms[code] = live
        await self.bus.subscribe(code, live.on_published)
        await live.resync()  # what another process stored while we were loading
        return live

    async def resync(self, code: str) -> None:
        live = self.rooms.get(code)
        if live is not None:
            await live.resync()

    async def close(self, code: str) -> None:
        """Every process forgets the room and its screens are told it is gone."""
        await self.bus.publish(Published(code, 0, {CLOSED: True}))
        await self.forget(code)

    async def forget(self, code: str) -> None:
        live = self.rooms.pop(code, None)
        if live is None:
            return
        await self.bus.unsubscribe(code)
        live.stop()
        for conn in list(live.connections):
            conn.close(CLOSE_ROOM_CLOSED)

    async def save_snapshots(self) -> None:
        for live in list(self.rooms.values()):
            await live.save_snapshot()

    @staticmethod
    def new_seed() -> int:
        return secrets.randbits(32)

    def command(self, action: Any, actor: str) -> Command:
        return Command(action=action, at=now_ms(), actor=actor, seed=self.new_seed())


__all__ = ["Accepted", "Hub", "LiveRoom", "Refused", "now_ms"]
