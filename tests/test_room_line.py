"""A room that cannot keep up: phones' actions beyond its backlog wait in line, in the order
they came, and move up into the writes as these make room (app/realtime/writer.py). The
facilitator's actions and the joins never wait in that line, and nothing in it is lost
when the server stops."""

from __future__ import annotations

import asyncio
import threading
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from app.core.actions import Join, Pause, SaveNote, Start
from app.core.program import load_program_text
from app.core.room import FACILITATOR, Command, Room
from app.realtime.writer import Accepted, RoomWriter
from app.storage.store import Store
from app.storage.tables import Workshop
from tests.phoneclient import run_async
from tests.roomkit import DEMO_PROGRAM

LIMIT = 3


def _writer(tmp_path: Path) -> tuple[RoomWriter, threading.Event]:
    """A writer on a real SQLite store whose writes wait until the event is set."""
    store = Store(f"sqlite:///{tmp_path / 'samling.db'}")
    workshop = store.create_workshop(
        Workshop(
            code="K7MXPR",
            program_name="demo.toml",
            program_text=DEMO_PROGRAM,
            facilitator_key_hash="0" * 64,
            projector_key="p",
            created_at=1_795_564_496_950,
        )
    )
    assert workshop.id is not None
    room = Room(code="K7MXPR", program=load_program_text(DEMO_PROGRAM, source="demo.toml"))
    release = threading.Event()
    append = store.append

    def held(*args: Any, **kwargs: Any) -> Any:
        release.wait(10)
        return append(*args, **kwargs)

    store.append_at_once = lambda *args: False  # type: ignore[method-assign]
    store.append = held  # type: ignore[method-assign]
    writer = RoomWriter(
        store, workshop.id, room, snapshot_every=1000, tell=lambda steps: None, publish=lambda seq, cmd: None
    )
    writer._backlog_limit = LIMIT
    return writer, release


def _command(action: Any, actor: str, at: int) -> Command:
    return Command(action=action, at=at, actor=actor, seed=at)


async def _people(writer: RoomWriter, release: threading.Event, n: int) -> list[str]:
    release.set()
    for i in range(n):
        joined = _command(Join(name=f"P{i}", token_hash=f"{i + 1:064x}"), "system", 10 + i)
        await writer.submit(joined)
    await writer.submit(_command(Start(), FACILITATOR, 100))
    release.clear()
    return [f"p{i + 1}" for i in range(n)]


def test_phones_beyond_the_backlog_wait_in_line_in_order_and_the_facilitator_goes_ahead(
    tmp_path: Path,
) -> None:
    async def run() -> None:
        writer, release = _writer(tmp_path)
        people = await _people(writer, release, 8)
        answers: dict[str, Accepted | BaseException] = {}
        in_line: dict[str, bool] = {}
        for n, pid in enumerate(people):
            note = SaveNote(exercise="refleksjon", text=f"tanke {n}")
            in_line[pid] = writer.submit_then(
                _command(note, pid, 200 + n),
                f"m{n}",
                partial(answers.__setitem__, pid),
                may_wait=True,
            )
            await asyncio.sleep(0)  # the first is being written, the rest wait for it
        assert [in_line[p] for p in people] == [False] * LIMIT + [True] * (len(people) - LIMIT)
        assert writer.crowded
        paused = asyncio.ensure_future(writer.submit(_command(Pause(), FACILITATOR, 300)))
        await asyncio.sleep(0)
        release.set()
        await asyncio.wait_for(paused, 10)
        for _ in range(200):
            if len(answers) == len(people):
                break
            await asyncio.sleep(0.01)
        seqs = {pid: a.seq for pid, a in answers.items() if isinstance(a, Accepted)}
        assert len(seqs) == len(people), answers
        assert [seqs[p] for p in people] == sorted(seqs.values()), "the line keeps the order they came in"
        first_in_line = people[LIMIT]
        assert paused.result().seq < seqs[first_in_line], "the facilitator's action went before the line"
        assert not writer.crowded and writer.backlog == 0

    run_async(run())


def test_what_waits_in_line_is_answered_when_the_server_stops(tmp_path: Path) -> None:
    async def run() -> None:
        writer, release = _writer(tmp_path)
        people = await _people(writer, release, LIMIT + 3)
        answers: list[Accepted | BaseException] = []
        for n, pid in enumerate(people):
            note = SaveNote(exercise="refleksjon", text=f"tanke {n}")
            writer.submit_then(_command(note, pid, 200 + n), f"m{n}", answers.append, may_wait=True)
        await asyncio.sleep(0.05)
        assert writer._task is not None
        writer._task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await writer._task
        release.set()
        assert len(answers) == len(people)
        assert all(isinstance(a, ConnectionAbortedError) for a in answers), answers

    run_async(run())
