"""The Redis bus: several server processes (uvicorn workers, machines) serve one room.

Each process publishes every command it stored on the room's channel and listens on the
channels of the rooms it serves. Redis pub/sub forgets what it could not deliver, so the
bus never has to be trusted for completeness: the database holds the order of events,
and a process that sees a gap (or lost Redis for a while) reads what it missed from the
database. When the connection drops, the bus reconnects by itself with backoff and asks
every room to catch up. Messages are handled per room (``rooms.PerRoom``): one room
waiting for the database never holds up another.

Publishing raises when Redis does not take the message; the room's outbox keeps it and
tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from app.bus import Handler, Published, Resync
from app.bus.rooms import PerRoom

log = logging.getLogger("samling.bus")

CHANNEL_PREFIX = "samling:room:"


class RedisBus:
    shared = True  # any number of processes serve a room

    def __init__(self, url: str) -> None:
        self.url = url
        self._handlers: dict[str, Handler] = {}
        self._client: aioredis.Redis | None = None
        self._subscriber: aioredis.Redis | None = None
        self._pubsub: aioredis.client.PubSub | None = None
        self._reader: asyncio.Task[None] | None = None
        self._stopping = False
        self._connected = asyncio.Event()
        self._rooms: PerRoom[Published | None] = PerRoom(self._handle)  # None: catch up
        self.on_reconnect: Resync | None = None  # set by the hub: "catch up from the database"

    async def start(self) -> None:
        self._stopping = False
        # A command is published once; a connection that died while Redis restarted is
        # replaced and the publish retried, rather than lost.
        self._client = aioredis.from_url(
            self.url,
            health_check_interval=10,
            socket_connect_timeout=2,
            retry=Retry(ExponentialBackoff(cap=1.0, base=0.05), 3),
            retry_on_error=[RedisConnectionError, RedisTimeoutError],
        )
        # The listening connection must never reconnect behind our back: messages sent
        # while it was away are gone, and only our own reconnect (below) knows to make
        # every room catch up from the database. So: no retries on this one.
        self._subscriber = aioredis.from_url(
            self.url, health_check_interval=10, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0)
        )
        self._reader = asyncio.create_task(self._read_forever(), name="redis-bus-reader")

    async def stop(self) -> None:
        self._stopping = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        self._rooms.stop()
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        for client in (self._client, self._subscriber):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.aclose()
        self._handlers.clear()

    async def publish(self, message: Published) -> None:
        """Raises (RedisError, OSError) when Redis did not take it: the caller keeps the
        message and tries again."""
        assert self._client is not None
        payload = json.dumps({"seq": message.seq, "command": message.command}, ensure_ascii=False)
        await self._client.publish(CHANNEL_PREFIX + message.room, payload)

    async def subscribe(self, room: str, handler: Handler) -> None:
        self._handlers[room] = handler
        if self._pubsub is not None and self._connected.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.subscribe(CHANNEL_PREFIX + room)

    async def unsubscribe(self, room: str) -> None:
        self._handlers.pop(room, None)
        if self._pubsub is not None and self._connected.is_set():
            with contextlib.suppress(RedisError, OSError):
                await self._pubsub.unsubscribe(CHANNEL_PREFIX + room)

    async def _read_forever(self) -> None:
        attempt = 0
        first = True
        while not self._stopping:
            try:
                assert self._subscriber is not None
                self._pubsub = self._subscriber.pubsub(ignore_subscribe_messages=True)
                # Subscribe to a placeholder first so the connection exists even with no room,
                # then to the rooms that came while subscribing (``subscribe`` leaves them to
                # us until we are connected): none is left out.
                rooms = set(self._handlers)
                await self._pubsub.subscribe(CHANNEL_PREFIX + "-", *(CHANNEL_PREFIX + r for r in rooms))
                while missing := set(self._handlers) - rooms:
                    rooms |= missing
                    await self._pubsub.subscribe(*(CHANNEL_PREFIX + r for r in missing))
                self._connected.set()
                if not first:
                    log.info("redis: reconnected; rooms catch up from the database")
                    self._resync_all()
                first = False
                attempt = 0
                while not self._stopping:
                    message = await self._pubsub.get_message(timeout=1.0)
                    if message is not None:
                        self._dispatch(message)
            except asyncio.CancelledError:
                raise
            except (RedisConnectionError, RedisTimeoutError, OSError, RedisError) as exc:
                self._connected.clear()
                first = False
                attempt += 1
                delay = min(1.0, 0.1 * 2**attempt) * random.uniform(0.5, 1.0)  # cheap; phones wait
                log.warning("redis: connection lost (%s); retrying in %.1f s", exc, delay)
                with contextlib.suppress(Exception):
                    if self._pubsub is not None:
                        await self._pubsub.aclose()
                await asyncio.sleep(delay)

    def _dispatch(self, message: dict[str, object]) -> None:
        """Queue a message for its room's task; the reader goes straight on."""
        channel = message.get("channel")
        data = message.get("data")
        if not isinstance(channel, bytes) or not isinstance(data, bytes):
            return
        room = channel.decode()[len(CHANNEL_PREFIX) :]
        if room not in self._handlers:
            return
        try:
            body = json.loads(data)
            published = Published(room, int(body["seq"]), body["command"])
        except (ValueError, KeyError, TypeError):
            log.warning("redis: a message for room %s that is not ours", room)
            return
        self._rooms.put(room, published)

    async def _handle(self, room: str, message: Published | None) -> None:
        if message is None:
            if self.on_reconnect is not None:
                await self.on_reconnect(room)
            return
        handler = self._handlers.get(room)
        if handler is not None:
            await handler(message)

    def _resync_all(self) -> None:
        for room in list(self._handlers):
            self._rooms.put(room, None)
