"""Changing one room in this process: apply an action to the pure core, store it, answer.

Actions that arrive while the room is writing wait, and are then stored together in one
transaction (a group commit): a burst of 2,000 phones costs a few writes a second instead
of one round trip to the database each, and every action is still acknowledged only
after it is stored.

A phone's action that finds ``backlog_limit`` actions already waiting (more than the room
stores in about a second) waits in line behind them instead, and is told so; it moves up
into the writes, in the order it came, as they make room. The facilitator's actions and
the joins never wait in that line. Refusing such actions instead (``room_busy``) made
every phone send them again and again: on a machine too slow for the burst, the
resends and the reconnections they caused took more of the server than the words did.
A write that takes longer than ``SLOW_WRITE_S`` (a slow database) makes the room crowded
too, until it is done: whoever waits for it is told so (``slow``), and a phone's action
that comes meanwhile waits in line.

Several processes may serve one room: the database decides the order. The writer keeps
this process's copy of the room, applies what other processes stored (from the bus, or
read from the database when it sees a gap), and answers a resend (a screen's message id
seen before) with its first number before applying anything: from memory, or from the
database after a restart, for another process's write, or long ago. It hands every
applied command on (``tell``: to this process's screens) and every command it stored
(``publish``: to the other processes).

One failing action stays its own: a refusal is answered with its code, an action whose
rules raise anything else is answered :class:`ActionFailed` (logged with the room, the
actor and the action type, never its content), and the rest of its batch is stored and
answered as usual.
"""

from __future__ import annotations

import asyncio
import logging
import os
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from app.core import groups as grouping
from app.core.keys import changed as keys_changed
from app.core.room import Command, Refused, Room, apply
from app.core.serialize import command_from_json, room_to_json
from app.realtime import collector, wire
from app.realtime.fanout import Step
from app.storage.store import DuplicateSeq, NewCommand, Resent, Store

log = logging.getLogger(__name__)

KNOWN_KEYS = 4096  # idempotency keys remembered in memory per room
SNAPSHOT_BYTES_PER_ACTION = 1024  # see RoomWriter._snapshot_if_due
MAX_ORDER_RETRIES = 20  # lost races for a sequence number before an action is given up
# Actions stored, told and answered together at most: a batch runs on the event loop
# without a break but for its database write (or, stored on the loop, until the next
# batch), and 1,500 words a second in one batch held the loop for seconds, so phones
# heard no pong, gave up and reconnected (a retry storm).
BATCH_LIMIT = 100
# A write still going this long is slow: those waiting for it are told so, well within the
# browser's four silent seconds for a dead connection (policy.js, pongTimeoutMs), so that
# a slow database does not make healthy phones reconnect. One timer a write, not an action.
SLOW_WRITE_S = 1.5


@dataclass(frozen=True)
class Accepted:
    seq: int
    room: Room


class ActionFailed(Exception):
    """Applying an action raised something other than a refusal: a bug in the rules.
    Final for the screen (``internal_error``); the rest of the batch goes on."""


Answer = Callable[[Accepted | BaseException], None]


@dataclass(slots=True)
class _Waiting:
    """An action waiting for the room's next write, and the screen waiting for the answer:
    a future (``submit``) or a function called with it as soon as it is known (``submit_then``).
    Answered once: a later outcome (the server stopping after the answer) is dropped."""

    cmd: Command
    key: str | None  # the screen's message id: a resend with the same id is stored once
    answer: asyncio.Future[Accepted] | Answer
    slow: Callable[[], None] | None = None  # called (once) if its answer is held up by a slow write
    settled: bool = False

    def tell_slow(self) -> None:
        slow, self.slow = self.slow, None
        if slow is not None and not self.settled:
            slow()

    @property
    def known_as(self) -> tuple[str, str] | None:
        return (self.cmd.actor, self.key) if self.key is not None else None

    def settle(self, outcome: Accepted | BaseException) -> None:
        if self.settled:
            return
        self.settled = True
        answer = self.answer
        if not isinstance(answer, asyncio.Future):
            try:
                answer(outcome)
            except Exception:  # the screen's answering failed: the rest of the batch goes on
                log.exception("could not answer a %s", self.cmd.action.type)
            return
        if answer.done():
            return  # the screen went away; what was stored stays stored (it may resend)
        if isinstance(outcome, BaseException):
            answer.set_exception(outcome)
        else:
            answer.set_result(outcome)


def _failure(exc: Exception) -> ActionFailed:
    failed = ActionFailed(type(exc).__name__)
    failed.__cause__ = exc
    return failed


def _where(exc: BaseException) -> str:
    """Where an exception was raised, as file:line in function frames: no message, no
    values, so that what a person wrote never reaches the log."""
    frames = traceback.extract_tb(exc.__traceback__)[-4:]
    return " < ".join(f"{os.path.basename(f.filename)}:{f.lineno} in {f.name}" for f in reversed(frames))


class RoomWriter:
    def __init__(
        self,
        store: Store,
        workshop_id: int,
        room: Room,
        *,
        snapshot_every: int,
        tell: Callable[[Iterable[Step]], None],
        publish: Callable[[int, Command], None],
        backlog_limit: int = 500,
    ) -> None:
        self.store = store
        self.workshop_id = workshop_id
        self.room = room  # as stored, as far as this process knows
        self.lock = asyncio.Lock()  # one write or catch-up at a time
        self.known_keys: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._snapshot_every = snapshot_every
        self._snapshot_seq = room.seq  # loaded from a snapshot and the history after it
        self._snapshot_size = 0  # bytes of the last snapshot stored
        self._snapshotting: asyncio.Task[None] | None = None
        self._tell = tell
        self._publish = publish
        self._waiting: list[_Waiting] = []  # actions for the next write; see ``submit``
        self._writing = 0  # actions of the batch being written
        self._backlog_limit = backlog_limit
        self._line: deque[_Waiting] = deque()  # phones' actions beyond it, in the order they came
        self._task: asyncio.Task[None] | None = None
        self._slow = False  # the write going on has taken longer than SLOW_WRITE_S

    @property
    def code(self) -> str:
        return self.room.code

    @property
    def backlog(self) -> int:
        """Actions handed to this room and not yet answered: what a new one waits behind."""
        return self._writing + len(self._waiting) + len(self._line)

    @property
    def writing(self) -> asyncio.Task[None] | None:
        """The task storing what waits, while there is any."""
        return self._task

    @property
    def slow(self) -> bool:
        """Whether the write going on has taken longer than ``SLOW_WRITE_S``."""
        return self._slow

    @property
    def crowded(self) -> bool:
        """Whether a phone's action handed on now waits in line (see the module's doc)."""
        return self._slow or bool(self._line) or self._writing + len(self._waiting) >= self._backlog_limit

    # --- this process's actions -----------------------------------------------------------

    async def submit(self, cmd: Command, idempotency_key: str | None = None) -> Accepted:
        """Apply, store, tell, then answer. Raises :class:`Refused` or :class:`ActionFailed`
        and leaves the room untouched; any other exception means the database did not take
        it (nothing of its batch was stored)."""
        answer: asyncio.Future[Accepted] = asyncio.get_running_loop().create_future()
        self._enqueue(_Waiting(cmd, idempotency_key, answer))
        return await answer

    def submit_then(
        self,
        cmd: Command,
        idempotency_key: str | None,
        answer: Answer,
        *,
        may_wait: bool = False,
        slow: Callable[[], None] | None = None,
    ) -> bool:
        """Like :meth:`submit`, without a task or a future per action: ``answer`` is called
        with the outcome (an :class:`Accepted`, or what ``submit`` would raise) as soon as
        it is known, right after this process's screens were told of the action (the
        frames to its phone and the answer then leave in one write, see ``wire.corked``).
        True when its answer will be a while: a phone's action (``may_wait``) waits in line
        (``crowded``), or any action waits behind a write already slow. Otherwise ``slow``
        is called, before the answer, if a write turns out slow while it waits."""
        if may_wait and self.crowded:
            self._line.append(_Waiting(cmd, idempotency_key, answer))
            self._start_writing()
            return True
        behind_slow = self._slow  # told now by the caller: no need to tell it again
        self._enqueue(_Waiting(cmd, idempotency_key, answer, None if behind_slow else slow))
        return behind_slow

    def _enqueue(self, waiting: _Waiting) -> None:
        self._waiting.append(waiting)
        self._start_writing()

    def _start_writing(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._write_waiting())

    def _move_up(self) -> None:
        """Actions waiting in line take the room the writes made, in the order they came."""
        line = self._line
        room = self._backlog_limit - self._writing - len(self._waiting)
        while line and room > 0:
            self._waiting.append(line.popleft())
            room -= 1

    async def _write_waiting(self) -> None:
        batch: list[_Waiting] = []
        try:
            while True:
                self._writing = 0
                self._move_up()
                if not self._waiting:
                    break
                if batch:  # a batch stored on the loop gave it no break: the screens' turn
                    await asyncio.sleep(0)
                batch, self._waiting = self._waiting[:BATCH_LIMIT], self._waiting[BATCH_LIMIT:]
                self._writing = len(batch)
                timer = asyncio.get_running_loop().call_later(SLOW_WRITE_S, self._turned_slow, batch)
                try:
                    async with self.lock:
                        try:
                            with grouping.holding(len(batch)):  # each step's groups, until told
                                await self._write(batch)
                        except Exception as exc:  # the database is down: none of them was stored
                            for waiting in batch:
                                waiting.settle(exc)
                finally:
                    timer.cancel()
                    self._slow = False
        finally:
            self._task = None
            self._writing = 0
            for waiting in (*batch, *self._waiting, *self._line):  # only when cancelled: the server stops
                waiting.settle(ConnectionAbortedError("the server is stopping"))
            self._line.clear()

    def _turned_slow(self, batch: list[_Waiting]) -> None:
        """The write of ``batch`` (or the wait for the room's lock) is taking long: the room
        is crowded until it is done, and whoever waits for it is told so."""
        self._slow = True
        for waiting in (*batch, *self._waiting):
            waiting.tell_slow()

    async def _write(self, batch: list[_Waiting]) -> None:
        """Store a batch in order and tell everyone; answer each action.

        When another process stored one of our sequence numbers first, nothing of the
        batch is stored; this one reads what it missed, and applies the batch again to the
        room as it now is. A resend of an action stored before is answered with its first
        number, whatever the room's state now: its id is known in memory, or found in the
        database before anything of its batch is stored or answered (and the batch planned
        again without it), so what it would do to the room now never counts.
        """
        for _ in range(MAX_ORDER_RETRIES):
            room = self.room
            steps: list[tuple[_Waiting, Step]] = []
            answers: list[tuple[_Waiting, int | Exception]] = []
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
                except Exception as exc:  # a bug: this action fails, not its batch
                    answers.append((waiting, _failure(exc)))
                    continue
                steps.append((waiting, Step(room, changes, after)))
                if known_as:
                    keys[known_as] = after.seq
                room = after
            stored = [
                NewCommand(step.seq, waiting.cmd, waiting.key, keys_changed(step.before, step.after))
                for waiting, step in steps
            ]
            # Ids not seen here may be resends of what was stored before (a restart,
            # another process, long ago): looked up in the same transaction as the write,
            # and if one was stored, nothing is, and the batch is planned again knowing it.
            unseen = [w.known_as for w in batch if w.known_as and w.known_as not in self.known_keys]
            try:
                if stored:
                    await self._append(stored, unseen)
                elif unseen and await self._recall(unseen):  # refused or failed: resends?
                    continue
            except Resent as exc:
                for known_as, seq in exc.known.items():
                    self._remember(*known_as, seq)
                continue
            except DuplicateSeq:  # another process stored a number or an id of ours first
                resent = await self._recall(list(keys))
                if not await self.catch_up() and not resent:
                    raise
                continue
            for known_as, seq in keys.items():
                self._remember(*known_as, seq)
            await self._stored(steps, room)
            for waiting, answer in answers:
                if isinstance(answer, ActionFailed):
                    self._log_failure(waiting.cmd, answer)
                waiting.settle(answer if isinstance(answer, Exception) else Accepted(answer, self.room))
            return
        raise DuplicateSeq(f"room {self.code}: no free sequence number after {MAX_ORDER_RETRIES} tries")

    async def _append(self, stored: list[NewCommand], unseen: list[tuple[str, str]]) -> None:
        """Store a batch: here on the loop when the store can do it at once (SQLite, and
        nothing to wait for: no lock held, no sync), else in a worker thread (PostgreSQL
        always); the hop to the thread and back cost more than a join's write."""
        if not self.store.append_at_once(self.workshop_id, stored, unseen):
            await asyncio.to_thread(self.store.append, self.workshop_id, stored, unseen)

    async def _recall(self, unknown: list[tuple[str, str]]) -> int:
        """Remember the numbers of the ids among ``unknown`` that were stored before; how many."""
        if not unknown:
            return 0
        stored = await asyncio.to_thread(self.store.seqs_for_keys, self.workshop_id, unknown)
        for known_as, seq in stored.items():
            self._remember(*known_as, seq)
        return len(stored)

    def _log_failure(self, cmd: Command, failed: ActionFailed) -> None:
        cause = failed.__cause__
        where = _where(cause) if cause is not None else "?"
        log.error(
            "room %s: %s from %s failed with %s at %s",
            self.code,
            cmd.action.type,
            cmd.actor,
            failed.args[0] if failed.args else "?",
            where,
        )

    async def _stored(self, steps: list[tuple[_Waiting, Step]], room: Room) -> None:
        """The batch is stored: the room moves on, screens everywhere are told, in order."""
        self.room = room
        collector.busy()
        for waiting, step in steps:
            # An action that concerns a few screens (a word: its phone, the staff's board
            # later) is told and answered in one write per screen; one that goes to
            # everyone is written to each screen at once, without waiting for the rest.
            few = not (step.changes.public or step.changes.plan or step.changes.everyone_personal)
            with wire.corked(few):
                self._tell((step,))
                self._publish(step.seq, waiting.cmd)
                waiting.settle(Accepted(step.seq, step.after))
        self._snapshot_if_due()

    def _snapshot_if_due(self) -> None:
        """A snapshot every ``snapshot_every`` actions, and at least one action per
        ``SNAPSHOT_BYTES_PER_ACTION`` bytes of the last snapshot apart: a room's snapshot
        grows with its people and words (2 MB for 5,000 phones and 15,000 words), and
        writing it every 50 joins made joining quadratic. Not much further apart either:
        after a crash every phone waits while the room replays what came after it (at
        5,000 phones and 5,000 words, 1.6 MB: 0.65 s to load with the 6,400 actions 256
        bytes each allowed, 0.23 s with 1,600; serialising it takes 14 ms). Stored in the
        background: the next actions do not wait for it."""
        since = self.room.seq - self._snapshot_seq
        if since < max(self._snapshot_every, self._snapshot_size // SNAPSHOT_BYTES_PER_ACTION):
            return
        if self._snapshotting is None or self._snapshotting.done():
            self._snapshot_seq = self.room.seq
            self._snapshotting = asyncio.create_task(self._snapshot_in_background())

    async def _snapshot_in_background(self) -> None:
        try:
            await self.save_snapshot()
        except Exception:  # only a shortcut for loading: the history has it all
            log.warning("room %s: could not store a snapshot", self.code, exc_info=True)

    def _remember(self, actor: str, key: str, seq: int) -> None:
        self.known_keys[(actor, key)] = seq
        if len(self.known_keys) > KNOWN_KEYS:
            self.known_keys.popitem(last=False)

    async def save_snapshot(self) -> None:
        """Store the room as it is, so that loading it replays only what came after."""
        room = self.room  # never changed in place: serialised in the worker thread

        def store() -> int:
            state = room_to_json(room)
            self.store.save_snapshot(self.workshop_id, room.seq, state)
            return len(state)

        self._snapshot_size = await asyncio.to_thread(store)

    # --- what other processes stored -------------------------------------------------------

    def _take(self, seq: int, cmd: Command) -> Step:
        """Apply a command another process stored (seq is the next one) to our copy."""
        before = self.room
        after, changes = apply(before, cmd)
        assert after.seq == seq, f"room {self.code}: expected {after.seq}, got {seq}"
        self.room = after
        return Step(before, changes, after)

    async def catch_up(self) -> bool:
        """Read and apply what other processes stored since our copy; True if anything."""
        missed = await asyncio.to_thread(self.store.commands_after, self.workshop_id, self.room.seq)
        with grouping.holding(len(missed)):
            self._tell([self._take(seq, cmd) for seq, cmd in missed])
        return bool(missed)

    async def heard(self, seq: int, command: dict[str, Any] | None = None) -> None:
        """A process stored ``seq`` (the command, or None when only the number is known):
        apply it when it is the next one, else read what we missed from the database."""
        if seq <= self.room.seq:
            return  # ours, or already read from the database
        async with self.lock:
            if seq == self.room.seq + 1 and command is not None:
                self._tell([self._take(seq, command_from_json(command))])
            elif seq > self.room.seq:
                await self.catch_up()  # a gap: the bus lost something; the database did not

    async def resync(self) -> None:
        """The bus was down: whatever it lost is in the database."""
        async with self.lock:
            await self.catch_up()
