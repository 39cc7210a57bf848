"""The facilitator presents the day in Chromium: the keys a presentation clicker sends
(PageDown/PageUp, the arrows, B or . for a blank screen), Space to pause and resume, + and −
for minutes, Q for the big QR code, also pressed on the projector's window in the same
browser; a control bar that stays in view and keeps the focus; what comes next; results
hidden until revealed; a projector text size the projector remembers; and a warning, with
the laptop's addresses to choose from, when the page was opened on localhost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.rooms import create_workshop, join
from tests.liveserver import LiveServer, serve
from tests.roomkit import DEMO_PROGRAM

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo day, with phases long enough to press keys in (3 minutes: 36 s)."""
    yield from serve(tmp_path, {"demo.toml": DEMO_PROGRAM}, time_scale="0.2")


TITLE_SIZE = "parseFloat(getComputedStyle(document.getElementById('exercise-title')).fontSize)"


def clock(seconds: int) -> re.Pattern[str]:
    return re.compile(rf"^{seconds // 60}:{seconds % 60:02d}$")


def seconds(page: Page) -> int:
    text = page.locator("#countdown").inner_text().strip()
    match = re.fullmatch(r"(\d+):(\d\d)", text)
    assert match, text
    return int(match[1]) * 60 + int(match[2])


def open_day(server: LiveServer, screens: Screens) -> tuple[Page, Page, Page]:
    """The facilitator, the projector opened from the facilitator's page in the same
    browser (a laptop with the projector as its second screen), and one phone."""
    context = screens.open(viewport={"width": 1280, "height": 800})
    facilitator = context.new_page()
    code = create_workshop(facilitator, server)
    projector = context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    phone = join(screens, server.url, code, "Kari")
    expect(projector.locator("#joined")).to_have_text("1 med")
    facilitator.bring_to_front()
    return facilitator, projector, phone


def test_a_clicker_runs_the_day_and_the_focus_stays_where_it_was(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phone = open_day(server, screens)
    expect(facilitator.locator("#next-up")).to_have_text("Neste øvelse: Refleksjon (planlagt 08:30)")

    # PageDown starts the day; the phone and the projector follow.
    facilitator.keyboard.press("PageDown")
    expect(projector.locator("#exercise-title")).to_have_text("Refleksjon")
    expect(projector.locator("#timer-status")).to_have_text("")
    expect(facilitator.locator("#next-up")).to_have_text("Neste fase: Gruppe · 15 min")

    # Space pauses and resumes; + and − move the minutes.
    facilitator.keyboard.press("Space")
    expect(projector.locator("#timer-status")).to_have_text("Pause")
    before = seconds(facilitator)
    facilitator.keyboard.press("+")
    expect(facilitator.locator("#countdown")).not_to_have_text(
        re.compile(rf"^{before // 60}:{before % 60:02d}$")
    )
    assert seconds(facilitator) > before
    more = seconds(facilitator)
    facilitator.keyboard.press("-")
    expect(facilitator.locator("#countdown")).not_to_have_text(clock(more))
    assert seconds(facilitator) < more
    facilitator.keyboard.press("Space")
    expect(projector.locator("#timer-status")).to_have_text("")

    # The clicker's next and back: a phase on, a phase back (its timer ready again).
    facilitator.keyboard.press("ArrowRight")
    expect(projector.locator("#phase-label")).to_contain_text(re.compile("Gruppe", re.IGNORECASE))
    expect(phone.locator("#phase-label")).to_contain_text(re.compile("Gruppe", re.IGNORECASE))
    facilitator.keyboard.press("PageUp")
    expect(projector.locator("#phase-label")).to_contain_text(re.compile("Individuelt", re.IGNORECASE))
    expect(projector.locator("#timer-status")).to_have_text("Klar til start")
    expect(facilitator.locator("#next-up")).to_have_text("Neste: start Individuelt")

    # B blanks the projector, and the next key brings the room back without moving on.
    # Each key is pressed once the facilitator's own screen shows the last one's effect
    # (its button), as she sees it: the projector may be told a moment before her page.
    blank_button = facilitator.get_by_role("button", name="Svart skjerm (B)")
    facilitator.keyboard.press("b")
    expect(projector.locator("#blank")).to_be_visible()
    expect(blank_button).to_have_attribute("aria-pressed", "true")
    facilitator.keyboard.press("PageDown")
    expect(projector.locator("#blank")).to_be_hidden()
    expect(projector.locator("#timer-status")).to_have_text("Klar til start")
    expect(blank_button).to_have_attribute("aria-pressed", "false")
    facilitator.keyboard.press(".")
    expect(projector.locator("#blank")).to_be_visible()
    expect(blank_button).to_have_attribute("aria-pressed", "true")
    facilitator.keyboard.press(".")
    expect(projector.locator("#blank")).to_be_hidden()

    # Q: the big QR code with the join address, on demand.
    facilitator.keyboard.press("q")
    expect(projector.locator("#big-qr")).to_be_visible()
    expect(projector.locator("#big-qr .join-url")).to_have_text(re.compile(r"/j$"))
    facilitator.keyboard.press("q")
    expect(projector.locator("#big-qr")).to_be_hidden()

    # The buttons keep the focus when they cannot be pressed again (Start, Pause).
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(projector.locator("#timer-status")).to_have_text("")
    assert facilitator.evaluate("document.activeElement.id") == "btn-start"
    expect(facilitator.locator("#btn-start")).to_have_attribute("aria-disabled", "true")
    facilitator.get_by_role("button", name="Pause", exact=True).click()
    expect(projector.locator("#timer-status")).to_have_text("Pause")
    assert facilitator.evaluate("document.activeElement.id") == "btn-pause"
    facilitator.get_by_role("button", name="Gå til Duoer").click()
    expect(projector.locator("#exercise-title")).to_have_text("Duoer")
    assert facilitator.evaluate("document.activeElement.getAttribute('aria-label')") == "Gå til Duoer"

    # Typing in a field is typing, not presenting.
    facilitator.locator("#rename-p1").fill("Kari B")
    facilitator.locator("#rename-p1").press("b")
    expect(projector.locator("#blank")).to_be_hidden()

    # The presenter's bar stays in view at the bottom of the page.
    facilitator.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    box = facilitator.locator("#now").bounding_box()
    assert box is not None and box["y"] >= -1 and box["y"] + box["height"] <= 800
    assert screens.errors == []


def test_a_key_pressed_twice_quickly_does_what_two_presses_mean(server: LiveServer, screens: Screens) -> None:
    """A clicker's B, B (or Q, Q) pressed faster than the room answers: blank, then back,
    not blank twice; B then Q: the QR code; B then Next quickly: back to the room, and not
    yet a step."""
    facilitator, projector, _ = open_day(server, screens)
    blank_button = facilitator.get_by_role("button", name="Svart skjerm (B)")
    press = "(keys) => keys.forEach((key) => document.dispatchEvent(new KeyboardEvent('keydown', {key})))"
    # How often the projector has shown the blank screen and the big QR code (each press
    # shows a moment, however short, before the next one is told).
    projector.evaluate("""() => {
      window.shown = { blank: 0, "big-qr": 0 };
      for (const id of Object.keys(window.shown)) {
        const element = document.getElementById(id);
        new MutationObserver(() => { if (!element.hidden) window.shown[id] += 1; })
          .observe(element, { attributes: true, attributeFilter: ["hidden"] });
      }
    }""")
    for keys, shown in (("bb", {"blank": 1, "big-qr": 0}), ("qq", {"blank": 1, "big-qr": 1})):
        facilitator.evaluate(press, list(keys))  # in one turn of the page's loop: neither answered yet
        projector.wait_for_function(
            "(want) => window.shown.blank === want.blank && window.shown['big-qr'] === want['big-qr']",
            arg=shown,
        )
        expect(projector.locator("#blank")).to_be_hidden()  # and then back to the room
        expect(projector.locator("#big-qr")).to_be_hidden()
        expect(blank_button).to_have_attribute("aria-pressed", "false")
    facilitator.evaluate(press, ["b", "q"])
    expect(projector.locator("#big-qr")).to_be_visible()
    expect(facilitator.get_by_role("button", name="Stor QR-kode (Q)")).to_have_attribute(
        "aria-pressed", "true"
    )
    facilitator.evaluate(press, ["b", "PageDown"])  # from the QR code: blank, then the room
    expect(projector.locator("#blank")).to_be_hidden()
    expect(blank_button).to_have_attribute("aria-pressed", "false")
    expect(facilitator.locator("#next-up")).to_have_text("Neste øvelse: Refleksjon (planlagt 08:30)")
    facilitator.keyboard.press("PageDown")  # the day had not started: now it does
    expect(projector.locator("#exercise-title")).to_have_text("Refleksjon")
    assert screens.errors == []


def test_keys_pressed_on_the_projector_window_move_the_day(server: LiveServer, screens: Screens) -> None:
    facilitator, projector, _ = open_day(server, screens)
    projector.bring_to_front()
    projector.keyboard.press("PageDown")  # a clicker, with the projector's window in front
    expect(projector.locator("#exercise-title")).to_have_text("Refleksjon")
    expect(facilitator.locator("#exercise-title")).to_have_text("Refleksjon")
    projector.keyboard.press("b")
    expect(projector.locator("#blank")).to_be_visible()
    projector.keyboard.press("b")
    expect(projector.locator("#blank")).to_be_hidden()

    # + and − on the projector are its own text size, and it remembers it.
    projector.keyboard.press("+")
    expect(projector.locator("#text-scale")).to_have_text("Tekst 110 %")
    size = projector.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('exercise-title')).fontSize)"
    )
    projector.reload()
    expect(projector.locator("#exercise-title")).to_have_text("Refleksjon")
    expect(projector.locator("#text-scale")).to_have_text("Tekst 110 %")
    after = projector.evaluate(
        "parseFloat(getComputedStyle(document.getElementById('exercise-title')).fontSize)"
    )
    assert after == pytest.approx(size, rel=0.02)
    projector.keyboard.press("-")
    expect(projector.locator("#text-scale")).to_have_text("Tekst 100 %")
    assert screens.errors == []


def test_results_stay_hidden_on_the_projector_until_revealed(server: LiveServer, screens: Screens) -> None:
    facilitator, projector, phone = open_day(server, screens)
    facilitator.get_by_role("button", name="Gå til Hvilke kommentarer har dere til dagens samling?").click()
    hide = facilitator.get_by_role("button", name="Skjul resultatene til avsløring")
    hide.click()
    expect(facilitator.locator("#hidden-note")).to_have_text("Resultatene er skjult på projektoren.")
    phone.get_by_label("Din kommentar").fill("Takk for i dag!")
    phone.get_by_role("button", name="Send").click()
    expect(projector.locator(".kind-hidden")).to_contain_text("1 kommentar")
    expect(projector.locator(".kind-hidden")).to_contain_text("Resultatene kommer")
    assert "Takk for i dag!" not in projector.locator("#projector").inner_text()  # what the room sees
    expect(facilitator.locator(".kind-comments")).to_contain_text("Takk for i dag!")  # the facilitator sees
    facilitator.get_by_role("button", name="Avslør resultatene").click()
    expect(projector.locator(".comment-wall li")).to_have_text(["Takk for i dag!"])
    expect(projector.locator(".kind-hidden")).to_have_count(0)
    assert screens.errors == []


def test_opened_on_localhost_the_page_warns_until_a_join_address_is_chosen(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, _ = open_day(server, screens)  # at http://127.0.0.1:<port>
    warning = facilitator.locator("#join-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Telefonene når ikke denne adressen")
    choices = facilitator.locator("#join-choices button")
    if choices.count() == 0:  # this machine has no network address: say what to do instead
        expect(warning).to_contain_text("SAMLING_PUBLIC_URL")
        return
    choice = choices.first.inner_text().removeprefix("Bruk ")
    assert re.fullmatch(r"http://[0-9.]+:\d+/j", choice), choice
    choices.first.click()
    expect(warning).to_be_hidden()
    expect(facilitator.locator("#join-address")).to_have_text(choice)
    expect(projector.locator("#join-url")).to_have_text(choice)
    base = choice.removesuffix("/j")
    expect(projector.locator("#qr-small")).to_have_attribute(
        "src", re.compile(r"\?base=" + re.escape(base.replace(":", "%3A").replace("/", "%2F")))
    )
    assert screens.errors == []


def test_h_hides_and_reveals_the_results_also_from_the_projector_window(
    server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phone = open_day(server, screens)
    expect(facilitator.locator(".keys-hint")).to_contain_text("H skjul og vis resultatene")
    # Before the day, nothing to hide: H does nothing.
    facilitator.keyboard.press("h")
    expect(facilitator.locator("#btn-hide-results")).to_be_hidden()
    facilitator.get_by_role("button", name="Gå til Hvilke kommentarer har dere til dagens samling?").click()
    phone.get_by_label("Din kommentar").fill("Takk for i dag!")
    phone.get_by_role("button", name="Send").click()
    expect(projector.locator(".comment-wall li")).to_have_text(["Takk for i dag!"])
    hide = facilitator.locator("#btn-hide-results")
    expect(hide).to_have_attribute("aria-keyshortcuts", "H")
    facilitator.keyboard.press("h")
    expect(projector.locator(".kind-hidden")).to_contain_text("1 kommentar")
    assert "Takk for i dag!" not in projector.locator("#projector").inner_text()
    expect(facilitator.locator("#hidden-note")).to_have_text("Resultatene er skjult på projektoren.")
    expect(hide).to_have_attribute("aria-pressed", "true")
    expect(hide).to_have_text("Avslør resultatene (H)")
    # The focus stayed on the button she pressed before, and H again reveals them.
    assert facilitator.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Gå til Hvilke kommentarer har dere til dagens samling?"
    )
    facilitator.keyboard.press("H")
    expect(projector.locator(".comment-wall li")).to_have_text(["Takk for i dag!"])
    expect(projector.locator(".kind-hidden")).to_have_count(0)
    expect(hide).to_have_text("Skjul resultatene til avsløring (H)")
    # With the projector's window in front, H passes to the facilitator's page.
    projector.bring_to_front()
    projector.keyboard.press("h")
    expect(projector.locator(".kind-hidden")).to_contain_text("Resultatene kommer")
    expect(hide).to_have_attribute("aria-pressed", "true")
    projector.keyboard.press("h")
    expect(projector.locator(".kind-hidden")).to_have_count(0)
    expect(hide).to_have_attribute("aria-pressed", "false")
    # H, H faster than the room answers: hidden a moment, then shown again (not hidden twice).
    facilitator.evaluate(
        "['h', 'h'].forEach((key) => document.dispatchEvent(new KeyboardEvent('keydown', {key})))"
    )
    expect(facilitator.locator("#hidden-note")).to_have_text("")
    facilitator.keyboard.press("q")  # a later action, so that both presses have been answered
    expect(projector.locator("#big-qr")).to_be_visible()
    facilitator.keyboard.press("q")
    expect(projector.locator("#big-qr")).to_be_hidden()
    expect(projector.locator(".comment-wall li")).to_have_text(["Takk for i dag!"])
    expect(hide).to_have_attribute("aria-pressed", "false")
    # Typing an h in a field is typing.
    facilitator.bring_to_front()
    facilitator.locator("#rename-p1").press("End")
    facilitator.locator("#rename-p1").press("h")
    expect(facilitator.locator("#rename-p1")).to_have_value("Karih")
    expect(hide).to_have_attribute("aria-pressed", "false")
    assert screens.errors == []
