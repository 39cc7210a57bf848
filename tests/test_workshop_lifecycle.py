"""A workshop ends: closed (its code stops working), deleted with all its data at the
facilitator's word, and purged automatically some days after it was closed."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.realtime.hub import now_ms
from tests.roomkit import connect_phone, create_workshop, hello, join


def test_closing_a_workshop_ends_its_room_code(client: TestClient) -> None:
    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with connect_phone(client, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        phone.wait_for("snapshot")
        closed = client.post(f"/f/{w.code}/{w.facilitator_key}/close")
        assert closed.status_code == 200
        assert "Workshopen er avsluttet" in closed.text
        with pytest.raises(WebSocketDisconnect) as ended:
            for _ in range(10):
                phone.receive()
        assert ended.value.code == 4404  # the open phone is told the room is gone
    assert client.get(f"/f/{w.code}/{w.facilitator_key}").status_code == 404
    assert client.post("/join", data={"code": w.code, "name": "Ola"}).status_code == 404
    with client.websocket_connect("/ws") as socket:
        socket.send_json({"type": "hello", "room": w.code, "role": "projector", "key": w.projector_key})
        assert socket.receive_json()["code"] == "unknown_room"


def test_deleting_needs_a_confirmation_and_then_removes_everything(client: TestClient) -> None:
    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with connect_phone(client, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        phone.wait_for("snapshot")
    store = client.app.state.store  # type: ignore[attr-defined]
    workshop_id = store.find_workshop(w.code).id
    refused = client.post(f"/f/{w.code}/{w.facilitator_key}/delete")
    assert refused.status_code == 400
    assert store.find_workshop(w.code) is not None
    assert client.post(f"/f/{w.code}/wrong/delete", data={"confirm": "yes"}).status_code == 404
    deleted = client.post(f"/f/{w.code}/{w.facilitator_key}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 200
    assert store.find_workshop(w.code) is None
    assert store.commands_after(workshop_id, 0) == []
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").status_code == 404


def test_closed_workshops_are_purged_after_the_set_number_of_days(client: TestClient) -> None:
    old = create_workshop(client)
    still_running = create_workshop(client)
    client.post(f"/f/{old.code}/{old.facilitator_key}/close")
    store = client.app.state.store  # type: ignore[attr-defined]
    assert store.purge_closed(closed_before=now_ms() - 30 * 86_400_000) == []  # not 30 days yet
    assert store.purge_closed(closed_before=now_ms() + 1) == [old.code]
    assert store.find_workshop(old.code) is None
    assert store.find_workshop(still_running.code) is not None
