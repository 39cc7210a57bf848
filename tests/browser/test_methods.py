"""Facilitation methods in real Chromium: a round robin that waits for Start and ends after
its round, passing on only by the speaker (or by anyone, after a confirmation); the
method menu on the facilitator's page and every screen's agenda; the grouping form and
the day's description; roles drawn by lot and cued per phase; 25/10 Crowd Sourcing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.rooms import open_room
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Nettverksmøte"
description = "Læring i hverdagen"
start = "09:00"
network_group_size = 3

[[exercises]]
id = "runde"
title = "Siden sist"
[[exercises.phases]]
kind = "G"
minutes = 30
round_robin = { per_person_seconds = 0 }

[[exercises]]
id = "alle"
title = "Jeg søker"
optional = true
[[exercises.phases]]
kind = "G"
minutes = 30
round_robin = { per_person_seconds = 0, anyone_passes = true }

[[exercises]]
id = "mingling"
kind = "break"
title = "Mingling"
optional = true
selected = false
minutes = 15

[[exercises]]
id = "troika"
title = "Troika"
[exercises.roles]
rotate = true
roles = [{ name = "Klient", rule = "closest", value = 40 }]
extra = { name = "Konsulent" }
[[exercises.phases]]
kind = "G"
minutes = 30
role_cues = { Klient = "Legg fram utfordringen", Konsulent = "Lytt" }
[[exercises.phases]]
kind = "G"
minutes = 30
role_cues = { Klient = "Snu ryggen til og lytt", Konsulent = "Drøft utfordringen" }

[[exercises]]
id = "ideer"
title = "Dristige ideer"
grouping = "none"
[exercises.crowdsource]
rounds = 2
[[exercises.phases]]
kind = "I"
minutes = 30
[[exercises.phases]]
kind = "timed"
minutes = 30
[[exercises.phases]]
kind = "timed"
minutes = 30
[[exercises.phases]]
kind = "P"
minutes = 30
"""

NAMES = ("Kari", "Ola", "Per")


@pytest.fixture
def methods_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"metoder.toml": PROGRAM}, time_scale="0.2")


def by_name(phones: list[Page], name: str) -> Page:
    return phones[NAMES.index(name)]


def test_the_round_robin_waits_for_start_only_the_speaker_passes_and_the_round_ends(
    methods_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(methods_server, screens, NAMES)
    kari, ola, per = phones
    # The grouping form suggests the program's group size; the day's description is shown.
    expect(facilitator.get_by_label("Antall")).to_have_value("3")
    expect(projector.locator("#day-description")).to_have_text("Læring i hverdagen")
    expect(kari.locator("#exercise-instruction")).to_have_text("Læring i hverdagen")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Gå til Siden sist").click()

    # Before Start the round robin stands still and nobody can pass.
    expect(kari.locator("#turn-now")).to_have_text("Kari begynner når tiden startes.")
    expect(kari.get_by_role("button", name="Ferdig")).to_be_hidden()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.locator("#turn-now")).to_have_text(re.compile("^Din tur"))

    # A listener cannot skip the speaker: there is no button for it.
    expect(ola.locator("#turn-now")).to_have_text("Kari har ordet")
    expect(ola.get_by_role("button", name="Gi ordet videre")).to_be_hidden()
    for speaker, following in ((kari, ola), (ola, per), (per, None)):
        speaker.get_by_role("button", name="Ferdig").click()
        if following is not None:
            expect(following.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    for phone in phones:  # one full round, then it ends (not Kari again)
        expect(phone.locator("#turn-now")).to_have_text("Alle har hatt ordet.")
        expect(phone.get_by_role("button", name="Ferdig")).to_be_hidden()

    # Where the program lets anyone pass, a listener may, after confirming it.
    facilitator.get_by_role("button", name="Gå til Jeg søker").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(per.locator("#turn-now")).to_have_text("Kari har ordet")
    per.once("dialog", lambda dialog: dialog.dismiss())
    per.get_by_role("button", name="Gi ordet videre").click()
    expect(kari.locator("#turn-now")).to_have_text(re.compile("^Din tur"))  # dismissed: nothing happened
    messages: list[str] = []

    def accept(dialog: object) -> None:
        messages.append(dialog.message)  # type: ignore[attr-defined]
        dialog.accept()  # type: ignore[attr-defined]

    per.once("dialog", accept)
    per.get_by_role("button", name="Gi ordet videre").click()
    expect(ola.locator("#turn-now")).to_have_text(re.compile("^Din tur"))
    assert "Kari" in messages[0]
    assert not screens.errors


def test_the_method_menu_switches_moves_and_takes_exercises_next_on_every_agenda(
    methods_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(methods_server, screens, NAMES)
    kari = phones[0]
    agenda = facilitator.locator("#agenda")
    # Mingling is in the menu but switched off: not on the phones' or the projector's agenda.
    expect(agenda.locator("li", has_text="Mingling")).to_contain_text("valgt bort")
    expect(projector.locator("#agenda")).not_to_contain_text("Mingling")
    expect(kari.locator("#agenda")).not_to_contain_text("Mingling")
    expect(projector.locator("#agenda li", has_text="Troika")).to_contain_text("10:00")

    # Switch Jeg søker off: every agenda follows, and the later times move up.
    facilitator.get_by_label("Ta med Jeg søker i dagen").uncheck()
    expect(projector.locator("#agenda")).not_to_contain_text("Jeg søker")
    expect(projector.locator("#agenda li", has_text="Troika")).to_contain_text("09:30")
    expect(kari.locator("#agenda")).not_to_contain_text("Jeg søker")

    # Take Mingling next during the day: it is switched on and comes right after this one.
    facilitator.get_by_role("button", name="Start", exact=True).click()
    # "Right after this one" means after the exercise running: wait until it runs (under
    # load the click came before the start had reached the page, and Mingling went first).
    expect(facilitator.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    facilitator.get_by_role("button", name="Sett Mingling rett etter denne").click()
    expect(agenda.locator("li").nth(1)).to_contain_text("Mingling")
    expect(agenda.locator("li").nth(1)).not_to_contain_text("valgt bort")
    facilitator.get_by_role("button", name="Neste øvelse", exact=True).click()
    expect(facilitator.locator("#exercise-title")).to_have_text("Mingling")
    expect(kari.locator("#exercise-title")).to_have_text("Mingling")
    # What has been run stays as it is: no switch for it any more.
    expect(facilitator.get_by_label("Ta med Siden sist i dagen")).to_have_count(0)
    assert not screens.errors


def test_roles_drawn_by_lot_say_so_and_each_phone_is_cued_for_its_role(
    methods_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(methods_server, screens, NAMES)
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Gå til Troika").click()
    for phone in phones:  # nobody gives an age: the client is drawn by lot
        phone.get_by_role("button", name="Jeg vil ikke svare").click()
    for page in (*phones, projector):
        expect(page.locator(".kind-roles")).to_contain_text("trukket ved loddtrekning")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    client = next(p for p in phones if "Klient" in p.locator(".roles-you-are").inner_text())
    expect(client.locator(".roles-cue")).to_have_text("Legg fram utfordringen")
    consultants = [p for p in phones if p is not client]
    for phone in consultants:
        expect(phone.locator(".roles-you-are")).to_contain_text("Konsulent")
        expect(phone.locator(".roles-cue")).to_have_text("Lytt")
    facilitator.get_by_role("button", name="Neste fase").click()
    expect(client.locator(".roles-cue")).to_have_text("Snu ryggen til og lytt")
    expect(projector.locator(".roles-cues")).to_contain_text("Drøft utfordringen")
    assert not screens.errors


def test_crowd_sourcing_passes_cards_to_others_and_reveals_the_top_counting_down(
    methods_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(methods_server, screens, NAMES)
    facilitator.get_by_role("button", name="Gå til Dristige ideer").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for name, phone in zip(NAMES, phones, strict=True):
        phone.get_by_label("Den dristige idéen din").fill(f"Idé fra {name}")
        phone.get_by_label("Første skritt").fill(f"Steg fra {name}")
        phone.get_by_role("button", name="Lever kortet").click()
        expect(phone.locator(".crowdsource-status")).to_have_text("Kortet ditt er levert.")
    expect(projector.locator(".kind-crowdsource")).to_contain_text("3 kort levert")
    for _round in range(2):
        facilitator.get_by_role("button", name="Neste fase").click()
        for name, phone in zip(NAMES, phones, strict=True):
            card = phone.locator(".crowdsource-card")
            expect(card).to_be_visible()
            expect(card).not_to_contain_text(f"Idé fra {name}")  # never one's own
            phone.get_by_role("button", name="Gi 5 poeng" if name == "Kari" else "Gi 2 poeng").click()
            expect(
                phone.get_by_role("button", name="Gi 5 poeng" if name == "Kari" else "Gi 2 poeng")
            ).to_have_attribute("aria-pressed", "true")
    facilitator.get_by_role("button", name="Neste fase").click()
    facilitator.get_by_role("button", name="Vis neste på topplisten").click()
    expect(projector.locator(".crowdsource-ranking li")).to_have_count(1)
    expect(projector.locator(".crowdsource-ranking li").first).to_contain_text("3.")
    facilitator.get_by_role("button", name="Vis hele topplisten").click()
    expect(projector.locator(".crowdsource-ranking li")).to_have_count(3)
    expect(projector.locator(".crowdsource-ranking li").first).to_contain_text("1.")
    assert not screens.errors
