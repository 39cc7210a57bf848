"""A live room with several screens at once: the facilitator, the projector and phones."""

from __future__ import annotations

import json
import logging

import pytest
from starlette.testclient import TestClient

from app.core import room as rules
from app.core.actions import SaveNote
from app.main import create_app
from app.settings import Settings
from tests.roomkit import connect_phone, create_workshop, facilitator_and_phone, hello, join, room_screens

pytestmark = pytest.mark.timeout(30)


def test_every_screen_sees_the_phase_start_with_the_same_deadline(client: TestClient) -> None:
    w = create_workshop(client)
    tokens = [join(client, w.code, name) for name in ("Kari", "Ola", "Nils")]
    with room_screens(client, w, tokens) as (facilitator, projector, phones):
        for screen in (facilitator, projector, *phones):
            screen.wait_for("snapshot")
        assert [p.state["me"]["name"] for p in phones] == ["Kari", "Ola", "Nils"]
        assert len(projector.state["participants"]) == 3

        ack = facilitator.act({"type": "start"})
        assert ack["type"] == "ack"
        deadlines = set()
        for screen in (facilitator, projector, *phones):
            screen.until_seq(ack["seq"])
            position = screen.state["position"]
            assert position["exercise_id"] == "refleksjon"
            assert position["phase_kind"] == "I"
            assert position["timer"]["status"] == "running"
            deadlines.add(position["timer"]["ends_at"])
        assert len(deadlines) == 1


def test_pause_resume_and_extend_move_the_deadline_for_everyone(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with facilitator_and_phone(client, w, token) as (facilitator, phone):
        facilitator.act({"type": "start"})
        paused = facilitator.act({"type": "pause"})
        phone.until_seq(paused["seq"])
        timer = phone.state["position"]["timer"]
        assert timer["status"] == "paused"
        assert 170_000 < timer["remaining_ms"] <= 180_000

        extended = facilitator.act({"type": "extend", "seconds": 60})
        phone.until_seq(extended["seq"])
        assert phone.state["position"]["timer"]["remaining_ms"] == timer["remaining_ms"] + 60_000

        resumed = facilitator.act({"type": "resume"})
        phone.until_seq(resumed["seq"])
        assert phone.state["position"]["timer"]["status"] == "running"
        assert phone.state["position"]["timer"]["ends_at"] is not None


def test_a_participant_can_never_control_the_room(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with connect_phone(client, w.code, token) as p_socket:
        phone = hello(p_socket, w.code, "participant")
        phone.wait_for("snapshot")
        before = phone.seq
        for action in (
            {"type": "start"},
            {"type": "next_exercise"},
            {"type": "remove_participant", "participant": "p1"},
        ):
            refusal = phone.act(action)
            assert refusal["type"] == "error"
            assert refusal["code"] == "not_allowed"
        # A participant cannot claim the facilitator role without the secret either.
    with client.websocket_connect("/ws") as s:
        s.send_text(json.dumps({"type": "hello", "room": w.code, "role": "facilitator", "key": "guess"}))
        assert s.receive_json()["code"] == "forbidden"
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        facilitator.wait_for("snapshot")
        assert facilitator.seq == before
        assert facilitator.state["position"]["exercise"] == -1


def test_the_projector_is_read_only(client: TestClient) -> None:
    w = create_workshop(client)
    with client.websocket_connect("/ws") as s_socket:
        projector = hello(s_socket, w.code, "projector", w.projector_key)
        assert projector.act({"type": "start"})["code"] == "not_allowed"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_json"),
        ('{"type": "shout"}', "unknown_type"),
        ('{"type": "action", "id": "x1", "action": {"type": "delete_everything"}}', "unknown_action"),
        ('{"type": "action", "id": "x2", "action": {"type": "save_note", "exercise": 3}}', "invalid"),
        (
            '{"type": "action", "id": "x3", "action": {"type": "save_note", "exercise": "refleksjon", '
            '"text": "' + "x" * 5000 + '"}}',
            "invalid",
        ),
        ('{"type": "action", "id": "' + "y" * 20_000 + '"}', "too_large"),
        ('{"type": "hello", "room": "ABCDEF", "role": "participant"}', "already_connected"),
    ],
)
def test_bad_messages_are_refused_with_a_reason_and_change_nothing(
    client: TestClient, frame: str, code: str
) -> None:
    w = create_workshop(client)
    tokens = [join(client, w.code, "Kari"), join(client, w.code, "Ola")]
    with connect_phone(client, w.code, tokens[0]) as a, connect_phone(client, w.code, tokens[1]) as b:
        sender, other = hello(a, w.code, "participant"), hello(b, w.code, "participant")
        sender.wait_for("snapshot")
        other.wait_for("snapshot")
        state_before = json.dumps(sender.state, sort_keys=True)
        sender.send_raw(frame)
        refusal = sender.wait_for("error")
        assert refusal["code"] == code
        # The connection still works, and so does everyone else's.
        for screen in (sender, other):
            screen.send_raw(json.dumps({"type": "ping", "t0": 1}))
            assert screen.wait_for("pong")["t0"] == 1
        saved = sender.act({"type": "save_note", "exercise": "refleksjon", "text": "fortsatt her"})
        assert saved["type"] == "ack"
        assert json.loads(state_before)["notes"] == {}


def test_binary_frames_are_refused(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with connect_phone(client, w.code, token) as socket:
        phone = hello(socket, w.code, "participant")
        socket.send_bytes(b"\x00\x01")
        assert phone.wait_for("error")["code"] == "text_only"


def test_a_flood_from_one_phone_is_throttled_without_hurting_the_others(settings: Settings) -> None:
    settings = settings.model_copy(update={"messages_per_second": 1.0, "message_burst": 5})
    with TestClient(create_app(settings)) as client:
        w = create_workshop(client)
        tokens = [join(client, w.code, "Kari"), join(client, w.code, "Ola")]
        with connect_phone(client, w.code, tokens[0]) as a, connect_phone(client, w.code, tokens[1]) as b:
            flooder, calm = hello(a, w.code, "participant"), hello(b, w.code, "participant")
            for i in range(30):
                flooder.send_raw(json.dumps({"type": "ping", "t0": i}))
            answers = [flooder.receive() for _ in range(31)]  # the snapshot, then one answer each
            kinds = [m["type"] for m in answers if m["type"] in ("pong", "error")]
            assert len(kinds) == 30
            assert kinds.count("pong") <= 7
            assert any(m.get("code") == "rate_limited" for m in answers)
            calm.send_raw(json.dumps({"type": "ping", "t0": 99}))
            assert calm.wait_for("pong")["t0"] == 99


def test_a_wrong_room_code_is_refused(client: TestClient) -> None:
    with client.websocket_connect("/ws") as socket:
        socket.send_text(json.dumps({"type": "hello", "room": "XXXXXX", "role": "projector", "key": "k"}))
        assert socket.receive_json() == {"type": "error", "id": None, "code": "unknown_room"}
    page = client.post("/join", data={"code": "XXXXXX", "name": "Kari"}, follow_redirects=False)
    assert page.status_code == 404


def test_a_phone_without_a_join_cannot_connect(client: TestClient) -> None:
    w = create_workshop(client)
    with connect_phone(client, w.code, "not-a-token") as socket:
        socket.send_text(json.dumps({"type": "hello", "room": w.code, "role": "participant"}))
        assert socket.receive_json()["code"] == "not_joined"


def test_join_attempts_are_rate_limited_per_address(settings: Settings) -> None:
    settings = settings.model_copy(update={"join_attempts_per_minute": 5})
    with TestClient(create_app(settings)) as client:
        statuses = [
            client.post(
                "/join", data={"code": f"AAAA{i:02d}", "name": "x"}, follow_redirects=False
            ).status_code
            for i in range(8)
        ]
        assert statuses[:5] == [404] * 5
        assert statuses[5:] == [429] * 3


def test_a_reconnecting_phone_gets_only_what_it_missed(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        with connect_phone(client, w.code, token) as p_socket:
            phone = hello(p_socket, w.code, "participant")
            phone.wait_for("snapshot")
            last_seen = phone.seq
        missed = [facilitator.act({"type": "start"})["seq"], facilitator.act({"type": "pause"})["seq"]]
        with connect_phone(client, w.code, token) as p_socket:
            phone = hello(p_socket, w.code, "participant", last_seq=last_seen)
            phone.until_seq(missed[-1])
            kinds = {m["type"] for m in phone.inbox}
            assert "snapshot" not in kinds
            assert phone.state["position"]["timer"]["status"] == "paused"


def test_a_resent_action_is_stored_once(client: TestClient) -> None:
    w = create_workshop(client)
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        first = facilitator.act({"type": "extend", "seconds": 60}, message_id="same-id")
        assert first["code"] == "no_phase"
        started = facilitator.act({"type": "start"}, message_id="start-1")
        again = facilitator.act({"type": "start"}, message_id="start-1")
        assert again == {"type": "ack", "id": "start-1", "seq": started["seq"]}


def test_notes_are_private_to_their_writer(client: TestClient) -> None:
    w = create_workshop(client)
    kari, ola = join(client, w.code, "Kari"), join(client, w.code, "Ola")
    with room_screens(client, w, [kari, ola]) as (facilitator, projector, (phone_a, phone_b)):
        facilitator.act({"type": "start"})
        saved = phone_a.act({"type": "save_note", "exercise": "refleksjon", "text": "hemmelig tanke"})
        assert saved["type"] == "ack"
        assert phone_a.state["notes"] == {"refleksjon": "hemmelig tanke"}
        marker = facilitator.act({"type": "pause"})
        for screen in (facilitator, projector, phone_b):
            screen.until_seq(marker["seq"])
            assert all("hemmelig" not in json.dumps(m) for m in screen.inbox)


def test_a_removed_participant_is_disconnected_and_cannot_return(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with facilitator_and_phone(client, w, token) as (facilitator, phone):
        assert facilitator.act({"type": "remove_participant", "participant": "p1"})["type"] == "ack"
        assert phone.wait_for("event")["patch"]["me"] == {"id": "p1", "removed": True}
        facilitator.until_seq(2)
        assert facilitator.state["participants"] == []
    with connect_phone(client, w.code, token) as p_socket:
        p_socket.send_text(json.dumps({"type": "hello", "room": w.code, "role": "participant"}))
        assert p_socket.receive_json()["code"] == "not_joined"


def test_the_facilitator_sees_who_is_online(client: TestClient) -> None:
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        assert facilitator.wait_for("snapshot")["state"]["online"] == []
        with connect_phone(client, w.code, token) as p_socket:
            hello(p_socket, w.code, "participant")
            assert facilitator.wait_for("people")["online"] == ["p1"]
        gone = facilitator.wait_for("people")
        assert (gone["online"], gone["offline"], gone["changed"]) == ([], ["p1"], [])
        assert facilitator.state["online"] == []


def test_rejoining_with_the_same_phone_is_not_a_new_join(client: TestClient) -> None:
    w = create_workshop(client)
    client.cookies.clear()
    first = client.post("/join", data={"code": w.code, "name": "Kari"}, follow_redirects=False)
    assert first.headers["location"] == f"/r/{w.code}"
    again = client.get(f"/j/{w.code}", follow_redirects=False)
    assert again.status_code == 303
    twice = client.post("/join", data={"code": w.code, "name": "Kari"}, follow_redirects=False)
    assert twice.headers["location"] == f"/r/{w.code}"
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        assert [p["name"] for p in facilitator.wait_for("snapshot")["state"]["participants"]] == ["Kari"]


def test_everything_comes_back_after_a_server_restart(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        w = create_workshop(client)
        tokens = [join(client, w.code, n) for n in ("Kari", "Ola", "Nils", "Anne")]
        with client.websocket_connect("/ws") as f_socket, connect_phone(client, w.code, tokens[0]) as p:
            facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
            phone = hello(p, w.code, "participant")
            facilitator.act({"type": "form_groups", "mode": "count", "value": 2})
            facilitator.act({"type": "start"})
            phone.act({"type": "save_note", "exercise": "refleksjon", "text": "min tanke"})
            facilitator.wait_until(lambda state: all(p["group"] for p in state["participants"]))
            before = dict(facilitator.state)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws") as f_socket, connect_phone(client, w.code, tokens[0]) as p:
            facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
            after = facilitator.wait_for("snapshot")["state"]
            phone = hello(p, w.code, "participant")
            mine = phone.wait_for("snapshot")["state"]
        assert after["participants"] == before["participants"]
        assert after["position"]["timer"] == before["position"]["timer"]
        assert after["position"]["timer"]["status"] == "running"
        assert mine["notes"] == {"refleksjon": "min tanke"}
        assert mine["me"]["network_group"] in (1, 2)


def test_an_action_that_crashes_the_server_is_answered_internal_error_and_the_room_goes_on(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(room: object, cmd: object) -> object:
        raise ValueError("min hemmelige tanke")  # a bug, with what the person wrote in it

    monkeypatch.setitem(rules._HANDLERS, SaveNote, broken)
    w = create_workshop(client)
    token = join(client, w.code, "Kari")
    with facilitator_and_phone(client, w, token) as (facilitator, phone):
        facilitator.act({"type": "start"})
        with caplog.at_level(logging.ERROR):
            failed = phone.act({"type": "save_note", "exercise": "refleksjon", "text": "min hemmelige tanke"})
        assert failed["type"] == "error" and failed["code"] == "internal_error"
        assert phone.state.get("notes") == {}
        assert facilitator.act({"type": "pause"})["type"] == "ack", "the room goes on"
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert w.code in logged and "p1" in logged and "save_note" in logged
    assert "hemmelige" not in logged
