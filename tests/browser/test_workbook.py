"""A private form and «Mine svar» in real Chromium, on a 320 px phone: every kind of
answer is given by tapping and typing, survives a reload, never shows on the projector
or the facilitator's screen, and is in the person's workbook — which opens from its
personal link (text and QR) also after the workshop is closed, prints for A4, and is
named and readable for a screen reader."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Page, expect

from app.core.program import load_program
from tests.browser.conftest import Screens
from tests.browser.crowd import SHIPPED, Crowd, day_server
from tests.browser.rooms import create_workshop, join, open_projector
from tests.browser.test_accessibility import check_view
from tests.browser.test_results_handout import squeezed
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(180)]

PROGRAM = """
title = "Egenvurdering"

[workbook]
title = "Personlig handlingsplan"
[[workbook.sections]]
id = "styrker"
title = "Styrker"

[[exercises]]
id = "egen"
title = "Egenevaluering av aktivt medarbeiderskap"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 10
notes = false
[exercises.form]
summary = true
[[exercises.form.groups]]
heading = "Selvledelse"
[[exercises.form.groups.questions]]
id = "jobb"
type = "scale"
text = "Jeg tar ansvar for egen trivsel og motivasjon"
[[exercises.form.groups]]
heading = "Styrker"
[[exercises.form.groups.questions]]
id = "styrke"
type = "short"
section = "styrker"
text = "Styrke 1"
[[exercises.form.groups.questions]]
id = "bruk"
type = "long"
section = "styrker"
text = "Styrke 1: hvordan bruke den?"
[[exercises.form.groups.questions]]
id = "nivaa"
type = "single"
text = "Hvilket lyttenivå er jeg mest på?"
options = ["Nivå 1 – indre lytting", "Nivå 2 – fokusert lytting", "Nivå 3 – ikke-verbal lytting"]
[[exercises.form.groups.questions]]
id = "vanskelig"
type = "multiple"
text = "Hvorfor er det så vanskelig?"
options = ["Du vet ikke hvordan du gjør det", "Du er redd for å såre", "Du er redd for å bli misforstått"]
max_choices = 2

[[exercises]]
id = "slutt"
kind = "info"
title = "Vi sees!"
minutes = 5
"""

SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}
SECRET = "Jeg lytter godt når det gjelder"
OLA_STRENGTH = "Tålmodighet"
QUESTION = "egen-jobb"  # the shipped self-assessment's first statement
CLOSED = "Workshopen er avsluttet. Svarene dine finner du under «Mine svar» til den slettes."


@pytest.fixture
def form_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"egen.toml": PROGRAM}, time_scale="0.05")


def saved(phone: Page, question: str) -> None:
    expect(phone.locator(f"#form-egen-{question}-status")).to_have_text("Lagret")


def test_a_person_fills_in_the_form_and_takes_it_home(form_server: LiveServer, screens: Screens) -> None:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    code = create_workshop(facilitator, form_server, "Egenvurdering")
    projector = open_projector(form_server, screens, facilitator)
    phone = join(screens, form_server.url, code, "Kari", SMALL_PHONE)
    ola = join(screens, form_server.url, code, "Ola", SMALL_PHONE)
    facilitator.get_by_role("button", name="Start", exact=True).click()
    # Ola answers one question and never opens «Mine svar» during the day.
    ola.locator(".kind-form").get_by_label("Styrke 1", exact=True).fill(OLA_STRENGTH)
    ola.locator(".kind-form").get_by_label("Styrke 1", exact=True).blur()
    saved(ola, "styrke")

    form = phone.locator(".kind-form")
    expect(form.get_by_role("heading", name="Selvledelse")).to_be_visible()
    form.get_by_role("radio", name="4").check()
    saved(phone, "jobb")
    form.get_by_label("Styrke 1", exact=True).fill("Lytte")
    form.get_by_label("Styrke 1: hvordan bruke den?").fill(SECRET)
    form.get_by_label("Styrke 1: hvordan bruke den?").blur()
    saved(phone, "bruk")
    form.get_by_role("radio", name="Nivå 2 – fokusert lytting").check()
    saved(phone, "nivaa")
    form.get_by_role("checkbox", name="Du er redd for å såre").check()
    form.get_by_role("checkbox", name="Du vet ikke hvordan du gjør det").check()
    saved(phone, "vanskelig")
    third = form.get_by_role("checkbox", name="Du er redd for å bli misforstått")
    expect(third).to_be_disabled()  # two at most
    saved(phone, "styrke")
    expect(form.locator(".form-progress")).to_have_text("Du har svart på 5 av 5.")
    # Nothing runs off a 320 px screen; every control is named; the text is readable.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_view(phone)

    # The staff screens count; they never show an answer.
    expect(projector.locator(".kind-form")).to_contain_text("2 av 2 har svart.")
    expect(facilitator.locator(".kind-form")).to_contain_text("2 av 2 har svart. 1 har svart på alt.")
    for page in (projector, facilitator):
        for text in (SECRET, "Lytte", "fokusert"):
            expect(page.locator("body")).not_to_contain_text(text)
    for text in (SECRET, "Lytte"):  # Ola's own form offers the same options
        expect(ola.locator("body")).not_to_contain_text(text)

    # A reload (or a phone that slept) finds every answer where it was.
    phone.reload()
    form = phone.locator(".kind-form")
    expect(form.get_by_role("radio", name="4")).to_be_checked()
    expect(form.get_by_label("Styrke 1: hvordan bruke den?")).to_have_value(SECRET)
    expect(form.get_by_role("radio", name="Nivå 2 – fokusert lytting")).to_be_checked()
    expect(form.get_by_role("checkbox", name="Du er redd for å såre")).to_be_checked()

    # «Mine svar»: the workbook, with the personal link as text and QR code.
    phone.get_by_role("link", name="Mine svar").click()
    phone.wait_for_url(re.compile(rf"/w/{code}/[A-Za-z0-9_-]{{32}}$"))
    link = phone.url
    plan = phone.locator(".workbook-plan")
    expect(plan).to_contain_text("Styrker")
    expect(plan).to_contain_text(SECRET)
    expect(phone.locator("main")).to_contain_text("4 av 5")
    expect(phone.get_by_role("link", name=link)).to_be_visible()
    qr = phone.get_by_role("img", name="QR-kode med din personlige lenke til Mine svar")
    expect(qr).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_view(phone)
    # Printed (Save as PDF): the buttons, the QR and the delete form stay off the paper.
    phone.emulate_media(media="print")
    expect(phone.get_by_role("button", name="Last ned som PDF (skriv ut)")).to_be_hidden()
    expect(qr).to_be_hidden()
    expect(plan).to_contain_text(SECRET)
    # Saved as PDF: A4 pages, white paper, every answer whole on one page, the link
    # written out; no button, no QR code, no delete form on the paper.
    for what in ("document.documentElement", "document.body"):
        colour = phone.evaluate(f"getComputedStyle({what}).backgroundColor")
        assert colour in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)"), (what, colour)
    pdf = pypdf.PdfReader(io.BytesIO(phone.pdf(prefer_css_page_size=True, print_background=True)))
    sizes = {(float(p.mediabox.width), float(p.mediabox.height)) for p in pdf.pages}
    assert all(abs(w - 595.3) < 1.5 and abs(h - 841.9) < 1.5 for w, h in sizes), sizes  # the sheet's A4
    printed = [squeezed(p.extract_text()) for p in pdf.pages]
    entries = [squeezed(t) for t in phone.locator(".workbook-entry").all_inner_texts()]
    assert len(entries) == 5 and all(any(e in page for page in printed) for e in entries)
    paper = "".join(printed)
    for there in ("Personlighandlingsplan", "Kari", squeezed(link)):
        assert there in paper
    for absent in ("LastnedsomPDF", "Slettsvarenemine", "Lastnedsomtekst"):
        assert absent not in paper
    # A link is random letters: one with «ff», «fi» or «fl» in it is still the link when
    # copied from the paper (the font's ligatures would make each one letter, «ﬀ»).
    phone.locator(".workbook-url a").evaluate("(a) => { a.textContent = a.textContent + 'ffiflff'; }")
    pdf = pypdf.PdfReader(io.BytesIO(phone.pdf(prefer_css_page_size=True)))
    assert squeezed(link + "ffiflff") in "".join(squeezed(p.extract_text()) for p in pdf.pages)
    phone.emulate_media(media="screen")

    # Her phone goes flat: the link on another phone goes on with the day as Kari, with
    # her answers, and the room still has two people (no second Kari).
    other = screens.open(**SMALL_PHONE).new_page()
    other.goto(link)
    check_view(other)  # the offer to go on is named and readable too
    other.get_by_role("button", name="Fortsett dagen på denne telefonen").click()
    expect(other.locator("#me-name")).to_have_text("Kari")
    expect(other.locator(".kind-form").get_by_label("Styrke 1: hvordan bruke den?")).to_have_value(SECRET)
    expect(facilitator.locator(".kind-form")).to_contain_text("2 av 2 har svart.")

    # The day is over: Ola's phone says where his answers are.
    facilitator.locator("#btn-next-exercise").click()
    expect(ola.locator("#exercise-title")).to_have_text("Vi sees!")
    facilitator.locator("#btn-next-exercise").click()
    expect(ola.locator("#exercise-title")).to_have_text("Takk for i dag!")
    expect(ola.locator("#phase-instruction")).to_contain_text(
        "under «Mine svar» nedenfor finner du alt du skrev"
    )

    # After the facilitator closes the workshop the link still opens it, read-only.
    facilitator.once("dialog", lambda dialog: dialog.accept())
    facilitator.get_by_role("button", name="Avslutt workshopen").click()
    later = screens.open(**SMALL_PHONE).new_page()
    later.goto(link)
    expect(later.locator("main")).to_contain_text("Workshopen er avsluttet")
    expect(later.locator(".workbook-plan")).to_contain_text(SECRET)
    # Ola's phone, still open: the day is over, and «Mine svar» has his answer (his link
    # was his from the moment he joined); reloaded, the phone page opens it too, no 404.
    expect(ola.locator("#connection")).to_have_text(CLOSED)
    ola.get_by_role("link", name="Mine svar").click()
    expect(ola.locator(".workbook-plan")).to_contain_text(OLA_STRENGTH)
    expect(ola.locator("main")).not_to_contain_text(SECRET)
    ola.go_back()
    ola.reload()
    expect(ola.locator(".workbook-plan")).to_contain_text(OLA_STRENGTH)
    expect(ola.locator("main")).to_contain_text("Workshopen er avsluttet")
    assert screens.errors == []


def test_the_facilitator_reveals_the_anonymous_summary_from_five_answers(
    tmp_path: Path, screens: Screens
) -> None:
    """The self-assessment of the shipped program, six people: the facilitator's button
    shows the summary on the projector, which says «too few» until five answered a
    statement, then the count per point — never who answered what; the button hides it."""
    program = "egenvurdering-lederskap-og-medarbeiderskap.toml"
    with day_server(tmp_path, [program]) as server:
        crowd = Crowd(server, program, 6)
        try:
            index = next(i for i, ex in enumerate(load_program(SHIPPED / program).exercises) if ex.form)
            assert crowd.act({"type": "goto_exercise", "index": index}) > 0
            assert crowd.act({"type": "start"}) > 0
            exercise = crowd.state()["position"]["exercise_id"]
            facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
            facilitator.goto(server.url + crowd.facilitator_path)
            projector = open_projector(server, screens, facilitator)
            statement = projector.locator(".form-summary-question").first

            def answer(phones: list[Any], first: int) -> None:
                for n, phone in enumerate(phones):
                    value = 1 + (first + n) % 2  # 1, 2, 1, 2 …
                    action = {
                        "type": "form_answer",
                        "exercise": exercise,
                        "question": QUESTION,
                        "value": value,
                    }
                    crowd._run(crowd._answered(phone, [action]))

            answer(crowd.phones[:4], 0)
            facilitator.get_by_role("button", name="Vis anonymt sammendrag på projektoren").click()
            expect(statement).to_contain_text("For få svar til å vise (4; minst 5 trengs).")
            answer(crowd.phones[4:5], 4)
            expect(statement.locator(".form-bar-count")).to_have_text(
                ["3 svar", "2 svar", "0 svar", "0 svar", "0 svar"]
            )
            expect(
                facilitator.locator(".form-summary-question").first.locator(".form-bar-count").first
            ).to_have_text("3 svar")
            for name in ("Kari", "Ola"):  # who answered is nowhere on the projector
                expect(projector.locator(".kind-form")).not_to_contain_text(name)
            facilitator.get_by_role("button", name="Skjul sammendraget").click()
            expect(projector.locator(".form-summary")).to_have_count(0)
            assert screens.errors == []
        finally:
            crowd.stop()
