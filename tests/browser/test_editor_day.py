"""A facilitator builds a four-exercise day in the program editor, in real Chromium, and
runs it with three phones; the saved file loads unchanged from disk; the second gathering
starts from the first, opens with its results and groups, and people come back to their
groups by their own link or by name."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.core.program import Program, load_program
from tests.browser.conftest import PHONE, Screens
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(300)]

NAMES = ("Kari", "Ola", "Per")
WORDS = {"Kari": "Tillit", "Ola": "tillit", "Per": "Mot"}


def build_the_day(editor: Page) -> None:
    """Four exercises: the blank page's IGP, two method templates, and a closing round
    from the palette with comments added to it."""
    day = editor.locator("#day-fields")
    day.get_by_label("Tittel (bokmål)", exact=True).fill("Ledersamling 3")
    day.get_by_label("Tittel (engelsk)", exact=True).fill("Leaders' gathering 3")
    day.get_by_label("Planlagt start").fill("09:00")
    form = editor.locator("#exercise-form")
    form.get_by_label("Tittel (bokmål)", exact=True).fill("Hva gjør et godt møte?")
    editor.get_by_role("button", name="Sett inn: Ordsky").click()
    expect(form.locator("#exercise-heading")).to_have_text("Øvelse 2: Vi lager en ordsky!")
    editor.get_by_role("button", name="Sett inn: Gruppelister med prikkstemming").click()
    expect(form.locator("#exercise-heading")).to_have_text("Øvelse 3: Ledergruppens formål")
    editor.get_by_label("Type", exact=True).first.select_option("info")
    editor.locator("#add-exercise").get_by_label("Gruppering").select_option("none")
    editor.get_by_role("button", name="Legg til øvelse").click()
    expect(form.locator("#exercise-heading")).to_have_text("Øvelse 4: Nytt innlegg")
    form.get_by_label("Tittel (bokmål)", exact=True).fill("Hvilke kommentarer har dere til dagens samling?")
    form.get_by_role("button", name="+ Kommentarer").click()
    expect(form.locator(".kind-comments")).to_be_visible()
    # Reorder, copy and remove, by keyboard-reachable buttons.
    agenda = editor.locator("#agenda")
    editor.get_by_role("button", name="Flytt opp: Hvilke kommentarer har dere til dagens samling?").click()
    expect(agenda.locator(".agenda-select").nth(2)).to_have_text(
        "Hvilke kommentarer har dere til dagens samling?"
    )
    editor.get_by_role("button", name="Flytt ned: Hvilke kommentarer har dere til dagens samling?").click()
    editor.get_by_role("button", name="Kopier: Vi lager en ordsky!").click()
    expect(agenda.locator("li")).to_have_count(5)
    editor.get_by_role("button", name="Fjern: Vi lager en ordsky!").nth(1).click()
    expect(agenda.locator("li")).to_have_count(4)


def test_a_day_built_in_the_editor_runs_and_carries_on(
    server: LiveServer, screens: Screens, tmp_path: Path
) -> None:
    editor = screens.open(viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    editor.goto(server.url + "/editor")
    editor.get_by_role("button", name="Blankt program").click()
    build_the_day(editor)

    # The planned agenda: clock times and the total, as they edit.
    times = editor.locator("#agenda .agenda-time")
    expect(times).to_have_text(["09:00", "09:18", "09:23", "09:48"])
    expect(editor.locator("#agenda-total")).to_have_text("Totalt 58 min: 09:00–09:58")

    # Any exercise previewed as a phone and as the projector show it (a rehearsal room).
    editor.get_by_role("button", name="Vi lager en ordsky!", exact=True).click()
    with editor.expect_popup() as popup:
        editor.get_by_role("button", name="Vis på telefon").click()
    phone_preview = popup.value
    phone_preview.wait_for_url(re.compile(r"/r/[A-Z0-9]{6}$"))
    expect(phone_preview.locator("#exercise-title")).to_have_text("Vi lager en ordsky!")
    expect(phone_preview.get_by_label("Hvilke verdier skal kjennetegne god ledelse hos oss?")).to_be_visible()
    with editor.expect_popup() as popup:
        editor.get_by_role("button", name="Vis på projektor").click()
    projector_preview = popup.value
    projector_preview.wait_for_url(re.compile(r"/s/[A-Z0-9]{6}/"))
    expect(projector_preview.locator("#exercise-title")).to_have_text("Vi lager en ordsky!")
    phone_preview.close()
    projector_preview.close()

    # A mistake is shown next to its field, with the file's message, and nothing is saved.
    editor.get_by_role("button", name="Hva gjør et godt møte?", exact=True).click()
    minutes = editor.locator('[data-path="exercises.0.phases.1.minutes"]')
    minutes.get_by_label("Fase 2: Minutter", exact=True).fill("-2")
    expect(minutes.locator(".field-error")).to_have_text("Input should be greater than 0")
    expect(minutes.get_by_label("Fase 2: Minutter", exact=True)).to_have_attribute("aria-invalid", "true")
    editor.get_by_role("button", name="Lagre", exact=True).click()
    expect(editor.locator("#editor-status")).to_have_text("Ikke lagret: rett 1 feil først.")
    minutes.get_by_label("Fase 2: Minutter", exact=True).fill("10")
    expect(editor.locator("#problems")).to_contain_text("Ingen feil")

    # Saved: a TOML program file that loads unchanged from disk.
    editor.get_by_role("button", name="Lagre", exact=True).click()
    expect(editor.locator("#editor-status")).to_contain_text("Lagret som ledersamling-3.toml")
    with editor.expect_download() as download:
        editor.get_by_role("link", name="Last ned fil").click()
    saved = tmp_path / "ledersamling-3.toml"
    download.value.save_as(saved)
    program = load_program(saved)
    shown = json.loads(editor.evaluate("document.getElementById('samling-boot').textContent"))
    assert [ex.id for ex in program.exercises] == ["ovelse-1", "ordsky", "formaal", "nytt-innlegg"]
    assert program.start == "09:00" and program.title == {
        "nb": "Ledersamling 3",
        "en": "Leaders' gathering 3",
    }
    assert program.exercises[3].comments is not None and program.exercises[3].grouping == "none"
    editor.reload()
    reopened = json.loads(editor.locator("#samling-boot").text_content() or "{}")
    assert Program.model_validate(reopened["program"]) == program
    assert shown["methods"]  # the palette's templates came with the page
    listing = screens.open().new_page()
    listing.goto(server.url + "/editor")
    expect(listing.locator(".saved-programs")).to_contain_text("Ledersamling 3")
    expect(listing.locator(".saved-programs time")).to_have_text(
        re.compile(r"^\d{1,2}\. \w+ \d{4} \d\d:\d\d$")
    )

    # Started from the editor: three phones run it.
    editor.get_by_role("button", name="Lag workshop").click()
    facilitator = editor
    expect(facilitator.locator("h1")).to_contain_text("Styring")
    code = facilitator.locator(".room-code").first.inner_text()
    projector = screens.open(viewport={"width": 1280, "height": 800}).new_page()
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    phones: dict[str, Page] = {}
    for name in NAMES:
        phone = screens.open(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_label("Fornavn").fill(name)
        phone.get_by_role("button", name="Bli med").click()
        expect(phone.locator("#me-name")).to_have_text(name)
        phones[name] = phone
    facilitator.get_by_label("Lag grupper").select_option("count")
    facilitator.get_by_label("Antall").fill("1")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    for phone in phones.values():
        expect(phone.locator("#group-title")).to_have_text("Gruppe 1")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(projector.locator("#exercise-title")).to_have_text("Hva gjør et godt møte?")
    for phone in phones.values():
        expect(phone.locator("#exercise-title")).to_have_text("Hva gjør et godt møte?")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for name, word in WORDS.items():
        phones[name].get_by_label("Hvilke verdier skal kjennetegne god ledelse hos oss?").fill(word)
        phones[name].get_by_role("button", name="Send").click()
        expect(phones[name].get_by_label(f"Endre «{word}»")).to_have_value(word)
    expect(projector.locator(".kind-wordcloud")).to_contain_text("3 ord fra 3 personer")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    phones["Per"].get_by_label("Vår ledergruppe skal skape merverdi ved å …").fill("Dele kompetanse")
    phones["Per"].locator(".kind-lists").get_by_role("button", name="Legg til").click()
    expect(projector.locator(".kind-lists")).to_contain_text("Dele kompetanse")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    phones["Ola"].get_by_label("Din kommentar").fill("Nyttig dag")
    phones["Ola"].get_by_role("button", name="Send").click()
    expect(projector.locator(".comment-wall li")).to_have_text(["Nyttig dag"])
    # Kari keeps her take-home link («Mine svar»): it brings her back next time.
    phones["Kari"].get_by_role("link", name="Mine svar").click()
    expect(phones["Kari"].locator("h1")).to_have_text("Mine svar")
    kari_link = phones["Kari"].url

    # The second gathering starts from the first: its results and groups.
    facilitator.get_by_role("button", name="Avslutt workshopen").click()
    facilitator.get_by_role("link", name="Neste samling i programmet").click()
    facilitator.get_by_label("Program for neste samling").select_option("this")
    facilitator.get_by_role("button", name="Lag samling 2").click()
    expect(facilitator.locator(".room-code").first).not_to_have_text(code)
    second = facilitator.locator(".room-code").first.inner_text()
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    facilitator.get_by_role("button", name="Start", exact=True).click()
    recap = projector.locator(".kind-recap")
    expect(recap).to_contain_text("Oppsummering fra sist samling")
    expect(recap).to_contain_text("Tillit (2)")
    expect(recap).to_contain_text("Dele kompetanse")
    expect(recap.locator(".recap-groups")).to_contain_text("Kari, Ola, Per")

    # Kari comes back by her own link, Ola by typing his name, which the facilitator confirms.
    phones["Kari"].goto(kari_link)
    phones["Kari"].get_by_role("link", name="Bli med på neste samling").click()
    phones["Kari"].get_by_role("button", name="Bli med").click()
    expect(phones["Kari"].locator("#me-name")).to_have_text("Kari")
    expect(phones["Kari"].locator(".kind-recap")).to_contain_text("Tillit (2)")
    ola = phones["Ola"]
    ola.goto(f"{server.url}/j/{second}")
    ola.get_by_label("Fornavn").fill("Ola")
    ola.get_by_role("button", name="Bli med").click()
    expect(ola.locator("#me-name")).to_have_text("Ola")
    returning = screens.open().new_page()
    returning.goto(server.url + str(facilitator.locator("#returning-link").get_attribute("href")))
    expect(returning.get_by_label("Ola er")).to_have_value(re.compile(r"p\d+"))
    returning.get_by_role("button", name="Bekreft").click()
    expect(returning.locator("main")).to_contain_text("Ola – gruppe 1 · bekreftet etter navn")
    expect(returning.locator("main")).to_contain_text("Per – gruppe 1")  # not here yet
    # On to the day's first exercise in the network groups: both sit in their group of before.
    facilitator.get_by_role("button", name="Neste øvelse").click()
    for phone in (phones["Kari"], ola):
        expect(phone.locator("#exercise-title")).to_have_text("Hva gjør et godt møte?")
        expect(phone.locator("#group-title")).to_have_text("Gruppe 1")
    assert screens.errors == []


def test_the_editor_names_every_control_has_aa_contrast_and_works_by_keyboard(
    server: LiveServer, screens: Screens
) -> None:
    from tests.browser.test_accessibility import check_view

    listing = screens.open(viewport={"width": 1366, "height": 900}).new_page()
    listing.goto(server.url + "/editor")
    check_view(listing)
    editor = screens.open(viewport={"width": 1366, "height": 900}).new_page()
    editor.goto(server.url + "/editor/new?source=method&name=trioer-roller")
    expect(editor.locator("#exercise-heading")).to_have_text("Øvelse 1: Vi øver på tilbakemeldinger")
    check_view(editor)
    # By keyboard: choose a kind and add it, then move it up, from the agenda's buttons.
    editor.get_by_label("Type", exact=True).first.focus()
    editor.keyboard.press("End")  # the last kind: a break
    editor.get_by_role("button", name="Legg til øvelse").focus()
    editor.keyboard.press("Enter")
    expect(editor.locator("#exercise-heading")).to_have_text("Øvelse 2: Pause")
    editor.get_by_role("button", name="Flytt opp: Pause").focus()
    editor.keyboard.press("Enter")
    expect(editor.locator("#agenda .agenda-select")).to_have_text(["Pause", "Vi øver på tilbakemeldinger"])
    editor.get_by_role("button", name="Vi øver på tilbakemeldinger", exact=True).focus()
    editor.keyboard.press("Enter")
    expect(editor.locator("#exercise-heading")).to_be_focused()
    check_view(editor)
    # The narrow window: one column, nothing off the side.
    editor.set_viewport_size({"width": 400, "height": 800})
    assert editor.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert screens.errors == []


def test_roles_offer_a_value_only_for_rules_that_take_one_and_texts_save_in_both_languages(
    server: LiveServer, screens: Screens, tmp_path: Path
) -> None:
    """A role's «Verdi (alder)» is there only for «nærmest» and «lengst fra»; changing the
    rule away drops the value; an English instruction and the rule are in the saved file."""
    editor = screens.open(viewport={"width": 1366, "height": 900}, accept_downloads=True).new_page()
    editor.goto(server.url + "/editor/new?source=method&name=verdidiamant")
    form = editor.locator("#exercise-form")
    first = form.locator('[data-path="exercises.0.roles.roles.0"]')
    expect(first.get_by_label("Rolle 1: Regel", exact=True)).to_have_value("largest")  # «Mørkest hår»
    expect(first.get_by_label("Rolle 1: Verdi (alder)", exact=True)).to_have_count(0)
    first.get_by_label("Rolle 1: Regel", exact=True).select_option("closest")
    value = first.get_by_label("Rolle 1: Verdi (alder)", exact=True)
    expect(value).to_be_visible()
    expect(first.locator(":scope > .field-error")).to_have_text(re.compile("needs a value"))
    value.fill("40")
    expect(editor.locator("#problems")).to_contain_text("Ingen feil")
    first.get_by_label("Rolle 1: Regel", exact=True).select_option("random")
    expect(first.get_by_label("Rolle 1: Verdi (alder)", exact=True)).to_have_count(0)
    expect(editor.locator("#problems")).to_contain_text("Ingen feil")  # the 40 went with the rule
    first.get_by_label("Rolle 1: Regel", exact=True).select_option("furthest")
    first.get_by_label("Rolle 1: Verdi (alder)", exact=True).fill("35")
    form.get_by_label("Instruksjon (engelsk)", exact=True).first.fill("Rank the values together.")
    expect(editor.locator("#problems")).to_contain_text("Ingen feil")
    editor.get_by_role("button", name="Lagre", exact=True).click()
    expect(editor.locator("#editor-status")).to_contain_text("Lagret som")
    with editor.expect_download() as download:
        editor.get_by_role("link", name="Last ned fil").click()
    saved = tmp_path / "dag.toml"
    download.value.save_as(saved)
    exercise = load_program(saved).exercises[0]
    assert isinstance(exercise.instruction, dict)
    assert exercise.instruction["en"] == "Rank the values together."
    assert exercise.instruction["nb"].startswith("Hvilke verdier")  # the template's bokmål kept
    assert exercise.roles is not None
    assert (exercise.roles.roles[0].rule, exercise.roles.roles[0].value) == ("furthest", 35)
    assert screens.errors == []


def test_a_file_uploaded_from_the_list_opens_in_the_editor_with_its_mistakes_by_field(
    server: LiveServer, screens: Screens, tmp_path: Path
) -> None:
    from tests.roomkit import DEMO_PROGRAM

    broken = tmp_path / "dag.toml"
    broken.write_text(DEMO_PROGRAM.replace("minutes = 7", "minutes = -7"), encoding="utf-8")
    good = tmp_path / "provedag.toml"
    good.write_text(DEMO_PROGRAM, encoding="utf-8")
    page = screens.open(viewport={"width": 1366, "height": 900}).new_page()
    page.goto(server.url + "/editor")
    page.get_by_label("Last opp en programfil (TOML eller YAML)").set_input_files(str(broken))
    page.get_by_role("button", name="Last opp", exact=True).click()
    expect(page.locator("#problems")).to_contain_text("Input should be greater than 0")
    expect(page.locator("#agenda .agenda-select")).to_have_count(3)
    page.goto(server.url + "/editor")
    expect(page.locator(".saved-programs")).to_have_count(0)  # a file with a mistake is not stored
    page.get_by_label("Last opp en programfil (TOML eller YAML)").set_input_files(str(good))
    page.get_by_role("button", name="Last opp", exact=True).click()
    page.wait_for_url(re.compile(r"/editor/\d+$"))
    expect(page.locator("#problems")).to_contain_text("Ingen feil")
    page.goto(server.url + "/editor")
    expect(page.locator(".saved-programs tbody tr")).to_have_count(1)
    assert screens.errors == []
