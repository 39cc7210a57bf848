"""A programme of gatherings over HTTP: the next gathering opens with the last one's
results and groups; people come back by their own link (group and workbook) or by name,
as the facilitator confirms."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from app.core.actions import FormGroups, NextExercise, SaveNote, Start
from app.core.kinds.lists import Add
from app.core.kinds.wordcloud import Submit
from app.core.room import FACILITATOR, Room
from app.workshops import digest
from tests.roomkit import Workshop, create_workshop, join

PROGRAM = """
title = { nb = "Samling 1", en = "Gathering 1" }
[[exercises]]
id = "aksjon"
title = "Aksjonslæring"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 5
[[exercises]]
id = "ordsky"
kind = "info"
title = "Verdier"
grouping = "none"
minutes = 5
[exercises.wordcloud]
[[exercises]]
id = "forslag"
title = "Forslag"
[exercises.lists]
[[exercises.phases]]
kind = "G"
minutes = 10
"""


@pytest.fixture
def programs(programs_dir: Path) -> Path:
    (programs_dir / "samling.toml").write_text(PROGRAM, encoding="utf-8")
    return programs_dir


def live(client: TestClient, code: str) -> Any:
    assert client.portal is not None
    return client.portal.call(client.app.state.hub.get, code)  # type: ignore[attr-defined]


def act(client: TestClient, code: str, action: Any, actor: str = FACILITATOR) -> None:
    room = live(client, code)
    hub = client.app.state.hub  # type: ignore[attr-defined]
    assert client.portal is not None
    client.portal.call(room.submit, hub.command(action, actor))


def room_of(client: TestClient, code: str) -> Room:
    found: Room = live(client, code).room
    return found


def take_home_link(client: TestClient, code: str, token: str) -> str:
    client.cookies.clear()
    client.cookies.set(f"samling_{code}", token)
    mine = client.get(f"/r/{code}/mine", follow_redirects=False)
    client.cookies.clear()
    assert mine.status_code == 303
    link: str = mine.headers["location"]
    return link


def first_gathering(client: TestClient) -> tuple[Workshop, dict[str, str]]:
    w = create_workshop(client, "samling.toml")
    tokens = {name: join(client, w.code, name) for name in ("Kari", "Ola", "Per", "Liv")}
    pids = {p.name: p.id for p in room_of(client, w.code).participants.values()}
    act(client, w.code, FormGroups(mode="count", value=2))
    act(client, w.code, Start())
    act(client, w.code, SaveNote(exercise="aksjon", text="Jeg skal lytte mer"), pids["Kari"])
    act(client, w.code, SaveNote(exercise="aksjon", text="Jeg skal delegere"), pids["Liv"])
    act(client, w.code, NextExercise())
    act(client, w.code, Submit(exercise="ordsky", word="Tillit"), pids["Kari"])
    act(client, w.code, Submit(exercise="ordsky", word="tillit"), pids["Ola"])
    act(client, w.code, NextExercise())
    act(client, w.code, Add(exercise="forslag", text="Sammen om det viktige"), pids["Per"])
    links = {name: take_home_link(client, w.code, token) for name, token in tokens.items()}
    return w, links


def next_gathering(client: TestClient, w: Workshop) -> Workshop:
    page = client.get(f"/f/{w.code}/{w.facilitator_key}")
    assert f'href="/f/{w.code}/{w.facilitator_key}/next"' in page.text
    assert client.post(f"/f/{w.code}/{w.facilitator_key}/close").status_code in (200, 303)
    assert "Samling 2" in client.get(f"/f/{w.code}/{w.facilitator_key}/next").text
    made = client.post(
        f"/f/{w.code}/{w.facilitator_key}/next", data={"program": "this"}, follow_redirects=False
    )
    assert made.status_code == 303, made.text
    _, _, code, key = made.headers["location"].split("/")
    stored = client.app.state.store.find_workshop(code)  # type: ignore[attr-defined]
    return Workshop(code=code, facilitator_key=key, projector_key=stored.projector_key)


def test_the_next_gathering_opens_with_the_last_ones_results_and_groups(
    client: TestClient, programs: Path
) -> None:
    w, _ = first_gathering(client)
    groups = {p.name: p.group for p in room_of(client, w.code).participants.values()}
    second = next_gathering(client, w)
    room = room_of(client, second.code)
    opening = room.program.exercises[0]
    assert opening.title == {"nb": "Oppsummering fra sist samling", "en": "Summary of the last gathering"}
    assert opening.recap is not None
    kinds = [(s.kind, [i.text for i in s.items]) for s in opening.recap.sections]
    assert ("words", ["Tillit"]) in kinds
    assert ("list", ["Sammen om det viktige"]) in kinds
    members = {s.group: [i.text for i in s.items] for s in opening.recap.sections if s.kind == "groups"}
    assert {name: g for g, names in members.items() for name in names} == groups
    assert [ex.id for ex in room.program.exercises[1:]] == ["aksjon", "ordsky", "forslag"]
    assert "Jeg skal lytte mer" not in str(opening.recap)  # a note is nobody else's
    facilitator = client.get(f"/f/{second.code}/{second.facilitator_key}").text
    assert f'href="/f/{second.code}/{second.facilitator_key}/returning"' in facilitator


def test_back_by_the_personal_link_in_the_same_group_with_the_earlier_workbook(
    client: TestClient, programs: Path
) -> None:
    w, links = first_gathering(client)
    kari_group = next(p.group for p in room_of(client, w.code).participants.values() if p.name == "Kari")
    second = next_gathering(client, w)
    page = client.get(links["Kari"])
    assert f'href="{links["Kari"]}/next"' in page.text
    assert "Kari" in client.get(links["Kari"] + "/next").text
    back = client.post(links["Kari"] + "/next", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"/r/{second.code}"
    token = back.cookies.get(f"samling_{second.code}")
    assert token
    kari = next(p for p in room_of(client, second.code).participants.values() if p.name == "Kari")
    assert kari.group == kari_group
    # Her workbook now has what she wrote at the gathering before.
    workbook = client.get(take_home_link(client, second.code, token)).text
    assert 'id="workbook-earlier-title"' in workbook and "Jeg skal lytte mer" in workbook
    # The same link on a second phone: that phone is hers too, no second Kari.
    client.cookies.clear()
    again = client.post(links["Kari"] + "/next", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/r/{second.code}"
    other = again.cookies.get(f"samling_{second.code}")
    assert other and other != token
    assert room_of(client, second.code).tokens[digest(other)] == kari.id
    assert [p.name for p in room_of(client, second.code).participants.values()].count("Kari") == 1


def test_back_by_name_as_the_facilitator_confirms_group_but_not_answers(
    client: TestClient, programs: Path
) -> None:
    w, _ = first_gathering(client)
    ola_before = next(p for p in room_of(client, w.code).participants.values() if p.name == "Ola")
    second = next_gathering(client, w)
    token = join(client, second.code, "ola")
    ola = next(p for p in room_of(client, second.code).participants.values() if p.name == "ola")
    returning = f"/f/{second.code}/{second.facilitator_key}/returning"
    page = client.get(returning).text
    assert re.search(rf'<option value="{ola_before.id}" selected>Ola', page)
    confirmed = client.post(
        returning, data={"pid": ola.id, "earlier_pid": ola_before.id}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert room_of(client, second.code).participants[ola.id].group == ola_before.group
    assert "bekreftet etter navn" in client.get(returning).text
    assert 'id="workbook-earlier-title"' not in client.get(take_home_link(client, second.code, token)).text
    # Nobody is matched twice.
    assert client.post(returning, data={"pid": ola.id, "earlier_pid": ola_before.id}).status_code == 409


def test_the_programme_pages_need_the_facilitator_key(client: TestClient, programs: Path) -> None:
    w, links = first_gathering(client)
    assert client.get(f"/f/{w.code}/wrong-key/next").status_code == 404
    assert client.post(f"/f/{w.code}/wrong-key/next", data={"program": "this"}).status_code == 404
    assert (
        client.get(f"/f/{w.code}/{w.facilitator_key}/returning").status_code == 404
    )  # not a later gathering
    assert client.get(links["Kari"] + "/next").status_code == 404  # no next gathering yet


def pid_of(client: TestClient, code: str, name: str) -> str:
    found: str = next(p.id for p in room_of(client, code).participants.values() if p.name == name)
    return found


def back_by_link(client: TestClient, link: str, code: str) -> str:
    """Join the next gathering from a take-home link; the new phone's token."""
    client.cookies.clear()
    back = client.post(link + "/next", follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"] == f"/r/{code}", back.text
    token = back.cookies.get(f"samling_{code}")
    assert token
    return token


def test_the_programme_carries_on_to_a_third_gathering_with_the_workbook_growing(
    client: TestClient, programs: Path
) -> None:
    w, links = first_gathering(client)
    kari_group = next(p.group for p in room_of(client, w.code).participants.values() if p.name == "Kari")
    second = next_gathering(client, w)
    token = back_by_link(client, links["Kari"], second.code)
    kari = pid_of(client, second.code, "Kari")
    act(client, second.code, Start())
    act(client, second.code, NextExercise())  # from the summary to the action learning
    act(client, second.code, SaveNote(exercise="aksjon", text="Jeg har lyttet mer"), kari)
    act(client, second.code, NextExercise())
    act(client, second.code, Submit(exercise="ordsky", word="Mot"), kari)
    kari_second = take_home_link(client, second.code, token)
    assert client.post(f"/f/{second.code}/{second.facilitator_key}/close").status_code in (200, 303)
    assert "Samling 3" in client.get(f"/f/{second.code}/{second.facilitator_key}/next").text
    third = next_gathering(client, second)
    # It opens with the second gathering's results, not the first's, and its groups.
    room = room_of(client, third.code)
    opening = room.program.exercises[0]
    assert [ex.id for ex in room.program.exercises] == ["oppsummering", "aksjon", "ordsky", "forslag"]
    assert opening.recap is not None
    words = [[i.text for i in s.items] for s in opening.recap.sections if s.kind == "words"]
    assert words == [["Mot"]]
    groups = {i.text: s.group for s in opening.recap.sections if s.kind == "groups" for i in s.items}
    assert groups == {"Kari": kari_group}
    # Kari comes back by her link of the second gathering: her group, and both gatherings'
    # answers in her «Mine svar», the nearest first.
    token = back_by_link(client, kari_second, third.code)
    assert room_of(client, third.code).participants[pid_of(client, third.code, "Kari")].group == kari_group
    workbook = client.get(take_home_link(client, third.code, token)).text
    assert workbook.index("Jeg har lyttet mer") < workbook.index("Jeg skal lytte mer")


def test_someone_who_missed_a_gathering_comes_back_to_the_next_one_as_themselves(
    client: TestClient, programs: Path
) -> None:
    """Liv and Ola were at the first gathering, not at the second: at the third, Liv comes
    back by her link of the first (her group, her workbook), Ola by name as the facilitator
    confirms; Kari, who was at the second, can use either of her links."""
    w, links = first_gathering(client)
    before = {p.name: p for p in room_of(client, w.code).participants.values()}
    second = next_gathering(client, w)
    back_by_link(client, links["Kari"], second.code)
    assert client.post(f"/f/{second.code}/{second.facilitator_key}/close").status_code in (200, 303)
    third = next_gathering(client, second)
    # Liv: her link of the first gathering offers the third and brings her back as herself.
    assert f'href="{links["Liv"]}/next"' in client.get(links["Liv"]).text
    token = back_by_link(client, links["Liv"], third.code)
    liv = pid_of(client, third.code, "Liv")
    assert room_of(client, third.code).participants[liv].group == before["Liv"].group
    workbook = client.get(take_home_link(client, third.code, token)).text
    assert 'id="workbook-earlier-title"' in workbook and "Jeg skal delegere" in workbook
    client.cookies.clear()
    again = client.post(links["Liv"] + "/next", follow_redirects=False)  # a second phone: hers too
    assert (
        again.status_code == 303
        and [p.name for p in room_of(client, third.code).participants.values()].count("Liv") == 1
    )
    # Kari's first link leads on through the second gathering, where she was.
    back_by_link(client, links["Kari"], third.code)
    assert len([p for p in room_of(client, third.code).participants.values() if p.name == "Kari"]) == 1
    # Ola types his name: the facilitator is offered the Ola of the first gathering.
    join(client, third.code, "Ola")
    ola = pid_of(client, third.code, "Ola")
    returning = f"/f/{third.code}/{third.facilitator_key}/returning"
    page = client.get(returning).text
    suggested = re.search(r'<option value="([^"]+)" selected>Ola', page)
    assert suggested is not None and "sist med på samling 1" in page
    confirmed = client.post(
        returning, data={"pid": ola, "earlier_pid": suggested.group(1)}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert room_of(client, third.code).participants[ola].group == before["Ola"].group
    assert "Ola" not in client.get(returning).text.split('id="waiting-title"')[1].split("</section>")[0]


def test_a_link_that_leads_on_through_a_name_match_carries_the_group_but_never_the_answers(
    client: TestClient, programs: Path
) -> None:
    """Ola was confirmed by name at the second gathering (the facilitator may have picked
    the wrong Ola); his link of the first brings him to the third in that group, without
    what the second gathering's Ola wrote."""
    w, links = first_gathering(client)
    ola_before = pid_of(client, w.code, "Ola")
    second = next_gathering(client, w)
    join(client, second.code, "Ola")
    ola = pid_of(client, second.code, "Ola")
    returning = f"/f/{second.code}/{second.facilitator_key}/returning"
    assert client.post(returning, data={"pid": ola, "earlier_pid": ola_before}).status_code in (200, 303)
    act(client, second.code, FormGroups(mode="count", value=1))  # Ola's group changes at the second
    act(client, second.code, Start())
    act(client, second.code, NextExercise())
    act(client, second.code, SaveNote(exercise="aksjon", text="Den andre Olas notat"), ola)
    group = room_of(client, second.code).participants[ola].group
    assert client.post(f"/f/{second.code}/{second.facilitator_key}/close").status_code in (200, 303)
    third = next_gathering(client, second)

    def hint(link: str) -> str:
        found = re.search(r'<p class="hint">(.*?)</p>', client.get(link + "/next").text)
        assert found is not None
        return found.group(1)

    assert hint(links["Ola"]) == "Du kommer i den samme nettverksgruppen som sist."  # no answers promised
    assert "svarene dine" in hint(links["Per"])  # Per's own link brings them
    token = back_by_link(client, links["Ola"], third.code)
    assert room_of(client, third.code).participants[pid_of(client, third.code, "Ola")].group == group
    workbook = client.get(take_home_link(client, third.code, token)).text
    assert "Den andre Olas notat" not in workbook
    assert "bekreftet etter navn" in client.get(f"/f/{third.code}/{third.facilitator_key}/returning").text
