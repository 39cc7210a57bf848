"""Opening a room in Chromium the way people do: the facilitator creates the workshop from
the only program on the start page, the projector opens its link, and each phone joins
with the room code and a first name."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.liveserver import LiveServer


def create_workshop(page: Page, server: LiveServer, program: str | None = None) -> str:
    """The facilitator makes a workshop on the start page, of the program whose label says
    ``program`` (or the only one), and lands on its facilitator page: the room code."""
    page.goto(server.url + "/")
    if program is not None:
        page.get_by_label(re.compile(program)).check()
    page.get_by_role("button", name="Lag workshop").click()
    page.wait_for_url(re.compile(r"/f/[A-Z0-9]{6}/"))
    return page.url.split("/")[-2]


def open_projector(server: LiveServer, screens: Screens, facilitator: Page) -> Page:
    """The projector, a 1920×1080 screen of its own, opened by the facilitator page's link."""
    projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    return projector


def join(
    screens: Screens,
    url: str,
    code: str,
    name: str,
    phone: dict[str, Any] = PHONE,
    init_script: str | None = None,
) -> Page:
    """A phone (of its own) joins at ``url`` with the room code and a first name."""
    page = screens.open(**phone).new_page()
    if init_script:  # before the page's own scripts (fakes of what the test watches)
        page.add_init_script(f"({init_script})()")
    page.goto(f"{url}/j/{code}")
    page.get_by_label("Fornavn").fill(name)
    page.get_by_role("button", name="Bli med").click()
    expect(page.locator("#me-name")).to_have_text(name)
    return page


def open_room(
    server: LiveServer, screens: Screens, names: tuple[str, ...], init_script: str | None = None
) -> tuple[Page, Page, list[Page]]:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    code = create_workshop(facilitator, server)
    projector = open_projector(server, screens, facilitator)
    phones = [join(screens, server.url, code, name, init_script=init_script) for name in names]
    return facilitator, projector, phones
