"""How a live room stores what phones send: every action answered, stored once, in order.

Actions that arrive while the room is writing are stored together (a group commit);
these tests send many at once, as a burst of phones does, mixed with actions the room
refuses and with resends of the same message, and check what the room, the answers and
the database say afterwards.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from app.bus.memory import MemoryBus
from app.core.actions import Join, Start
from app.core.kinds import wordcloud
from app.core.room import FACILITATOR, SYSTEM, Refused
from app.realtime.hub import Accepted, Hub
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop, digest
from tests.phoneclient import run_async

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

PHONES = 30


def test_a_burst_is_stored_once_in_order_and_every_action_gets_its_own_answer(
    database_url: str, tmp_path: Path
) -> None:
    programs = tmp_path / "cloud-programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    settings = Settings(database_url=database_url, programs_dir=programs, snapshot_every=7)
    store = Store(database_url)
    code = create_workshop(store, settings, "ordsky.toml").code

    async def burst() -> tuple[list[Accepted | BaseException], Hub]:
        hub = Hub(settings, store, MemoryBus())
        live = await hub.get(code)
        assert live is not None
        joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(PHONES)]
        await asyncio.gather(*(live.submit(hub.command(join, SYSTEM)) for join in joins))
        await live.submit(hub.command(Start(), FACILITATOR))
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
    live_room = hub.rooms[code].room
    exercise = live_room.program.exercises[0]
    counts = {w.text: w.count for w in wordcloud.words(live_room.kind_state(exercise, wordcloud.KIND))}
    assert counts == {"Tillit": PHONES, "Mot": PHONES, "Glede": PHONES}

    async def reload() -> dict[str, int]:
        again = await Hub(settings, store, MemoryBus()).get(code)
        assert again is not None
        state = again.room.kind_state(exercise, wordcloud.KIND)
        return {w.text: w.count for w in wordcloud.words(state)}

    assert run_async(reload()) == counts, "what was answered is what a restarted server finds"
    store.close()


def test_two_processes_writing_bursts_to_one_room_get_one_order(database_url: str, tmp_path: Path) -> None:
    """Two servers share the database but (here) no bus: each learns of the other's
    writes only when the database refuses a taken number, and then writes again."""
    programs = tmp_path / "cloud-programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")
    settings = Settings(database_url=database_url, programs_dir=programs)
    store = Store(database_url)
    code = create_workshop(store, settings, "ordsky.toml").code

    async def race() -> tuple[list[Accepted | BaseException], dict[str, int], dict[str, int]]:
        hub_a = Hub(settings, store, MemoryBus())
        live_a = await hub_a.get(code)
        assert live_a is not None
        joins = [Join(name=f"P{i}", token_hash=digest(f"token-{i}")) for i in range(PHONES)]
        await asyncio.gather(*(live_a.submit(hub_a.command(join, SYSTEM)) for join in joins))
        await live_a.submit(hub_a.command(Start(), FACILITATOR))
        hub_b = Hub(settings, store, MemoryBus())
        live_b = await hub_b.get(code)
        assert live_b is not None
        sends = []
        for i, pid in enumerate(live_a.room.participants):
            live, hub = (live_a, hub_a) if i % 2 else (live_b, hub_b)
            for n, word in enumerate(["Tillit", "Mot"]):
                action = wordcloud.Submit(exercise="ordsky", word=word)
                sends.append(live.submit(hub.command(action, pid), f"{pid}-{n}"))
        answers = await asyncio.gather(*sends, return_exceptions=True)
        for live in (live_a, live_b):
            await live.resync()
        exercise = live_a.room.program.exercises[0]
        a, b = (
            {w.text: w.count for w in wordcloud.words(live.room.kind_state(exercise, wordcloud.KIND))}
            for live in (live_a, live_b)
        )
        return answers, a, b

    answers, counts_a, counts_b = run_async(race())
    assert all(isinstance(a, Accepted) for a in answers), answers
    seqs = sorted(a.seq for a in answers if isinstance(a, Accepted))
    assert seqs == list(range(PHONES + 2, PHONES + 2 + 2 * PHONES)), "no gap, no duplicate"
    assert counts_a == counts_b == {"Tillit": PHONES, "Mot": PHONES}
    store.close()
