"""A phone's Wi-Fi is gone for 5 seconds while the person sends a word, a comment and
edits a note, in real Chromium: the phone reaches the server through a TCP proxy that
the test cuts silently (open connections go dead without a close, new ones are refused),
so only the client's own deadline can tell. Back online, everything arrives exactly once
on the projector, in the results and in the database, and the badge clears."""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.rooms import create_workshop, join, open_projector
from tests.liveserver import LiveServer, programs_folder
from tests.phoneclient import POLICY  # the browser's numbers (app/static/js/lib/policy.js)
from tests.tcpproxy import CuttableProxy

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Nettbrudd"
[[exercises]]
id = "innspill"
title = "Innspill"
grouping = "none"
[exercises.wordcloud]
max_words = 3
[exercises.comments]
max_per_person = 3
[[exercises.phases]]
kind = "I"
minutes = 30
instruction = "Skriv notater, send ord og kommentarer"
[[exercises.phases]]
kind = "G"
minutes = 30
"""

CUT_SECONDS = 5.0


@pytest.fixture
def phone_behind_proxy(tmp_path: Path) -> Iterator[tuple[LiveServer, CuttableProxy]]:
    with LiveServer(tmp_path, programs_folder(tmp_path, {"nettbrudd.toml": PROGRAM})) as live:
        proxy = CuttableProxy("127.0.0.1", live.port)
        proxy.start()
        yield live, proxy
        proxy.stop()


def stored_actions(server: LiveServer) -> list[dict[str, Any]]:
    """Every action the server stored, from its SQLite database."""
    path = server.env["SAMLING_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        bodies = [json.loads(body) for (body,) in db.execute("SELECT body FROM command ORDER BY seq")]
    return [body["action"] for body in bodies if isinstance(body.get("action"), dict)]


def open_workshop(server: LiveServer, proxy: CuttableProxy, screens: Screens) -> tuple[Page, Page, Page]:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    code = create_workshop(facilitator, server, "Nettbrudd")
    projector = open_projector(server, screens, facilitator)
    phone = join(screens, f"http://127.0.0.1:{proxy.port}", code, "Kari")  # every byte through the proxy
    expect(projector.locator("#joined")).to_have_text("1 med")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(phone.get_by_label("Ditt ord")).to_be_visible()
    return facilitator, projector, phone


def test_what_is_sent_while_the_network_is_gone_arrives_once_when_it_is_back(
    phone_behind_proxy: tuple[LiveServer, CuttableProxy], screens: Screens
) -> None:
    server, proxy = phone_behind_proxy
    facilitator, projector, phone = open_workshop(server, proxy, screens)
    badge = phone.locator("#connection")
    cloud = phone.locator(".kind-wordcloud")
    comments = phone.locator(".kind-comments")
    note = phone.get_by_label("Notatene dine")
    note.fill("Før bruddet")
    expect(phone.locator("#note-status")).to_have_text("Lagret")
    expect(badge).to_be_hidden()

    proxy.cut(silent=True)
    cut_at = time.monotonic()
    phone.get_by_label("Ditt ord").fill("Tillit")
    cloud.get_by_role("button", name="Send").click()
    sent_at = time.monotonic()
    phone.get_by_label("Din kommentar").fill("Sendt i bruddet")
    comments.get_by_role("button", name="Send").click()
    note.fill("Skrevet i bruddet")
    note.blur()  # saved at once, not after the typing pause

    # Nothing tells the browser the connection is dead: its own deadline does, within
    # the cut, and each thing shows it is not sent yet, next to it and in words.
    expect(badge).to_have_text("Frakoblet – kobler til igjen …", timeout=CUT_SECONDS * 1000)
    assert time.monotonic() - sent_at < POLICY["pongTimeoutMs"] / 1000 + 1.0
    expect(cloud.locator(".wordcloud-mine li")).to_have_text(["Tillit – ikke sendt ennå"])
    expect(cloud.get_by_role("status")).to_have_text("Ikke sendt ennå – sendes når nettet er tilbake.")
    expect(comments.locator(".comment-list.mine li")).to_have_text(["Sendt i bruddet – ikke sendt ennå"])
    expect(comments.get_by_role("status")).to_have_text("Ikke sendt ennå – sendes når nettet er tilbake.")
    expect(phone.locator("#note-status")).to_have_text("Ikke lagret ennå – sendes når nettet er tilbake.")
    expect(projector.locator(".comment-wall li")).to_have_count(0)
    expect(projector.locator(".wordcloud-top li")).to_have_count(0)
    assert proxy.dropped >= 1  # the phone's open connection went silent, it was not closed

    time.sleep(max(0.0, CUT_SECONDS - (time.monotonic() - cut_at)))  # 5 s, or as the checks took
    proxy.mend()

    # Back: the badge clears, each thing says it is sent, and the screens have it once.
    expect(badge).to_be_hidden(timeout=10_000)
    expect(cloud.get_by_role("status")).to_have_text("Sendt!")
    expect(comments.get_by_role("status")).to_have_text("Takk! Kommentaren er sendt.")
    expect(phone.locator("#note-status")).to_have_text("Lagret")
    expect(cloud.get_by_label("Endre «Tillit»")).to_have_value("Tillit")
    expect(cloud.locator(".send-pending")).to_have_count(0)
    expect(comments.locator(".comment-list.mine li")).to_have_text(["Sendt i bruddet"])
    expect(projector.locator(".comment-wall li")).to_have_text(["Sendt i bruddet"])
    expect(projector.locator(".wordcloud-top li")).to_have_text(["Tillit 1"])
    expect(projector.locator(".kind-wordcloud")).to_contain_text("1 ord fra 1 person")

    results = facilitator.request.get(facilitator.url + "/results.json").json()
    exercise = results["exercises"][0]
    assert [c["text"] for c in exercise["comments"]["comments"]] == ["Sendt i bruddet"]
    assert [(w["text"], w["count"]) for w in exercise["wordcloud"]["words"]] == [("Tillit", 1)]
    page = screens.open().new_page()
    page.goto(facilitator.url + "/results")
    expect(page.locator(".kind-comments li")).to_have_text(["Sendt i bruddet"])

    actions = stored_actions(server)
    kinds = Counter(a["type"] for a in actions)
    assert kinds["wordcloud_submit"] == 1
    assert kinds["comment_add"] == 1
    notes = [a["text"] for a in actions if a["type"] == "save_note"]
    assert notes[-1] == "Skrevet i bruddet"
    assert notes.count("Skrevet i bruddet") == 1

    # The note is the one kept: in the next phase it comes back to the phone from the server.
    facilitator.get_by_role("button", name="Neste fase").click()
    expect(phone.locator("#notes-text")).to_have_text("Skrevet i bruddet")
    expect(badge).to_be_hidden()
    # The browser itself logs the reconnects the proxy refused; nothing else went wrong.
    assert [e for e in screens.errors if "WebSocket connection to" not in e] == []
