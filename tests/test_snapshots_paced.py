"""A room's snapshot is a shortcut for loading it, and it grows with the room: a room
stores one no oftener than its size warrants, in the background, so that joining stays
linear and no action waits for a snapshot to be written."""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.bus.memory import MemoryBus
from app.core.actions import Join
from app.core.room import SYSTEM
from app.realtime.hub import Hub
from app.realtime.writer import SNAPSHOT_BYTES_PER_ACTION
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop, digest
from tests.phoneclient import run_async
from tests.roomkit import DEMO_PROGRAM

JOINS = 1500


def test_a_growing_room_is_snapshotted_by_its_size_and_loads_the_same(tmp_path: Path) -> None:
    programs = tmp_path / "programs"
    programs.mkdir()
    (programs / "demo.toml").write_text(DEMO_PROGRAM, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 's.db'}"
    settings = Settings(database_url=url, programs_dir=programs, snapshot_every=50)
    store = Store(url)
    code = create_workshop(store, settings, "demo.toml").code
    written: list[int] = []
    save = store.save_snapshot

    def counted(workshop_id: int, seq: int, state: bytes) -> None:
        written.append(len(state))
        save(workshop_id, seq, state)

    store.save_snapshot = counted  # type: ignore[method-assign]

    async def scenario() -> tuple[int, int]:
        hub = Hub(settings, store, MemoryBus())
        live = await hub.get(code)
        assert live is not None
        for i in range(JOINS):
            await live.submit(hub.command(Join(name=f"P{i}", token_hash=digest(f"t{i}")), SYSTEM))
        await asyncio.sleep(0.5)  # the last snapshot is written in the background
        again = await Hub(settings, store, MemoryBus()).get(code)
        assert again is not None
        return len(live.room.participants), len(again.room.participants)

    try:
        joined, loaded = run_async(scenario())
    finally:
        store.close()
    assert joined == loaded == JOINS
    assert 3 <= len(written) < JOINS // 50, (
        f"{len(written)} snapshots: one per 50 joins would be {JOINS // 50}"
    )
    assert sum(written) <= SNAPSHOT_BYTES_PER_ACTION * JOINS + 2 * max(written), "bytes written stay linear"
