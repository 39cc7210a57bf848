"""The live rooms of this server process, loaded from the database on first use.

A room's jobs live in their own modules: ``writer`` (applying, group commit, the order
against other processes, idempotency), ``fanout`` (screens, audiences, replay, presence,
the board), ``outbox`` (publishing to the other processes); ``live.LiveRoom`` composes
them. The path of an action is described there.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Callable
from typing import Any

from app.bus import Bus, Published
from app.core.room import Command, Refused
from app.realtime import collector
from app.realtime.connection import CLOSE_ROOM_CLOSED
from app.realtime.fanout import now_ms
from app.realtime.live import CLOSED, LiveRoom
from app.realtime.writer import Accepted, ActionFailed
from app.settings import Settings
from app.storage.history import restore
from app.storage.store import Store

log = logging.getLogger(__name__)

# At most this long, a stopping server waits for the writes going on (a database that
# takes longer is one the write would fail on anyway; the phones resend what was not answered).
FINISH_WRITES_S = 10.0


class Hub:
    """All live rooms of this process, loaded from the database on first use."""

    def __init__(self, settings: Settings, store: Store, bus: Bus) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.rooms: dict[str, LiveRoom] = {}
        # Loading and forgetting take turns: a room being loaded while it is deleted is
        # either forgotten after the load or, loaded after the tombstone, not found.
        self._loading = asyncio.Lock()
        self._loads: dict[str, asyncio.Event] = {}  # code -> set once its load is over
        self._quiet: dict[str, tuple[int, float]] = {}  # code -> (seq, since) while unwatched
        self.on_forget: list[Callable[[int], None]] = []  # caches keyed by workshop id
        bus.on_reconnect = self.resync

    async def get(self, code: str) -> LiveRoom | None:
        """The open room with this code, loaded if need be; None if there is none (a
        closed or deleted workshop is never loaded again)."""
        live = self.rooms.get(code)
        if live is not None:
            return live
        async with self._loading:
            live = self.rooms.get(code)
            if live is None:
                over = self._loads[code] = asyncio.Event()
                try:
                    live = await self._load(code)
                finally:
                    del self._loads[code]
                    over.set()
        return live

    async def loaded(self, code: str) -> LiveRoom | None:
        """The room with this code if it is in memory, or once it is, if it is being
        loaded now; else None (and nothing is loaded for asking). After a restart every
        phone of a 5,000-phone room says hello within seconds: those that come while the
        first one's hello loads the room wait for it, then find their door and their
        token in memory instead of asking the database twice each (``access``)."""
        live = self.rooms.get(code)
        over = self._loads.get(code) if live is None else None
        if over is not None:
            await over.wait()
            live = self.rooms.get(code)
        return live

    async def _load(self, code: str) -> LiveRoom | None:
        stored = await asyncio.to_thread(self.store.load_room, code)
        if stored is None or stored.workshop.closed_at is not None:
            return None
        room = await asyncio.to_thread(restore, self.store, stored)  # snapshot, upcasters, replay
        live = LiveRoom(self, stored.workshop, room)
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
        try:
            await self.bus.publish(Published(code, 0, {CLOSED: True}))
        except Exception:  # the bus is away: the other processes find the room closed on load
            log.warning("room %s: could not tell the other processes it is closed", code, exc_info=True)
        await self.forget(code)

    async def forget(self, code: str) -> None:
        """The room leaves memory and its screens are closed (it was closed or deleted)."""
        async with self._loading:
            live = await self._drop(code)
        if live is not None:
            for conn in list(live.connections):
                conn.close(CLOSE_ROOM_CLOSED)

    async def _drop(self, code: str) -> LiveRoom | None:
        """Under ``_loading``: out of memory, unsubscribed, its caches dropped."""
        live = self.rooms.pop(code, None)
        self._quiet.pop(code, None)
        if live is not None:
            await self.bus.unsubscribe(code)
            live.stop()
            for forget in self.on_forget:
                forget(live.workshop_id)
            collector.released()  # what it held in cycles is freed at the next sweep
        return live

    async def evict_idle(self, now: float | None = None) -> list[str]:
        """Rooms with no screen and no write for ``idle_minutes`` leave memory (a snapshot
        first, so loading them again on demand is quick); rooms closed or deleted by a
        process whose message the bus lost are forgotten too. Returns the codes."""
        now = time.monotonic() if now is None else now
        idle_after = self.settings.idle_minutes * 60
        idle: list[str] = []
        for code, live in list(self.rooms.items()):
            seen = self._quiet.get(code)
            if live.connections or seen is None or seen[0] != live.room.seq:
                self._quiet[code] = (live.room.seq, now)
            elif now - seen[1] >= idle_after:
                idle.append(code)
        held = [live.workshop_id for live in self.rooms.values()]
        gone = await asyncio.to_thread(self.store.gone_among, held)
        for code in [c for c, live in self.rooms.items() if live.workshop_id in gone]:
            await self.forget(code)
        evicted = []
        for code in idle:
            quiet = self.rooms.get(code)
            if quiet is None or quiet.connections:
                continue
            try:
                await quiet.save_snapshot()
            except Exception as exc:  # only a shortcut for loading; the history has it all
                log.warning("room %s: no snapshot before leaving memory (%s)", code, type(exc).__name__)
            async with self._loading:
                if self.rooms.get(code) is quiet and not quiet.connections:
                    await self._drop(code)
                    evicted.append(code)
        return evicted

    @property
    def tidy_every(self) -> float:
        """How often to look for idle rooms: a few times per ``idle_minutes``."""
        return max(0.05, min(30.0, self.settings.idle_minutes * 60 / 4))

    async def finish_writes(self) -> None:
        """The server is stopping: let the rooms' writes going on end (stored and answered)
        before the store closes, or a worker thread would open a connection of a closed
        store (PostgreSQL: one left open until the process ends)."""
        tasks = [task for live in self.rooms.values() if (task := live.writer.writing) is not None]
        if tasks:
            await asyncio.wait(tasks, timeout=FINISH_WRITES_S)

    async def save_snapshots(self) -> None:
        for live in list(self.rooms.values()):
            await live.save_snapshot()

    @staticmethod
    def new_seed() -> int:
        return secrets.randbits(32)

    def command(self, action: Any, actor: str) -> Command:
        return Command(action=action, at=now_ms(), actor=actor, seed=self.new_seed())


__all__ = ["Accepted", "ActionFailed", "Hub", "LiveRoom", "Refused", "now_ms"]
