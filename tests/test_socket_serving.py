"""One screen's socket while its actions are being stored: it stays alive and answers.

The browser drops a connection that stays silent for 4 s while it waits for an answer
(app/static/js/lib/policy.js, pongTimeoutMs). A slow write (PostgreSQL under load, a lock
held by another process) must therefore never hold up the pong to a ping sent meanwhile,
or healthy phones would reconnect in a loop.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.realtime import writer
from app.settings import Settings
from app.storage.store import Store
from tests.roomkit import Screen, Workshop, connect_phone, create_workshop, facilitator_and_phone, hello, join

pytestmark = pytest.mark.timeout(30)


def _action(message_id: str, text: str) -> str:
    action = {"type": "save_note", "exercise": "refleksjon", "text": text}
    return json.dumps({"type": "action", "id": message_id, "action": action})


def _hold_the_writes(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """From now on the database takes its time, as when another connection holds SQLite's
    write lock: nothing is written at once, and each write waits until the event is set."""
    store: Any = client.app.state.hub.store  # type: ignore[attr-defined]
    release = threading.Event()
    original = store.append

    def slow_append(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "append_at_once", lambda *args: False)
    monkeypatch.setattr(store, "append", slow_append)
    return release


@contextmanager
def _kari_in_a_started_room(client: TestClient) -> Iterator[tuple[Workshop, Screen, Screen]]:
    """A workshop whose day has started, with its facilitator's screen and Kari's phone."""
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with facilitator_and_phone(client, w, token) as (facilitator, phone):
        facilitator.act({"type": "start"})
        yield w, facilitator, phone


def test_a_ping_is_answered_while_the_phones_action_is_being_stored(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with _kari_in_a_started_room(client) as (_w, _facilitator, phone):
        release = _hold_the_writes(client, monkeypatch)
        phone.send_raw(_action("n1", "første tanke"))
        phone.send_raw(_action("n2", "andre tanke"))
        phone.send_raw(json.dumps({"type": "ping", "t0": 1}))
        answered_first = phone.wait_for("pong")
        assert answered_first["t0"] == 1
        assert not [m for m in phone.inbox if m["type"] == "ack"], "the write is still held"
        release.set()
        first = phone.wait_for("ack", id="n1")
        second = phone.wait_for("ack", id="n2")
        assert first["seq"] < second["seq"], "one phone's actions are stored in the order sent"
        phone.until_seq(second["seq"])
        assert phone.state["notes"] == {"refleksjon": "andre tanke"}


def test_every_action_is_answered_once_in_the_order_sent(client: TestClient) -> None:
    """The room calls back with each outcome: one answer per action, never a second (the
    writer's clean-up after a batch must not tell a screen again that its action failed)."""
    with _kari_in_a_started_room(client) as (_w, _facilitator, phone):
        for n in range(5):
            phone.send_raw(_action(f"n{n}", f"tanke {n}"))
        phone.send_raw(json.dumps({"type": "action", "id": "bad", "action": {"type": "start"}}))
        phone.send_raw(json.dumps({"type": "ping", "t0": 7}))
        phone.wait_for("pong", t0=7)
        while len([m for m in phone.inbox if m["type"] in ("ack", "error")]) < 6:
            phone.receive()
        phone.send_raw(json.dumps({"type": "ping", "t0": 8}))
        phone.wait_for("pong", t0=8)  # anything said of the actions meanwhile is in the inbox
        answers = [(m["type"], m["id"]) for m in phone.inbox if m["type"] in ("ack", "error")]
        assert answers == [*(("ack", f"n{n}") for n in range(5)), ("error", "bad")], answers
        seqs = [m["seq"] for m in phone.inbox if m["type"] == "ack"]
        assert seqs == sorted(seqs)


def test_an_action_refused_for_its_rate_names_its_id(settings: Settings) -> None:
    limited = settings.model_copy(update={"messages_per_second": 0.01, "message_burst": 2})
    with TestClient(create_app(limited)) as client:
        w = create_workshop(client)
        token = join(client, w.code, "Kari")
        with connect_phone(client, w.code, token) as p_socket:
            phone = hello(p_socket, w.code, "participant")
            for n in range(3):
                phone.send_raw(_action(f"n{n}", f"tanke {n}"))
            refused = phone.wait_for("error", code="rate_limited")
            assert refused["id"] == "n2", "the phone retries just this one later"


def test_an_action_whose_write_takes_long_is_told_queued_before_the_browser_gives_up(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The database takes seconds for one write (a lock held, a slow disk) and nothing else
    is waiting: the phone, and the facilitator's screen, are told their actions are on
    their way (``queued``) well before the browser's four silent seconds would make them
    take a healthy connection for dead and reconnect; the answer follows."""
    monkeypatch.setattr(writer, "SLOW_WRITE_S", 0.3)
    with _kari_in_a_started_room(client) as (_w, facilitator, phone):
        release = _hold_the_writes(client, monkeypatch)
        phone.send_raw(_action("n1", "første tanke"))
        assert phone.wait_for("queued", id="n1")
        # While that write is slow, what comes is told at once: it waits behind it.
        phone.send_raw(_action("n2", "andre tanke"))
        facilitator.send_raw(json.dumps({"type": "action", "id": "f1", "action": {"type": "pause"}}))
        facilitator.send_raw(json.dumps({"type": "action", "id": "f2", "action": {"type": "resume"}}))
        assert phone.wait_for("queued", id="n2")
        assert facilitator.wait_for("queued", id="f1") and facilitator.wait_for("queued", id="f2")
        release.set()
        n1, n2 = phone.wait_for("ack", id="n1"), phone.wait_for("ack", id="n2")
        f1, f2 = facilitator.wait_for("ack", id="f1"), facilitator.wait_for("ack", id="f2")
        assert n1["seq"] < f1["seq"] < f2["seq"]
        assert n1["seq"] < n2["seq"]
        phone.until_seq(n2["seq"])
        assert phone.state["notes"] == {"refleksjon": "andre tanke"}


def test_an_action_stored_at_once_is_not_told_queued(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writer, "SLOW_WRITE_S", 0.3)
    with _kari_in_a_started_room(client) as (_w, _facilitator, phone):
        note = {"type": "save_note", "exercise": "refleksjon", "text": "første tanke"}
        assert phone.act(note, "n1")["type"] == "ack"
        time.sleep(0.5)  # past SLOW_WRITE_S: a timer left running would tell it now
        phone.send_raw(json.dumps({"type": "ping", "t0": 7}))
        phone.wait_for("pong", t0=7)
        assert [m for m in phone.inbox if m["type"] == "queued"] == []


def test_a_room_closed_behind_this_process_is_forgotten_at_the_first_write(client: TestClient) -> None:
    """Another process closed the workshop and its bus message was lost: the first action
    here is refused as closed, and every screen of the room is told it is gone at once."""
    from starlette.websockets import WebSocketDisconnect

    hub: Any = client.app.state.hub  # type: ignore[attr-defined]
    with _kari_in_a_started_room(client) as (w, facilitator, phone):
        assert hub.store.close_workshop(w.code, at=1)  # as the other process did
        refused = phone.act({"type": "save_note", "exercise": "refleksjon", "text": "sen tanke"})
        assert refused["type"] == "error" and refused["code"] == "room_closed"
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(50):
                facilitator.receive()
        assert closed.value.code == 4404, "the facilitator's screen is told the room is gone"
    assert w.code not in hub.rooms


def test_a_room_that_cannot_keep_up_tells_the_phone_its_action_waits_in_line_and_stores_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More actions waiting for the room's write than it stores in about a second: the next
    phone's action waits in line and the phone is told so at once (``queued``: the browser
    then waits for the answer instead of taking its connection for dead after four silent
    seconds), and it is stored without being sent again, after those before it. The
    facilitator's action does not wait in that line."""
    limited = settings.model_copy(update={"room_backlog": 2})
    with TestClient(create_app(limited)) as client:
        w = create_workshop(client)
        tokens = [join(client, w.code, name) for name in ("Kari", "Ola", "Per")]
        with (
            client.websocket_connect("/ws") as f_socket,
            connect_phone(client, w.code, tokens[0]) as a_socket,
            connect_phone(client, w.code, tokens[1]) as b_socket,
            connect_phone(client, w.code, tokens[2]) as c_socket,
        ):
            facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
            kari, ola, per = (hello(s, w.code, "participant") for s in (a_socket, b_socket, c_socket))
            facilitator.act({"type": "start"})
            release = _hold_the_writes(client, monkeypatch)
            kari.send_raw(_action("k1", "Karis tanke"))  # being written
            kari.send_raw(json.dumps({"type": "ping", "t0": 1}))
            kari.wait_for("pong", t0=1)
            ola.send_raw(_action("o1", "Olas tanke"))  # waits for the next write
            ola.send_raw(json.dumps({"type": "ping", "t0": 2}))
            ola.wait_for("pong", t0=2)
            per.send_raw(_action("p1", "Pers tanke"))
            per.send_raw(_action("p2", "Pers andre tanke"))  # behind Per's own, in line
            assert per.wait_for("queued", id="p1") and per.wait_for("queued", id="p2")
            facilitator.send_raw(json.dumps({"type": "action", "id": "f1", "action": {"type": "pause"}}))
            release.set()
            acks = [kari.wait_for("ack", id="k1"), ola.wait_for("ack", id="o1")]
            acks += [facilitator.wait_for("ack", id="f1"), per.wait_for("ack", id="p1")]
            acks.append(per.wait_for("ack", id="p2"))
            seqs = [a["seq"] for a in acks]
            assert seqs == sorted(seqs), "the facilitator's pause went before the line, the line in order"
            assert not [m for m in per.inbox if m["type"] == "error"], "nothing refused, nothing to resend"
            per.until_seq(seqs[-1])
            assert per.state["notes"] == {"refleksjon": "Pers andre tanke"}


def test_a_server_stopping_during_a_write_stores_it_and_leaves_no_connection_open(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server is stopped (a deploy, Ctrl-C) while a phone's note is being written: the
    write ends before the database is let go, so the note is kept and no thread is left
    with a connection of a closed store (on PostgreSQL the database fixture counts them)."""
    with (
        TestClient(create_app(settings)) as client,
        _kari_in_a_started_room(client) as (w, _facilitator, phone),
    ):
        release = _hold_the_writes(client, monkeypatch)
        phone.send_raw(_action("n1", "skrevet mens serveren stoppet"))
        threading.Timer(1.0, release.set).start()
    store = Store(settings.database_url)
    try:
        workshop = store.find_workshop(w.code)
        assert workshop is not None and workshop.id is not None
        stored = [cmd.action for _, cmd in store.commands_after(workshop.id, 0)]
        notes = [getattr(action, "text", None) for action in stored if action.type == "save_note"]
        assert notes == ["skrevet mens serveren stoppet"]
    finally:
        store.close()
