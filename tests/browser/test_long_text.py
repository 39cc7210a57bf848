"""Long text never breaks a screen: a 40-character name with no space, a 40-character
word, a 60-character list item, a 57-character diamond value and a long comment wrap on
the facilitator's laptop (1366×768), the projector (1920×1080) and a phone (360 px):
nothing is wider than the screen, every control stays on it, and the whole text is
still there to read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Lange ord"
[[exercises]]
id = "alt"
title = "Alt"
[[exercises.phases]]
kind = "G"
minutes = 10
[exercises.wordcloud]
max_length = 40
[exercises.lists]
max_length = 200
[exercises.comments]
[exercises.diamond]
"""

NAME = "Bartholomæusfjellheimsenbergsethmyrvoldd"  # 40 letters, no space
WORD = "Tverrfaglighetssamarbeidsforpliktelsene"  # 39
ITEM = "Kommunedirektørensledergruppesamhandlingsutviklingsprosjekt"  # 60
COMMENT = "Fantastisk" * 30  # 300, no space
VALUE = "Medarbeiderdrevetinnovasjonsogtjenesteutviklingsarbeidet"  # 57


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    programs = tmp_path / "programs"
    programs.mkdir()
    (programs / "lange.toml").write_text(PROGRAM, encoding="utf-8")
    live = LiveServer(tmp_path, programs)
    live.start()
    yield live
    live.stop()


def fits(page: Page) -> None:
    """Nothing wider than the window, and no button or field outside it."""
    width = page.viewport_size["width"]  # type: ignore[index]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
    outside = page.evaluate(
        """(width) => [...document.querySelectorAll('button, input, select, textarea, a')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => el.getBoundingClientRect())
            .filter((r) => r.right > width + 1 || r.left < -1).length""",
        width,
    )
    assert outside == 0, page.url


def test_long_names_words_items_and_comments_wrap_on_every_screen(
    server: LiveServer, screens: Screens
) -> None:
    facilitator = screens.open(viewport={"width": 1366, "height": 768}).new_page()
    facilitator.goto(server.url + "/")
    facilitator.get_by_role("button", name="Lag workshop").click()
    facilitator.wait_for_url(re.compile(r"/f/[A-Z0-9]{6}/"))
    code = facilitator.url.split("/")[-2]
    projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    phones = []
    for i in range(3):
        phone = screens.open(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_label("Fornavn").fill(NAME[: 40 - i] if i else NAME)
        phone.get_by_role("button", name="Bli med").click()
        phones.append(phone)
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    phone = phones[0]
    phone.get_by_label("Ditt ord").fill(WORD)
    phone.locator(".kind-wordcloud").get_by_role("button", name="Send").click()
    phone.get_by_label("Nytt punkt").fill(ITEM)
    phone.locator(".kind-lists").get_by_role("button", name="Legg til").click()
    phone.get_by_label("Din kommentar").fill(COMMENT)
    phone.locator(".kind-comments").get_by_role("button", name="Send").click()
    phone.get_by_label("Ny verdi").fill(VALUE)
    phone.locator(".kind-diamond").get_by_role("button", name="Legg til").click()
    phone.locator(".kind-diamond").get_by_role("button", name=re.compile("^" + VALUE)).click()
    phone.locator(".kind-diamond").get_by_role("button", name=re.compile(r"^Rad 1, plass 1")).click()

    expect(projector.locator(".kind-lists")).to_contain_text(ITEM)
    expect(projector.locator(".kind-comments")).to_contain_text(COMMENT)
    expect(facilitator.locator(".kind-diamond")).to_contain_text(VALUE)
    expect(phone.locator(".kind-diamond")).to_contain_text(VALUE)
    expect(facilitator.locator("#people")).to_contain_text(NAME)
    expect(facilitator.locator(".kind-lists")).to_contain_text(ITEM)
    expect(phone.locator(".lists-mine input").first).to_have_value(ITEM)  # editable, whole
    expect(phone.locator("#group-card")).to_contain_text(NAME[:38])
    # Every participant's rename and remove controls are on the facilitator's screen.
    for name in (NAME, NAME[:39], NAME[:38]):
        remove = facilitator.get_by_role("button", name=f"Fjern {name}", exact=True)
        expect(remove).to_be_visible()
        box = remove.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1366
    for page in (facilitator, projector, *phones):
        fits(page)
    results = screens.open(viewport={"width": 1366, "height": 768}).new_page()
    results.goto(facilitator.url + "/results")
    expect(results.locator("main")).to_contain_text(ITEM)
    fits(results)
    assert screens.errors == []
