"""Test helpers that speak the room protocol the way a screen does.

``Screen`` wraps one WebSocket connection: it says hello, keeps the merged state like
the browser script does, and waits for the messages a test cares about.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from starlette.testclient import TestClient
from starlette.testclient import WebSocketTestSession as Socket

from tests.liveserver import code_and_key
from tests.phoneclient import merge_people

DEMO_PROGRAM = """
title = { nb = "Prøvedag", en = "Trial day" }
start = "08:30"

[[exercises]]
id = "refleksjon"
title = "Refleksjon"
[[exercises.phases]]
kind = "I"
minutes = 3
instruction = "Skriv ned tankene dine"
[[exercises.phases]]
kind = "G"
minutes = 15
round_robin = { per_person_seconds = 0 }
[[exercises.phases]]
kind = "P"
minutes = 3

[[exercises]]
id = "duoer"
kind = "talk"
title = "Duoer"
grouping = "pairs"
[[exercises.phases]]
kind = "timed"
minutes = 7
half_time_signal = true

[[exercises]]
id = "kommentarer"
kind = "info"
title = "Hvilke kommentarer har dere til dagens samling?"
minutes = 5
[exercises.comments]
max_per_person = 3
"""

# One word-cloud exercise, up to 3 words each: for the write-path tests and the burst bench.
CLOUD_PROGRAM = """
title = "Ordsky"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Ordsky"
grouping = "none"
minutes = 10
[exercises.wordcloud]
max_words = 3
"""

_ids = count(1)


@dataclass
class Workshop:
    code: str
    facilitator_key: str
    projector_key: str


def create_workshop(client: TestClient, program: str = "demo.toml") -> Workshop:
    code, key = code_and_key(client.post("/workshops", data={"program": program}, follow_redirects=False))
    stored = client.app.state.store.find_workshop(code)  # type: ignore[attr-defined]
    return Workshop(code=code, facilitator_key=key, projector_key=stored.projector_key)


def join(client: TestClient, code: str, name: str) -> str:
    """Join as a new phone; returns the participant's token (its cookie)."""
    client.cookies.clear()
    joined = client.post("/join", data={"code": code, "name": name}, follow_redirects=False)
    assert joined.status_code == 303, joined.text
    token = joined.cookies.get(f"samling_{code}")
    client.cookies.clear()
    assert token
    return token


@dataclass
class Screen:
    socket: Socket
    state: dict[str, Any] = field(default_factory=dict)
    seq: int = 0
    inbox: list[dict[str, Any]] = field(default_factory=list)

    def receive(self) -> dict[str, Any]:
        message: dict[str, Any] = self.socket.receive_json()
        self.inbox.append(message)
        if message["type"] == "snapshot":
            self.state = message["state"]
            self.seq = message["seq"]
        elif message["type"] == "event":
            self.state.update(message["patch"])
            self.seq = message["seq"]
        elif message["type"] == "people":
            merge_people(self.state, message)
        return message

    def wait_until(self, condition: Callable[[dict[str, Any]], bool]) -> None:
        """Read until the state shows what ``condition`` wants (what the staff are sent
        is gathered over a short interval, so it may come after an action's ack)."""
        for _ in range(200):
            if condition(self.state):
                return
            self.receive()
        raise AssertionError("the state never got there in 200 messages")

    def wait_for(self, kind: str, **match: Any) -> dict[str, Any]:
        for _ in range(200):
            message = self.receive()
            if message["type"] == kind and all(message.get(k) == v for k, v in match.items()):
                return message
        raise AssertionError(f"no {kind} {match} in 200 messages")

    def until_seq(self, seq: int) -> None:
        while self.seq < seq:
            self.receive()

    def send_raw(self, text: str) -> None:
        self.socket.send_text(text)

    def act(self, action: dict[str, Any], message_id: str | None = None) -> dict[str, Any]:
        """Send an action and return its ack or error."""
        message_id = message_id or f"m{next(_ids)}"
        self.socket.send_text(json.dumps({"type": "action", "id": message_id, "action": action}))
        for _ in range(200):
            message = self.receive()
            if message["type"] in ("ack", "error") and message.get("id") == message_id:
                return message
        raise AssertionError("no answer to the action")


def hello(
    socket: Socket, code: str, role: str, key: str | None = None, last_seq: int | None = None
) -> Screen:
    message: dict[str, Any] = {"type": "hello", "room": code, "role": role}
    if key is not None:
        message["key"] = key
    if last_seq is not None:
        message["last_seq"] = last_seq
    socket.send_text(json.dumps(message))
    screen = Screen(socket)
    welcome = screen.receive()
    assert welcome["type"] == "welcome", welcome
    return screen


def connect_phone(client: TestClient, code: str, token: str) -> Any:
    return client.websocket_connect("/ws", headers={"cookie": f"samling_{code}={token}"})


@contextmanager
def facilitator_and_phone(client: TestClient, w: Workshop, token: str) -> Iterator[tuple[Screen, Screen]]:
    """The facilitator's screen and the phone of ``token`` in ``w``, each welcomed in turn."""
    with client.websocket_connect("/ws") as f_socket, connect_phone(client, w.code, token) as p_socket:
        yield (
            hello(f_socket, w.code, "facilitator", w.facilitator_key),
            hello(p_socket, w.code, "participant"),
        )


@contextmanager
def room_screens(
    client: TestClient, w: Workshop, tokens: list[str]
) -> Iterator[tuple[Screen, Screen, list[Screen]]]:
    """The facilitator's screen, the projector and the phones of ``tokens`` in ``w``: every
    socket opened first, then each welcomed in that order."""
    with ExitStack() as opened:
        f_socket = opened.enter_context(client.websocket_connect("/ws"))
        s_socket = opened.enter_context(client.websocket_connect("/ws"))
        p_sockets = [opened.enter_context(connect_phone(client, w.code, token)) for token in tokens]
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        projector = hello(s_socket, w.code, "projector", w.projector_key)
        yield facilitator, projector, [hello(socket, w.code, "participant") for socket in p_sockets]
