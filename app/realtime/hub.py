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
from typing import Any

from app.bus import Bus, Published
from app.core.room import Command, Refused
from app.realtime.connection import CLOSE_ROOM_CLOSED
from app.realtime.fanout import now_ms
from app.realtime.live import CLOSED, LiveRoom
from app.realtime.writer import Accepted, ActionFailed
from app.settings import Settings
from app.storage.history import restore
from app.storage.store import Store

log = logging.getLogger(__name__)


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


__all__ = ["Accepted", "ActionFailed", "Hub", "LiveRoom", "Refused", "now_ms"]
