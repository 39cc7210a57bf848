"""A workshop ends: closed (read-only: the facilitator keeps the results and can delete,
private answers go at once), deleted with all its data at the facilitator's word (a
tombstone: its id and code are never given out again), and purged some days after it
was closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.core.actions import SaveNote
from app.core.room import Command
from app.realtime.hub import now_ms
from app.storage.store import NewCommand, Store, WorkshopGone
from app.storage.tables import CommandRow, SnapshotRow
from tests.phoneclient import run_async
from tests.roomkit import connect_phone, create_workshop, facilitator_and_phone, hello, join

ROLES_PROGRAM = """
title = "Verdier"
[[exercises]]
id = "verdier"
title = "Verdier"
[exercises.roles]
roles = [
  { name = "Ordstyrer og tidtaker", rule = "closest", value = 40 },
  { name = "Sekretær", rule = "furthest", value = 40 },
]
[[exercises.phases]]
kind = "I"
minutes = 4
[[exercises.phases]]
kind = "G"
minutes = 20
"""


def _store(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def _workshop_id(store: Store, code: str) -> int:
    row = store.find_workshop(code)
    assert row is not None and row.id is not None
    return row.id


def _everything_stored(store: Store, workshop_id: int) -> str:
    """Every byte stored for a workshop: its history and its snapshot."""
    from sqlmodel import Session, select

    with Session(store.engine) as session:
        bodies = [
            row.body for row in session.exec(select(CommandRow).where(CommandRow.workshop_id == workshop_id))
        ]
        snapshot = session.get(SnapshotRow, workshop_id)
    return "\n".join(bodies) + (snapshot.state.decode() if snapshot else "")


def test_closing_ends_the_room_code_but_the_facilitator_keeps_the_results(client: TestClient) -> None:
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
    assert client.post("/join", data={"code": w.code, "name": "Ola"}).status_code == 404
    with client.websocket_connect("/ws") as socket:
        socket.send_json({"type": "hello", "room": w.code, "role": "projector", "key": w.projector_key})
        assert socket.receive_json()["code"] == "unknown_room"
    # Read-only, not gone: the facilitator link shows that it is closed, with the
    # results and the delete button; the control screen and the projector are gone.
    page = client.get(f"/f/{w.code}/{w.facilitator_key}")
    assert page.status_code == 200
    assert "facilitator.js" not in page.text
    assert f"/f/{w.code}/{w.facilitator_key}/results" in page.text
    assert f"/f/{w.code}/{w.facilitator_key}/delete" in page.text
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results").status_code == 200
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").status_code == 200
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.csv").status_code == 200
    assert client.get(f"/s/{w.code}/{w.projector_key}").status_code == 404
    assert client.get(f"/f/{w.code}/wrong-key").status_code == 404
    deleted = client.post(f"/f/{w.code}/{w.facilitator_key}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 200
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").status_code == 404


def test_closing_removes_ages_at_once_keeps_notes_only_for_their_writer_and_the_shared_results(
    client: TestClient, programs_dir: Path
) -> None:
    (programs_dir / "roles.toml").write_text(ROLES_PROGRAM, encoding="utf-8")
    w = create_workshop(client, "roles.toml")
    tokens = [join(client, w.code, name) for name in ("Kari", "Ola")]
    with (
        client.websocket_connect("/ws") as f_socket,
        connect_phone(client, w.code, tokens[0]) as a,
        connect_phone(client, w.code, tokens[1]) as b,
    ):
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        kari, ola = hello(a, w.code, "participant"), hello(b, w.code, "participant")
        assert facilitator.act({"type": "form_groups", "mode": "count", "value": 1})["type"] == "ack"
        assert facilitator.act({"type": "start"})["type"] == "ack"
        assert (
            kari.act({"type": "save_note", "exercise": "verdier", "text": "Mitt hemmelige notat"})["type"]
            == "ack"
        )
        assert kari.act({"type": "roles_answer", "exercise": "verdier", "age": 73})["type"] == "ack"
        assert ola.act({"type": "roles_answer", "exercise": "verdier", "age": 38})["type"] == "ack"
    results_before = client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").json()
    store = _store(client)
    workshop_id = _workshop_id(store, w.code)
    stored = _everything_stored(store, workshop_id)
    assert "Mitt hemmelige notat" in stored and "73" in stored  # the finding, before closing

    assert client.post(f"/f/{w.code}/{w.facilitator_key}/close").status_code == 200

    stored = _everything_stored(store, workshop_id)
    assert '"age":73' not in stored and '"age":38' not in stored
    assert store.commands_after(workshop_id, 0) == []  # the history held them
    # Kari's note is kept for her take-home link (hers since she joined), nobody else's.
    assert stored.count("Mitt hemmelige notat") == 1
    after = client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").json()
    assert after == results_before
    assert "Mitt hemmelige notat" not in client.get(f"/f/{w.code}/{w.facilitator_key}/results").text
    assert "Sekretær" in client.get(f"/f/{w.code}/{w.facilitator_key}/results.csv").content.decode(
        "utf-8-sig"
    )


def test_a_closed_or_deleted_workshop_takes_no_more_writes(client: TestClient) -> None:
    closed, deleted = create_workshop(client), create_workshop(client)
    store = _store(client)
    note = NewCommand(1, Command(SaveNote(exercise="refleksjon", text="sent"), at=now_ms(), actor="p1"))
    assert client.post(f"/f/{closed.code}/{closed.facilitator_key}/close").status_code == 200
    assert (
        client.post(
            f"/f/{deleted.code}/{deleted.facilitator_key}/delete", data={"confirm": "yes"}
        ).status_code
        == 200
    )
    for w in (closed, deleted):
        workshop = store.find_workshop(w.code)
        assert workshop is not None and workshop.id is not None
        with pytest.raises(WorkshopGone):
            store.append(workshop.id, [note])
        store.save_snapshot(workshop.id, 99, b"{}")
        assert store.commands_after(workshop.id, 0) == []


def test_workshop_ids_and_codes_are_never_given_out_again(client: TestClient) -> None:
    store = _store(client)
    first = create_workshop(client)
    first_id = store.find_workshop(first.code).id  # type: ignore[union-attr]
    assert (
        client.post(f"/f/{first.code}/{first.facilitator_key}/delete", data={"confirm": "yes"}).status_code
        == 200
    )
    tombstone = store.find_workshop(first.code)
    assert tombstone is not None and tombstone.deleted_at is not None
    assert (tombstone.program_text, tombstone.facilitator_key_hash, tombstone.projector_key) == ("", "", "")
    assert store.load_room(first.code) is None
    assert store.code_in_use(first.code)
    second = create_workshop(client)
    assert store.find_workshop(second.code).id > first_id  # type: ignore[union-attr, operator]
    assert second.code != first.code


def test_deleting_needs_a_confirmation_and_then_removes_everything(client: TestClient) -> None:
    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with connect_phone(client, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        phone.wait_for("snapshot")
        phone.act({"type": "save_note", "exercise": "refleksjon", "text": "borte"})
    store = _store(client)
    workshop_id = _workshop_id(store, w.code)
    refused = client.post(f"/f/{w.code}/{w.facilitator_key}/delete")
    assert refused.status_code == 400
    assert store.load_room(w.code) is not None
    assert client.post(f"/f/{w.code}/wrong/delete", data={"confirm": "yes"}).status_code == 404
    deleted = client.post(f"/f/{w.code}/{w.facilitator_key}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 200
    assert store.load_room(w.code) is None
    assert _everything_stored(store, workshop_id) == ""
    assert client.get(f"/f/{w.code}/{w.facilitator_key}").status_code == 404
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").status_code == 404


def test_closed_workshops_are_purged_after_the_set_number_of_days(client: TestClient) -> None:
    old = create_workshop(client)
    still_running = create_workshop(client)
    client.post(f"/f/{old.code}/{old.facilitator_key}/close")
    store = _store(client)
    assert store.purge_closed(closed_before=now_ms() - 30 * 86_400_000, at=now_ms()) == []  # not yet
    assert store.purge_closed(closed_before=now_ms() + 1, at=now_ms()) == [old.code]
    assert store.load_room(old.code) is None
    assert store.load_room(still_running.code) is not None


def test_a_closing_cut_short_is_finished_by_the_next_purge(client: TestClient) -> None:
    """The server stopped between closing and clearing the history: the purge task
    clears it the next time it runs (the note stays only in Kari's workbook)."""

    from app.main import purge_once

    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with connect_phone(client, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        assert phone.act({"type": "save_note", "exercise": "refleksjon", "text": "halvveis"})["type"] == "ack"
    store = _store(client)
    workshop_id = _workshop_id(store, w.code)
    assert store.close_workshop(w.code, now_ms())  # ... and then the power went
    assert store.closed_with_history() == [w.code]
    settings = client.app.state.settings  # type: ignore[attr-defined]
    run_async(purge_once(store, settings))
    assert store.closed_with_history() == []
    assert store.commands_after(workshop_id, 0) == []
    assert _everything_stored(store, workshop_id).count("halvveis") == 1  # her take-home link's
    assert client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").status_code == 200


def test_the_purge_and_the_idle_sweep_survive_errors() -> None:
    import asyncio

    from sqlalchemy.exc import OperationalError

    from app.main import every

    calls: list[int] = []
    stopping = asyncio.Event()

    async def purge() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise OperationalError("SELECT 1", {}, Exception("the database is away"))
        if len(calls) == 3:
            stopping.set()

    async def run() -> None:
        await asyncio.wait_for(every(0.01, purge, stopping), 5)

    run_async(run())
    assert calls == [0, 1, 2]  # it went on after the error, and stopped when told


def test_a_deleted_workshops_word_cloud_picture_leaves_memory_with_it(client: TestClient) -> None:
    """Every cache keyed by a workshop goes when it is deleted; the picture cache is keyed
    by the workshop, so no later workshop (whatever its code) is ever shown it."""
    from tests.roomkit import CLOUD_PROGRAM

    programs = client.app.state.settings.programs_dir  # type: ignore[attr-defined]
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    w = create_workshop(client, "ordsky.toml")
    kari = join(client, w.code, "Kari")
    with facilitator_and_phone(client, w, kari) as (facilitator, phone):
        assert facilitator.act({"type": "start"})["type"] == "ack"
        word = {"type": "wordcloud_submit", "exercise": "ordsky", "word": "Tillit"}
        assert phone.act(word)["type"] == "ack"
    picture = client.get(f"/s/{w.code}/{w.projector_key}/wordcloud/ordsky.png")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/png"
    renderer = client.app.state.renderer  # type: ignore[attr-defined]
    workshop_id = _workshop_id(_store(client), w.code)
    assert [key for key in renderer._clouds if key[0] == workshop_id] == [(workshop_id, "ordsky")]
    deleted = client.post(f"/f/{w.code}/{w.facilitator_key}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 200
    assert [key for key in renderer._clouds if key[0] == workshop_id] == []
    assert client.get(f"/s/{w.code}/{w.projector_key}/wordcloud/ordsky.png").status_code == 404
