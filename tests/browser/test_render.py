"""The one way the screens draw themselves (lib/dom.js's render): in real Chromium, under
the app's own content security policy, an update changes only what differs, so what a
person is typing, the focus and the caret survive it, and no update is skipped."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import PHONE, Screens
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

# A little view drawn with h() and render(): a list of items with an edit field each, a
# form to add one, a status line a script tells, and a bar whose width is a style.
SETUP = """
async () => {
  const dom = await import("/static/js/lib/dom.js");
  const { h, render } = dom;
  const box = document.createElement("div");
  box.id = "box";
  document.body.appendChild(box);
  const log = [];
  window.view = { log, box };
  window.draw = (data) => render(box, () => {
    let field;
    return [
      h("h2", { text: data.title }),
      h("ul", {}, data.items.map((item) => h("li", { key: item.id }, [
        h("input", { value: item.text, "aria-label": "edit " + item.id, "data-key": "edit-" + item.id }),
        h("button", {
          type: "button", text: "save " + item.id,
          on: { click: () => log.push(item.id + "@" + data.version) },
        }),
      ]))),
      h("form", { on: { submit: (e) => {
        e.preventDefault(); log.push("add:" + field.value); field.value = "";
      } } }, [
        h("input", { id: "new", ref: (n) => { field = n; } }),
        h("button", { type: "submit", text: "add" }),
      ]),
      h("p", { className: "status", keep: true }),
      (() => {
        const bar = h("span", { className: "bar" }); bar.style.width = data.width + "px"; return bar;
      })(),
    ];
  });
}
"""


def page_with_helper(server: LiveServer, screens: Screens) -> Page:
    page = screens.open(**PHONE).new_page()
    page.goto(server.url + "/j")
    page.evaluate(SETUP)
    return page


def draw(page: Page, **data: object) -> None:
    page.evaluate("(data) => window.draw(data)", data)


def items(*texts: str) -> list[dict[str, str]]:
    return [{"id": t.split("=")[0], "text": t.split("=")[1]} for t in texts]


def test_an_update_keeps_typing_focus_caret_and_the_status_line(server: LiveServer, screens: Screens) -> None:
    page = page_with_helper(server, screens)
    draw(page, title="A", items=items("a=Tillit", "b=Åpenhet"), version=1, width=10)
    new = page.locator("#new")
    new.click()
    page.keyboard.type("Respekt")
    page.keyboard.press("ArrowLeft")
    page.evaluate("() => { document.querySelector('.status').textContent = 'Sendt'; }")
    node_before = page.evaluate("() => { window.kept = document.getElementById('new'); return true; }")
    assert node_before
    # Someone else changes the data while she types: the title, the list, the bar.
    draw(page, title="B", items=items("b=Åpenhet", "a=Tillit", "c=Mot"), version=2, width=40)
    assert page.locator("h2").inner_text() == "B"
    values = page.locator("li input").evaluate_all("(l) => l.map((i) => i.value)")
    assert values == ["Åpenhet", "Tillit", "Mot"]
    assert page.evaluate("() => document.getElementById('new') === window.kept")
    assert new.input_value() == "Respekt"
    assert page.evaluate("() => document.activeElement.id") == "new"
    assert page.evaluate("() => document.activeElement.selectionStart") == len("Respekt") - 1
    assert page.locator(".status").inner_text() == "Sendt"
    assert page.evaluate("() => document.querySelector('.bar').style.width") == "40px"
    # The form's handler reads the field on the page (its ref), not a copy.
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.view.log") == ["add:Respekt"]
    assert new.input_value() == ""


def test_edits_in_a_moved_row_survive_and_handlers_are_the_latest(
    server: LiveServer, screens: Screens
) -> None:
    page = page_with_helper(server, screens)
    draw(page, title="A", items=items("a=Tillit", "b=Åpenhet"), version=1, width=10)
    edit_b = page.get_by_label("edit b")
    edit_b.fill("Åpenhet og mot")
    # The row she edits moves to the top (keyed): the same field, her text, her focus.
    draw(page, title="A", items=items("b=Åpenhet", "a=Tillit"), version=2, width=10)
    assert edit_b.input_value() == "Åpenhet og mot"
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "edit b"
    # A field nobody touched follows the data.
    draw(page, title="A", items=items("b=Åpenhet", "a=Tillit!"), version=3, width=10)
    assert page.get_by_label("edit a").input_value() == "Tillit!"
    page.get_by_role("button", name="save a").click()
    assert page.evaluate("() => window.view.log") == ["a@3"]
    # Once she is done (not focused), her field follows the data again when it changes.
    page.locator("h2").click()
    draw(page, title="A", items=items("b=Åpenhet og mot", "a=Tillit!"), version=4, width=10)
    assert edit_b.input_value() == "Åpenhet og mot"
    assert screens.errors == []
