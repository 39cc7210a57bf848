"""The issue's own tryout in real Chromium: the shipped community-of-practice meeting
(exercises/praksisfellesskap-metodemeny.toml, seeds/000) with four phones. The day's
description on every screen, the grouping form at the program's group size, the method
menu switching «Hva har skjedd siden sist» off (the agenda moves up, a jump ahead is not
time gained), «Jeg søker» lasting ca 1 min per person with a round robin that waits for
Start and ends after one round (the facilitator passes on for a speaker who forgot), and
the coaching triad's roles passing on at «nye roller» with each phone cued for its role."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Screens
from tests.browser.crowd import shipped
from tests.browser.rooms import open_room
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = "praksisfellesskap-metodemeny.toml"
NAMES = ("Kari", "Ola", "Per", "Siri")
CUES = {
    "Seg selv": "Fortell hva du gjorde",
    "Leder": "Hjelp å skille vurderinger fra det som skjedde",
    "Observatør": "Lytt og noter",
    "Observatør 2": "Lytt og noter",
}


@pytest.fixture
def community_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, shipped([PROGRAM]))  # real time: the clocks show the program's minutes


def test_the_community_of_practice_meeting_runs_as_the_seed_means_it(
    community_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(community_server, screens, NAMES)
    kari, ola, per, siri = phones
    description = re.compile("^Hva gjør de beste lederne")
    for page in (facilitator, projector):
        expect(page.locator("#day-description")).to_have_text(description)
    expect(kari.locator("#exercise-instruction")).to_have_text(description)
    expect(facilitator.get_by_label("Antall")).to_have_value("5")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()

    # The method menu: «Siden sist» off, and everything after it on the agenda moves up.
    agenda = projector.locator("#agenda")
    expect(agenda.locator("li", has_text="Jeg søker")).to_contain_text("09:58")
    facilitator.get_by_label("Ta med Hva har skjedd siden sist i dagen").uncheck()
    expect(agenda).not_to_contain_text("Hva har skjedd siden sist")
    expect(agenda.locator("li", has_text="Jeg søker")).to_contain_text("09:43")
    # «ca 1 min per pers»: four minutes for a network group of four (planned at five).
    expect(agenda.locator("li", has_text="Jeg søker")).to_contain_text("5 min")

    # Start the day and jump ahead to «Jeg søker»: what was jumped over is not time gained.
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(facilitator.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    facilitator.get_by_role("button", name="Gå til Jeg søker").click()
    expect(facilitator.locator("#exercise-title")).to_have_text("Jeg søker")
    for page in (facilitator, kari):
        expect(page.locator("#countdown")).to_have_text("4:00")
    expect(kari.locator("#turn-now")).to_have_text("Kari begynner når tiden startes.")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    # Ahead by Velkommen's ten minutes only (it ran for seconds), not by the 73 jumped over.
    expect(facilitator.locator("#drift")).to_have_text("10 min foran skjema")
    expect(kari.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    expect(ola.locator("#turn-now")).to_have_text(re.compile(r"^Kari har ordet \([01]:\d\d igjen\)"))
    expect(ola.get_by_role("button", name="Ferdig")).to_be_hidden()
    turns = facilitator.locator("#turns")
    expect(turns).to_contain_text(re.compile(r"Gruppe 1: Kari har ordet \([01]:\d\d igjen\)"))
    for speaker, following in ((kari, ola), (ola, per)):
        speaker.get_by_role("button", name="Ferdig").click()
        expect(following.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    # Per forgets «Ferdig»: the facilitator moves the turn on for the group.
    expect(turns).to_contain_text("Per har ordet")
    facilitator.get_by_role("button", name="Gi ordet videre i Gruppe 1").click()
    expect(siri.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    expect(turns).to_contain_text("Siri har ordet")
    siri.get_by_role("button", name="Ferdig").click()
    expect(turns).to_contain_text("Gruppe 1: Alle har hatt ordet.")
    expect(facilitator.get_by_role("button", name="Gi ordet videre i Gruppe 1")).to_have_count(0)
    for phone in phones:
        expect(phone.locator("#turn-now")).to_have_text("Alle har hatt ordet.")

    # Coaching in triads: four make one triad of four with a second observer; the roles
    # pass on at «Runde 2: samtalen (nye roller)», each phone cued for its own role.
    facilitator.get_by_role("button", name="Gå til Coaching for læring og bevisstgjøring").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    facilitator.get_by_role("button", name="Neste fase").click()  # Runde 1: samtalen
    first: dict[str, str] = {}
    for name, phone in zip(NAMES, phones, strict=True):
        expect(phone.locator(".roles-round")).to_have_text("Runde 1 av 3")
        said = phone.locator(".roles-you-are").inner_text()
        first[name] = next(role for role in sorted(CUES, key=len, reverse=True) if role in said)
        expect(phone.locator(".roles-cue")).to_have_text(CUES[first[name]])
    assert sorted(first.values()) == sorted(CUES)
    facilitator.get_by_role("button", name="Neste fase").click()  # Runde 1: tilbakemelding
    for name, phone in zip(NAMES, phones, strict=True):
        if first[name].startswith("Observatør"):
            expect(phone.locator(".roles-cue")).to_have_text("Gi tilbakemelding til de to")
        else:
            expect(phone.locator(".roles-cue")).to_have_count(0)
    facilitator.get_by_role("button", name="Neste fase").click()  # Runde 2: nye roller
    for name, phone in zip(NAMES, phones, strict=True):
        expect(phone.locator(".roles-round")).to_have_text("Runde 2 av 3")
        expect(phone.locator(".roles-you-are")).not_to_have_text(re.compile(rf"{first[name]}$"))
    expect(facilitator.get_by_role("button", name="Neste runde: bytt roller")).to_have_count(0)
    assert not screens.errors
