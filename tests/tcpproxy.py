"""A TCP proxy that a test can cut, to make a real server unreachable for a while.

The app connects to PostgreSQL through it, and phones to the app. ``cut()`` drops every
open connection and refuses new ones (accepts and closes them at once, as a firewall
resetting them would). ``cut(silent=True)`` is Wi-Fi gone: new connections are refused
as before, but the open ones are not told anything — bytes sent either way vanish and
no end sees a close, now or after ``mend()`` (the phone comes back on another address,
so its old connections are dead for good); each end must notice by itself, by a missing
pong or by silence. ``mend()`` lets new connections through again. ``hold()`` is a server
that takes its time: the connections stay open and what is sent waits, in order, until
``release()`` passes it on (a database whose write takes seconds). It runs on its own
event loop in a thread, so a test can call the app with blocking clients while the
proxy keeps forwarding.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(eq=False)
class _Link:
    """One proxied connection: the client's side and the target's side."""

    client: asyncio.StreamWriter
    upstream: asyncio.StreamWriter
    silent: bool = False  # cut silently: nothing passes and nobody is told

    def abort(self) -> None:
        self.client.transport.abort()
        self.upstream.transport.abort()


class CuttableProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.is_cut = False
        self.refused = 0  # connections refused while cut
        self.dropped = 0  # connections cut (reset or silenced)
        self._links: set[_Link] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._flowing: asyncio.Event | None = None  # made on the proxy's loop; clear while held

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._listen(), self._loop).result(5)

    def stop(self) -> None:
        self.is_cut = True
        asyncio.run_coroutine_threadsafe(self._close_all(), self._loop).result(5)
        if self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    def cut(self, silent: bool = False) -> None:
        self.is_cut = True
        asyncio.run_coroutine_threadsafe(self._drop_all(silent), self._loop).result(5)

    def mend(self) -> None:
        self.is_cut = False

    def hold(self) -> None:
        assert self._flowing is not None
        asyncio.run_coroutine_threadsafe(_call(self._flowing.clear), self._loop).result(5)

    def release(self) -> None:
        assert self._flowing is not None
        asyncio.run_coroutine_threadsafe(_call(self._flowing.set), self._loop).result(5)

    async def _listen(self) -> None:
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def _drop_all(self, silent: bool) -> None:
        for link in list(self._links):
            if link.silent:
                continue
            self.dropped += 1
            if silent:
                link.silent = True
            else:
                self._links.discard(link)
                link.abort()

    async def _close_all(self) -> None:
        for link in list(self._links):
            link.abort()
        self._links.clear()

    async def _handle(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self.is_cut:
            self.refused += 1
            client_writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.transport.abort()
            return
        link = _Link(client_writer, upstream_writer)
        self._links.add(link)
        await asyncio.gather(
            self._pipe(link, client_reader, client_writer, upstream_writer),
            self._pipe(link, upstream_reader, upstream_writer, client_writer),
        )
        self._links.discard(link)

    async def _pipe(
        self,
        link: _Link,
        reader: asyncio.StreamReader,
        own: asyncio.StreamWriter,
        other: asyncio.StreamWriter,
    ) -> None:
        """Forward what one end sends to the other; an end that closes closes the other,
        unless the link was cut silently: then what it sends and its close go nowhere."""
        try:
            while data := await reader.read(65536):
                assert self._flowing is not None
                await self._flowing.wait()
                if not link.silent:
                    other.write(data)
                    await other.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            own.transport.abort()
            if not link.silent:
                other.transport.abort()


async def _call(function: Callable[[], None]) -> None:
    """``function`` on the proxy's loop, done when this returns."""
    function()
