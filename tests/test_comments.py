"""Closing comments, end to end: anonymous on the projector, hidden by the facilitator."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from tests.roomkit import connect_phone, create_workshop, hello, join, room_screens

pytestmark = pytest.mark.timeout(30)


def test_comments_appear_on_the_projector_without_their_author(client: TestClient) -> None:
    w = create_workshop(client)
    kari, ola = join(client, w.code, "Kari"), join(client, w.code, "Ola")
    with room_screens(client, w, [kari, ola]) as (facilitator, projector, (phone_a, phone_b)):
        too_early = phone_a.act({"type": "comment_add", "exercise": "kommentarer", "text": "Hei"})
        assert too_early["code"] == "exercise_closed"

        facilitator.act({"type": "goto_exercise", "index": 2})
        added = phone_a.act({"type": "comment_add", "exercise": "kommentarer", "text": "<b>Flott dag</b>"})
        assert added["type"] == "ack"
        projector.until_seq(added["seq"])
        shown = projector.state["board"]["comments"]["comments"]
        assert [c["text"] for c in shown] == ["<b>Flott dag</b>"]
        assert "Kari" not in json.dumps(projector.state["board"])
        assert "p1" not in json.dumps(projector.state["board"])
        assert phone_a.state["activity"]["comments"]["mine"][0]["text"] == "<b>Flott dag</b>"

        assert phone_b.act({"type": "comment_hide", "exercise": "kommentarer", "comment": 1})["code"] == (
            "not_allowed"
        )
        hidden = facilitator.act({"type": "comment_hide", "exercise": "kommentarer", "comment": 1})
        projector.until_seq(hidden["seq"])
        assert projector.state["board"]["comments"]["comments"][0] == {
            "id": 1,
            "text": None,
            "hidden": True,
            "at": shown[0]["at"],
        }


def test_a_comment_flood_is_capped_per_person(client: TestClient) -> None:
    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with client.websocket_connect("/ws") as f_socket, connect_phone(client, w.code, kari) as a:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        phone = hello(a, w.code, "participant")
        facilitator.act({"type": "goto_exercise", "index": 2})
        answers = [
            phone.act({"type": "comment_add", "exercise": "kommentarer", "text": f"nr {i}"})["type"]
            for i in range(5)
        ]
        assert answers == ["ack", "ack", "ack", "error", "error"]
        assert len(phone.state["activity"]["comments"]["mine"]) == 3
        blank = phone.act({"type": "comment_add", "exercise": "kommentarer", "text": "   "})
        assert blank["code"] == "invalid"
