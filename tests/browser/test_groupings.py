"""Groupings and roles that change between rounds, in real Chromium with four phones:
roles that pass on as a «nye roller» phase starts (a second observer in a triad of four,
and who misses which role said on the phones and the projector); 1-2-4-All, new partners
each round and World Café tables on the phones; voting by points."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screens
from tests.browser.rooms import open_room
from tests.liveserver import LiveServer, serve

pytestmark = [pytest.mark.browser, pytest.mark.server]

PROGRAM = """
title = "Runder"
start = "09:00"
network_group_size = 2

[[exercises]]
id = "trio"
title = "Trioer"
grouping = "triads"
[exercises.roles]
rotate = true
roles = [{ name = "Seg selv" }, { name = "Leder" }, { name = "Observatør" }]
extra = { name = "Observatør 2" }
[[exercises.phases]]
kind = "G"
minutes = 30
title = "Runde 1"
[[exercises.phases]]
kind = "G"
minutes = 30
title = "Runde 2 (nye roller)"
new_roles = true
[[exercises.phases]]
kind = "G"
minutes = 30
title = "Runde 3 (nye roller)"
new_roles = true

[[exercises]]
id = "en-to-fire"
title = "1-2-4-alle"
grouping = "1-2-4-all"
[[exercises.phases]]
kind = "I"
minutes = 30
[[exercises.phases]]
kind = "G"
minutes = 30
[[exercises.phases]]
kind = "G"
minutes = 30
[[exercises.phases]]
kind = "P"
minutes = 30

[[exercises]]
id = "impromptu"
title = "Impromptu"
grouping = "pairs"
[[exercises.phases]]
kind = "timed"
minutes = 30
[[exercises.phases]]
kind = "timed"
minutes = 30
new_groups = true
[[exercises.phases]]
kind = "timed"
minutes = 30
new_groups = true

[[exercises]]
id = "kafe"
title = "Kafé"
grouping = "world_cafe"
[[exercises.phases]]
kind = "G"
minutes = 30
[[exercises.phases]]
kind = "G"
minutes = 30
new_groups = true

[[exercises]]
id = "poeng"
title = "Prioriter"
[exercises.lists]
vote = "points"
[[exercises.phases]]
kind = "G"
minutes = 30
"""

NAMES = ("Kari", "Ola", "Per", "Siri")
ROLES = ("Seg selv", "Leder", "Observatør", "Observatør 2")


@pytest.fixture
def rounds_server(tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(tmp_path, {"runder.toml": PROGRAM}, time_scale="0.2")


def role_of(phone: Page) -> str:
    """The role the phone names after «Du er» (the extra role is the longer name)."""
    said = phone.locator(".roles-you-are").inner_text()
    return next(role for role in sorted(ROLES, key=len, reverse=True) if role in said)


def test_the_roles_pass_on_as_a_new_roles_phase_starts_and_the_four_hear_who_misses_what(
    rounds_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(rounds_server, screens, NAMES)
    facilitator.get_by_role("button", name="Gå til Trioer").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for phone in phones:  # four people make one triad of four: the program's 3 rounds, not 4
        expect(phone.locator(".roles-round")).to_have_text("Runde 1 av 3")
        expect(phone.locator(".roles-you-are")).to_contain_text("Du er")
    first = {name: role_of(phone) for name, phone in zip(NAMES, phones, strict=True)}
    assert sorted(first.values()) == sorted(ROLES)  # everyone a role; the fourth a second observer
    # 4 people x 3 roles in 3 rounds: three of them miss one role each, and are told which.
    missing = [phone for phone in phones if phone.locator(".roles-missed").count()]
    assert len(missing) == 3
    for phone in missing:
        missed = re.compile("får du ikke rollen (Seg selv|Leder|Observatør)")
        expect(phone.locator(".roles-missed")).to_contain_text(missed)
    expect(projector.locator(".kind-roles .roles-missed")).to_have_count(3)
    # The phases pass the roles on: there is no «Neste runde» to press as well.
    expect(facilitator.get_by_role("button", name="Neste runde: bytt roller")).to_have_count(0)

    held = {name: [role] for name, role in first.items()}
    for round_number in (2, 3):
        facilitator.get_by_role("button", name="Neste fase").click()
        for phone in phones:
            expect(phone.locator(".roles-round")).to_have_text(f"Runde {round_number} av 3")
        now = {name: role_of(phone) for name, phone in zip(NAMES, phones, strict=True)}
        assert sorted(now.values()) == sorted(ROLES)
        assert all(now[name] != held[name][-1] for name in NAMES)  # everyone has a new role
        for name in NAMES:
            held[name].append(now[name])
    main = set(ROLES[:3])
    # Over the three rounds each person held every main role they were not told they miss.
    told = {name for name, phone in zip(NAMES, phones, strict=True) if phone.locator(".roles-missed").count()}
    assert {name for name in NAMES if main <= set(held[name])} == set(NAMES) - told
    assert not screens.errors


def group_line(phone: Page) -> str:
    return phone.locator("#group-title").inner_text() + " | " + phone.locator("#group-members").inner_text()


def test_the_phones_follow_one_two_four_all_new_partners_and_the_world_cafe_tables(
    rounds_server: LiveServer, screens: Screens
) -> None:
    facilitator, _projector, phones = open_room(rounds_server, screens, NAMES)
    kari = phones[0]

    # 1-2-4-All: alone (no group), pairs, the two pairs as one four, then all (no group).
    facilitator.get_by_role("button", name="Gå til 1-2-4-alle").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for phone in phones:
        expect(phone.locator("#group-card")).to_be_hidden()
    facilitator.get_by_role("button", name="Neste fase").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"^Duo [12]$"))
        expect(phone.locator("#group-members")).to_have_text(re.compile(r"^Sammen med (Kari|Ola|Per|Siri)$"))
    facilitator.get_by_role("button", name="Neste fase").click()
    for name, phone in zip(NAMES, phones, strict=True):
        expect(phone.locator("#group-title")).to_have_text("Firer 1")
        others = phone.locator("#group-members").inner_text().removeprefix("Sammen med ").split(", ")
        assert sorted(others) == sorted(n for n in NAMES if n != name)
    facilitator.get_by_role("button", name="Neste fase").click()
    for phone in phones:
        expect(phone.locator("#group-card")).to_be_hidden()

    # Impromptu Networking: a new partner each round, the round on the group's title.
    facilitator.get_by_role("button", name="Neste øvelse", exact=True).click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    had: dict[str, set[str]] = {name: set() for name in NAMES}
    for round_number in (1, 2, 3):
        if round_number > 1:
            facilitator.get_by_role("button", name="Neste fase").click()
        title = re.compile(rf"^Duo [12] · runde {round_number} av 3$")
        for phone in phones:
            expect(phone.locator("#group-title")).to_have_text(title)
        for name, phone in zip(NAMES, phones, strict=True):
            other = phone.locator("#group-members").inner_text().removeprefix("Sammen med ")
            assert other in NAMES and other not in had[name]  # never the same partner twice
            had[name].add(other)

    # World Café: the network groups are the tables; the host stays, the others move.
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Neste øvelse", exact=True).click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"^Bord [12] · runde 1 av 2$"))
    hosts = [p for p in phones if "Du er vert" in p.locator("#group-members").inner_text()]
    assert len(hosts) == 2
    table = {id(p): p.locator("#group-title").inner_text()[:6] for p in phones}
    facilitator.get_by_role("button", name="Neste fase").click()
    for phone in phones:
        expect(phone.locator("#group-title")).to_have_text(re.compile(r"^Bord [12] · runde 2 av 2$"))
        if phone in hosts:
            expect(phone.locator("#group-members")).to_contain_text("Du er vert: bli ved bordet")
            expect(phone.locator("#group-title")).to_contain_text(table[id(phone)])
        else:
            moved_to = "Bord 2" if table[id(phone)] == "Bord 1" else "Bord 1"
            expect(phone.locator("#group-title")).to_contain_text(moved_to)
            expect(phone.locator("#group-members")).to_contain_text(f"Gå til bord {moved_to[-1]}.")
    assert kari.locator("#group-card").is_visible()
    assert not screens.errors


def test_voting_by_points_spreads_a_hundred_points_and_says_points_not_dots(
    rounds_server: LiveServer, screens: Screens
) -> None:
    facilitator, projector, phones = open_room(rounds_server, screens, NAMES)
    facilitator.get_by_role("button", name="Lag nettverksgrupper").click()
    facilitator.get_by_role("button", name="Gå til Prioriter").click()
    facilitator.get_by_role("button", name="Start", exact=True).click()
    kari, ola = phones[0], phones[1]
    for text in ("Mer tid", "Bedre møter"):
        kari.get_by_label("Nytt punkt").fill(text)
        kari.locator(".kind-lists").get_by_role("button", name="Legg til").click()
        expect(kari.get_by_label(f"Endre «{text}»")).to_have_value(text)
    facilitator.get_by_role("button", name="Samle alle i felles liste").click()
    facilitator.get_by_role("button", name="Åpne poengfordelingen").click()
    expect(projector.locator(".kind-lists h2")).to_have_text(re.compile("^Poengfordeling – 0 har"))
    expect(kari.locator(".lists-dots-left")).to_have_text("Du har 100 av 100 poeng igjen.")

    kari.get_by_label("Dine poeng til «Mer tid»").fill("70")
    kari.get_by_label("Dine poeng til «Mer tid»").press("Enter")
    expect(kari.locator(".lists-dots-left")).to_have_text("Du har 30 av 100 poeng igjen.")
    kari.get_by_role("button", name="Gi ti poeng til «Bedre møter»").click()
    expect(kari.locator(".lists-dots-left")).to_have_text("Du har 20 av 100 poeng igjen.")
    # More than is left is capped at what is left.
    ola.get_by_label("Dine poeng til «Bedre møter»").fill("150")
    ola.get_by_label("Dine poeng til «Bedre møter»").press("Enter")
    expect(ola.locator(".lists-dots-left")).to_have_text("Du har 0 av 100 poeng igjen.")
    expect(ola.get_by_role("button", name="Gi ti poeng til «Mer tid»")).to_be_disabled()

    room = projector.locator(".lists-room li")
    expect(room.first).to_contain_text("Bedre møter")
    expect(room.first).to_contain_text("110 poeng")
    expect(room.nth(1)).to_contain_text("70 poeng")
    expect(projector.locator(".kind-lists h2")).to_have_text(re.compile("^Poengfordeling – 2 har stemt"))
    expect(projector.locator(".kind-lists")).not_to_contain_text("prikk")
    expect(facilitator.locator(".kind-lists")).not_to_contain_text("prikk")
    assert not screens.errors
