"""A facilitator, the projector and three phones run an IGP exercise in real Chromium.

Timers are shortened by the server's time scale (0.05: a 3-minute phase lasts 9 s), so
the whole exercise, a reload and a server restart fit in a test.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.browser.rooms import create_workshop
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

SCREENSHOTS = os.environ.get("SAMLING_SCREENSHOTS")  # folder to save the README's pictures in


def countdown_seconds(page: Page) -> int:
    text = page.locator("#countdown").inner_text().strip()
    match = re.fullmatch(r"(\d+):(\d\d)", text)
    assert match, f"no countdown on {page.url}: {text!r}"
    return int(match[1]) * 60 + int(match[2])


def assert_countdowns_agree(pages: list[Page], within: int = 1) -> int:
    seconds = [countdown_seconds(page) for page in pages]
    assert max(seconds) - min(seconds) <= within, seconds
    return seconds[0]


def open_room(server: LiveServer, screens: Screens) -> tuple[Page, Page, list[Page]]:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    code = create_workshop(facilitator, server, "Prøvedag")
    projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
    projector_link = facilitator.get_by_role("link", name="Åpne projektorvisning")
    projector.goto(server.url + str(projector_link.get_attribute("href")))
    expect(projector.locator("#room-code")).to_have_text(code)
    phones = []
    for name in ("Kari", "Ola", "Per"):
        phone = screens.open(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        expect(phone.get_by_label("Romkode")).to_have_value(code)
        phone.get_by_label("Fornavn").fill(name)
        phone.get_by_role("button", name="Bli med").click()
        expect(phone.locator("#me-name")).to_have_text(name)
        phones.append(phone)
    expect(projector.locator("#joined")).to_have_text("3 med")
    return facilitator, projector, phones


def test_an_igp_exercise_runs_on_every_screen_through_reloads_and_a_restart(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(server, screens)
    kari, ola, _ = phones
    everyone = [facilitator, projector, *phones]

    # Groups: two network groups of people who joined; every phone shows its group.
    facilitator.get_by_label("Lag grupper").select_option("count")
    facilitator.get_by_label("Antall").fill("2")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"Gruppe [12]"))
    expect(facilitator.locator("#people tr")).to_have_count(3)

    # The projector shows the agenda before the day starts, and the exercise once started.
    expect(projector.locator("#agenda li").first).to_contain_text("08:30")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for page in everyone:
        expect(page.locator("#phase-label")).to_contain_text(re.compile("Individuelt", re.IGNORECASE))
        expect(page.locator("#exercise-title")).to_have_text("Refleksjon")
    assert 5 <= assert_countdowns_agree(everyone) <= 9

    # Private notes are saved as they are typed, and come back after a reload.
    kari.get_by_label("Notatene dine").fill("Tillit <b>og</b> tid")
    expect(kari.locator("#note-status")).to_have_text("Lagret")
    expect(ola.locator("#notes-card")).to_be_visible()
    expect(ola.get_by_label("Notatene dine")).to_have_value("")
    kari.reload()
    expect(kari.locator("#me-name")).to_have_text("Kari")
    expect(kari.get_by_label("Notatene dine")).to_have_value("Tillit <b>og</b> tid")
    expect(facilitator.locator("#people tr")).to_have_count(3)  # the same person, no new join
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        projector.screenshot(path=f"{SCREENSHOTS}/projector.png")
        kari.screenshot(path=f"{SCREENSHOTS}/phone.png")

    # G-phase: the round robin shows whose turn it is, and "Ferdig" passes it on.
    facilitator.get_by_role("button", name="Neste fase").click()
    for page in everyone:
        expect(page.locator("#phase-label")).to_contain_text(re.compile("Gruppe", re.IGNORECASE))
    expect(kari.locator("#notes-text")).to_have_text("Tillit <b>og</b> tid")
    speakers = [p for p in phones if p.locator("#turn-now").inner_text().startswith("Din tur")]
    assert len(speakers) == 2  # one per group
    in_pair = next(p for p in speakers if p.locator("#turn-order li").count() == 2)
    partner = next(p for p in phones if p is not in_pair and p.locator("#turn-order li").count() == 2)
    expect(partner.locator("#turn-now")).to_contain_text("har ordet")
    in_pair.get_by_role("button", name="Ferdig").click()
    expect(partner.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    expect(in_pair.locator("#turn-now")).to_contain_text("har ordet")

    # Pause and resume: every screen stops at the same second and goes on together.
    facilitator.get_by_role("button", name="Pause").click()
    for page in everyone:
        expect(page.locator("#timer-status")).to_have_text("Pause")
    assert_countdowns_agree(everyone)
    facilitator.get_by_role("button", name="Fortsett").click()
    for page in everyone:
        expect(page.locator("#timer-status")).to_have_text("")

    # The server dies mid-phase and comes back: every screen reconnects by itself and
    # shows the right remaining time (the deadline kept running while it was down).
    before = assert_countdowns_agree(everyone)
    killed_at = time.monotonic()
    server.kill()
    expect(kari.locator("#connection")).to_be_visible()
    expect(kari.locator("#connection")).to_contain_text("Frakoblet")
    server.start()
    for page in everyone:
        expect(page.locator("#connection")).to_be_hidden(timeout=15_000)
    expected = before - (time.monotonic() - killed_at)
    now = assert_countdowns_agree(everyone)
    assert abs(now - expected) <= 1.5, (now, expected)
    expect(kari.locator("#notes-text")).to_have_text("Tillit <b>og</b> tid")
    expect(facilitator.locator("#people tr")).to_have_count(3)

    # P-phase runs out: "time is up" on every screen.
    facilitator.get_by_role("button", name="Neste fase").click()
    for page in everyone:
        expect(page.locator("#phase-label")).to_contain_text(re.compile("Plenum", re.IGNORECASE))
    for page in everyone:
        expect(page.locator("#timer-status")).to_have_text("Tiden er ute", timeout=15_000)
    # The browser logs the refused reconnects while the server was down; nothing else.
    assert [e for e in screens.errors if "ERR_CONNECTION_REFUSED" not in e] == []


def test_a_duo_gets_the_half_time_signal_and_its_own_pairs(server: LiveServer, screens: Screens) -> None:
    facilitator, projector, phones = open_room(server, screens)
    facilitator.get_by_role("button", name="Gå til Duoer").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"Duo [1-2]"))
    facilitator.get_by_role("button", name="Start", exact=True).click()
    # 7 minutes at a time scale of 0.05 is 21 s: half time comes after 10.5 s.
    for page in (projector, *phones):
        expect(page.locator("#signal")).to_have_text("Halvveis – bytt på hvem som snakker", timeout=20_000)
    assert screens.errors == []


def test_names_with_markup_stay_text_on_every_screen(server: LiveServer, screens: Screens) -> None:
    facilitator, projector, _ = open_room(server, screens)
    sneaky = screens.open(**PHONE).new_page()
    code = facilitator.url.split("/")[-2]
    sneaky.goto(f"{server.url}/j/{code}")
    sneaky.get_by_label("Fornavn").fill('<img src=x onerror="window.hacked=1">')
    sneaky.get_by_role("button", name="Bli med").click()
    expect(sneaky.locator("#me-name")).to_have_text('<img src=x onerror="window.hacked=1">')
    expect(facilitator.locator("#people")).to_contain_text("<img src=x")
    for page in (facilitator, projector, sneaky):
        assert page.evaluate("window.hacked") is None
        assert page.locator("img[src=x]").count() == 0
