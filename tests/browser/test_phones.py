"""Phones in real Chromium, as people hold them: at 320 and 360 px and with text at 200 %
nothing scrolls sideways and every control is a tap target of at least 44 px; the diamond
works with one thumb; a «Klar» tap lets the phone vibrate and sound; the screen stays on
during an exercise; a new phase and «Din tur» are felt, seen and heard; one countdown per
screen."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import axe, rooms
from tests.browser.conftest import Screens
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Telefondag"
start = "09:00"

[[exercises]]
id = "ordsky"
title = "Ordsky"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 5
[exercises.wordcloud]
max_words = 3
prompt = "Hvilke verdier skal kjennetegne god ledelse i Seljord kommune?"

[[exercises]]
id = "diamant"
title = "Verdidiamant"
[[exercises.phases]]
kind = "G"
minutes = 10
[[exercises.phases]]
kind = "P"
minutes = 5
[exercises.diamond]
values = ["Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvarlighet", "Raushet"]

[[exercises]]
id = "galleri"
title = "Galleri"
[[exercises.phases]]
kind = "timed"
minutes = 4
[[exercises.phases]]
kind = "G"
minutes = 3
[exercises.gallery]
of = "diamant"

[[exercises]]
id = "lister"
title = "Formål"
[exercises.lists]
min_items = 3
dots = 3
[[exercises.phases]]
kind = "G"
minutes = 5

[[exercises]]
id = "roller"
title = "Roller"
[[exercises.phases]]
kind = "G"
minutes = 5
[exercises.roles]
roles = [
  { name = "Ordstyrer og tidtaker", rule = "closest", value = 40 },
  { name = "Viddevakt", rule = "largest" },
  { name = "Sekretær", rule = "choice" },
]

[[exercises]]
id = "skjema"
title = "Egenvurdering"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 5
[exercises.form]
[[exercises.form.groups]]
heading = "Selvledelse"
[[exercises.form.groups.questions]]
id = "ansvar"
type = "scale"
text = "Jeg tar ansvar for å gjøre egen jobb og er aktivt med å utvikle den"
[[exercises.form.groups.questions]]
id = "valg"
type = "multiple"
text = "Hva vil du jobbe mer med?"
options = ["Tillitsbasert ledelse", "Medarbeiderskap", "Kommunikasjon"]
max_choices = 2
[[exercises.form.groups.questions]]
id = "hvorfor"
type = "long"
text = "Hvorfor?"

[[exercises]]
id = "dugnad"
title = "Ti ganger dristigere"
grouping = "none"
[exercises.crowdsource]
rounds = 1
top = 3
[[exercises.phases]]
kind = "I"
minutes = 3
[[exercises.phases]]
kind = "timed"
minutes = 1

[[exercises]]
id = "trioer"
title = "Trioer"
grouping = "triads"
[exercises.lists]
min_items = 1
[[exercises.phases]]
kind = "G"
minutes = 5

[[exercises]]
id = "runde"
title = "Avslutning"
grouping = "none"
[[exercises.phases]]
kind = "P"
minutes = 5
[exercises.comments]
max_per_person = 3
"""

# What a phone must never do: scroll sideways, or offer a control smaller than a thumb.
LAYOUT_PROBLEMS = """
() => {
  const problems = [];
  const page = document.documentElement;
  const width = page.clientWidth;
  if (page.scrollWidth > width) problems.push("page scrolls sideways: " + page.scrollWidth);
  for (const el of document.querySelectorAll("body *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || el.closest("[hidden], .visually-hidden")) continue;
    const name = el.tagName + "." + el.className;
    if (box.right > width + 1) problems.push("wider than the screen: " + name + " " + Math.round(box.right));
  }
  const controls = [
    "button", "select", "textarea", "input:not([type=radio]):not([type=checkbox])",
    "a.button", "label.form-choice", "label.roles-swatch",
  ].join(", ");
  for (const el of document.querySelectorAll(controls)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || el.closest("[hidden]")) continue;
    const name = (el.textContent || el.getAttribute("aria-label") || el.id).trim().slice(0, 30);
    const size = Math.round(box.width) + "x" + Math.round(box.height);
    if (box.height < 43.5 || box.width < 43.5) problems.push("small target: " + name + " " + size);
  }
  return problems;
}
"""

SIGNALS = """
() => {
  window.signals = { vibrate: [], wakeLock: 0 };
  navigator.vibrate = (pattern) => { window.signals.vibrate.push(pattern); return true; };
  const lock = { release: () => Promise.resolve(), addEventListener() {} };
  const request = () => { window.signals.wakeLock += 1; return Promise.resolve(lock); };
  Object.defineProperty(navigator, "wakeLock", { value: { request } });
}
"""

WIDTHS = (320, 360)


@pytest.fixture
def phone_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"telefon.toml": PROGRAM}, time_scale="0.2")


def layout_problems(page: Page) -> list[str]:
    found: list[str] = []
    for width in WIDTHS:
        for text in ("100%", "200%"):
            page.set_viewport_size({"width": width, "height": 640})
            page.evaluate("(size) => { document.documentElement.style.fontSize = size; }", text)
            found += [f"{width}px {text}: {p}" for p in page.evaluate(LAYOUT_PROBLEMS)]
    page.set_viewport_size({"width": 360, "height": 740})
    page.evaluate("() => { document.documentElement.style.fontSize = ''; }")
    return found


def go_to(facilitator: Page, phone: Page, title: str) -> None:
    """The facilitator moves on until the phones show the exercise `title`: one exercise
    a press, each press once the phone shows where the last one led (the titles differ)."""
    shown = phone.locator("#exercise-title")
    for _ in range(12):
        before = shown.text_content() or ""
        facilitator.get_by_role("button", name="Neste øvelse").click()
        expect(shown).not_to_have_text(before)
        if shown.text_content() == title:
            return
    raise AssertionError(f"never reached {title}")


def check(page: Page, state: str) -> None:
    """Nothing sideways or too small at 320/360 px and 200 % text, and axe finds nothing."""
    problems = layout_problems(page) + axe.violations(page)
    assert problems == [], state + ": " + "\n".join(problems)


def open_phones(server: LiveServer, screens: Screens) -> tuple[Page, list[Page]]:
    # Every phone reports what it vibrated and whether it asked to keep the screen on.
    facilitator, _, phones = rooms.open_room(
        server, screens, ("Kari", "Ola", "Per", "Liv"), init_script=SIGNALS
    )
    facilitator.get_by_label("Lag grupper").select_option("count")
    facilitator.get_by_label("Antall").fill("2")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"Gruppe [12]"))
    return facilitator, phones


def test_every_phone_screen_fits_320_px_and_200_percent_text(
    phone_server: LiveServer, screens: Screens
) -> None:
    join = screens.open(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True).new_page()
    join.goto(phone_server.url + "/j")
    check(join, "join page")
    facilitator, phones = open_phones(phone_server, screens)
    kari = phones[0]
    check(kari, "waiting for the day")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    kari.get_by_label(re.compile("Hvilke verdier")).fill("Tillit")
    kari.get_by_role("button", name="Send", exact=True).click()
    expect(kari.locator(".wordcloud-mine input")).to_have_value("Tillit")
    check(kari, "word cloud")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.locator(".diamond-chip").first).to_be_visible()
    kari.locator(".diamond-chip").first.click()
    check(kari, "diamond with a value selected")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    expect(kari.locator(".gallery-host-button").first).to_be_visible()
    check(kari, "gallery walk, choosing the host")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    check(kari, "gallery walk")
    facilitator.get_by_role("button", name="Neste øvelse").click()
    kari.get_by_label("Nytt punkt").fill("Skape merverdi for innbyggerne")
    kari.get_by_role("button", name="Legg til").click()
    expect(kari.locator(".lists-mine input")).to_have_value("Skape merverdi for innbyggerne")
    check(kari, "lists")
    go_to(facilitator, kari, "Roller")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.get_by_label("Hvor gammel er du?")).to_be_visible()
    check(kari, "roles, the private questions")
    go_to(facilitator, kari, "Egenvurdering")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.locator(".form-question").first).to_be_visible()
    check(kari, "a form")
    go_to(facilitator, kari, "Ti ganger dristigere")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.locator(".crowdsource-write")).to_be_visible()
    check(kari, "crowd sourcing, writing a card")
    go_to(facilitator, kari, "Avslutning")
    expect(kari.locator(".comment-form")).to_be_visible()
    check(kari, "comments")
    assert screens.errors == []


def test_the_diamond_works_with_one_thumb(phone_server: LiveServer, screens: Screens) -> None:
    facilitator, phones = open_phones(phone_server, screens)
    kari = phones[0]
    go_to(facilitator, kari, "Verdidiamant")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    diamond = kari.locator(".kind-diamond")
    expect(diamond.locator(".diamond-chip")).to_have_count(9)
    # The whole diamond and every value fit in one screen at once.
    top = diamond.locator(".diamond-shape").bounding_box()
    last_chip = diamond.locator(".diamond-chip").last.bounding_box()
    assert top and last_chip
    assert last_chip["y"] + last_chip["height"] - top["y"] <= 740, (top, last_chip)
    # Tap a value, then «Neste ledige plass»: it goes to the top; the next one to row 2.
    for value, slot in (("Tillit", "Rad 1, plass 1: Tillit"), ("Respekt", "Rad 2, plass 1: Respekt")):
        diamond.get_by_role("button", name=re.compile(f"^{value}")).click()
        place = diamond.get_by_role("button", name=re.compile("Neste ledige plass"))
        expect(place).to_be_in_viewport()
        place.click()
        expect(diamond.get_by_role("button", name=slot)).to_be_visible()
    # While a value is selected far down the page, its bar and a small countdown stay in view.
    diamond.get_by_role("button", name=re.compile("^Mot")).click()
    kari.locator(".diamond-finalise").scroll_into_view_if_needed()
    kari.evaluate("() => window.scrollBy(0, -300)")
    expect(diamond.locator(".diamond-selected")).to_be_in_viewport()
    expect(kari.locator("#phone-bar")).to_be_visible()
    expect(kari.locator("#bar-countdown")).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert screens.errors == []


def test_klar_unlocks_signals_and_a_new_phase_is_felt_seen_and_heard(
    phone_server: LiveServer, screens: Screens
) -> None:
    facilitator, phones = open_phones(phone_server, screens)
    kari = phones[0]
    ready = kari.get_by_role("button", name="Klar")
    expect(ready).to_be_visible()
    ready.click()
    expect(ready).to_be_hidden()
    go_to(facilitator, kari, "Verdidiamant")  # G, then P
    facilitator.get_by_role("button", name="Start", exact=True).click()
    kari.wait_for_function("() => window.signals.wakeLock > 0")  # the screen stays on
    before = len(kari.evaluate("() => window.signals.vibrate"))
    facilitator.get_by_role("button", name="Neste fase").click()
    expect(kari.locator("#announce")).to_have_text(re.compile("^Ny fase: Plenum"))
    expect(kari.locator("#now")).to_have_class(re.compile(r"\bcue\b"))
    assert len(kari.evaluate("() => window.signals.vibrate")) > before
    expect(ready).to_be_hidden()  # one tap was enough: the room moving on does not ask again
    assert screens.errors == []


def test_the_gallery_walk_shows_one_countdown(phone_server: LiveServer, screens: Screens) -> None:
    facilitator, phones = open_phones(phone_server, screens)
    kari = phones[0]
    go_to(facilitator, kari, "Galleri")
    expect(kari.locator(".kind-gallery")).to_contain_text("Velg vert for gruppen")
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(kari.locator("#timer-status")).to_have_text(re.compile("til neste bytte|igjen av siste besøk"))
    clocks = kari.locator("main *:visible").filter(has_text=re.compile(r"^\s*\d+:\d\d\s*$"))
    texts = [t for t in clocks.all_inner_texts() if re.fullmatch(r"\s*\d+:\d\d\s*", t)]
    assert len(texts) == 1, texts
    expect(kari.locator(".kind-gallery")).not_to_contain_text("Velg vert for gruppen")
    # A visitor comments on the diamond she visits.
    visitor = next(p for p in phones if p.locator(".gallery-comment-form").count() > 0)
    visitor.locator(".gallery-textarea").fill("Fin diamant!")
    visitor.get_by_role("button", name="Send kommentar").click()
    expect(visitor.locator(".gallery-status")).to_have_text("Kommentaren er sendt.")
    # The return phase: the walk is over, and the comment's «sendt» is gone.
    facilitator.get_by_role("button", name="Neste fase").click()
    for phone in (kari, visitor):
        expect(phone.locator(".kind-gallery")).to_contain_text("Tilbake i egen gruppe")
        expect(phone.locator(".kind-gallery")).not_to_contain_text("har ikke startet")
    expect(visitor.locator(".kind-gallery")).not_to_contain_text("Kommentaren er sendt.")
    assert screens.errors == []


def test_after_joining_the_address_is_the_phone_page_and_a_reload_sends_nothing_again(
    phone_server: LiveServer, screens: Screens
) -> None:
    _, phones = open_phones(phone_server, screens)
    kari = phones[0]
    assert re.search(r"/r/[A-Z0-9]{6}$", kari.url), kari.url
    methods: list[str] = []
    kari.on("request", lambda r: methods.append(r.method) if r.is_navigation_request() else None)
    kari.reload()
    expect(kari.locator("#me-name")).to_have_text("Kari")
    assert methods == ["GET"]
    assert screens.errors == []


FOCUS_RING = """
() => {
  function rgb(text) { return text.match(/[\\d.]+/g).slice(0, 3).map(Number); }
  function luminance([r, g, b]) {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  const el = document.activeElement;
  let node = el.parentElement, bg = "rgb(255, 255, 255)";
  for (; node; node = node.parentElement) {
    const c = getComputedStyle(node).backgroundColor;
    if (c !== "rgba(0, 0, 0, 0)") { bg = c; break; }
  }
  const style = getComputedStyle(el);
  const a = luminance(rgb(style.outlineColor)), b = luminance(rgb(bg));
  return { width: parseFloat(style.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
}
"""


def test_a_wrong_join_names_its_field_and_the_focus_ring_shows(
    phone_server: LiveServer, screens: Screens
) -> None:
    page = screens.open(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True).new_page()
    page.goto(phone_server.url + "/j")
    page.get_by_label("Romkode").fill("ZZZZZZ")
    page.get_by_label("Fornavn").fill("Kari")
    page.get_by_role("button", name="Bli med").click()
    code = page.get_by_label("Romkode")
    expect(code).to_have_attribute("aria-invalid", "true")
    expect(code).to_have_attribute("aria-describedby", "join-error")
    expect(code).to_be_focused()
    expect(page.get_by_label("Fornavn")).not_to_have_attribute("aria-invalid", "true")
    check(page, "join page, wrong code")
    # A real code and no name: the name is what is wrong.
    facilitator, _ = open_phones(phone_server, screens)
    room = facilitator.url.split("/")[-2]
    page.goto(f"{phone_server.url}/j/{room}")
    page.get_by_role("button", name="Bli med").click()
    name = page.get_by_label("Fornavn")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_be_focused()
    assert "join-error" in (name.get_attribute("aria-describedby") or "")
    check(page, "join page, no name")
    # The focus ring, moved there by keyboard, stands out at least 3:1 from what is around it.
    page.keyboard.press("Tab")
    ring = page.evaluate(FOCUS_RING)
    assert ring["width"] >= 2 and ring["ratio"] >= 3, ring
    assert screens.errors == [] or all("404" in e or "400" in e for e in screens.errors), screens.errors


def test_a_trio_is_called_a_trio_everywhere(phone_server: LiveServer, screens: Screens) -> None:
    facilitator, phones = open_phones(phone_server, screens)
    kari = phones[0]
    go_to(facilitator, kari, "Trioer")
    expect(kari.locator("#group-title")).to_have_text(re.compile(r"^Trio \d$"))
    trio = kari.locator("#group-title").inner_text()
    expect(kari.locator(".lists-title")).to_have_text(trio)  # not «Gruppe 1» under «Trio 1»
    expect(kari.locator("h2, h3").filter(has_text=re.compile(r"^Gruppe \d"))).to_have_count(0)
    assert screens.errors == []
