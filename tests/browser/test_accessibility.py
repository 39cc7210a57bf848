"""Every view works by keyboard, names every control for a screen reader, and keeps its
text at WCAG AA contrast (the projector must be readable from the back of a room)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.browser.test_igp_room import open_room
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]

# The contrast of every visible text against the background it is drawn on, computed by
# the browser from the real styles; disabled controls are exempt (WCAG 1.4.3).
CONTRAST_FAILURES = """
() => {
  function rgba(text) {
    const m = text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(",").map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function luminance([r, g, b]) {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  function background(el) {
    for (let node = el; node; node = node.parentElement) {
      const bg = rgba(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0.5) return bg;
    }
    return [255, 255, 255, 1];
  }
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.closest("[hidden], :disabled, script, option")) continue;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    if (style.visibility === "hidden" || box.width === 0 || box.height === 0) continue;
    const fg = rgba(style.color);
    const l1 = luminance(fg), l2 = luminance(background(el));
    const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(el.textContent.trim().slice(0, 40) + " " + ratio.toFixed(2));
  }
  return failures;
}
"""

CONTROL = r"(button|link|textbox|combobox|checkbox|radio|spinbutton|img)"
UNNAMED = re.compile(rf"^\s*- {CONTROL}\s*(\[[^\]]*\])?:?\s*$")


def unnamed_controls(page: Page) -> list[str]:
    snapshot = page.locator("body").aria_snapshot()
    return [line for line in snapshot.splitlines() if UNNAMED.match(line)]


def check_view(page: Page) -> None:
    assert unnamed_controls(page) == [], page.url
    assert page.evaluate(CONTRAST_FAILURES) == [], page.url


def test_every_view_names_its_controls_and_has_aa_contrast(server: LiveServer, screens: Screens) -> None:
    facilitator, projector, phones = open_room(server, screens)
    start = screens.open().new_page()
    start.goto(server.url + "/")
    join = screens.open(**PHONE).new_page()
    join.goto(server.url + "/j")
    for page in (start, join, facilitator, projector, phones[0]):
        check_view(page)
    facilitator.get_by_role("button", name="Start", exact=True).click()
    expect(projector.locator("#countdown")).to_have_text(re.compile(r"\d:\d\d"))
    expect(phones[0].get_by_label("Notatene dine")).to_be_visible()
    for page in (facilitator, projector, phones[0]):
        check_view(page)
    # The projector at the two sizes of the rooms we meet: nothing runs off the screen.
    for width, height in ((1920, 1080), (1280, 720)):
        projector.set_viewport_size({"width": width, "height": height})
        overflow = projector.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert overflow is False, (width, height)
        assert projector.locator("#countdown").bounding_box()["height"] > height / 10  # type: ignore[index]


def test_joining_and_running_the_day_works_from_the_keyboard(server: LiveServer, screens: Screens) -> None:
    facilitator = screens.open().new_page()
    facilitator.goto(server.url + "/")
    facilitator.get_by_label(re.compile("Prøvedag")).focus()
    facilitator.keyboard.press("Space")
    facilitator.keyboard.press("Tab")
    facilitator.keyboard.press("Enter")
    facilitator.wait_for_url(re.compile(r"/f/[A-Z0-9]{6}/"))
    code = facilitator.url.split("/")[-2]

    phone = screens.open(**PHONE).new_page()
    phone.goto(server.url + "/j")
    expect(phone.get_by_label("Romkode")).to_be_focused()
    phone.keyboard.type(code.lower())  # case does not matter
    phone.keyboard.press("Tab")
    phone.keyboard.type("Kari")
    phone.keyboard.press("Enter")
    expect(phone.locator("#me-name")).to_have_text("Kari")

    for _ in range(40):
        if facilitator.evaluate("document.activeElement && document.activeElement.id") == "btn-start":
            break
        facilitator.keyboard.press("Tab")
    facilitator.keyboard.press("Enter")
    expect(phone.locator("#phase-label")).to_contain_text(re.compile("Individuelt", re.IGNORECASE))
    assert screens.errors == []
