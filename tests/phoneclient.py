"""A phone that behaves like the browser's room client (app/static/js/room-client.js):
it reconnects by itself with jittered backoff, says which events it last saw, and resends
every action the server has not acknowledged, with the same id (on every connect, and
after a backoff when the server could not take it for now). Used by the fault tests
and the benchmarks to stand in for real phones at scale."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import websockets

T = TypeVar("T")

STOP_CODES = {4400, 4403, 4404, 4004}
TRANSIENT = {"rate_limited", "room_busy", "storage_unavailable"}  # refusals that may pass


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a scenario of many async phones on its own event loop, in its own thread:
    the browser tests' Playwright keeps a loop of its own in the main thread."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def wait_until(condition: Callable[[], bool], within: float) -> None:
    """Wait for what a test expects to become true, failing when it does not in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


class Phone:
    def __init__(
        self, ws_url: str, code: str, cookie: str | None, role: str = "participant", key: str = ""
    ) -> None:
        self.ws_url = ws_url
        self.code = code
        self.cookie = cookie
        self.role = role
        self.key = key
        self.state: dict[str, Any] = {}
        self.seq: int | None = None
        self.unacked: dict[str, dict[str, Any]] = {}  # id -> action, in sending order
        self.acked: dict[str, int] = {}  # id -> seq
        self.refused: dict[str, str] = {}  # id -> code
        self.transient: Counter[str] = Counter()  # refusals that may pass: code -> how often
        self._tries: Counter[str] = Counter()
        self._retries: set[asyncio.Task[None]] = set()
        self.connects = 0
        self.snapshots_at: list[float] = []  # monotonic times of fresh states (connect/resume)
        self.stopped = False
        self._socket: Any = None
        self._task: asyncio.Task[None] | None = None
        self._counter = 0

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        self.stopped = True
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def send(self, action: dict[str, Any]) -> str:
        self._counter += 1
        message_id = f"{self.role[0]}{id(self) % 100000}-{self._counter}"
        self.unacked[message_id] = action
        await self._transmit(message_id, action)
        return message_id

    async def _transmit(self, message_id: str, action: dict[str, Any]) -> None:
        if self._socket is None:
            return
        with contextlib.suppress(Exception):
            await self._socket.send(json.dumps({"type": "action", "id": message_id, "action": action}))

    async def _run(self) -> None:
        attempt = 0
        while not self.stopped:
            try:
                headers = {"cookie": self.cookie} if self.cookie else {}
                async with websockets.connect(
                    self.ws_url, additional_headers=headers, open_timeout=5
                ) as socket:
                    hello: dict[str, Any] = {"type": "hello", "room": self.code, "role": self.role}
                    if self.key:
                        hello["key"] = self.key
                    if self.seq is not None:
                        hello["last_seq"] = self.seq
                    await socket.send(json.dumps(hello))
                    self.connects += 1
                    attempt = 0
                    async for raw in socket:
                        self._receive(json.loads(raw))
                        if self._socket is None:
                            self._socket = socket
                            for message_id, action in list(self.unacked.items()):
                                await self._transmit(message_id, action)
                    if socket.close_code in STOP_CODES:
                        return
            except (OSError, websockets.WebSocketException, TimeoutError):
                pass
            self._socket = None
            attempt += 1
            cap = min(4.0, 1.0 * 2 ** min(attempt - 1, 2))  # as the browser: back within 5 s
            await asyncio.sleep(0.25 + random.random() * (cap - 0.25))  # full jitter

    def _receive(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "snapshot":
            self.state = message["state"]
            self.seq = message["seq"]
            self.snapshots_at.append(time.monotonic())
        elif kind == "event":
            self.state.update(message["patch"])
            self.seq = message["seq"]
        elif kind == "welcome":
            self.snapshots_at.append(time.monotonic())
        elif kind == "ack":
            if self.unacked.pop(message["id"], None) is not None or message["id"] not in self.acked:
                self.acked[message["id"]] = message["seq"]
        elif kind == "error" and message.get("id"):
            if message["code"] in TRANSIENT:
                self.transient[message["code"]] += 1
                self._retry_later(message["id"])  # and on the next connect
                return
            self.unacked.pop(message["id"], None)
            self.refused[message["id"]] = message["code"]

    def _retry_later(self, message_id: str) -> None:
        """As the browser: a refusal that may pass is retried after a jittered backoff."""
        self._tries[message_id] += 1
        delay = min(4.0, 0.5 * 2 ** (self._tries[message_id] - 1)) * (0.5 + random.random())

        def again() -> None:
            action = self.unacked.get(message_id)
            if action is not None and not self.stopped:
                task = asyncio.create_task(self._transmit(message_id, action))
                self._retries.add(task)
                task.add_done_callback(self._retries.discard)

        asyncio.get_running_loop().call_later(delay, again)
