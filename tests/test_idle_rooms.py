"""Rooms leave memory when nobody watches them: no screen and no write for
``idle_minutes`` (a snapshot first), and come back on demand as they were. A room with a
screen stays; a room closed by another process whose message was lost is forgotten."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.roomkit import connect_phone, create_workshop, hello, join

IDLE_MINUTES = 0.01  # 0.6 s


@pytest.fixture
def quick(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"idle_minutes": IDLE_MINUTES}))) as client:
        yield client


def _wait_until(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.05)


def test_an_unwatched_room_leaves_memory_and_comes_back_as_it_was(quick: TestClient) -> None:
    hub = quick.app.state.hub  # type: ignore[attr-defined]
    forgotten: list[int] = []
    hub.on_forget.append(forgotten.append)
    idle, watched = create_workshop(quick), create_workshop(quick)
    for name in ("Kari", "Ola"):
        join(quick, idle.code, name)
    kari = join(quick, watched.code, "Kari")
    idle_id = hub.rooms[idle.code].workshop_id
    with connect_phone(quick, watched.code, kari) as socket:
        hello(socket, watched.code, "participant").wait_for("snapshot")
        _wait_until(lambda: idle.code not in hub.rooms)
        assert watched.code in hub.rooms  # a screen is connected: it stays
        assert forgotten == [idle_id]  # its caches (the word-cloud pictures) go with it
    with quick.websocket_connect("/ws") as socket:
        facilitator = hello(socket, idle.code, "facilitator", idle.facilitator_key)
        facilitator.wait_for("snapshot")
        names = sorted(p["name"] for p in facilitator.state["participants"])
        assert names == ["Kari", "Ola"]  # loaded again on demand, as it was
        assert facilitator.act({"type": "start"})["type"] == "ack"
    _wait_until(lambda: watched.code not in hub.rooms)  # its phone left: now it goes too


def test_a_room_closed_elsewhere_is_forgotten_even_if_the_message_was_lost(quick: TestClient) -> None:
    hub = quick.app.state.hub  # type: ignore[attr-defined]
    store = quick.app.state.store  # type: ignore[attr-defined]
    w = create_workshop(quick)
    kari = join(quick, w.code, "Kari")
    with connect_phone(quick, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        phone.wait_for("snapshot")
        store.delete_workshop(w.code, 1)  # another process deleted it; its bus message never came
        _wait_until(lambda: w.code not in hub.rooms)
        with pytest.raises(Exception):  # noqa: B017 - the socket is closed, with 4404
            for _ in range(10):
                phone.receive()


def test_an_evicted_room_is_freed_even_after_the_collector_froze_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server freezes what lives on (app/realtime/collector.py); a room that stayed
    long enough to be frozen and then went idle is freed all the same, once the rooms are
    quiet: the memory comes back."""
    import weakref

    from app.realtime import collector

    monkeypatch.setattr(collector, "QUIET", 0.5)
    slow = settings.model_copy(update={"idle_minutes": 0.05})  # 3 s: frozen by the ticks first
    with TestClient(create_app(slow)) as client:
        hub = client.app.state.hub  # type: ignore[attr-defined]
        w = create_workshop(client)
        join(client, w.code, "Kari")
        room = weakref.ref(hub.rooms[w.code])
        _wait_until(lambda: w.code not in hub.rooms, 10)
        _wait_until(lambda: room() is None, 10)
