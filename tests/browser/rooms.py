"""Opening a room in Chromium the way people do: the facilitator creates the workshop from
the only program on the start page, the projector opens its link, and each phone joins
with the room code and a first name."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE, Screens
from tests.liveserver import LiveServer


def open_room(
    server: LiveServer, screens: Screens, names: tuple[str, ...], init_script: str | None = None
) -> tuple[Page, Page, list[Page]]:
    facilitator = screens.open(viewport={"width": 1280, "height": 900}).new_page()
    facilitator.goto(server.url + "/")
    facilitator.get_by_role("button", name="Lag workshop").click()
    facilitator.wait_for_url(re.compile(r"/f/[A-Z0-9]{6}/"))
    code = facilitator.url.split("/")[-2]
    projector = screens.open(viewport={"width": 1920, "height": 1080}).new_page()
    projector.goto(server.url + str(facilitator.locator("#projector-link").get_attribute("href")))
    phones = []
    for name in names:
        phone = screens.open(**PHONE).new_page()
        if init_script:  # before the page's own scripts (fakes of what the test watches)
            phone.add_init_script(f"({init_script})()")
        phone.goto(f"{server.url}/j/{code}")
        phone.get_by_label("Fornavn").fill(name)
        phone.get_by_role("button", name="Bli med").click()
        expect(phone.locator("#me-name")).to_have_text(name)
        phones.append(phone)
    return facilitator, projector, phones
