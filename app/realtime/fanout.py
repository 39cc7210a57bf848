"""Telling a room's screens in this process: who is connected, and what each one is sent.

The writer hands over every command applied to the room (stored here or by another
process), in any order; screens are told strictly in sequence order, each event only to
the screens it concerns (everyone, the staff, one phone). A short replay buffer lets a
screen that reconnects after a brief gap get only what it missed; presence tells the
staff who is connected; the shared results (the board) reach the staff screens at most
every ``board_interval_ms``.

A failure to compute what to send never reaches the writer: the command is stored and
acknowledged all the same, and the screens are asked to reconnect for a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from app.core import views
from app.core.room import Changes, Room
from app.protocol import encode
from app.realtime.connection import CLOSE_REMOVED, CLOSE_TOO_SLOW, Connection

log = logging.getLogger(__name__)

REPLAY_LENGTH = 256  # events kept for screens that reconnect after a short gap


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass(frozen=True, slots=True)
class Step:
    """One applied command: the room before and after it, and what it changed."""

    before: Room
    changes: Changes
    after: Room

    @property
    def seq(self) -> int:
        return self.after.seq


class FanOut:
    def __init__(self, room: Room, board_interval_ms: int) -> None:
        self.room = room  # as the screens were last told
        self.delivered = room.seq
        # Screens by whom they belong to, so that sending a phone its own view does not
        # scan every connection of the room.
        self.connections: set[Connection] = set()
        self.staff: set[Connection] = set()
        self.phones: dict[str, set[Connection]] = {}
        self.online: Counter[str] = Counter()
        self.recent: deque[tuple[int, list[views.Event]]] = deque(maxlen=REPLAY_LENGTH)
        self._pending: dict[int, Step] = {}
        self._board_interval = board_interval_ms / 1000
        self._board_sent_at = 0.0
        self._board_timer: asyncio.TimerHandle | None = None

    # --- applied commands, in sequence order -----------------------------------------

    def applied(self, steps: Iterable[Step]) -> None:
        """Commands applied to the room: tell the screens every one that is next in line."""
        for step in steps:
            if step.seq > self.delivered:
                self._pending[step.seq] = step
        while self.delivered + 1 in self._pending:
            step = self._pending.pop(self.delivered + 1)
            self.delivered = step.seq
            self.room = step.after
            try:
                self._tell(step)
            except Exception:  # a bug in a view: the room goes on, the screens start afresh
                log.exception("room %s: could not tell the screens about %s", step.after.code, step.seq)
                self.recent.clear()
                for conn in list(self.connections):
                    conn.close(CLOSE_TOO_SLOW)  # they reconnect and get a snapshot

    def _tell(self, step: Step) -> None:
        before, changes, after = step.before, step.changes, step.after
        self.deliver(step.seq, views.events(after, replace(changes, board=False), before))
        if changes.board:
            self._board_changed()
        if len(after.participants) < len(before.participants):  # someone was removed
            for pid in set(before.participants) - set(after.participants):
                self.disconnect_participant(pid)

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

    # --- the shared results on the staff screens ----------------------------------------

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
        wait = self._board_sent_at + self._board_interval - time.monotonic()
        if wait <= 0:
            self._send_board()
        else:
            self._board_timer = asyncio.get_running_loop().call_later(wait, self._send_board)

    def _send_board(self) -> None:
        self._board_timer = None
        self._board_sent_at = time.monotonic()
        if self.staff:
            self.send_staff({"type": "event", "seq": self.delivered, "patch": views.board_patch(self.room)})

    def stop(self) -> None:
        """The room is forgotten: nothing more is sent."""
        if self._board_timer is not None:
            self._board_timer.cancel()
            self._board_timer = None

    # --- screens coming and going -------------------------------------------------------

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
