"""One WebSocket frame, encoded once, written to every phone's socket.

A phase change goes to every phone in the room. Sent through ASGI, each copy is framed
again and passes Starlette's and uvicorn's send layers: about 60 µs a phone, a third of a
second for 5,000 phones. When the server runs uvicorn's sans-I/O websockets protocol
(``--ws websockets-sansio``, as ``bin/run`` does), a frame is instead encoded once with
the websockets library and its bytes are written straight to each connection's transport.

That is safe because uvicorn's protocol also writes each frame whole with one
``transport.write`` (frames never interleave), never fragments, and we compress nothing
(``--ws-per-message-deflate false``). We write only while uvicorn would: after the
handshake, before a close, and while the socket is not paused for back-pressure; at any
other moment, or under another server, ``Connection`` falls back to ASGI's send, which
is slower but the same on the wire.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.types import Scope
from websockets.frames import Frame, Opcode

log = logging.getLogger(__name__)

# Where the app's entrance keeps the server's own send callable, before any wrapping
# (app/web/ws.py's RoomSockets).
SERVER_SEND = "samling.server_send"


# The last frame encoded: a broadcast passes the same str object to every connection,
# so all but the first find its bytes here (one entry is all a fan-out loop needs).
_last: tuple[str, bytes] = ("", b"")


def text_frame(text: str) -> bytes:
    """The bytes of an unmasked, unfragmented server-to-client text frame."""
    global _last
    if _last[0] is text:
        return _last[1]
    data = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
    _last = (text, data)
    return data


# While corked: the frames written to each connection, written together when the
# outermost ``corked`` block ends.
_corked: dict[DirectWriter, list[bytes]] | None = None


class corked:  # lower case, as contextlib's suppress: it reads as what the block is
    """``with wire.corked():`` holds what is written to each connection until the block
    ends (also by an exception), then writes it in one ``transport.write`` per connection
    (a word's own view and its acknowledgement: one system call, 12-20 µs on a slow
    machine, instead of two). Only around code that does not await: nothing else may
    write meanwhile. ``corked(False)`` holds nothing; inside another corked block the
    outer one writes. A class, not a contextlib generator: it is entered for every phone
    that attaches and every action stored, and costs 0.3-0.5 µs more than calling a cork
    and an uncork by hand (a generator: about 1.8 µs more)."""

    __slots__ = ("_hold", "_outer")

    def __init__(self, hold: bool = True) -> None:
        self._hold = hold
        self._outer = False

    def __enter__(self) -> None:
        global _corked
        if self._hold and _corked is None:
            _corked = {}
            self._outer = True

    def __exit__(self, *exc: object) -> None:
        global _corked
        if not self._outer:
            return
        held, _corked = _corked, None
        for writer, frames in (held or {}).items():
            writer.write_bytes(frames[0] if len(frames) == 1 else b"".join(frames))


class DirectWriter:
    """Writes whole frames to a uvicorn sans-I/O WebSocket connection's transport."""

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol

    def ready(self) -> bool:
        """True when uvicorn itself would write now without waiting."""
        p = self._protocol
        return (
            p.handshake_complete
            and not p.close_sent
            and not p.disconnected
            and p.writable.is_set()
            and not p.transport.is_closing()
        )

    def write(self, text: str) -> None:
        if _corked is not None:
            _corked.setdefault(self, []).append(text_frame(text))
            return
        self._protocol.transport.write(text_frame(text))

    def write_bytes(self, frames: bytes) -> None:
        transport = self._protocol.transport
        if not transport.is_closing():  # gone meanwhile: as a write would have been lost
            transport.write(frames)


PROTOCOL = "WebSocketsSansIOProtocol"  # uvicorn.protocols.websockets.websockets_sansio_impl
USED = (
    *("handshake_complete", "close_sent", "disconnected", "writable", "transport"),
    *("request", "response", "queue"),  # settle()
)
_warned = False


def _protocol(scope: Scope) -> Any:
    """uvicorn's sans-I/O protocol serving this scope, or None.

    Another server (the tests' client, another ASGI server) has none. uvicorn's sans-I/O
    protocol without the attributes used here is a uvicorn this was not tested with
    (pyproject.toml pins the range, tests/test_wire.py checks it): logged as an error
    once, and taken for none."""
    global _warned
    protocol = getattr(scope.get(SERVER_SEND), "__self__", None)
    if protocol is None or type(protocol).__name__ != PROTOCOL:
        return None
    missing = [name for name in USED if not hasattr(protocol, name)]
    if missing:
        if not _warned:
            _warned = True
            log.error("uvicorn's %s has no %s: frames go through ASGI's send (slow)", PROTOCOL, missing)
        return None
    return protocol


def writer(scope: Scope) -> DirectWriter | None:
    """A direct writer when the server is uvicorn's sans-I/O protocol, else None (ASGI's
    send, the slow path)."""
    protocol = _protocol(scope)
    return None if protocol is None else DirectWriter(protocol)


def settle(scope: Scope) -> None:
    """A screen is in, for hours: let go of what only the handshake needed, and keep what
    uvicorn's protocol waits on in less memory.

    The request's headers are in the scope, in uvicorn's copy of the HTTP request (which
    websockets' parser also keeps) and in the response it sent: some 4 KB a connection,
    read by no one once the screen is let in (the door's checks are done, uvicorn logs
    only the path and the address). Emptied here, not replaced, so whatever still looks
    finds empty headers rather than a missing attribute.

    uvicorn's protocol hands the app what the socket receives through an ``asyncio.Queue``
    and waits for the transport through an ``asyncio.Event``: five deques of 760 bytes
    each, empty, for a queue that holds one message at a time (uvicorn stops reading until
    the app has taken it). :class:`Inbox` and :class:`Writable` do the same with what
    uvicorn calls of them. Swapped here, in the screen's own task after its hello and
    before anything else is sent to it: nothing can be waiting on the old ones (this task
    is the queue's only reader, and a send waits on the event only while one is under way),
    and what the old queue still holds is moved over."""
    scope["headers"] = []
    protocol = _protocol(scope)
    if protocol is None:
        return
    protocol.request.headers.clear()
    protocol.response.headers.clear()
    queue = protocol.queue
    if isinstance(queue, asyncio.Queue):
        inbox = Inbox()
        while not queue.empty():
            inbox.put_nowait(queue.get_nowait())
        protocol.queue = inbox
    if isinstance(protocol.writable, asyncio.Event):
        protocol.writable = Writable(protocol.writable.is_set())


class Inbox:
    """``asyncio.Queue`` as uvicorn's protocol uses it (``put_nowait``, ``get``, ``empty``),
    unbounded, one reader, in a list and at most one future."""

    __slots__ = ("_items", "_waiter")

    def __init__(self) -> None:
        self._items: list[Any] = []
        self._waiter: asyncio.Future[None] | None = None

    def put_nowait(self, item: Any) -> None:
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def empty(self) -> bool:
        return not self._items

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.pop(0)


class Writable:
    """``asyncio.Event`` as uvicorn's protocol uses it for the transport's back-pressure
    (``set``, ``clear``, ``is_set``, ``wait``), with no waiters' deque while none waits."""

    __slots__ = ("_set", "_waiters")

    def __init__(self, is_set: bool) -> None:
        self._set = is_set
        self._waiters: list[asyncio.Future[None]] | None = None

    def is_set(self) -> bool:
        return self._set

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, None
        for waiter in waiters or ():
            if not waiter.done():
                waiter.set_result(None)

    def clear(self) -> None:
        self._set = False

    async def wait(self) -> bool:
        if self._set:
            return True
        waiter = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(waiter)
        try:
            await waiter
        finally:
            if self._waiters is not None and waiter in self._waiters:
                self._waiters.remove(waiter)
        return True
