"""PostgreSQL unreachable for a while under a live room, seen from the browsers: a phone
is told its comment is not saved yet, keeps it, and it arrives once the database is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import WebSocket, expect

from tests.browser.conftest import Screens
from tests.browser.test_igp_room import open_room
from tests.liveserver import LiveServer, programs_folder
from tests.roomkit import DEMO_PROGRAM
from tests.tcpproxy import CuttableProxy

pytestmark = [pytest.mark.browser, pytest.mark.server]


def _served(
    tmp_path: Path, postgres_behind_proxy: tuple[str, CuttableProxy], **settings: str
) -> Iterator[tuple[LiveServer, CuttableProxy]]:
    """The demo day's server on PostgreSQL behind the proxy, with these settings."""
    database_url, proxy = postgres_behind_proxy
    programs = programs_folder(tmp_path, {"demo.toml": DEMO_PROGRAM})
    with LiveServer(tmp_path, programs, time_scale="0.05", database_url=database_url, **settings) as live:
        yield live, proxy


@pytest.fixture
def server_on_cuttable_postgres(
    tmp_path: Path, postgres_behind_proxy: tuple[str, CuttableProxy]
) -> Iterator[tuple[LiveServer, CuttableProxy]]:
    yield from _served(tmp_path, postgres_behind_proxy)


def test_a_comment_sent_while_the_database_is_away_arrives_when_it_is_back(
    server_on_cuttable_postgres: tuple[LiveServer, CuttableProxy], screens: Screens
) -> None:
    server, proxy = server_on_cuttable_postgres
    facilitator, projector, phones = open_room(server, screens)
    facilitator.get_by_role("button", name="Gå til Hvilke kommentarer har dere til dagens samling?").click()
    kari = phones[0]
    expect(kari.get_by_label("Din kommentar")).to_be_visible()

    proxy.cut()
    kari.get_by_label("Din kommentar").fill("Sendt mens databasen var borte")
    kari.get_by_role("button", name="Send").click()
    badge = kari.locator(".connection-badge")
    expect(badge).to_have_text("Får ikke lagret akkurat nå – prøver igjen …")
    expect(kari.get_by_role("status").filter(has_text="sendt")).to_have_count(0)
    expect(projector.locator(".comment-wall li")).to_have_count(0)

    proxy.mend()
    wall = projector.locator(".comment-wall li")
    expect(wall).to_have_text(["Sendt mens databasen var borte"], timeout=15_000)
    expect(kari.get_by_role("status").filter(has_text="sendt")).to_be_visible()
    expect(badge).to_be_hidden()
    assert screens.errors == []


@pytest.fixture
def server_with_a_short_line(
    tmp_path: Path, postgres_behind_proxy: tuple[str, CuttableProxy]
) -> Iterator[tuple[LiveServer, CuttableProxy]]:
    """A room that stores one action at a time: the next phone's waits in line."""
    yield from _served(tmp_path, postgres_behind_proxy, room_backlog="1")


def test_a_comment_in_the_rooms_line_waits_with_its_connection_and_arrives(
    server_with_a_short_line: tuple[LiveServer, CuttableProxy], screens: Screens
) -> None:
    """The room is behind (here its database takes seconds for a write): Ola's comment waits
    in line behind Kari's, longer than the browser waits for a dead connection's answer.
    Both phones are told so (Kari's while it is being written), keep their connections,
    say nothing of a failure, and show the comments sent once stored; nothing is sent twice."""
    server, proxy = server_with_a_short_line
    facilitator, projector, phones = open_room(server, screens)
    facilitator.get_by_role("button", name="Gå til Hvilke kommentarer har dere til dagens samling?").click()
    kari, ola = phones[0], phones[1]
    expect(ola.get_by_label("Din kommentar")).to_be_visible()
    new_sockets: list[WebSocket] = []

    def watch(socket: WebSocket) -> None:
        new_sockets.append(socket)

    kari.on("websocket", watch)
    ola.on("websocket", watch)

    proxy.hold()
    kari.get_by_label("Din kommentar").fill("Karis kommentar")
    kari.get_by_role("button", name="Send").click()
    ola.wait_for_timeout(300)  # Kari's is being written
    ola.get_by_label("Din kommentar").fill("Olas kommentar i kø")
    ola.get_by_role("button", name="Send").click()
    ola.wait_for_timeout(6_000)  # longer than pongTimeoutMs (4 s)
    for phone in (kari, ola):
        # Neither "reconnecting" nor "could not save":
        expect(phone.locator(".connection-badge")).to_be_hidden()
    assert new_sockets == [], "Kari's and Ola's phones kept their connections"
    expect(projector.locator(".comment-wall li")).to_have_count(0)

    proxy.release()
    wall = projector.locator(".comment-wall li")
    expect(wall).to_have_count(2, timeout=15_000)
    expect(wall.filter(has_text="Olas kommentar i kø")).to_have_count(1)
    for phone in (kari, ola):
        expect(phone.get_by_role("status").filter(has_text="Sendt")).to_be_visible()
    assert new_sockets == []
    assert screens.errors == []
