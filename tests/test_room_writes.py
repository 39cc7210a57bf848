"""How a live room stores what phones send: every action answered, stored once, in order.

Actions that arrive while the room is writing are stored together (a group commit);
these tests send many at once, as a burst of phones does, mixed with actions the room
refuses and with resends of the same message, and check what the room, the answers and
the database say afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from app.bus.memory import MemoryBus
from app.core.actions import FormGroups, Join, Start
from app.core.kinds import wordcloud
from app.core.registry import KIND_BY_ACTION
from app.core.room import FACILITATOR, SYSTEM, Command, Refused, Room
from app.realtime.hub import Accepted, ActionFailed, Hub, LiveRoom
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop, digest
from tests.core.test_joins_scale import counting
from tests.fakescreen import FakeScreen
from tests.phoneclient import run_async
from tests.roomkit import CLOUD_PROGRAM

PHONES = 30


@dataclass
class Workshop:
    settings: Settings
    store: Store
    code: str


def word_cloud_in(database_url: str, tmp_path: Path, snapshot_every: int) -> Iterator[Workshop]:
    programs = tmp_path / "cloud-programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    settings = Settings(database_url=database_url, programs_dir=programs, snapshot_every=snapshot_every)
    store = Store(database_url)
    yield Workshop(settings, store, create_workshop(store, settings, "ordsky.toml").code)
    store.close()


@pytest.fixture
def cloud_workshop(database_url: str, tmp_path: Path) -> Iterator[Workshop]:
    """A word-cloud workshop in the test's database (snapshots often, to write those too)."""
    yield from word_cloud_in(database_url, tmp_path, snapshot_every=7)


async def open_room(workshop: Workshop) -> tuple[Hub, LiveRoom]:
    """The room as a (new) server process loads it."""
    hub = Hub(workshop.settings, workshop.store, MemoryBus())
    live = await hub.get(workshop.code)
    assert live is not None
    return hub, live


async def joined_and_started(workshop: Workshop) -> tuple[Hub, LiveRoom]:
    hub, live = await open_room(workshop)
    joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(PHONES)]
    await asyncio.gather(*(live.submit(hub.command(join, SYSTEM)) for join in joins))
    await live.submit(hub.command(Start(), FACILITATOR))
    return hub, live


def counts(room: Room) -> dict[str, int]:
    state = room.kind_state(room.program.exercises[0], wordcloud.KIND)
    return {w.text: w.count for w in wordcloud.words(state)}


def counting_writes(monkeypatch: pytest.MonkeyPatch, store: Store) -> list[int]:
    """From now on, the number of commands of every batch the store writes, whether on
    the event loop (``append_at_once``) or in a worker thread (``append``)."""
    batches: list[int] = []
    at_once, in_thread = store.append_at_once, store.append

    def counted_at_once(workshop_id: int, commands: Any, *args: Any) -> bool:
        stored = at_once(workshop_id, commands, *args)
        if stored:
            batches.append(len(commands))
        return stored

    def counted(workshop_id: int, commands: Any, *args: Any) -> None:
        in_thread(workshop_id, commands, *args)
        batches.append(len(commands))

    monkeypatch.setattr(store, "append_at_once", counted_at_once)
    monkeypatch.setattr(store, "append", counted)
    return batches


def slow_database(monkeypatch: pytest.MonkeyPatch, store: Store) -> threading.Event:
    """From now on the database takes its time, as when another connection holds SQLite's
    write lock: nothing is written at once, and each write waits until the event is set."""
    release = threading.Event()
    append = store.append

    def slow_append(workshop_id: int, commands: Any, *args: Any) -> None:
        release.wait(10)
        append(workshop_id, commands, *args)

    monkeypatch.setattr(store, "append_at_once", lambda *args: False)
    monkeypatch.setattr(store, "append", slow_append)
    return release


def test_a_burst_is_stored_once_in_order_and_every_action_gets_its_own_answer(
    cloud_workshop: Workshop,
) -> None:
    store, code = cloud_workshop.store, cloud_workshop.code

    async def burst() -> tuple[list[Accepted | BaseException], Hub]:
        hub, live = await joined_and_started(cloud_workshop)
        people = list(live.room.participants)
        sends = []
        for pid in people:
            for n, word in enumerate(["Tillit", "Mot", "Glede", "Ro"]):  # the fourth is one too many
                action = wordcloud.Submit(exercise="ordsky", word=word)
                sends.append(live.submit(hub.command(action, pid), f"{pid}-{n}"))
            resend = wordcloud.Submit(exercise="ordsky", word="Tillit")
            sends.append(live.submit(hub.command(resend, pid), f"{pid}-0"))  # no answer came yet
        answers = await asyncio.gather(*sends, return_exceptions=True)
        return answers, hub

    answers, hub = run_async(burst())

    per_phone = [answers[i : i + 5] for i in range(0, len(answers), 5)]
    accepted_seqs = []
    for first, second, third, fourth, resend in per_phone:
        assert all(isinstance(a, Accepted) for a in (first, second, third, resend))
        assert isinstance(fourth, Refused) and fourth.code == "too_many"
        assert isinstance(resend, Accepted) and isinstance(first, Accepted)
        assert resend.seq == first.seq, "a resend is answered with the number of the first"
        accepted_seqs += [a.seq for a in (first, second, third) if isinstance(a, Accepted)]
    assert len(set(accepted_seqs)) == 3 * PHONES

    stored = store.commands_after(store.find_workshop(code).id or 0, 0)  # type: ignore[union-attr]
    assert [seq for seq, _ in stored] == list(range(1, PHONES + 1 + 3 * PHONES + 1)), "no gap, no duplicate"
    live_counts = counts(hub.rooms[code].room)
    assert live_counts == {"Tillit": PHONES, "Mot": PHONES, "Glede": PHONES}

    async def reload() -> dict[str, int]:
        _, again = await open_room(cloud_workshop)
        return counts(again.room)

    assert run_async(reload()) == live_counts, "what was answered is what a restarted server finds"


def test_two_processes_writing_bursts_to_one_room_get_one_order(cloud_workshop: Workshop) -> None:
    """Two servers share the database but (here) no bus: each learns of the other's
    writes only when the database refuses a taken number, and then writes again."""

    async def race() -> tuple[list[Accepted | BaseException], dict[str, int], dict[str, int]]:
        hub_a, live_a = await joined_and_started(cloud_workshop)
        hub_b, live_b = await open_room(cloud_workshop)
        sends = []
        for i, pid in enumerate(live_a.room.participants):
            live, hub = (live_a, hub_a) if i % 2 else (live_b, hub_b)
            for n, word in enumerate(["Tillit", "Mot"]):
                action = wordcloud.Submit(exercise="ordsky", word=word)
                sends.append(live.submit(hub.command(action, pid), f"{pid}-{n}"))
        answers = await asyncio.gather(*sends, return_exceptions=True)
        for live in (live_a, live_b):
            await live.resync()
        return answers, counts(live_a.room), counts(live_b.room)

    answers, counts_a, counts_b = run_async(race())
    assert all(isinstance(a, Accepted) for a in answers), answers
    seqs = sorted(a.seq for a in answers if isinstance(a, Accepted))
    assert seqs == list(range(PHONES + 2, PHONES + 2 + 2 * PHONES)), "no gap, no duplicate"
    assert counts_a == counts_b == {"Tillit": PHONES, "Mot": PHONES}


def test_an_action_that_crashes_fails_alone_and_the_rest_of_its_batch_is_stored(
    cloud_workshop: Workshop, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a kind's rules for one word: that word is answered ActionFailed (the
    phone shows internal_error and does not resend it), the other four of its group
    commit are stored and acknowledged, and the log names the room, the actor and the
    action type but never the word."""
    rules = wordcloud.KIND.apply

    def crashes_on_one_word(room: Room, exercise: Any, state: Any, cmd: Command) -> Any:
        if getattr(cmd.action, "word", None) == "Hemmelighet":
            raise KeyError("Hemmelighet")  # an exception that carries what the person wrote
        return rules(room, exercise, state, cmd)

    monkeypatch.setitem(
        KIND_BY_ACTION, "wordcloud_submit", replace(wordcloud.KIND, apply=crashes_on_one_word)
    )
    store = cloud_workshop.store
    writes: list[int] = []

    async def five_words() -> tuple[list[Accepted | BaseException], LiveRoom, Accepted | BaseException]:
        nonlocal writes
        hub, live = await joined_and_started(cloud_workshop)
        writes = counting_writes(monkeypatch, store)
        people = list(live.room.participants)[:5]
        words = ["Tillit", "Mot", "Hemmelighet", "Glede", "Ro"]
        sends = [
            live.submit(hub.command(wordcloud.Submit(exercise="ordsky", word=word), pid), f"{pid}-w")
            for pid, word in zip(people, words, strict=True)
        ]
        answers = await asyncio.gather(*sends, return_exceptions=True)
        again = wordcloud.Submit(exercise="ordsky", word="Hemmelighet")  # resent with its id
        resend = await asyncio.gather(
            live.submit(hub.command(again, people[2]), f"{people[2]}-w"), return_exceptions=True
        )
        return answers, live, resend[0]

    with caplog.at_level(logging.ERROR, logger="app.realtime.writer"):
        answers, live, resend = run_async(five_words())

    assert writes == [4], "the five arrived together; the four good ones were stored in one write"
    good = [a for i, a in enumerate(answers) if i != 2]
    assert all(isinstance(a, Accepted) for a in good), answers
    assert isinstance(answers[2], ActionFailed)
    assert isinstance(resend, ActionFailed), "a resend fails the same way, and stores nothing"
    assert counts(live.room) == {"Tillit": 1, "Mot": 1, "Glede": 1, "Ro": 1}
    workshop_id = store.find_workshop(cloud_workshop.code).id  # type: ignore[union-attr]
    stored = [cmd.action for _, cmd in store.commands_after(workshop_id or 0, 0)]
    stored_words = sorted(a.word for a in stored if isinstance(a, wordcloud.Submit))
    assert stored_words == ["Glede", "Mot", "Ro", "Tillit"]
    logged = [r.getMessage() for r in caplog.records if r.name == "app.realtime.writer"]
    assert len(logged) == 2, logged
    bad = list(live.room.participants)[2]
    for line in logged:
        assert cloud_workshop.code in line and bad in line
        assert "wordcloud_submit" in line and "KeyError" in line
        assert "Hemmelighet" not in line
    assert not any("Hemmelighet" in (r.exc_text or "") + r.getMessage() for r in caplog.records)


def test_an_action_is_answered_only_once_it_is_stored(
    cloud_workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = cloud_workshop.store

    async def scenario() -> None:
        hub, live = await joined_and_started(cloud_workshop)
        may_store = slow_database(monkeypatch, store)
        pid = next(iter(live.room.participants))
        answer = asyncio.ensure_future(
            live.submit(hub.command(wordcloud.Submit(exercise="ordsky", word="Tillit"), pid), "w1")
        )
        await asyncio.sleep(0.5)
        assert not answer.done(), "no answer before the database took it"
        may_store.set()
        accepted = await asyncio.wait_for(answer, 5)
        assert [seq for seq, _ in store.commands_after(live.workshop_id, accepted.seq - 1)] == [accepted.seq]

    run_async(scenario())


def test_a_burst_larger_than_a_batch_is_written_in_parts_each_answered_in_order(
    cloud_workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A burst the size of a big room (here 250 joins at once) is stored in batches of at
    most BATCH_LIMIT, so that the event loop runs between them: at 5,000 phones one batch
    of every waiting word held the loop for seconds (applied, then told and answered, all
    without a break), no pong went out, and phones gave up and reconnected."""
    from app.realtime.writer import BATCH_LIMIT

    batches = counting_writes(monkeypatch, cloud_workshop.store)
    people = 2 * BATCH_LIMIT + 50

    async def burst() -> list[Accepted | BaseException]:
        hub, live = await open_room(cloud_workshop)
        joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(people)]
        return await asyncio.gather(
            *(live.submit(hub.command(join, SYSTEM)) for join in joins), return_exceptions=True
        )

    answers = run_async(burst())
    assert all(isinstance(a, Accepted) for a in answers)
    seqs = [a.seq for a in answers if isinstance(a, Accepted)]
    assert seqs == list(range(1, people + 1)), "answered in the order sent, no gap"
    assert sum(batches) == people and max(batches) <= BATCH_LIMIT and len(batches) >= 3, batches


def test_a_batch_of_joins_finds_each_ones_groups_without_a_scan_and_every_phone_sees_its_group(
    cloud_workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Everyone scans the QR code in the same minute: the joins that arrive while the room
    writes are applied one after the other, stored together, then told. Telling each one
    (its newcomer's group mates get their new group card) must find that step's groups as
    applying it did, not by reading every participant again: one scan a join is O(n) per
    join, at the moment the server has the least CPU to spare. The group cards are the
    ones a scan of the room would give."""
    early, late = 12, 40  # late: one batch, more joins than the room's groups are kept for
    batches: list[int] = []

    async def scenario() -> tuple[Room, dict[str, FakeScreen], dict[str, int]]:
        nonlocal batches
        hub, live = await open_room(cloud_workshop)
        for i in range(early):
            await live.submit(hub.command(Join(name=f"P{i}", token_hash=digest(f"token-{i}")), SYSTEM))
        await live.submit(hub.command(FormGroups(mode="size", value=4), FACILITATOR))
        phones = {pid: FakeScreen(participant=pid) for pid in live.room.participants}
        for screen in (FakeScreen(role="facilitator"), *phones.values()):
            live.fanout.attach(screen, None)  # type: ignore[arg-type]
        batches = counting_writes(monkeypatch, cloud_workshop.store)
        scans = counting(monkeypatch)
        joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(early, early + late)]
        await asyncio.gather(*(live.submit(hub.command(join, SYSTEM)) for join in joins))
        return live.room, phones, scans

    room, phones, scans = run_async(scenario())
    assert batches == [late], "the joins were stored in one batch"
    assert scans["network"] + scans["index"] <= 1, f"{scans} for a batch of {late} joins"
    assert len(room.participants) == early + late
    for pid, screen in phones.items():
        cards = [f["state"]["me"] for f in screen.of_type("snapshot")]
        cards += [f["patch"]["me"] for f in screen.of_type("event") if "me" in f["patch"]]
        group = room.participants[pid].group
        mates = {p.id for p in room.participants.values() if p.group == group}
        assert cards[-1]["group"] == group
        assert {m["id"] for m in cards[-1]["members"]} == mates, pid
    assert len({p.group for p in room.participants.values()}) == 3, "the latecomers filled the groups"


@pytest.fixture
def sqlite_workshop(tmp_path: Path) -> Iterator[Workshop]:
    """A word-cloud workshop in SQLite, the embedded default, without snapshots (their
    writes would checkpoint the WAL in their own thread)."""
    yield from word_cloud_in(f"sqlite:///{tmp_path / 'samling.db'}", tmp_path, snapshot_every=1_000_000)


def test_while_another_connection_holds_sqlites_write_lock_an_action_waits_off_the_loop(
    sqlite_workshop: Workshop, tmp_path: Path
) -> None:
    """SQLite's actions are stored on the event loop when nothing can make them wait. When
    another connection writes (a snapshot, another room, the purge, an account), the action
    waits in a worker thread: the loop goes on serving everyone else meanwhile, and the
    action is stored and acknowledged once the lock is free."""

    async def scenario() -> None:
        hub, live = await joined_and_started(sqlite_workshop)
        pid = next(iter(live.room.participants))
        other = sqlite3.connect(tmp_path / "samling.db", isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        try:
            word = wordcloud.Submit(exercise="ordsky", word="Tillit")
            answer = asyncio.ensure_future(live.submit(hub.command(word, pid), "w1"))
            turns = 0
            while turns < 20 and not answer.done():  # the loop turns: this coroutine runs
                await asyncio.sleep(0.01)
                turns += 1
            assert turns == 20 and not answer.done(), "the loop went on; the action waits for the lock"
        finally:
            other.rollback()
            other.close()
        accepted = await asyncio.wait_for(answer, 10)
        assert counts(live.room) == {"Tillit": 1}
        stored = sqlite_workshop.store.commands_after(live.workshop_id, 0)
        assert stored[-1][0] == accepted.seq

    run_async(scenario())


def test_the_wal_is_checkpointed_while_actions_are_stored_on_the_loop(sqlite_workshop: Workshop) -> None:
    """The loop's connection never checkpoints (a checkpoint syncs the database to disk):
    the WAL is still copied back into the database as it grows, and stays bounded."""
    database = Path(str(sqlite_workshop.store.engine.url.database))
    wal = database.with_name(database.name + "-wal")

    async def scenario() -> None:
        hub, live = await open_room(sqlite_workshop)
        for i in range(JOINS):
            await live.submit(hub.command(Join(name=f"P{i}", token_hash=digest(f"token-{i}")), SYSTEM))

    run_async(scenario())
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM command").fetchone() == (JOINS,)
    assert wal.stat().st_size < WAL_BOUND, f"{wal.stat().st_size} bytes"


JOINS = 1500
WAL_BOUND = 8 << 20  # SQLite checkpoints at 1,000 pages of 4 KB; without, 1,500 joins write far more


def test_the_loop_runs_between_the_batches_of_a_burst_stored_on_the_loop(
    sqlite_workshop: Workshop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch stored on the loop gives it no break for a database write: between two
    batches of a burst the room still lets the other coroutines (the screens' pongs and
    frames) run, or a burst of 5,000 words would hold the loop for all of it."""
    from app.realtime.writer import BATCH_LIMIT

    store = sqlite_workshop.store
    turns = 0
    seen: list[int] = []  # the other coroutine's turns when each batch is stored
    at_once = store.append_at_once

    def noted(workshop_id: int, commands: Any, *args: Any) -> bool:
        seen.append(turns)
        return at_once(workshop_id, commands, *args)

    monkeypatch.setattr(store, "append_at_once", noted)

    async def burst() -> None:
        nonlocal turns
        hub, live = await open_room(sqlite_workshop)
        joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(3 * BATCH_LIMIT)]
        answers = asyncio.gather(*(live.submit(hub.command(join, SYSTEM)) for join in joins))
        while not answers.done():
            await asyncio.sleep(0)
            turns += 1
        assert all(isinstance(a, Accepted) for a in answers.result())

    run_async(burst())
    assert len(seen) == 3 and seen[0] < seen[1] < seen[2], seen
