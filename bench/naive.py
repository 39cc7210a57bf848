"""A naive relay server, for the benchmarks to measure Samling against.

What a first version of a room server would do: phones join over HTTP (a cookie), then
connect over WebSocket; when the facilitator sends an action, the server relays one
message to every connected screen with ``for ws in clients: await ws.send_text(msg)``
and acknowledges. Nothing is stored, nothing is checked, nothing is computed per
phone. It speaks just enough of docs/protocol.md for bench/loadgen.py's phones
(hello, welcome, snapshot, ping and pong, action and ack), so the same load generator
drives both. The message relayed is the text the facilitator's action carries in
``relay`` (the benchmark passes a phase event Samling sent in the same run, so both send
the same bytes); every screen gets it, the facilitator's and the projector's too.

    .venv/bin/uvicorn bench.naive:app --ws websockets-sansio --ws-per-message-deflate false

It runs under the same uvicorn, protocol and options as Samling (bench/broadcast.py
starts it), so the difference is the application.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Form, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse, RedirectResponse

app = FastAPI()
people: dict[str, str] = {}  # token -> name
clients: list[WebSocket] = []


@app.get("/healthz")
async def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/workshops")
async def create() -> RedirectResponse:
    return RedirectResponse("/f/NAIVE1/key", status_code=303)


@app.post("/join")
async def join(code: Annotated[str, Form()] = "", name: Annotated[str, Form()] = "") -> RedirectResponse:
    token = secrets.token_urlsafe(24)
    people[token] = name
    response = RedirectResponse(f"/r/{code}", status_code=303)
    response.set_cookie(f"samling_{code}", token, httponly=True, samesite="lax")
    return response


@app.get("/people")
async def count() -> JSONResponse:
    return JSONResponse({"people": len(people), "connected": len(clients)})


def now_ms() -> int:
    return int(time.time() * 1000)


async def send_to_all(event: str) -> None:
    """The naive relay: one awaited send after another."""
    for client in list(clients):
        try:
            await client.send_text(event)
        except Exception:
            clients.remove(client)


relay: Callable[[str], Awaitable[None]] = send_to_all  # bench/floor.py puts its own here


@app.websocket("/ws")
async def socket(ws: WebSocket) -> None:
    await ws.accept()
    hello: dict[str, Any] = json.loads(await ws.receive_text())
    await ws.send_text(json.dumps({"type": "welcome", "role": hello["role"], "server_time": now_ms()}))
    await ws.send_text(json.dumps({"type": "snapshot", "seq": 0, "state": {}}))
    clients.append(ws)
    try:
        while True:
            message = json.loads(await ws.receive_text())
            if message["type"] == "ping":
                await ws.send_text(json.dumps({"type": "pong", "t0": message["t0"], "server_time": now_ms()}))
            elif message["type"] == "action":
                event = message["action"].get("relay", "{}")
                await relay(event)
                seq = json.loads(event).get("seq", 0)
                await ws.send_text(json.dumps({"type": "ack", "id": message["id"], "seq": seq}))
    except WebSocketDisconnect:
        pass
    finally:
        if ws in clients:
            clients.remove(ws)
