"""Closing comments on phones, the projector and the facilitator page, and the day's
results page that collects them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Screens
from tests.browser.test_igp_room import open_room
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_comments_arrive_on_the_projector_can_be_hidden_and_end_up_in_the_results(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(server, screens)
    question = "Hvilke kommentarer har dere til dagens samling?"
    facilitator.get_by_role("button", name=f"Gå til {question}").click()
    kari, ola, _ = phones
    kari.get_by_label("Din kommentar").fill("Nyttig dag <script>window.hacked=1</script>")
    kari.get_by_role("button", name="Send").click()
    expect(kari.get_by_role("status").filter(has_text="sendt")).to_be_visible()
    ola.get_by_label("Din kommentar").fill("For lite pause")
    ola.keyboard.press("Tab")
    ola.keyboard.press("Enter")  # the send button works from the keyboard too
    wall = projector.locator(".comment-wall li")
    expect(wall).to_have_count(2)
    expect(wall.first).to_have_text("For lite pause")  # newest first
    expect(wall.nth(1)).to_have_text("Nyttig dag <script>window.hacked=1</script>")

    facilitator.get_by_role("button", name="Skjul kommentar 2").click()
    expect(wall).to_have_count(1)
    expect(projector.locator(".kind-comments")).not_to_contain_text("For lite pause")
    expect(ola.locator(".comment-list.mine")).to_contain_text("skjult")

    results = screens.open().new_page()
    results.goto(facilitator.url + "/results")
    expect(results.get_by_role("heading", name=question)).to_be_visible()
    expect(results.locator(".kind-comments")).to_contain_text("Nyttig dag <script>")
    expect(results.locator(".kind-comments")).not_to_contain_text("For lite pause")
    for page in (projector, facilitator, results):
        assert page.evaluate("window.hacked") is None
    assert screens.errors == []
