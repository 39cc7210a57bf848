"""Telling a room's screens in this process: who is connected, and what each one is sent.

The writer hands over every command applied to the room (stored here or by another
process), in any order; screens are told strictly in sequence order, each event only to
the screens it concerns (everyone, the staff, one phone), what everyone sees first. A
short replay buffer lets a phone that reconnects after a brief gap get only what it
missed.

The staff screens keep the whole participant list and the board, and both change with
every join, word or phase: rebuilding and sending them in full each time made 5,000
joins cost the facilitator's screen 778 MB. So what changed for the staff is gathered and
sent at most every ``board_interval_ms`` (at once when the last send is older): the
lines of the participant list that changed, who left, who came online or went offline
(one ``people`` message), then the board. A burst of joins or reconnects costs a few
small messages a second.

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
from app.realtime import collector
from app.realtime.connection import CLOSE_REMOVED, CLOSE_TOO_SLOW, Connection

log = logging.getLogger(__name__)

REPLAY_LENGTH = 256  # actions kept for phones that reconnect after a short gap


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


@dataclass(frozen=True, slots=True)
class Told:
    """What one action told the phones, for those that reconnect: the frames every
    screen got (encoded once), and whose own view changed (None: anyone's may have).
    A phone that missed a change of its own view gets its view as it is now, so the
    buffer keeps no per-phone frames."""

    seq: int
    frames: tuple[str, ...]
    personal: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class SharedSnapshot:
    """The part of a phone's snapshot that is the same for every phone at one room state,
    made and encoded once: after a restart 5,000 phones say hello within seconds, and
    building and encoding the room's header, agenda and position for each one was 6-10 %
    of the recovery. A phone's frame is this text with its own view spliced in."""

    room: Room  # the state it is for (rooms are immutable: compared by identity)
    head: str  # the snapshot frame, its state with the shared keys only, open at the end
    groups: views.Groups  # the working groups, for each phone's own view

    @classmethod
    def of(cls, room: Room, seq: int, state: str) -> SharedSnapshot:
        """``state``: ``views.shared_state(room)`` encoded (``{"room":...,"position":...}``)."""
        return cls(room, f'{{"type":"snapshot","seq":{seq},"state":{state[:-1]}', views.Groups.of(room))

    def frame(self, pid: str) -> str:
        """The whole snapshot frame for one participant: the text ``encode`` makes of
        ``{"type": "snapshot", "seq": seq, "state": views.snapshot(room, "participant",
        pid)}``, the shared keys first, then the phone's own (``me``, ``notes``,
        ``activity``: never shared, never the same keys)."""
        mine = encode(views.personal_patch(self.room, pid, self.groups))
        return f"{self.head},{mine[1:]}}}"


def _by_join_order(pid: str) -> tuple[int, str]:
    return len(pid), pid  # p9 before p10


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
        self.recent: deque[Told] = deque(maxlen=REPLAY_LENGTH)
        self._pending: dict[int, Step] = {}
        # For the phones attaching at self.room; what they share of it, encoded, is kept
        # until an action changes it (public: the position, plan: the agenda; the header
        # is the room's for its life): a burst of words does not.
        self._shared: SharedSnapshot | None = None
        self._shared_state: str | None = None
        # What the staff screens are due, sent together (see the module's docstring).
        self._interval = board_interval_ms / 1000
        self._staff_sent_at = 0.0
        self._staff_timer: asyncio.TimerHandle | None = None
        self._board_due = False
        self._people_due: set[str] | None = set()  # None: any line may have changed
        self._presence_due: dict[str, bool] = {}  # participant -> online now
        groups = views.Groups.of(room)
        self._lines: dict[str, tuple[Any, ...]] = {
            pid: tuple(views.participant(room, pid, groups).values()) for pid in room.participants
        }  # the participant list as the staff screens have it

    # --- applied commands, in sequence order -----------------------------------------

    def applied(self, steps: Iterable[Step]) -> None:
        """Commands applied to the room: tell the screens every one that is next in line."""
        # Busy even when another process stored them (a second worker stores nothing of
        # its own but tells its phones every phase change): no sweep while it tells them.
        collector.busy()
        for step in steps:
            if step.seq > self.delivered:
                self._pending[step.seq] = step
        while self.delivered + 1 in self._pending:
            step = self._pending.pop(self.delivered + 1)
            self.delivered = step.seq
            self.room = step.after
            self._shared = None
            if step.changes.public or step.changes.plan:
                self._shared_state = None
            try:
                self._tell(step)
            except Exception:  # a bug in a view: the room goes on, the screens start afresh
                log.exception("room %s: could not tell the screens about %s", step.after.code, step.seq)
                self.recent.clear()
                for conn in list(self.connections):
                    conn.close(CLOSE_TOO_SLOW)  # they reconnect and get a snapshot

    def _tell(self, step: Step) -> None:
        before, changes, after = step.before, step.changes, step.after
        shared = replace(changes, staff=False, board=False, personal=frozenset(), everyone_personal=False)
        frames = self.deliver(step.seq, views.events(after, shared, before))
        if changes.personal or changes.everyone_personal:
            self.deliver(step.seq, views.personal_events(after, changes, before, among=self.phones))
        who = None if changes.everyone_personal else changes.personal
        self.recent.append(Told(step.seq, frames, who))
        # Whose line may have changed: whose own view did (views.participant), or anyone's,
        # unless no line can have (a phase change that moves no one).
        if changes.staff and (who or not views.same_lines(before, after)):
            self._people_changed(who or None)
        if changes.board:
            self._board_due = True
        if changes.staff or changes.board:
            self._staff_changed()
        if len(after.participants) < len(before.participants):  # someone was removed
            for pid in set(before.participants) - set(after.participants):
                self.disconnect_participant(pid)

    def deliver(self, seq: int, events: Iterable[views.Event]) -> tuple[str, ...]:
        """Send each event to its audience; the frames that went to every screen."""
        shared = []
        for event in events:
            audience = self._audience(event.audience)
            if event.audience == views.ALL:
                shared.append(frame := encode({"type": "event", "seq": seq, "patch": event.patch}))
            elif not audience:
                continue  # a phone that is not connected gets its view when it is
            else:
                frame = encode({"type": "event", "seq": seq, "patch": event.patch})
            # One encoded frame for everyone the event goes to.
            for conn in audience:
                conn.send(frame)
        return tuple(shared)

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

    # --- what the staff screens are due, gathered -----------------------------------------

    def _people_changed(self, pids: frozenset[str] | None) -> None:
        if pids is None or self._people_due is None:
            self._people_due = None
        else:
            self._people_due |= pids

    def _staff_changed(self) -> None:
        """Send the staff what they are due now, or once the interval since the last is over.

        The board is the whole of the current results (every word with its count): the
        newest replaces all before it. 2,000 phones sending words in a burst would
        otherwise have the server count and send the whole cloud 600 times a second to a
        projector that can show a few; gathered, a burst costs a few boards a second and
        each word is still on the projector within the interval.
        """
        if self._staff_timer is not None:
            return  # a send is due; it will read the room as it is then
        wait = self._staff_sent_at + self._interval - time.monotonic()
        if wait <= 0:
            self._send_staff_due()
        else:
            self._staff_timer = asyncio.get_running_loop().call_later(wait, self._send_staff_due)

    def _send_staff_due(self) -> None:
        self._staff_timer = None
        self._staff_sent_at = time.monotonic()
        try:
            people = self._people_message()
        except Exception:  # a bug in a view: the staff start afresh, the room goes on
            log.exception("room %s: could not tell the staff who is here", self.room.code)
            for conn in list(self.staff):
                conn.close(CLOSE_TOO_SLOW)
            return
        if people is not None:
            self.send_staff(people)
        if self._board_due:
            self._board_due = False
            if self.staff:
                patch = views.board_patch(self.room)
                self.send_staff({"type": "event", "seq": self.delivered, "patch": patch})

    def _people_message(self) -> dict[str, Any] | None:
        """The lines of the participant list that differ from what the staff have, who
        left, and who came or went; None when nothing did."""
        room, due, lines = self.room, self._people_due, self._lines
        self._people_due = set()
        if due is None:
            gone = [pid for pid in lines if pid not in room.participants]
            pids: Iterable[str] = [*room.participants, *gone]
        else:
            pids = sorted(due, key=_by_join_order)
        changed, removed = [], []
        groups = views.Groups.of(room) if due is None or due else None
        for pid in pids:
            if pid not in room.participants:
                if lines.pop(pid, None) is not None:
                    removed.append(pid)
                continue
            assert groups is not None
            line = views.participant(room, pid, groups)
            values = tuple(line.values())
            if lines.get(pid) != values:
                lines[pid] = values
                changed.append(line)
        presence, self._presence_due = self._presence_due, {}
        online = [pid for pid, on in presence.items() if on]
        offline = [pid for pid, on in presence.items() if not on]
        if not (changed or removed or online or offline):
            return None
        return {
            "type": "people",
            "changed": changed,
            "removed": removed,
            "online": online,
            "offline": offline,
        }

    def stop(self) -> None:
        """The room is forgotten: nothing more is sent."""
        if self._staff_timer is not None:
            self._staff_timer.cancel()
            self._staff_timer = None

    # --- screens coming and going -------------------------------------------------------

    def attach(self, conn: Connection, last_seq: int | None) -> None:
        """Register a screen and queue what it needs to catch up, with no await between."""
        collector.arrived()
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
            conn.send(self._snapshot_frame(conn))
        else:
            for frame in missed:
                conn.send(frame)
        if conn.participant is not None:
            self.online[conn.participant] += 1
            if self.online[conn.participant] == 1:
                self._presence(conn.participant, True)

    def _snapshot_frame(self, conn: Connection) -> str:
        """The room as this screen sees it now. The staff's own (the participant list,
        the board, who is online) is made for each; a phone's shares all but its own view
        with every phone attaching at the same state (``SharedSnapshot``)."""
        if conn.is_staff or conn.participant is None:
            state = views.snapshot(self.room, conn.role, conn.participant)
            if conn.is_staff:
                state["online"] = sorted(self.online)
            return encode({"type": "snapshot", "seq": self.delivered, "state": state})
        shared = self._shared
        if shared is None or shared.room is not self.room:
            if self._shared_state is None:
                self._shared_state = encode(views.shared_state(self.room))
            shared = self._shared = SharedSnapshot.of(self.room, self.delivered, self._shared_state)
        return shared.frame(conn.participant)

    def _missed_since(self, last_seq: int | None, conn: Connection) -> list[str] | None:
        """The frames a reconnecting phone missed, or None when it needs a snapshot."""
        if last_seq is None or last_seq > self.delivered or conn.is_staff:
            return None
        if last_seq == self.delivered:
            return []
        if not self.recent or self.recent[0].seq > last_seq + 1:
            return None
        frames: list[str] = []
        own = False
        for told in self.recent:
            if told.seq > last_seq:
                frames.extend(told.frames)
                own = own or told.personal is None or conn.participant in told.personal
        if own and conn.participant is not None:
            patch = views.personal_patch(self.room, conn.participant)
            frames.append(encode({"type": "event", "seq": self.delivered, "patch": patch}))
        return frames

    def detach(self, conn: Connection) -> None:
        collector.busy()
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
                self._presence(conn.participant, False)

    def _presence(self, pid: str, online: bool) -> None:
        self._presence_due[pid] = online
        self._staff_changed()
