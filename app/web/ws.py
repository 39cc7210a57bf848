"""The one WebSocket endpoint every screen talks to (protocol: docs/protocol.md).

A thin adapter: it checks who is connecting, hands validated actions to the room and
answers with an acknowledgement or a refusal. It never changes a room itself.

It is served from the app's entrance (``RoomSockets``, called by ``app.main.Samling``),
not through FastAPI's routing and middleware: a screen's connection lives for hours and
every message it sends resumed the coroutine through some twenty layers of per-request
machinery (routing, exception wrappers, exit stacks, the HTTP middlewares, which do
nothing for a WebSocket) that also kept about 10 KB per connection. Only the trusted
proxies' headers apply (the client's address counts wrong room codes).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Coroutine
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

from fastapi import WebSocket
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocketState
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app.core.keys import TOKEN
from app.core.registry import FACILITATOR_ACTIONS, PARTICIPANT_ACTIONS
from app.core.room import FACILITATOR, Refused
from app.protocol import ActionMessage, BadMessage, Hello, Ping, encode, parse_client_message
from app.realtime import wire
from app.realtime.connection import Connection, Role
from app.realtime.hub import ActionFailed, Hub, LiveRoom, now_ms
from app.realtime.ratelimit import TokenBucket
from app.realtime.writer import Accepted
from app.settings import Settings
from app.storage.store import WorkshopGone
from app.web.access import Door, TooManyGuesses, find, holds, may_facilitate, same_origin, wrong
from app.workshops import digest

log = logging.getLogger(__name__)

PATH = "/ws"

HELLO_TIMEOUT = 10.0

CLOSE_BAD_HELLO = 4400
CLOSE_FORBIDDEN = 4403
CLOSE_UNKNOWN_ROOM = 4404
CLOSE_TOO_MANY_GUESSES = 4429  # this address tried too many wrong room codes: wait a minute


def participant_cookie(code: str) -> str:
    return f"samling_{code}"


def origin_allowed(peer: HTTPConnection) -> bool:
    """Browsers send Origin; a page from another site must not drive a room (without
    one it is not a browser: a load generator, the tests; the secrets still apply)."""
    return same_origin(peer)


async def _refuse(websocket: WebSocket, code: str, close_code: int, message_id: str | None = None) -> None:
    with contextlib.suppress(Exception):
        await websocket.send_text(encode({"type": "error", "id": message_id, "code": code}))
        await websocket.close(code=close_code)


async def _may_enter(peer: HTTPConnection, hello: Hello, door: Door) -> bool:
    """Whether this hello holds what its role needs, checked before the room is loaded:
    a staff key (or, hosted, ``mine`` from the owner's signed-in browser), or (a
    participant) a token cookie, which is checked at the door (``holds``)."""
    key = hello.key or ""
    if hello.role == "facilitator":
        return await may_facilitate(peer, door, key)
    if hello.role == "projector":
        return door.projector(key) or await may_facilitate(peer, door, key)
    return bool(peer.cookies.get(participant_cookie(door.code)))


def _participant(who: _Admitted, live: LiveRoom) -> str | None:
    return live.room.tokens.get(digest(who.token)) if who.token else None


class RoomSockets:
    """ASGI for ``/ws`` WebSocket scopes only, handed over by the app's entrance.

    A screen's connection waits for hours in a chain of coroutines, each a few hundred
    bytes: this call hands back the screen's own coroutine rather than awaiting it in one
    more, and the trusted proxies' headers are read into the scope before it starts, not
    by a middleware that stays in the chain."""

    def __init__(self, app: ASGIApp, trusted_proxies: str) -> None:
        self.app = app  # the FastAPI app: its state holds the hub and the settings
        proxies = ProxyHeadersMiddleware(cast(Any, _as_is), trusted_hosts=trusted_proxies)
        self._proxies = cast(ASGIApp, proxies)  # uvicorn's ASGI types are narrower than Starlette's

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Coroutine[Any, Any, None]:
        scope["app"] = self.app
        scope[wire.SERVER_SEND] = send  # the server's own send, for the direct writer (wire.py)
        return room_socket(WebSocket(scope, receive, send), receive, self._proxies)


async def _as_is(scope: Scope, receive: Receive, send: Send) -> None:
    """The proxies' middleware's app: the middleware rewrote the scope in place, and returns."""


@dataclass(frozen=True, slots=True)
class _Admitted:
    """Who a screen let in is, as its hello and its cookie said."""

    role: Role
    last_seq: int | None
    token: str | None  # a participant's cookie


async def room_socket(websocket: WebSocket, receive: Receive, proxies: ASGIApp | None = None) -> None:
    """One screen's connection, from the handshake to the end. ``receive`` is the server's
    own (read directly, not through Starlette's wrapper: one coroutine less to wait in);
    ``proxies`` rewrites the scope's client as the trusted proxies name it."""
    if proxies is not None:
        await proxies(websocket.scope, receive, websocket.send)
    hub: Hub = websocket.app.state.hub
    settings: Settings = websocket.app.state.settings
    await websocket.accept()
    admitted = await _admit(websocket, HTTPConnection(websocket.scope), hub, settings)
    if admitted is None:
        return
    live, who = admitted
    # In for hours: what the handshake brought (its headers and cookies, uvicorn's
    # request and response) is let go now, a few KB a screen (wire.settle).
    wire.settle(websocket.scope)
    conn = Connection(websocket, who.role, _participant(who, live), settings.send_queue_size)
    live.attach(conn, who.last_seq)
    bucket = TokenBucket(settings.messages_per_second, settings.message_burst)
    actions = _Answers(conn, live, hub)
    try:
        while not conn.closed:
            try:
                # Screens ping every few seconds: silence this long means a dead connection
                # (a phone asleep, Wi-Fi gone), and the staff see the phone offline.
                async with asyncio.timeout(settings.idle_timeout_seconds):  # no task per message
                    message = await receive()
            except TimeoutError:
                break
            if message["type"] == "websocket.disconnect":
                break
            _received(message.get("text"), conn, bucket, actions, settings)
    finally:
        # Gone: what is being stored stays stored (an unanswered phone resends it with
        # the same id); what was not yet handed to the room is resent the same way.
        actions.stop()
        live.detach(conn)
        await conn.finish()
        if websocket.application_state != WebSocketState.DISCONNECTED:
            with contextlib.suppress(Exception):
                await websocket.close()


async def _admit(
    websocket: WebSocket, peer: HTTPConnection, hub: Hub, settings: Settings
) -> tuple[LiveRoom, _Admitted] | None:
    """The room and who this screen is, or None once it was refused and told why. The
    checks read the handshake's headers and cookies through ``peer``, which goes with
    this call instead of staying on the socket for the connection's life."""
    if not origin_allowed(peer):
        await _refuse(websocket, "bad_origin", CLOSE_FORBIDDEN)
        return None
    try:
        # A deadline on this task, not asyncio.wait_for: that ran the read in a task of its
        # own, and after a restart 5,000 phones say hello within seconds.
        async with asyncio.timeout(HELLO_TIMEOUT):
            raw = await websocket.receive_text()
        hello = parse_client_message(raw, max_bytes=settings.max_message_bytes)
    except BadMessage as exc:
        await _refuse(websocket, exc.code, CLOSE_BAD_HELLO)
        return None
    except Exception:
        await _refuse(websocket, "hello_expected", CLOSE_BAD_HELLO)
        return None
    if not isinstance(hello, Hello):
        await _refuse(websocket, "hello_expected", CLOSE_BAD_HELLO)
        return None
    # A wrong code costs this address (access.find); a right one is loaded only for a
    # screen that holds its key or a token.
    try:
        door = await find(peer, hello.room)
    except TooManyGuesses:
        await _refuse(websocket, "too_many_guesses", CLOSE_TOO_MANY_GUESSES)
        return None
    if door is None or not door.open:
        await _refuse(websocket, "unknown_room", CLOSE_UNKNOWN_ROOM)
        return None
    refusal = "not_joined" if hello.role == "participant" else "forbidden"
    if not await _may_enter(peer, hello, door):
        wrong(peer)
        await _refuse(websocket, refusal, CLOSE_FORBIDDEN)
        return None
    token = peer.cookies.get(participant_cookie(door.code))
    if hello.role == "participant" and not await holds(peer, door, TOKEN, token):
        # A stale cookie (a phone removed, another day's room) or a made-up one: refused
        # without loading the room, and not charged (a venue's stale phones share one address).
        await _refuse(websocket, refusal, CLOSE_FORBIDDEN)
        return None
    live = await hub.get(door.code)
    if live is None:
        await _refuse(websocket, "unknown_room", CLOSE_UNKNOWN_ROOM)
        return None
    who = _Admitted(hello.role, hello.last_seq, token if hello.role == "participant" else None)
    if who.role == "participant" and _participant(who, live) is None:
        await _refuse(websocket, refusal, CLOSE_FORBIDDEN)
        return None
    return live, who


def _received(
    raw: str | None, conn: Connection, bucket: TokenBucket, actions: _Answers, settings: Settings
) -> None:
    """What the screen sent, answered or handed on (a plain call: what it parses is not
    kept in the waiting coroutine's frame until the next message)."""
    if raw is None:
        conn.send(encode({"type": "error", "id": None, "code": "text_only"}))
        return
    try:
        # Parsed before the budget is charged, so a refusal names its action and
        # the phone retries just that one; the size limit bounds what this costs.
        parsed = parse_client_message(raw, max_bytes=settings.max_message_bytes)
    except BadMessage as exc:
        bucket.take()
        conn.send(encode({"type": "error", "id": exc.message_id, "code": exc.code, "detail": exc.detail}))
        return
    if not bucket.take():
        refused_id = parsed.id if isinstance(parsed, ActionMessage) else None
        conn.send(encode({"type": "error", "id": refused_id, "code": "rate_limited"}))
        return
    if isinstance(parsed, Ping):
        conn.send(encode({"type": "pong", "t0": parsed.t0, "server_time": now_ms()}))
    elif isinstance(parsed, Hello):
        conn.send(encode({"type": "error", "id": None, "code": "already_connected"}))
    else:
        actions.put(parsed)


class _Answers:
    """A screen's actions, answered one at a time in the order sent, beside its socket's
    reading: a write that takes long never holds up the pong the browser waits for. The
    room calls back with each outcome (``RoomWriter.submit_then``): no task or future per
    action, and the answer leaves in the same write as what the action told this screen.
    The queue (bounded by the connection's message budget) is there only while actions
    wait: a phone that sends nothing keeps none.

    A phone's action that will wait in the room's line (``LiveRoom.crowded``) is told so at
    once (``queued``): the browser then waits for its answer without a deadline, where it
    would otherwise take four silent seconds for a dead connection and reconnect. So is any
    screen's action whose write turns out slow (the room's writer says so, see
    ``RoomWriter.submit_then``)."""

    def __init__(self, conn: Connection, live: LiveRoom, hub: Hub) -> None:
        self._conn, self._live, self._hub = conn, live, hub
        self._waiting: deque[tuple[ActionMessage, bool]] | None = None  # and whether told queued
        self._with_room = False  # one action of this screen is being written
        self._stopped = False
        self._forgetting: asyncio.Task[None] | None = None

    def put(self, message: ActionMessage) -> None:
        if self._waiting is None:
            self._waiting = deque()
        # Behind this screen's own action, itself held up by a crowded room (the facilitator's
        # only by a slow write, it never waits in line): a while, too.
        told = self._with_room and self._live.crowded and (self._may_wait or self._live.writer.slow)
        if told:
            self._tell_queued(message)
        self._waiting.append((message, told))
        if not self._with_room:
            self._next()

    @property
    def _may_wait(self) -> bool:
        return self._conn.role == "participant"  # the facilitator's actions never wait in line

    def _next(self) -> None:
        """Hand the next waiting action to the room, answering at once those refused here."""
        waiting = self._waiting
        while waiting and not self._stopped:
            message, told = waiting.popleft()
            refusal = _refusal(message, self._conn, self._live)
            if refusal is not None:
                self._conn.send(encode(refusal))
                continue
            actor = FACILITATOR if self._conn.role == "facilitator" else self._conn.participant
            assert actor is not None
            self._with_room = True
            command = self._hub.command(message.action, actor)
            answer = partial(self._answered, message)
            # Told queued at once when it waits, or later if its write turns out slow.
            slow = None if told else partial(self._tell_queued, message)
            waits = self._live.writer.submit_then(
                command, message.id, answer, may_wait=self._may_wait, slow=slow
            )
            if waits and not told:
                self._tell_queued(message)
            return
        self._waiting = None

    def _tell_queued(self, message: ActionMessage) -> None:
        self._conn.send(encode({"type": "queued", "id": message.id}))

    def _answered(self, message: ActionMessage, outcome: Accepted | BaseException) -> None:
        self._with_room = False
        answer = _answer(message, outcome, self._live)
        self._conn.send(encode(answer))
        if answer.get("code") == "room_closed" and self._forgetting is None:
            # Closed or deleted by another process whose word the bus lost: every screen
            # here hears it now, not at the next idle sweep.
            self._forgetting = asyncio.get_running_loop().create_task(self._hub.forget(self._live.code))
        self._next()

    def stop(self) -> None:
        """The socket is gone: what waits is not handed on (the phone resends it with the
        same id); what the room is writing stays written, its answer goes nowhere."""
        self._stopped = True
        self._waiting = None


def _refusal(message: ActionMessage, conn: Connection, live: LiveRoom) -> dict[str, object] | None:
    """Why this screen's action does not reach the room, or None."""
    allowed = FACILITATOR_ACTIONS if conn.role == "facilitator" else PARTICIPANT_ACTIONS
    if conn.role == "projector" or message.action.type not in allowed:
        return {"type": "error", "id": message.id, "code": "not_allowed"}
    if live.flooded():
        return {"type": "error", "id": message.id, "code": "room_busy"}
    return None


def _answer(message: ActionMessage, outcome: Accepted | BaseException, live: LiveRoom) -> dict[str, object]:
    """What the screen is told of its action's outcome."""
    if isinstance(outcome, Accepted):
        return {"type": "ack", "id": message.id, "seq": outcome.seq}
    if isinstance(outcome, Refused):
        return {"type": "error", "id": message.id, "code": outcome.code}
    if isinstance(outcome, ActionFailed):  # a bug in the rules, logged by the writer: final, not resent
        return {"type": "error", "id": message.id, "code": "internal_error"}
    if isinstance(outcome, WorkshopGone):
        return {"type": "error", "id": message.id, "code": "room_closed"}
    log.error("room %s: could not store %s", live.code, message.action.type, exc_info=outcome)
    return {"type": "error", "id": message.id, "code": "storage_unavailable"}
