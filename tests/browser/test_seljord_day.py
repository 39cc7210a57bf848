"""The whole Seljord day from its program file, in real Chromium, with shortened timers:
the projector, the facilitator and six phones in two network groups go through roles by
age and by hair colour, the word cloud, the diamond, the gallery walk with comments and a
return-phase adjustment, vision proposals with dot voting, the closing comments, and the
day's results page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.crowd import shipped
from tests.browser.rooms import create_workshop, join, open_projector
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(300)]

PEOPLE = [("Kari", 38, 2), ("Ola", 52, 5), ("Per", 29, 1), ("Liv", 41, 3), ("Nils", 60, 4), ("Evy", 45, 1)]
VALUES = ["Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvar", "Raushet"]
TRIED = "Ukentlige én-til-én-samtaler med hele teamet"
SLOTS = [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3), (4, 1), (4, 2), (5, 1)]


@pytest.fixture
def seljord(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, shipped(["seljord-samling-2.toml"]), time_scale="0.05")


def goto(facilitator: Page, title: str) -> None:
    facilitator.get_by_role("button", name=f"Gå til {title}").click()
    expect(facilitator.locator("#exercise-title")).to_have_text(title)
    facilitator.get_by_role("button", name="Start", exact=True).click()


def wait_for_picture(page: Page, selector: str = ".wordcloud-picture") -> None:
    """A word cloud's picture has loaded at full size (the CSP forbids wait_for_function)."""
    for _ in range(100):
        if page.evaluate(f"document.querySelector({selector!r}).naturalWidth") == 1920:
            return
        time.sleep(0.1)
    raise AssertionError("the word cloud picture did not load")


def group_of(phone: Page) -> int:
    return int(phone.locator("#group-title").inner_text().split()[-1])


def test_the_whole_seljord_day(seljord: LiveServer, screens: Screens) -> None:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    code = create_workshop(facilitator, seljord, "Seljord kommune")
    projector = open_projector(seljord, screens, facilitator)
    expect(projector.locator("#agenda li")).to_have_count(18)
    expect(projector.locator("#agenda li").first).to_contain_text("08:30")

    phones = {name: join(screens, seljord.url, code, name) for name, _, _ in PEOPLE}
    expect(projector.locator("#joined")).to_have_text("6 med")
    facilitator.get_by_label("Lag grupper").select_option("count")
    facilitator.get_by_label("Antall").fill("2")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    for phone in phones.values():
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"Gruppe [12]"))
    groups = {name: group_of(phone) for name, phone in phones.items()}
    everyone = [facilitator, projector, *phones.values()]

    # Values IGP: the chair is the person closest to 40, the secretary the furthest.
    goto(facilitator, "Hvilke verdier skal kjennetegne god ledelse i Seljord kommune?")
    for name, age, _ in PEOPLE:
        phones[name].get_by_label("Hvor gammel er du?").fill(str(age))
        phones[name].get_by_role("button", name="Lagre").click()
    for group in (1, 2):
        members = [(name, age) for name, age, _ in PEOPLE if groups[name] == group]
        chair = min(members, key=lambda m: abs(m[1] - 40))[0]
        secretary = max(members, key=lambda m: abs(m[1] - 40))[0]
        expect(phones[chair].locator(".roles-you-are")).to_contain_text("Ordstyrer og tidtaker")
        expect(phones[secretary].locator(".roles-you-are")).to_contain_text("Sekretær")
    for page in (projector, facilitator):
        expect(page.locator(".kind-roles")).to_contain_text("Ordstyrer og tidtaker")
        for _, age, _ in PEOPLE:
            expect(page.locator(".kind-roles")).not_to_contain_text(str(age))
    for page in everyone:
        expect(page.locator("#phase-label")).to_contain_text(re.compile("Individuelt", re.IGNORECASE))

    # Word cloud: everyone sends words; the projector counts them and shows the picture.
    goto(facilitator, "Vi lager en ordsky!")
    for index, (name, _, _) in enumerate(PEOPLE):
        for word in (VALUES[index % 3], VALUES[3 + index % 2]):
            phones[name].get_by_label("Hvilke verdier skal kjennetegne god ledelse i Seljord?").fill(word)
            phones[name].get_by_role("button", name="Send").click()
            expect(phones[name].get_by_label(f"Endre «{word}»")).to_have_value(word)
    top = projector.locator(".wordcloud-top li")
    expect(projector.locator(".kind-wordcloud")).to_contain_text("12 ord fra 6 personer")
    expect(top.nth(0)).to_contain_text(re.compile(r"(Tillit|Åpenhet|Respekt|Mot|Omsorg) [23]"))
    picture = projector.locator(".wordcloud-picture")
    expect(picture).to_have_attribute("alt", re.compile("^Ordsky. De største ordene: "))
    wait_for_picture(projector)
    # The whole exercise fits the wall: nobody scrolls a projector.
    assert projector.evaluate("document.querySelector('main').getBoundingClientRect().bottom") <= 1080

    # Diamond: roles by hair colour, then each group fills and ranks its diamond together,
    # picking the word cloud's words and typing in the rest.
    goto(facilitator, "Sorter i «diamant»")
    # "Sett inn ordsky": the projector shows the word cloud as the input to the diamonds.
    expect(projector.locator(".diamond-input figcaption")).to_have_text("Innspill: Vi lager en ordsky!")
    cloud_input = projector.locator(".diamond-input img")
    expect(cloud_input).to_have_attribute("alt", "Ordskyen fra «Vi lager en ordsky!»")
    wait_for_picture(projector, ".diamond-input img")
    for name, _, hair in PEOPLE:
        phones[name].locator(f"label.roles-swatch-{hair}").click()
    for group in (1, 2):
        members = [(name, hair) for name, _, hair in PEOPLE if groups[name] == group]
        darkest = max(members, key=lambda m: m[1])[0]
        expect(phones[darkest].locator(".roles-you-are")).to_contain_text("Ordstyrer og tidtaker")
    for group in (1, 2):
        a, b = [phones[name] for name, _, _ in PEOPLE if groups[name] == group][:2]
        a.get_by_role("button", name="Legg til «Tillit»").click()
        for value in VALUES:
            if value == "Tillit":
                continue
            editor = a if VALUES.index(value) % 2 == 0 else b
            editor.get_by_label("Ny verdi").fill(value)
            editor.locator(".kind-diamond").get_by_role("button", name="Legg til", exact=True).click()
            expect(editor.locator(".kind-diamond")).to_contain_text(value)
        for index, (value, (row, place)) in enumerate(zip(VALUES, SLOTS, strict=True)):
            editor = a if index % 2 == 0 else b
            editor.locator(".kind-diamond").get_by_role("button", name=re.compile(f"^{value}")).first.click()
            editor.get_by_role("button", name=f"Rad {row}, plass {place}: tom").click()
            expect(b.get_by_role("button", name=f"Rad {row}, plass {place}: {value}")).to_be_visible()
        b.get_by_role("button", name="Ferdigstill diamanten").click()
        expect(a.locator(".kind-diamond")).to_contain_text("Diamanten er ferdigstilt.")
    expect(projector.locator(".kind-diamond")).to_contain_text("Samlet rangering")
    expect(projector.locator(".kind-diamond")).to_contain_text("2 av 2 grupper er ferdige")

    # Gallery walk: visitors comment on the other group's diamond; the host sees it.
    goto(facilitator, "Gallerivandring")
    visitors = [
        n
        for n, _, _ in PEOPLE
        if groups[n] == 2 and "Gå til gruppe 1" in phones[n].locator("#kinds").inner_text()
    ]
    assert visitors
    visitor = phones[visitors[0]]
    expect(visitor.locator(".kind-gallery")).to_contain_text("Tillit")
    visitor.get_by_label("Kommentar til gruppe 1").fill("Hvorfor står Mot så høyt?")
    visitor.get_by_role("button", name="Send kommentar").click()
    group_one = [phones[n] for n, _, _ in PEOPLE if groups[n] == 1]
    host = next(p for p in group_one if "vert" in p.locator("#kinds").inner_text().lower())
    expect(host.locator(".kind-gallery")).to_contain_text("Hvorfor står Mot så høyt?")
    # Return: the group reads its comments, swaps two values, and finalises again.
    facilitator.get_by_role("button", name="Neste fase").click()
    a, b = group_one[0], group_one[1]
    expect(b.locator(".kind-gallery")).to_contain_text("Hvorfor står Mot så høyt?")
    a.get_by_role("button", name="Åpne for endringer").click()
    a.get_by_role("button", name="Rad 3, plass 1: Mot").click()
    a.get_by_role("button", name="Rad 1, plass 1: Tillit").click()
    expect(b.get_by_role("button", name="Rad 1, plass 1: Mot")).to_be_visible()
    b.get_by_role("button", name="Ferdigstill diamanten").click()
    expect(a.locator(".kind-gallery")).to_contain_text("Diamanten er ferdigstilt.")

    # Vision: each group agrees on at least 3 proposals; the room votes with dots.
    goto(facilitator, "Vi mobiliserer ideer om ledervisjon")
    facilitator.get_by_role("button", name="Neste fase").click()  # to the G-phase
    proposals = {
        1: ["Sammen for Seljord", "Mot i leiarskap", "Gode med folk"],
        2: ["Best i lag", "sammen for seljord", "Viser vei"],
    }
    for group, texts in proposals.items():
        writer = next(phones[n] for n, _, _ in PEOPLE if groups[n] == group)
        for text in texts:
            writer.get_by_label("Forslag til visjon").fill(text)
            writer.locator(".kind-lists").get_by_role("button", name="Legg til").click()
            expect(writer.get_by_label(f"Endre «{text}»")).to_have_value(text)
        expect(writer.locator(".lists-progress")).to_have_text("3 av minst 3 forslag")
    expect(projector.locator(".lists-group")).to_have_count(2)
    facilitator.get_by_role("button", name="Samle alle i felles liste").click()
    facilitator.get_by_role("button", name="Åpne prikkavstemning").click()
    for name in ("Kari", "Ola", "Per"):
        phones[name].get_by_role("button", name="Gi en prikk til «Sammen for Seljord»").click()
        expect(phones[name].locator(".lists-dots-left")).to_have_text("Du har 2 av 3 prikker igjen.")
    expect(projector.locator(".lists-room li").first).to_contain_text("Sammen for Seljord")
    expect(projector.locator(".lists-room li").first).to_contain_text("3 prikker")

    # The action-learning project: private answers, taken home with «Mine svar».
    goto(facilitator, "Aksjonslæringsprosjekt")
    kari = phones["Kari"].locator(".kind-form")
    kari.get_by_label("a) Hva har du testet ut?").fill(TRIED)
    kari.get_by_label("b) Hva har du lært?").click()  # leaving the field saves it
    expect(phones["Kari"].locator("#form-aksjonslaering-testet-ut-status")).to_have_text("Lagret")
    expect(projector.locator(".kind-form")).to_contain_text("1 av 6 har svart.")
    for page in (projector, facilitator, phones["Ola"]):
        expect(page.locator("body")).not_to_contain_text(TRIED)
    phones["Kari"].get_by_role("link", name="Mine svar").click()
    expect(phones["Kari"].locator("main")).to_contain_text(TRIED)
    expect(phones["Kari"].locator("main")).to_contain_text(f"Gruppe {groups['Kari']}")  # and her group

    # Closing comments, anonymous, on the projector as they arrive.
    goto(facilitator, "Hvilke kommentarer har dere til dagens samling?")
    phones["Liv"].get_by_label("Din kommentar").fill("Takk for en nyttig dag!")
    phones["Liv"].get_by_role("button", name="Send").click()
    expect(projector.locator(".comment-wall li")).to_have_text(["Takk for en nyttig dag!"])

    # The day's results, ready for the next gathering.
    results = screens.open(viewport={"width": 1200, "height": 900}).new_page()
    results.goto(facilitator.url + "/results")
    for text in (
        "Vi lager en ordsky!",
        "Samlet rangering",
        "Hvorfor står Mot så høyt?",
        "Sammen for Seljord",
        "Takk for en nyttig dag!",
    ):
        expect(results.locator("main")).to_contain_text(text)
    wait_for_picture(results)
    exported = results.request.get(facilitator.url + "/results.json").text()
    for private in ('"reply"', '"declined"', '"age":38', '"hair":5', TRIED):  # private answers stay out
        assert private not in exported
    assert TRIED not in results.locator("main").inner_text()
    csv_link = results.get_by_role("link", name="Last ned CSV (regneark)")
    assert csv_link.get_attribute("href", timeout=2000)
    assert screens.errors == []
