"""Group work in real Chromium: roles by rule, a diamond ranking edited by a whole group
at once, and a gallery walk with comments — six phones in two groups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import rooms
from tests.browser.conftest import Screens
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Gruppearbeid"
start = "09:00"

[[exercises]]
id = "roller"
title = "Roller"
[[exercises.phases]]
kind = "G"
minutes = 5
[exercises.roles]
roles = [
  { name = "Ordstyrer og tidtaker", description = "Passer på tiden", rule = "closest", value = 40 },
  { name = "Sekretær", rule = "random" },
  { name = "Vert", rule = "random" },
]

[[exercises]]
id = "diamant"
title = "Verdidiamant"
[[exercises.phases]]
kind = "G"
minutes = 10
[exercises.diamond]
values = ["Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvar", "Raushet"]

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
"""

NAMES = ("Kari", "Ola", "Per", "Liv", "Nils", "Eva")
AGES = (38, 52, 29, 41, 60, 45)


@pytest.fixture
def group_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"gruppe.toml": PROGRAM}, time_scale="0.2")


def open_room(server: LiveServer, screens: Screens) -> tuple[Page, Page, list[Page]]:
    facilitator, projector, phones = rooms.open_room(server, screens, NAMES)
    facilitator.get_by_label("Lag grupper").select_option("count")
    facilitator.get_by_label("Antall").fill("2")
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"Gruppe [12]"))
    return facilitator, projector, phones


def group_of(phone: Page) -> int:
    return int(phone.locator("#group-title").inner_text().split()[-1])


def test_roles_diamond_and_gallery_walk_with_six_phones(group_server: LiveServer, screens: Screens) -> None:
    facilitator, projector, phones = open_room(group_server, screens)

    # Roles: each phone is asked its age, privately; the outcome shows per group.
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for phone, age in zip(phones, AGES, strict=True):
        phone.get_by_label("Hvor gammel er du?").fill(str(age))
        phone.get_by_role("button", name="Lagre").click()
    for phone in phones:
        expect(phone.locator(".roles-you-are")).to_contain_text("Du er")
    ages_by_group: dict[int, list[tuple[int, Page]]] = {}
    for phone, age in zip(phones, AGES, strict=True):
        ages_by_group.setdefault(group_of(phone), []).append((abs(age - 40), phone))
    for members in ages_by_group.values():
        chair = min(members, key=lambda m: m[0])[1]
        expect(chair.locator(".roles-you-are")).to_contain_text("Ordstyrer og tidtaker")
        expect(chair.locator(".roles-mine")).to_contain_text("Passer på tiden")
    for page in (projector, facilitator):
        expect(page.locator(".kind-roles")).to_contain_text("Ordstyrer og tidtaker")
    for age in AGES:  # the answers themselves never leave the phone that gave them
        for page in (projector, facilitator):
            expect(page.locator(".kind-roles")).not_to_contain_text(f"{age} år")

    # Diamond: two members of one group place values at the same time, by tap.
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    group_one = [p for p in phones if group_of(p) == 1]
    first, second = group_one[0], group_one[1]
    expect(first.locator(".kind-diamond")).to_contain_text("Tillit")
    values = ["Tillit", "Åpenhet", "Respekt", "Mot", "Omsorg", "Ærlighet", "Glede", "Ansvar", "Raushet"]
    slots = [(1, 1), (2, 1), (2, 2), (3, 1), (3, 2), (3, 3), (4, 1), (4, 2), (5, 1)]
    for index, (value, (row, place)) in enumerate(zip(values, slots, strict=True)):
        editor = first if index % 2 == 0 else second
        editor.locator(".kind-diamond").get_by_role("button", name=re.compile(f"^{value}")).first.click()
        editor.get_by_role("button", name=re.compile(f"^Rad {row}, plass {place}: tom")).click()
    for member in group_one:
        expect(member.get_by_role("button", name="Rad 1, plass 1: Tillit")).to_be_visible()
        expect(member.get_by_role("button", name="Rad 5, plass 1: Raushet")).to_be_visible()
    second.get_by_role("button", name="Ferdigstill diamanten").click()
    expect(first.locator(".kind-diamond")).to_contain_text("Diamanten er ferdigstilt.")
    expect(projector.locator(".kind-diamond")).to_contain_text("Samlet rangering")
    expect(projector.locator(".kind-diamond")).to_contain_text("Tillit")

    # Gallery walk: everyone but the host goes to the other group and comments there.
    facilitator.get_by_role("button", name="Neste øvelse").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    group_two = [p for p in phones if group_of(p) == 2]
    visitor = next(p for p in group_two if "Gå til gruppe 1" in p.locator("#kinds").inner_text())
    expect(visitor.locator(".kind-gallery")).to_contain_text("Tillit")  # group 1's diamond
    visitor.get_by_label("Kommentar til gruppe 1").fill("Fin rekkefølge – hvorfor er Mot så høyt?")
    visitor.get_by_role("button", name="Send kommentar").click()
    host = next(p for p in group_one if "vert" in p.locator("#kinds").inner_text().lower())
    expect(host.locator(".kind-gallery")).to_contain_text("hvorfor er Mot så høyt?")

    # Return phase: the group sees the comments it got and may adjust the diamond.
    facilitator.get_by_role("button", name="Neste fase").click()
    for member in group_one:
        expect(member.locator(".kind-gallery")).to_contain_text("hvorfor er Mot så høyt?")
    first.get_by_role("button", name="Åpne for endringer").click()
    first.get_by_role("button", name="Rad 3, plass 1: Mot").click()
    first.get_by_role("button", name="Rad 1, plass 1: Tillit").click()  # a swap
    expect(second.get_by_role("button", name="Rad 1, plass 1: Mot")).to_be_visible()
    expect(second.get_by_role("button", name="Rad 3, plass 1: Tillit")).to_be_visible()
    second.get_by_role("button", name="Ferdigstill diamanten").click()
    expect(first.locator(".kind-gallery")).to_contain_text("Diamanten er ferdigstilt.")
    assert screens.errors == []
