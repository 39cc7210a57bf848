"""PostgreSQL unreachable for a while under a live room, seen from the browsers: a phone
is told its comment is not saved yet, keeps it, and it arrives once the database is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Screens
from tests.browser.test_igp_room import open_room
from tests.liveserver import LiveServer, programs_folder
from tests.roomkit import DEMO_PROGRAM
from tests.tcpproxy import CuttableProxy

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def server_on_cuttable_postgres(
    tmp_path: Path, postgres_behind_proxy: tuple[str, CuttableProxy]
) -> Iterator[tuple[LiveServer, CuttableProxy]]:
    database_url, proxy = postgres_behind_proxy
    programs = programs_folder(tmp_path, {"demo.toml": DEMO_PROGRAM})
    with LiveServer(tmp_path, programs, time_scale="0.05", database_url=database_url) as live:
        yield live, proxy


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
