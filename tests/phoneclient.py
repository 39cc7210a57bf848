"""A phone that behaves like the browser's room client, for the fault tests and the
benchmarks to stand in for real phones at scale.

Its numbers are the browser's own, read from ``app/static/js/lib/policy.js``, and
``Connection`` is a line-by-line port of ``Room`` in ``app/static/js/lib/connection.js``
(``tests/test_phone_agrees_with_browser.py`` plays one conversation to both and checks
they send the same frames): reconnect by itself with fully jittered backoff, say which
events it last saw, after every ``welcome`` send every unacknowledged action again in
order with its id, retry a refusal that may pass after a backoff, stop on the close codes
that say it may not come back, ping, and drop a connection that stays silent while an
answer is due. Like the browser's, it takes its WebSocket, clock, timers and random
numbers from outside; ``Phone`` runs it on asyncio. (The browser also keeps unsent
actions in sessionStorage across a reload; a test phone never reloads.)
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar, cast

from websockets.client import ClientProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri

T = TypeVar("T")

POLICY_JS = Path(__file__).resolve().parent.parent / "app" / "static" / "js" / "lib" / "policy.js"


def load_policy(path: Path = POLICY_JS) -> dict[str, Any]:
    """The browser's ``export const POLICY = {...}``: a JSON-compatible object literal."""
    text = path.read_text(encoding="utf-8")
    start = text.index("{", text.index("export const POLICY"))
    policy, _end = json.JSONDecoder().raw_decode(text, start)
    assert isinstance(policy, dict)
    return policy


POLICY = load_policy()


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


def reconnect_delay(policy: dict[str, Any], attempt: int, draw: float) -> float:
    """policy.js reconnectDelay: the wait before reconnect attempt ``attempt`` (1, 2, ...)."""
    r = policy["reconnect"]
    cap = min(r["capMs"], r["firstMs"] * 2 ** max(0, attempt - 1))
    return float(r["minMs"] + draw * (cap - r["minMs"]))


def transient_delay(policy: dict[str, Any], tries: int, draw: float) -> float:
    """policy.js transientDelay: the wait before the ``tries``-th resend of a refusal for now."""
    r = policy["transientRetry"]
    base = min(r["capMs"], r["firstMs"] * 2 ** max(0, tries - 1))
    return float(base * (r["jitterMin"] + draw * (r["jitterMax"] - r["jitterMin"])))


def base36(number: int) -> str:
    """JavaScript's ``number.toString(36)`` for a non-negative integer."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, digit = divmod(number, 36)
        out = digits[digit] + out
        if not number:
            return out


def merge_people(state: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    """connection.js mergePeople: a ``people`` message on a staff screen's state."""
    lines = list(state.get("participants") or [])
    at = {line["id"]: i for i, line in enumerate(lines)}
    for line in message["changed"]:
        if line["id"] in at:
            lines[at[line["id"]]] = line
        else:
            at[line["id"]] = len(lines)
            lines.append(line)
    removed = set(message["removed"])
    state["participants"] = [line for line in lines if line["id"] not in removed] if removed else lines
    online = dict.fromkeys(state.get("online") or [])
    online.update(dict.fromkeys(message["online"]))
    for pid in message["offline"]:
        online.pop(pid, None)
    state["online"] = list(online)
    return state


# --- what the connection is given ------------------------------------------------------------

OPEN = 1


class Socket(Protocol):
    """A browser WebSocket, as far as the connection uses one: ``onopen()``,
    ``onmessage(text)`` and ``onclose(code)`` are set by the connection."""

    readyState: int
    onopen: Callable[[], None] | None
    onmessage: Callable[[str], None] | None
    onclose: Callable[[int | None], None] | None

    def send(self, text: str) -> None: ...
    def close(self) -> None: ...


class Timers(Protocol):
    def set_timeout(self, callback: Callable[[], None], ms: float) -> object: ...
    def clear_timeout(self, timer: object) -> None: ...
    def set_interval(self, callback: Callable[[], None], ms: float) -> object: ...
    def clear_interval(self, timer: object) -> None: ...


@dataclass(eq=False)
class Entry:
    id: str
    action: dict[str, Any]
    status: str | None = None  # "queued", "sending", "waiting" (in the room's line) or "retrying"
    tries: int = 0
    replaces: str | None = None


class Stopped(Exception):
    """The connection stopped for good: nothing will be sent any more."""


class Connection:
    """connection.js's ``Room``, ported line by line (the names are the browser's)."""

    def __init__(
        self,
        url: str,
        hello: dict[str, Any],
        websocket: Callable[[str], Socket],
        now: Callable[[], float],
        timers: Timers,
        random: Callable[[], float],
        policy: dict[str, Any] | None = None,
    ) -> None:
        self.url = url
        self.hello = hello
        self.websocket = websocket
        self.now = now
        self.timers = timers
        self.random = random
        self.policy = policy or POLICY
        self.stop_codes = set(self.policy["stopCloseCodes"])
        self.transient_codes = set(self.policy["transientCodes"])

        self.state: dict[str, Any] = {}
        self.seq: int | None = None
        self.me: str | None = None
        self.socket: Socket | None = None
        self.connected = False  # welcomed on the current socket
        self.attempt = 0
        self.stopped = False
        self.status: str | None = None
        self.pending: list[Entry] = []  # unacknowledged actions, oldest first
        self.counter = 0
        self.status_listeners: list[Callable[[str, object], None]] = []
        self.message_listeners: list[Callable[[dict[str, Any]], None]] = []

        self.retry_timer: object = None  # the next reconnect
        self.connect_timer: object = None  # a new socket must be welcomed by then
        self.ping_timer: object = None  # the heartbeat
        self.sample_timers: list[object] = []  # the clock pings after a welcome
        self.deadline: object = None  # silence until then means the connection is dead
        self.deadline_at = 0.0
        self.unanswered_pings = 0
        self.resend_timers: dict[str, object] = {}  # action id -> the timer of its next try

    def set_status(self, status: str, detail: object = None) -> None:
        self.status = status
        for listener in self.status_listeners:
            listener(status, detail)

    def start(self) -> Connection:
        self.connect()
        return self

    # --- the socket ---

    def connect(self) -> None:
        if self.stopped:
            return
        self.clear_timer("retry_timer")
        socket = self.websocket(self.url)
        self.socket = socket
        self.connected = False
        self.set_status("connecting" if self.attempt == 0 and self.seq is None else "reconnecting")

        def give_up_after(ms: int) -> None:
            def give_up() -> None:
                self.connect_timer = None
                self.abandon(socket)

            self.clear_timer("connect_timer")
            self.connect_timer = self.timers.set_timeout(give_up, ms)

        give_up_after(self.policy["connectTimeoutMs"])

        def onopen() -> None:
            if self.socket is not socket:
                return
            # The server answered: it is letting us in, perhaps behind a whole room.
            give_up_after(self.policy["welcomeTimeoutMs"])
            hello = {"type": "hello", "room": self.hello["room"], "role": self.hello["role"]}
            if self.hello.get("key"):
                hello["key"] = self.hello["key"]
            if self.seq is not None:
                hello["last_seq"] = self.seq
            socket.send(json.dumps(hello))

        def onmessage(data: str) -> None:
            if self.socket is not socket:
                return
            try:
                message = json.loads(data)
            except ValueError:
                return
            self.receive(message)

        def onclose(code: int | None) -> None:
            if self.socket is socket:
                self.lost(code)

        socket.onopen, socket.onmessage, socket.onclose = onopen, onmessage, onclose

    def abandon(self, socket: Socket | None) -> None:
        """Give up on a socket that went silent, without waiting for its close."""
        if socket is None or self.socket is not socket:
            return
        socket.onopen = socket.onmessage = socket.onclose = None
        socket.close()
        self.lost(None)

    def lost(self, code: int | None) -> None:
        """The socket is gone: everything unacknowledged waits for the next welcome."""
        self.socket = None
        self.connected = False
        self.clear_liveness()
        for entry in self.pending:
            self.clear_resend(entry.id)
            self.set_entry_status(entry, "queued")
        if self.stopped or code in self.stop_codes:
            self.halt(code)
            return
        self.set_status("reconnecting")
        self.attempt += 1
        delay = reconnect_delay(self.policy, self.attempt, self.random())

        def again() -> None:
            self.retry_timer = None
            self.connect()

        self.retry_timer = self.timers.set_timeout(again, delay)

    def halt(self, code: int | None) -> None:
        """Closed for good (removed, unknown room, no access)."""
        self.stopped = True
        self.clear_timer("retry_timer")
        self.clear_liveness()
        for timer in self.resend_timers.values():
            self.timers.clear_timeout(timer)
        self.resend_timers.clear()
        self.pending = []
        self.set_status("stopped", code)

    def stop(self) -> None:
        self.stopped = True
        if self.socket is not None:
            self.abandon(self.socket)
        else:
            self.halt(None)

    def kick(self) -> None:
        """Check the connection now (woke up, became visible, found or lost its network)."""
        if self.stopped:
            return
        if self.socket is not None and self.connected and self.socket.readyState == OPEN:
            self.ping(self.policy["resumePongTimeoutMs"])
        elif self.socket is None:
            self.connect()

    # --- liveness ---

    def ping(self, deadline_ms: float | None = None) -> None:
        if self.socket is None or not self.connected or self.socket.readyState != OPEN:
            return
        self.socket.send(json.dumps({"type": "ping", "t0": self.now()}))
        self.unanswered_pings += 1
        self.expect(deadline_ms or self.policy["pongTimeoutMs"])

    def expect(self, ms: float) -> None:
        """Something was sent that the server answers: hear from it within ``ms``."""
        at = self.now() + ms
        if self.deadline is not None and self.deadline_at <= at:
            return
        self.clear_timer("deadline")
        socket = self.socket
        self.deadline_at = at

        def dead() -> None:
            self.deadline = None
            self.abandon(socket)

        self.deadline = self.timers.set_timeout(dead, ms)

    def heard(self) -> None:
        """Any message shows the connection is alive; while answers are due, the
        deadline starts again."""
        self.clear_timer("deadline")
        waiting = self.unanswered_pings > 0 or any(e.status == "sending" for e in self.pending)
        if waiting and self.connected:
            self.expect(self.policy["pongTimeoutMs"])

    def clear_liveness(self) -> None:
        self.clear_timer("connect_timer")
        self.clear_timer("deadline")
        if self.ping_timer is not None:
            self.timers.clear_interval(self.ping_timer)
        self.ping_timer = None
        for timer in self.sample_timers:
            self.timers.clear_timeout(timer)
        self.sample_timers = []
        self.unanswered_pings = 0

    def clear_timer(self, name: str) -> None:
        timer = getattr(self, name)
        if timer is not None:
            self.timers.clear_timeout(timer)
        setattr(self, name, None)

    # --- messages from the server ---

    def receive(self, message: dict[str, Any]) -> None:
        for listener in self.message_listeners:
            listener(message)
        kind = message.get("type")
        if kind == "welcome":
            self.welcome(message)
        elif kind == "snapshot":
            self.state = message["state"]
            self.seq = message["seq"]
        elif kind == "event":
            self.state.update(message["patch"])
            self.seq = message["seq"]
        elif kind == "people":
            merge_people(self.state, message)
        elif kind == "pong":
            self.unanswered_pings = max(0, self.unanswered_pings - 1)
        elif kind in ("ack", "error"):
            self.settle(message)
        elif kind == "queued":
            self.in_line(message)
        if self.socket is not None:
            self.heard()

    def welcome(self, message: dict[str, Any]) -> None:
        self.connected = True
        self.attempt = 0
        self.clear_timer("connect_timer")
        self.me = message.get("participant")
        self.set_status("online")
        # Whether the missed events or a snapshot follow, what was not acknowledged goes again.
        for entry in list(self.pending):
            self.transmit(entry)
        # Fewer clock pings on a reconnect (none by default): the welcome was a sample, and
        # the heartbeat's pongs go on sampling the clock (this phone keeps no clock of its own).
        samples = self.policy["clockSamples"] if self.seq is None else self.policy["clockSamplesAgain"]
        for i in range(samples):
            self.sample_timers.append(
                self.timers.set_timeout(self.ping, i * self.policy["clockSampleSpacingMs"])
            )
        self.ping_timer = self.timers.set_interval(self.ping, self.policy["pingIntervalMs"])

    def settle(self, message: dict[str, Any]) -> None:
        transient = message["type"] == "error" and message.get("code") in self.transient_codes
        if not message.get("id"):
            # The server could not tell which action it refuses: any on its way may be it.
            if transient:
                for sending in [e for e in self.pending if e.status == "sending"]:
                    self.retry_later(sending, message["code"])
            elif message.get("code"):
                self.set_status("online" if self.connected else self.status or "", message["code"])
            return
        entry = next((p for p in self.pending if p.id == message["id"]), None)
        if transient:
            if entry is not None:
                self.retry_later(entry, message["code"])
            return
        if entry is not None:
            self.clear_resend(entry.id)
            self.pending = [p for p in self.pending if p is not entry]
        if self.status == "saving" and not any(p.status == "retrying" for p in self.pending):
            self.set_status("online")

    def in_line(self, message: dict[str, Any]) -> None:
        """The room has it in line: its answer comes in turn, no longer awaited as a sign of life."""
        entry = next((p for p in self.pending if p.id == message.get("id")), None)
        if entry is not None and entry.status == "sending":
            self.set_entry_status(entry, "waiting")

    # --- actions ---

    def send(self, action: dict[str, Any], replaces: str | None = None) -> str:
        """Send an action, kept and sent again until the server answers; its id."""
        if self.stopped:
            raise Stopped
        self.counter += 1
        draw = base36(int(self.random() * 1679616))
        message_id = f"c-{base36(int(self.now()))}-{self.counter}-{draw}"
        entry = Entry(message_id, action)
        if replaces:
            entry.replaces = replaces
            for older in [p for p in self.pending if p.replaces == replaces]:
                self.clear_resend(older.id)
                self.pending = [p for p in self.pending if p is not older]
        self.pending.append(entry)
        self.transmit(entry)
        return message_id

    def transmit(self, entry: Entry) -> None:
        self.clear_resend(entry.id)
        if self.socket is None or not self.connected or self.socket.readyState != OPEN:
            self.set_entry_status(entry, "queued")
            return
        self.socket.send(json.dumps({"type": "action", "id": entry.id, "action": entry.action}))
        self.set_entry_status(entry, "sending")
        self.expect(self.policy["pongTimeoutMs"])

    def retry_later(self, entry: Entry, code: str) -> None:
        """Refused for now: the same id goes again after a jittered backoff."""
        entry.tries += 1
        self.set_entry_status(entry, "retrying")
        if self.status == "online":
            self.set_status("saving", code)
        self.clear_resend(entry.id)
        delay = transient_delay(self.policy, entry.tries, self.random())

        def again() -> None:
            self.resend_timers.pop(entry.id, None)
            if entry in self.pending:
                self.transmit(entry)

        self.resend_timers[entry.id] = self.timers.set_timeout(again, delay)

    def clear_resend(self, message_id: str) -> None:
        timer = self.resend_timers.pop(message_id, None)
        if timer is not None:
            self.timers.clear_timeout(timer)

    def set_entry_status(self, entry: Entry, status: str) -> None:
        entry.status = status


# --- on asyncio --------------------------------------------------------------------------------


class AsyncioTimers:
    """The browser's timers on the running event loop."""

    def set_timeout(self, callback: Callable[[], None], ms: float) -> asyncio.TimerHandle:
        return asyncio.get_running_loop().call_later(ms / 1000, callback)

    def clear_timeout(self, timer: object) -> None:
        timer.cancel()  # type: ignore[attr-defined]  # asyncio's or uvloop's handle, or an _Interval

    def set_interval(self, callback: Callable[[], None], ms: float) -> _Interval:
        return _Interval(callback, ms / 1000)

    def clear_interval(self, timer: object) -> None:
        self.clear_timeout(timer)


class _Interval:
    def __init__(self, callback: Callable[[], None], seconds: float) -> None:
        self.callback = callback
        self.seconds = seconds
        self.handle = asyncio.get_running_loop().call_later(seconds, self._fire)

    def _fire(self) -> None:
        self.handle = asyncio.get_running_loop().call_later(self.seconds, self._fire)
        self.callback()

    def cancel(self) -> None:
        self.handle.cancel()


_opening: set[asyncio.Task[None]] = set()


class WebSocket(asyncio.Protocol):
    """A browser-shaped WebSocket on websockets' sans-I/O client: connects by itself,
    sends at once and in order, and reports open, each text frame and the close code."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.readyState = 0
        self.onopen: Callable[[], None] | None = None
        self.onmessage: Callable[[str], None] | None = None
        self.onclose: Callable[[int | None], None] | None = None
        uri = parse_uri(url)
        self.client = ClientProtocol(uri, max_size=None)
        self.request = self.client.connect()
        for name, value in headers.items():
            self.request.headers[name] = value
        self.transport: asyncio.Transport | None = None
        task = asyncio.get_running_loop().create_task(self._open(uri.host, uri.port))
        _opening.add(task)
        task.add_done_callback(_opening.discard)

    async def _open(self, host: str, port: int) -> None:
        try:
            await asyncio.get_running_loop().create_connection(lambda: self, host, port)
        except OSError:
            self._closed(1006)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not asyncio's class
        if self.readyState == 3:  # closed before it opened
            self.transport.abort()
            return
        self.client.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes) -> None:
        self.client.receive_data(data)
        for event in self.client.events_received():
            if self.readyState == 3:
                return
            if isinstance(event, Response):
                if event.status_code != 101:
                    self._closed(1006)
                    return
                self.readyState = OPEN
                if self.onopen is not None:
                    self.onopen()
            elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                if self.onmessage is not None:
                    self.onmessage(bytes(event.data).decode())
            elif isinstance(event, Frame) and event.opcode is Opcode.CLOSE:
                self._flush()
                close = self.client.close_rcvd
                self._closed(close.code if close is not None else 1005)
                return
        self._flush()

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed(1006)

    def send(self, text: str) -> None:
        if self.readyState == OPEN:
            self.client.send_text(text.encode())
            self._flush()

    def close(self) -> None:
        """Says so to the other end and is closed at once, whether or not it hears."""
        if self.readyState == 3:
            return
        if self.client.state is State.OPEN:
            self.client.send_close(1000)
            self._flush()
        self.readyState = 3
        if self.transport is not None:
            self.transport.close()

    def _closed(self, code: int) -> None:
        if self.readyState == 3:
            return
        self.readyState = 3
        if self.transport is not None:
            self.transport.abort()
        if self.onclose is not None:
            self.onclose(code)

    def _flush(self) -> None:
        if self.transport is None or self.transport.is_closing():
            return
        for chunk in self.client.data_to_send():
            if chunk:
                self.transport.write(chunk)


class Phone:
    """One phone, facilitator screen or projector on asyncio: the browser's ``Connection``
    plus what a test or benchmark wants to know afterwards (what was acknowledged,
    refused or refused for now, and when the screen was welcomed)."""

    def __init__(
        self,
        ws_url: str,
        code: str,
        cookie: str | None,
        role: str = "participant",
        key: str = "",
        socket: Callable[[str, dict[str, str]], Socket] = WebSocket,
    ) -> None:
        headers = {"Cookie": cookie} if cookie else {}
        hello: dict[str, Any] = {"room": code, "role": role}
        if key:
            hello["key"] = key
        self.connection = Connection(
            ws_url,
            hello,
            lambda url: socket(url, headers),
            lambda: int(time.time() * 1000),
            AsyncioTimers(),
            random.random,
        )
        self.connection.message_listeners.append(self._heard)
        self.acked: dict[str, int] = {}  # id -> seq
        self.acked_at: dict[str, float] = {}  # id -> when the ack came (time.time())
        self.refused: dict[str, str] = {}  # id -> code
        self.transient: Counter[str] = Counter()  # refusals that may pass: code -> how often
        self.in_line = 0  # actions the room said it had in line (queued)
        self.welcomed_at: list[float] = []  # monotonic times of each welcome: back online

    @property
    def state(self) -> dict[str, Any]:
        return self.connection.state

    @property
    def seq(self) -> int | None:
        return self.connection.seq

    @property
    def status(self) -> str | None:
        return self.connection.status

    @property
    def unacked(self) -> dict[str, dict[str, Any]]:
        return {entry.id: entry.action for entry in self.connection.pending}

    def start(self) -> None:
        self.connection.start()

    async def stop(self) -> None:
        self.connection.stop()

    def kick(self) -> None:
        """What the browser does on waking, becoming visible, ``online`` and ``offline``."""
        self.connection.kick()

    async def send(self, action: dict[str, Any], replaces: str | None = None) -> str:
        return self.connection.send(action, replaces)

    def _heard(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "welcome":
            self.welcomed_at.append(time.monotonic())
        elif kind == "ack":
            self.acked.setdefault(message["id"], message["seq"])
            self.acked_at.setdefault(message["id"], time.time())
        elif kind == "queued":
            self.in_line += 1
        elif kind == "error" and message.get("id"):
            if message.get("code") in self.connection.transient_codes:
                self.transient[message["code"]] += 1
            elif message["id"] not in self.acked:
                self.refused[message["id"]] = message["code"]
