"""The staff's screens keep the facilitator's place while the page updates, in Chromium:
in the program editor a field keeps the focus, the caret and what is half typed while
the problems, the agenda and the form around it are drawn again (also after choosing an
exercise's type with the arrow keys, which redraws the whole form); on the facilitator's
page a rename field being typed in keeps the focus and the text while people join and
the list of people changes, also the person's own row."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.browser.rooms import open_room
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

FOCUSED = "() => { const el = document.activeElement; return [el.id, el.value, el.selectionStart]; }"


def focused(page: Page) -> list[object]:
    result: list[object] = page.evaluate(FOCUSED)
    return result


def test_the_editor_keeps_the_field_and_what_is_typed_while_the_page_updates(
    server: LiveServer, screens: Screens
) -> None:
    editor = screens.open(viewport={"width": 1366, "height": 900}).new_page()
    editor.goto(server.url + "/editor/new?source=blank")
    form = editor.locator("#exercise-form")
    problems = editor.locator("#problems")
    agenda = editor.locator("#agenda")
    expect(form.locator("#exercise-heading")).to_have_text("Øvelse 1: Ny øvelse")
    expect(problems).to_contain_text("Ingen feil")

    # She empties the title and starts on the instruction; she pauses after a word, the
    # server's check comes back: the problems and the agenda say the title is missing.
    title = form.get_by_label("Tittel (bokmål)", exact=True)
    title.fill("")
    instruction = form.get_by_label("Instruksjon (bokmål)", exact=True)
    instruction.click()
    editor.keyboard.type("Snakk ")
    expect(problems).to_contain_text("1 feil")
    expect(agenda.locator(".agenda-item").first).to_contain_text("har feil")
    expect(title).to_have_attribute("aria-invalid", "true")
    field_id = instruction.evaluate("(node) => node.id")
    assert focused(editor) == [field_id, "Snakk ", 6]
    editor.keyboard.type("sammen")
    expect(instruction).to_have_value("Snakk sammen")
    assert focused(editor) == [field_id, "Snakk sammen", 12]

    # The title typed again, with a pause midway: the agenda follows each letter, the
    # problem goes when the check comes back, and the field keeps her and her caret.
    title.click()
    editor.keyboard.type("Hva gjør")
    expect(agenda.locator(".agenda-select").first).to_have_text("Hva gjør")
    expect(problems).to_contain_text("Ingen feil")
    editor.keyboard.press("ArrowLeft")
    editor.keyboard.press("ArrowLeft")
    title_id = title.evaluate("(node) => node.id")
    assert focused(editor) == [title_id, "Hva gjør", 6]
    editor.keyboard.press("End")
    editor.keyboard.type(" et godt møte?")
    expect(agenda.locator(".agenda-select").first).to_have_text("Hva gjør et godt møte?")
    expect(form.locator("#exercise-heading")).to_have_text("Øvelse 1: Hva gjør et godt møte?")
    assert focused(editor) == [title_id, "Hva gjør et godt møte?", 22]
    expect(instruction).to_have_value("Snakk sammen")

    # The exercise's type by the arrow keys: each choice redraws the form below it, and
    # the choice list keeps the focus for the next arrow.
    kind = form.get_by_label("Type", exact=True)
    kind.focus()
    minutes = form.get_by_label("Minutter", exact=True)  # the exercise's own, for info and breaks
    editor.keyboard.press("ArrowDown")
    expect(kind).to_have_value("talk")
    expect(kind).to_be_focused()
    expect(minutes).to_have_count(0)
    editor.keyboard.press("ArrowDown")
    expect(kind).to_have_value("info")
    expect(kind).to_be_focused()
    expect(minutes).to_have_count(1)
    editor.keyboard.press("ArrowUp")
    expect(kind).to_have_value("talk")
    expect(kind).to_be_focused()
    expect(minutes).to_have_count(0)
    # A switch that shows another field keeps the focus too.
    optional = form.get_by_label("Valgfri øvelse (i metodemenyen)", exact=True)
    optional.focus()
    editor.keyboard.press("Space")
    expect(optional).to_be_checked()
    expect(optional).to_be_focused()
    editor.keyboard.press("Space")
    expect(optional).not_to_be_checked()
    expect(optional).to_be_focused()
    expect(form.get_by_label("Tittel (bokmål)", exact=True)).to_have_value("Hva gjør et godt møte?")
    assert "null" not in problems.inner_text()
    assert screens.errors == []


def test_a_rename_field_keeps_the_focus_and_the_text_while_people_join(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(server, screens, ("Kari",))
    rename = facilitator.get_by_role("textbox", name="Nytt navn for Kari", exact=True)
    caption = facilitator.locator("#people-caption")
    expect(caption).to_have_text("1 deltaker, 1 tilkoblet")
    rename.click()
    facilitator.keyboard.press("End")
    facilitator.keyboard.type(" Nor")
    # Two more join while she types; the table grows around her field.
    code = facilitator.url.split("/")[-2]
    for name in ("Ola", "Per"):
        phone = screens.open(**PHONE).new_page()
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_label("Fornavn").fill(name)
        phone.get_by_role("button", name="Bli med").click()
        expect(phone.locator("#me-name")).to_have_text(name)
    expect(caption).to_have_text("3 deltakere, 3 tilkoblet")
    expect(facilitator.locator("#people th")).to_have_text(["Kari", "Ola", "Per"])
    field_id = rename.evaluate("(node) => node.id")
    assert focused(facilitator) == [field_id, "Kari Nor", 8]
    # Kari's own phone goes away: her row changes, her field stays as it is.
    phones[0].close()
    row = facilitator.locator(f"#people tr[data-person='{field_id.removeprefix('rename-')}']")
    expect(row).to_contain_text(re.compile("frakoblet", re.IGNORECASE))
    assert focused(facilitator) == [field_id, "Kari Nor", 8]
    facilitator.keyboard.type("d")
    facilitator.get_by_role("button", name="Nytt navn for Kari").click()
    expect(facilitator.locator("#people th")).to_have_text(["Kari Nord", "Ola", "Per"])
    expect(projector.locator("#joined")).to_have_text("3 med")
    assert screens.errors == []
