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
from tests.browser.rooms import create_workshop, join, open_projector
from tests.liveserver import LiveServer, serve

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
    yield from serve(tmp_path, {"lange.toml": PROGRAM})


def fits(page: Page) -> None:
    """Nothing wider than the window, and no button or field outside it."""
    width = page.viewport_size["width"]  # type: ignore[index]
    # + 1: the projector's em sizes may end a line a fraction of a pixel past the edge
    # (1920.02 px), which the page's width rounds up; nothing shows or scrolls for it.
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, page.url
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
    code = create_workshop(facilitator, server)
    projector = open_projector(server, screens, facilitator)
    phones = [join(screens, server.url, code, NAME[: 40 - i] if i else NAME) for i in range(3)]
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


# --- every state of the shipped days, with text as long as the rules allow ------------------

LONG_DAYS = [
    "seljord-samling-2.toml",  # word cloud, diamonds, roles, lists, gallery walk, comments
    "25-10-crowd-sourcing.toml",  # cards
    "world-cafe.toml",  # table hosts by name
]


def _unbroken(stem: str, length: int, count: int) -> list[str]:
    """``count`` different words of ``length`` letters with no space, hyphen or slash."""
    letters = "abcdefghijklmnopqrstuvwxyzæøå"
    body = (stem * (length // len(stem) + 1))[: length - 2]
    return [body + letters[i % 29] + letters[i // 29 % 29] for i in range(count)]


@pytest.fixture(scope="module")
def shipped_days(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from tests.browser.crowd import day_server

    with day_server(tmp_path_factory.mktemp("long"), LONG_DAYS) as server:
        yield server


@pytest.mark.timeout(600)
@pytest.mark.parametrize("program", LONG_DAYS)
def test_every_state_of_a_shipped_day_takes_the_longest_texts(
    shipped_days: LiveServer, screens: Screens, program: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twelve people with 40-letter names, 30-letter words (the word cloud's limit),
    57-letter diamond values, 60-letter list items and cards, 300-letter comments: in
    every phase of the day the facilitator's page (1366×768), the projector (1920×1080)
    and a phone (360 px) are no wider than their screen and keep every control on it."""
    from tests.browser import crowd as people
    from tests.browser.test_projector_fits import settle

    monkeypatch.setattr(people, "NAMES", _unbroken("Bartholomæusfjellheimsenberg", 40, 12))
    monkeypatch.setattr(people, "WORDS", _unbroken("Tverrfaglighetssamarbeid", 30, 15))
    monkeypatch.setattr(people, "VALUES", _unbroken("Medarbeiderdrevetinnovasjon", 57, 9))
    monkeypatch.setattr(people, "ITEMS", _unbroken("Kommunedirektørensledergruppe", 60, 5))
    monkeypatch.setattr(people, "COMMENT", "Fantastisk" * 30)
    room = people.Crowd(shipped_days, program, 12)
    try:
        facilitator = screens.open(viewport={"width": 1366, "height": 768}).new_page()
        facilitator.goto(shipped_days.url + room.facilitator_path)
        projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
        projector.goto(shipped_days.url + str(facilitator.locator("#projector-link").get_attribute("href")))
        phone = screens.open(**PHONE).new_page()
        phone.goto(f"{shipped_days.url}/j/{room.code}")
        phone.get_by_label("Fornavn").fill(NAME)
        phone.get_by_role("button", name="Bli med").click()
        expect(facilitator.locator("#people")).to_contain_text(NAME)
        pages = (facilitator, projector, phone)

        def drawn(seq: int, state: str) -> None:
            """Every screen has drawn the room at ``seq`` (the projector says which it drew;
            the others had the same frames), and fits."""
            settle(projector, seq)
            for page in pages:
                try:
                    fits(page)
                except AssertionError as exc:
                    raise AssertionError(f"{program}, {state}: {exc}") from None

        size = (room.state().get("room") or {}).get("network_group_size") or 5
        drawn(room.act({"type": "form_groups", "mode": "size", "value": size}), "groups")
        for item in room.state()["agenda"]:
            drawn(room.act({"type": "goto_exercise", "index": item["index"]}), f"{item['id']} ready")
            room.act({"type": "start"})
            for phase in range(len(item["phases"])):
                if phase:
                    room.act({"type": "next_phase"})
                drawn(room.fill(), f"{item['id']} phase {phase + 1}")
        assert [e for e in screens.errors if "favicon" not in e] == []
    finally:
        room.stop()
