"""Script and HTML typed into a name, a word, a list item and a comment stay inert text
on every screen: the phones, the projector, the facilitator and the results page."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.rooms import create_workshop, join, open_projector
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Alt på en gang"
[[exercises]]
id = "alt"
title = "Alt"
[[exercises.phases]]
kind = "G"
minutes = 10
[exercises.wordcloud]
[exercises.lists]
[exercises.comments]
"""

ATTACK = "<img src=x onerror=hacked=1>"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"alt.toml": PROGRAM})


def inert(page: Page) -> None:
    assert page.evaluate("window.hacked") is None, page.url
    assert page.locator("img[src=x]").count() == 0, page.url


def test_markup_stays_text_everywhere(server: LiveServer, screens: Screens) -> None:
    facilitator = screens.open().new_page()
    code = create_workshop(facilitator, server)
    projector = open_projector(server, screens, facilitator)
    phone = join(screens, server.url, code, ATTACK[:40])
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()

    phone.get_by_label("Ditt ord").fill("x" + ATTACK)
    phone.locator(".kind-wordcloud").get_by_role("button", name="Send").click()
    phone.get_by_label("Nytt punkt").fill(ATTACK)
    phone.locator(".kind-lists").get_by_role("button", name="Legg til").click()
    phone.get_by_label("Din kommentar").fill(ATTACK)
    phone.locator(".kind-comments").get_by_role("button", name="Send").click()

    expect(projector.locator(".kind-wordcloud")).to_contain_text("img src=x onerror=hacked=1")
    expect(projector.locator(".kind-lists")).to_contain_text(ATTACK)
    expect(projector.locator(".kind-comments")).to_contain_text(ATTACK)
    expect(facilitator.locator("#people")).to_contain_text(ATTACK[:40])
    expect(facilitator.locator(".kind-lists")).to_contain_text(ATTACK)
    results = screens.open().new_page()
    results.goto(facilitator.url + "/results")
    expect(results.locator("main")).to_contain_text(ATTACK)
    for page in (phone, projector, facilitator, results):
        inert(page)
    assert screens.errors == []
