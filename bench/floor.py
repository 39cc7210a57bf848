"""The floor: the least any Python server could do to tell every phone, for the benchmarks.

bench/naive.py with its relay loop replaced by the cheapest one there is on these sockets:
the frame encoded once, then one ``transport.write`` of its bytes per connection, with no
await, no per-phone Python beyond the call (app/realtime/wire.py's direct writer, which
Samling's fan-out also uses). No server that writes to each phone's own socket can reach
the last phone sooner; what is left is the kernel's work for each write (on loopback, the
sender's CPU also runs the receiving side of TCP) and the phones' reading.
``bench/broadcast.py --floor`` measures it in the same run as Samling and the naive server,
so that a ratio asked of Samling against the naive server can be set beside the ratio the
floor itself reaches.

    .venv/bin/uvicorn bench.floor:app --ws websockets-sansio --ws-per-message-deflate false
"""

from __future__ import annotations

from starlette.types import Receive, Scope, Send

from app.realtime import wire
from bench import naive


async def relay(event: str) -> None:
    for client in list(naive.clients):
        direct = wire.writer(client.scope)
        if direct is None or not direct.ready():  # not uvicorn's sans-I/O protocol, or gone
            naive.clients.remove(client)
            continue
        direct.write(event)


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """naive's app, with the server's own send kept in the scope (where app/web/ws.py's
    entrance keeps it for the direct writer)."""
    if scope["type"] == "websocket":
        scope[wire.SERVER_SEND] = send
    await naive.app(scope, receive, send)


naive.relay = relay
