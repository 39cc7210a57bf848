"""Two server processes (here: two hubs, each with its own Redis connection and database
connection) serve the same rooms. Redis may lose a message without a word, and one room
may be stuck waiting for the database: neither may leave another process's screens
behind for more than a few seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.bus import Published
from app.bus.redis import RedisBus
from app.core.actions import Pause, Start
from app.core.room import FACILITATOR
from app.realtime import live as live_module
from app.realtime.hub import Hub, LiveRoom
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop
from tests.fakescreen import FakeScreen
from tests.phoneclient import run_async, wait_until
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.server, pytest.mark.timeout(60)]

REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass
class Site:
    settings: Settings
    database_url: str
    codes: list[str]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """Two workshops in one database, for two processes to serve."""
    programs = tmp_path / "programs"
    programs.mkdir()
    (programs / "demo.toml").write_text(DEMO_PROGRAM, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'samling.db'}"
    settings = Settings(database_url=url, programs_dir=programs, bus_url=REDIS_URL)
    store = Store(url)
    codes = [create_workshop(store, settings, "demo.toml").code for _ in range(2)]
    store.close()
    yield Site(settings, url, codes)


@asynccontextmanager
async def process(site: Site) -> AsyncIterator[Hub]:
    """What one server process holds: its own bus connection, store and hub."""
    bus, store = RedisBus(REDIS_URL), Store(site.database_url)
    await bus.start()
    try:
        yield Hub(site.settings, store, bus)
    finally:
        await bus.stop()
        store.close()


async def loaded(hub: Hub, code: str) -> LiveRoom:
    live = await hub.get(code)
    assert live is not None
    return live


async def subscribed(*buses: object) -> None:
    for bus in buses:
        assert isinstance(bus, RedisBus)
        await wait_until(lambda b=bus: b._connected.is_set(), 5)  # type: ignore[misc]
    await asyncio.sleep(0.2)


async def _a_lost_last_message_is_caught_up_within_seconds(site: Site) -> float:
    async with process(site) as a, process(site) as b:
        code = site.codes[0]
        live_a, live_b = await loaded(a, code), await loaded(b, code)
        await subscribed(a.bus, b.bus)
        facilitator, projector = FakeScreen(role="facilitator"), FakeScreen(role="projector")
        live_a.attach(facilitator, None)  # type: ignore[arg-type]
        live_b.attach(projector, None)  # type: ignore[arg-type]

        started = await live_a.submit(a.command(Start(), FACILITATOR))
        await wait_until(lambda: projector.timer_status() == "running", 5)

        # Redis loses the next message without a word: the "pause" of a quiet room.
        publish, lost = a.bus.publish, list[int]()

        async def lossy(message: Published) -> None:
            if message.seq == started.seq + 1 and not message.command.get(live_module.HEAD) and not lost:
                lost.append(message.seq)
                return
            await publish(message)

        a.bus.publish = lossy  # type: ignore[method-assign]
        await live_a.submit(a.command(Pause(), FACILITATOR))
        paused_at = time.monotonic()
        # Nobody does anything more; the projector on the other process shows the pause.
        await wait_until(lambda: projector.timer_status() == "paused", 3 * live_module.HEAD_EVERY)
        assert lost == [started.seq + 1], "the message really was lost"
        assert live_b.room.seq == live_a.room.seq
        return time.monotonic() - paused_at


def test_a_lost_last_message_is_caught_up_within_seconds(site: Site) -> None:
    took = run_async(_a_lost_last_message_is_caught_up_within_seconds(site))
    assert took <= live_module.HEAD_EVERY + 3, took


async def _a_room_waiting_for_the_database_never_holds_up_another(site: Site) -> None:
    async with process(site) as a, process(site) as b:
        stuck_code, free_code = site.codes
        stuck_a, free_a = await loaded(a, stuck_code), await loaded(a, free_code)
        stuck_b, free_b = await loaded(b, stuck_code), await loaded(b, free_code)
        await subscribed(a.bus, b.bus)
        projector = FakeScreen(role="projector")
        free_b.attach(projector, None)  # type: ignore[arg-type]

        # On B, one room is busy with a write that waits for the database (its lock held).
        await stuck_b.writer.lock.acquire()
        try:
            await stuck_a.submit(a.command(Start(), FACILITATOR))
            await free_a.submit(a.command(Start(), FACILITATOR))
            # It would wait for the lock's release, below, were the rooms' messages not apart.
            await wait_until(lambda: projector.timer_status() == "running", 5)
            assert stuck_b.room.seq < stuck_a.room.seq, "the stuck room really is waiting"
        finally:
            stuck_b.writer.lock.release()
        await wait_until(lambda: stuck_b.room.seq == stuck_a.room.seq, 5)


def test_a_room_waiting_for_the_database_never_holds_up_another(site: Site) -> None:
    run_async(_a_room_waiting_for_the_database_never_holds_up_another(site))
