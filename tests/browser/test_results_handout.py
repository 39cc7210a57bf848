"""The day's results as a handout: the Seljord day with 60 people (12 groups) printed by
Chromium to an A4 PDF (page.pdf). No diamond and no group's card is cut by a page (each
one's whole text is on one page of the PDF), the word cloud's picture is printed once,
rotating roles show every round, the paper is white to the end, and nothing says
«null»."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pypdf
import pytest

from tests.browser.conftest import Screens
from tests.browser.crowd import Crowd, day_server
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(600)]

CARDS = ".diamond-card, .roles-card, .lists-group, .gallery-card"


@pytest.fixture
def seljord(tmp_path: Path) -> Iterator[LiveServer]:
    with day_server(tmp_path, ["seljord-samling-2.toml"]) as server:
        yield server


def squeezed(text: str) -> str:
    """Text without its spaces and line breaks: where the PDF's lines break is the page's."""
    return re.sub(r"\s+", "", text)


def test_the_results_print_as_a_handout(seljord: LiveServer, screens: Screens) -> None:
    crowd = Crowd(seljord, "seljord-samling-2.toml", 60)
    try:
        crowd.act({"type": "form_groups", "mode": "size", "value": 5})
        for item in crowd.state()["agenda"]:
            crowd.act({"type": "goto_exercise", "index": item["index"]})
            crowd.act({"type": "start"})
            for phase in range(len(item["phases"])):
                if phase:
                    crowd.act({"type": "next_phase"})
                crowd.fill()
        # A list exercise whose lists were never gathered is on the results too.
        crowd.act({"type": "goto_exercise", "index": len(crowd.state()["agenda"])})
    finally:
        crowd.stop()

    page = screens.open(viewport={"width": 1200, "height": 900}).new_page()
    page.goto(seljord.url + crowd.facilitator_path + "/results")
    page.locator(".wordcloud-picture").first.wait_for()
    page.emulate_media(media="print")
    text = page.locator("main").inner_text()
    assert "null" not in text and "undefined" not in text
    assert "Dagens resultater · 14. juni 2023" in text  # the day's date as Norwegian writes it
    # Every round of the feedback trios' rotating roles, not only the last.
    for number in (1, 2, 3):
        assert f"Runde {number} av 3" in text
    # The word cloud once: the diamonds' input is not printed again.
    pictures = page.locator("img:visible")
    assert pictures.count() == 1
    # White paper: no page background shows past the end of the results.
    for what in ("document.documentElement", "document.body"):
        colour = page.evaluate(f"getComputedStyle({what}).backgroundColor")
        assert colour in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (what, colour)
    cards = [squeezed(t) for t in page.locator(CARDS).all_inner_texts()]
    assert len([c for c in cards if "Ferdig" in c]) == 12  # the twelve groups' diamonds

    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    pages = [squeezed(p.extract_text()) for p in pdf.pages]
    assert len(pages) > 3
    split = [card[:60] for card in cards if not any(card in p for p in pages)]
    assert split == [], f"{len(split)} of {len(cards)} cards cut by a page: {split[:5]}"
    assert screens.errors == []
