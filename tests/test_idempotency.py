"""A resent action is answered with its first number, whatever the room's state now.

A phone resends every action it has no answer for after each welcome, with the same id.
When the first copy was stored but its answer was lost (the server was killed between
the two), the resend must be recognised before it is applied again: applied to the room
as it is now, the last word a person may send is one too many, and a second pause finds
the timer paused. The server's memory is gone after a restart, so it asks the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bus.memory import MemoryBus
from app.core.actions import Join, Pause, Start
from app.core.kinds import wordcloud
from app.core.room import FACILITATOR, SYSTEM, Refused
from app.realtime.hub import Accepted, Hub, LiveRoom
from app.settings import Settings
from app.storage.store import Store
from app.workshops import create_workshop, digest
from tests.phoneclient import run_async
from tests.roomkit import CLOUD_PROGRAM


@pytest.fixture
def workshop(database_url: str, tmp_path: Path) -> Iterator[tuple[Settings, Store, str]]:
    programs = tmp_path / "cloud-programs"
    programs.mkdir()
    (programs / "ordsky.toml").write_text(CLOUD_PROGRAM, encoding="utf-8")  # max_words = 3
    settings = Settings(database_url=database_url, programs_dir=programs)
    store = Store(database_url)
    yield settings, store, create_workshop(store, settings, "ordsky.toml").code
    store.close()


async def server(settings: Settings, store: Store, code: str) -> tuple[Hub, LiveRoom]:
    """A new server process: nothing in memory, the room loaded from the database."""
    hub = Hub(settings, store, MemoryBus())
    live = await hub.get(code)
    assert live is not None
    return hub, live


def word(text: str) -> wordcloud.Submit:
    return wordcloud.Submit(exercise="ordsky", word=text)


async def attempt(hub: Hub, live: LiveRoom, action: Any, actor: str, key: str) -> Accepted | BaseException:
    """The answer the screen gets: an acknowledgement, or the refusal."""
    try:
        return await live.submit(hub.command(action, actor), key)
    except Exception as exc:
        return exc


def test_a_last_word_stored_before_a_restart_is_acknowledged_when_resent(
    workshop: tuple[Settings, Store, str],
) -> None:
    async def scenario() -> tuple[list[int], Accepted | BaseException, Accepted | BaseException]:
        hub, live = await server(*workshop)
        await live.submit(hub.command(Join(name="Kari", token_hash=digest("t")), SYSTEM))
        await live.submit(hub.command(Start(), FACILITATOR), "f-1")
        first = [(await live.submit(hub.command(word(w), "p1"), w)).seq for w in ("Mot", "Ro", "Tillit")]
        # Killed before the last answer went out; the phone resends after the restart.
        hub, live = await server(*workshop)
        resent = await attempt(hub, live, word("Tillit"), "p1", "Tillit")
        fourth = await attempt(hub, live, word("Glede"), "p1", "Glede")  # still one too many
        return first, resent, fourth

    first, resent, fourth = run_async(scenario())
    assert isinstance(resent, Accepted), f"the stored word was refused when resent: {resent!r}"
    assert resent.seq == first[-1], "answered with the number it was stored with"
    assert isinstance(fourth, Refused) and fourth.code == "too_many"


def test_a_pause_stored_before_a_restart_is_acknowledged_when_resent(
    workshop: tuple[Settings, Store, str],
) -> None:
    async def scenario() -> tuple[int, Accepted | BaseException, int, int]:
        hub, live = await server(*workshop)
        await live.submit(hub.command(Start(), FACILITATOR), "f-1")
        paused = await live.submit(hub.command(Pause(), FACILITATOR), "f-2")
        hub, live = await server(*workshop)
        resent = await attempt(hub, live, Pause(), FACILITATOR, "f-2")
        stored = await live.submit(hub.command(Start(), FACILITATOR), "f-3")  # the room goes on
        return paused.seq, resent, stored.seq, live.room.seq

    paused, resent, resumed, seq = run_async(scenario())
    assert isinstance(resent, Accepted), f"the stored pause was refused when resent: {resent!r}"
    assert resent.seq == paused
    assert resumed == seq == paused + 1, "nothing was stored twice"


def test_a_resend_the_room_would_accept_again_is_still_stored_once(
    workshop: tuple[Settings, Store, str],
) -> None:
    """A first word resent after a restart would apply again (a second word): the id
    decides, not the rules."""

    async def scenario() -> tuple[int, Accepted | BaseException, int]:
        hub, live = await server(*workshop)
        await live.submit(hub.command(Join(name="Kari", token_hash=digest("t")), SYSTEM))
        await live.submit(hub.command(Start(), FACILITATOR), "f-1")
        first = await live.submit(hub.command(word("Mot"), "p1"), "c-1")
        hub, live = await server(*workshop)
        resent = await attempt(hub, live, word("Mot"), "p1", "c-1")
        state = live.room.kind_state(live.room.program.exercises[0], wordcloud.KIND)
        return first.seq, resent, sum(w.count for w in wordcloud.words(state))

    first, resent, count = run_async(scenario())
    assert isinstance(resent, Accepted) and resent.seq == first
    assert count == 1
