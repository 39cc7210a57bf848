"""The facilitator's page, the projector and the day's results, in every state of the
Seljord day: axe-core finds nothing (WCAG 2.1 A and AA, best practices: one h1 and it
comes first, landmarks named once, everything inside one), and the focus ring stands out
at least 3:1 from what is around it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from tests.browser.axe import violations
from tests.browser.conftest import Screens
from tests.browser.crowd import Crowd, day_server
from tests.browser.test_projector_fits import settle
from tests.liveserver import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.timeout(600)]


FIRST_HEADING = """
() => {
  const seen = Array.from(document.querySelectorAll("h1, h2, h3, h4, h5, h6"))
    .filter((h) => !h.closest("[hidden]") && h.getClientRects().length > 0);
  return seen.length ? seen[0].tagName : null;
}
"""

# The focus ring's contrast against the page around the focused control (WCAG 1.4.11).
RING = """
() => {
  function rgba(text) {
    const p = text.match(/rgba?\\(([^)]+)\\)/)[1].split(",").map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  }
  function luminance([r, g, b]) {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  }
  const el = document.activeElement;
  const style = getComputedStyle(el);
  let bg = [255, 255, 255, 1];
  for (let node = el.parentElement; node; node = node.parentElement) {
    const c = rgba(getComputedStyle(node).backgroundColor);
    if (c[3] > 0.5) { bg = c; break; }
  }
  const a = luminance(rgba(style.outlineColor)), b = luminance(bg);
  return { width: parseFloat(style.outlineWidth), ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) };
}
"""


@pytest.fixture
def seljord(tmp_path: Path) -> Iterator[LiveServer]:
    with day_server(tmp_path, ["seljord-samling-2.toml"]) as server:
        yield server


def audit(pages: dict[str, Page], state: str, found: list[str]) -> None:
    for name, page in pages.items():
        found += [f"{state}, {name}: {v}" for v in violations(page)]
        shown = page.locator("body").inner_text()
        found += [f"{state}, {name}: says {m!r}" for m in re.findall(r"\b(?:null|undefined|NaN)\b", shown)]
        first = page.evaluate(FIRST_HEADING)
        if first != "H1":
            found.append(f"{state}, {name}: the first heading is {first}")


def test_every_state_of_the_day_on_the_staff_screens_passes_axe(
    seljord: LiveServer, screens: Screens
) -> None:
    crowd = Crowd(seljord, "seljord-samling-2.toml", 12)
    found: list[str] = []
    try:
        facilitator = screens.open(viewport={"width": 1366, "height": 768}).new_page()
        facilitator.goto(seljord.url + crowd.facilitator_path)
        html = httpx.get(seljord.url + crowd.facilitator_path).text
        match = re.search(r'href="(/s/[^"]+)"', html)
        assert match
        projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
        projector.goto(seljord.url + match[1])
        pages = {"facilitator": facilitator, "projector": projector}
        settle(projector, crowd.facilitator.seq or 0)
        audit(pages, "the agenda", found)
        settle(projector, crowd.act({"type": "form_groups", "mode": "size", "value": 5}))
        for item in crowd.state()["agenda"]:
            settle(projector, crowd.act({"type": "goto_exercise", "index": item["index"]}))
            settle(projector, crowd.act({"type": "start"}))
            for phase in range(len(item["phases"])):
                if phase:
                    settle(projector, crowd.act({"type": "next_phase"}))
                settle(projector, crowd.fill())
                audit(pages, f"«{item['id']}» phase {phase + 1}", found)
        settle(projector, crowd.act({"type": "hide_results", "exercise": "kommentarer", "hidden": True}))
        audit(pages, "comments hidden", found)
        for show in ("blank", "qr", "room"):
            settle(projector, crowd.act({"type": "projector_show", "show": show}))
            audit({"projector": projector}, f"the projector showing {show}", found)
        settle(projector, crowd.act({"type": "goto_exercise", "index": len(crowd.state()["agenda"])}))
        audit(pages, "the end of the day", found)
        results = screens.open(viewport={"width": 1200, "height": 900}).new_page()
        results.goto(seljord.url + crowd.facilitator_path + "/results")
        audit({"results": results}, "the results", found)

        # The focus ring, on the facilitator's light page and the projector's night.
        facilitator.locator("#btn-next-exercise").focus()
        facilitator.keyboard.press("Shift+Tab")
        facilitator.keyboard.press("Tab")
        ring = facilitator.evaluate(RING)
        assert ring["width"] >= 2 and ring["ratio"] >= 3, ring
        projector.locator("#text-larger").focus()
        projector.keyboard.press("Shift+Tab")
        projector.keyboard.press("Tab")
        ring = projector.evaluate(RING)
        assert ring["width"] >= 2 and ring["ratio"] >= 3, ring
    finally:
        crowd.stop()
    assert not found, "\n".join(found)
    assert screens.errors == []
