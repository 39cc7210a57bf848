"""The outbox: a room's stored commands reach the bus in order, each kept until the bus
took it, however long the bus is away."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import pytest
from redis.exceptions import RedisError

from app.bus import Published
from app.bus.redis import RedisBus
from app.realtime import outbox as outbox_module
from app.realtime.outbox import Outbox
from tests.phoneclient import run_async, wait_until
from tests.tcpproxy import CuttableProxy

REDIS_URL = "redis://127.0.0.1:6379/0"


class FlakyBus:
    """A bus that refuses the first ``failures`` publishes (as Redis away would)."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.tries: list[int] = []
        self.published: list[int] = []

    async def publish(self, message: Published) -> None:
        self.tries.append(message.seq)
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("redis is away")
        self.published.append(message.seq)


def message(seq: int, room: str = "ABCDEF") -> Published:
    return Published(room, seq, {"n": seq})


def test_a_message_stays_in_the_outbox_until_the_bus_took_it_and_the_order_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(outbox_module, "MAX_BACKOFF", 0.05)

    async def scenario() -> tuple[FlakyBus, bool]:
        bus = FlakyBus(failures=4)
        box = Outbox(bus, "ABCDEF")  # type: ignore[arg-type]
        box.put(message(1))
        box.put(message(2))
        await wait_until(lambda: len(bus.tries) >= 3, 5)
        kept = not box.empty  # failed three times: still there
        await wait_until(lambda: box.empty, 5)
        return bus, kept

    bus, kept = run_async(scenario())
    assert kept
    assert bus.tries[:4] == [1, 1, 1, 1], "the same message first, until it goes"
    assert bus.published == [1, 2], "each once, in order"


def test_the_backoff_between_tries_grows_and_is_capped() -> None:
    delays = [outbox_module.backoff(attempt) for attempt in range(1, 30)]
    assert delays[0] <= 0.1
    assert max(delays) <= outbox_module.MAX_BACKOFF
    assert min(delays[-5:]) >= outbox_module.MAX_BACKOFF / 2


def test_while_the_bus_is_away_for_long_the_outbox_keeps_the_newest(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox_module, "MAX_BACKOFF", 0.01)

    async def scenario() -> FlakyBus:
        bus = FlakyBus(failures=10**9)
        box = Outbox(bus, "ABCDEF", limit=3)  # type: ignore[arg-type]
        for seq in range(1, 8):
            box.put(message(seq))
        await asyncio.sleep(0.05)
        bus.failures = 0
        await wait_until(lambda: box.empty, 5)
        assert box.dropped == 4  # the other processes read those from the database
        return bus

    assert run_async(scenario()).published == [5, 6, 7]


@pytest.fixture
def redis_behind_proxy() -> Iterator[tuple[str, CuttableProxy]]:
    proxy = CuttableProxy("127.0.0.1", 6379)
    proxy.start()
    yield f"redis://127.0.0.1:{proxy.port}/0", proxy
    proxy.stop()


@pytest.mark.server
@pytest.mark.timeout(60)
def test_a_publish_redis_did_not_take_raises_and_the_outbox_delivers_it_once_redis_is_back(
    redis_behind_proxy: tuple[str, CuttableProxy],
) -> None:
    url, proxy = redis_behind_proxy
    room = f"T{secrets.token_hex(3)}"

    async def scenario() -> list[int]:
        publisher, listener = RedisBus(url), RedisBus(REDIS_URL)  # the listener is never cut
        heard: list[int] = []

        async def handle(message: Published) -> None:
            heard.append(message.seq)

        await publisher.start()
        await listener.start()
        await listener.subscribe(room, handle)
        try:
            await wait_until(lambda: listener._connected.is_set(), 10)
            for _ in range(50):  # until the listener's subscription is in place
                await publisher.publish(message(1, room))
                await asyncio.sleep(0.1)
                if heard:
                    break
            await asyncio.sleep(0.3)
            heard[:] = [1]
            proxy.cut()
            with pytest.raises((RedisError, OSError)):
                await publisher.publish(message(2, room))
            box = Outbox(publisher, room)
            box.put(message(2, room))
            box.put(message(3, room))
            await asyncio.sleep(1.5)
            assert not box.empty and heard == [1], "kept while Redis is away"
            proxy.mend()
            await wait_until(lambda: box.empty, 20)
            await wait_until(lambda: len(heard) == 3, 10)
            return heard
        finally:
            await publisher.stop()
            await listener.stop()

    assert run_async(scenario()) == [1, 2, 3]
