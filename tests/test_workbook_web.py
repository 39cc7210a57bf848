"""«Mine svar» and the take-home link, through the real app: a person's answers reach
their own workbook and no other screen, the results or an export; the link is personal,
unguessable and rate-limited, works after the workshop is closed, and ends when it is
deleted; the person can delete their own answers, also from the stored history."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from app.main import create_app
from app.realtime.hub import now_ms
from app.settings import Settings
from app.storage.store import Store
from app.storage.tables import CommandRow, SnapshotRow
from app.web.logs import mask
from tests.roomkit import Screen, connect_phone, create_workshop, hello, join

PROGRAM = """
title = "Kompetanse og læring"

[workbook]
title = "Personlig handlingsplan"
[[workbook.sections]]
id = "avdelingen"
title = "2 Avdelingens behov"

[[exercises]]
id = "ovelse-2"
title = "Øvelse 2: Avdelingens behov"
grouping = "none"
notes_section = "avdelingen"
[[exercises.phases]]
kind = "I"
minutes = 5
[exercises.form]
summary = true
[[exercises.form.groups]]
heading = "Selvledelse"
[[exercises.form.groups.questions]]
id = "jobb"
type = "scale"
text = "Jeg tar ansvar for egen jobb"
[[exercises.form.groups.questions]]
id = "evne"
type = "long"
section = "avdelingen"
text = "Avdelingen bør utvikle evner til å …"

[[exercises]]
id = "slutt"
kind = "info"
title = "Hva nå?"
minutes = 5
"""

NOTE = "Kari sitt hemmelige notat"
OLA_NOTE = "Olas notat, uten lenke"
ANSWER = "Kari vil lede endring"


@pytest.fixture
def book_client(settings: Settings, programs_dir: Path) -> Iterator[TestClient]:
    (programs_dir / "plan.toml").write_text(PROGRAM, encoding="utf-8")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def store_of(client: TestClient) -> Store:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    return store


def link_of(client: TestClient, code: str, token: str) -> str:
    client.cookies.clear()
    client.cookies.set(f"samling_{code}", token)
    mine = client.get(f"/r/{code}/mine", follow_redirects=False)
    client.cookies.clear()
    assert mine.status_code == 303, mine.text
    location: str = mine.headers["location"]
    assert re.fullmatch(rf"/w/{code}/[A-Za-z0-9_-]{{32}}", location)
    return location


def shown(client: TestClient, path: str) -> str:
    """What a page shows: its main content (the page also carries the whole catalog)."""
    page = client.get(path)
    assert page.status_code == 200, page.status_code
    return page.text.split("<main", 1)[1].split("</main>", 1)[0]


def everything_stored(client: TestClient, code: str) -> str:
    store = store_of(client)
    workshop = store.find_workshop(code)
    assert workshop is not None
    with Session(store.engine) as session:
        bodies = [
            r.body for r in session.exec(select(CommandRow).where(CommandRow.workshop_id == workshop.id))
        ]
        snapshot = session.get(SnapshotRow, workshop.id)
    return "\n".join(bodies) + (snapshot.state.decode() if snapshot else "")


def drain(screen: Screen, until: Any) -> None:
    for _ in range(200):
        if until(screen.state):
            return
        screen.receive()
    raise AssertionError("the screen never got there")


def form_answer(question: str, value: object) -> dict[str, Any]:
    return {"type": "form_answer", "exercise": "ovelse-2", "question": question, "value": value}


def ok(screen: Screen, action: dict[str, Any]) -> None:
    answer = screen.act(action)
    assert answer["type"] == "ack", answer


def answered(count: int) -> Any:
    return lambda state: state.get("board", {}).get("form", {}).get("answered") == count


def run_the_form(client: TestClient) -> tuple[Any, dict[str, str], list[Screen]]:
    """Kari and Ola answer; returns the workshop, their tokens and the other screens' views."""
    w = create_workshop(client, "plan.toml")
    tokens = {name: join(client, w.code, name) for name in ("Kari", "Ola")}
    with (
        client.websocket_connect("/ws") as f_socket,
        client.websocket_connect("/ws") as p_socket,
        connect_phone(client, w.code, tokens["Kari"]) as k_socket,
        connect_phone(client, w.code, tokens["Ola"]) as o_socket,
    ):
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        projector = hello(p_socket, w.code, "projector", w.projector_key)
        kari, ola = hello(k_socket, w.code, "participant"), hello(o_socket, w.code, "participant")
        ok(facilitator, {"type": "start"})
        ok(kari, form_answer("jobb", 4))
        ok(kari, form_answer("evne", ANSWER))
        ok(kari, {"type": "save_note", "exercise": "ovelse-2", "text": NOTE})
        assert kari.state["activity"]["form"]["answers"] == {"jobb": 4, "evne": ANSWER}
        refused = kari.act(form_answer("jobb", "4: fem"))
        assert refused == {**refused, "type": "error", "code": "answer_wrong_type"}
        ok(ola, form_answer("jobb", 2))
        ok(ola, {"type": "save_note", "exercise": "ovelse-2", "text": OLA_NOTE})
        drain(projector, answered(2))
        drain(facilitator, answered(2))
        ok(facilitator, {"type": "form_reveal", "exercise": "ovelse-2"})
        drain(projector, lambda s: s.get("board", {}).get("form", {}).get("revealed"))
        assert projector.state["board"]["form"]["summary"][0]["counts"] is None  # two answers: too few
        return w, tokens, [facilitator, projector, ola]


def test_answers_reach_the_persons_workbook_and_no_other_screen(book_client: TestClient) -> None:
    w, tokens, others = run_the_form(book_client)
    for screen in others:
        seen = json.dumps(screen.inbox, ensure_ascii=False)
        assert NOTE not in seen and ANSWER not in seen
        assert '"jobb": 4' not in seen.replace('"jobb":4', '"jobb": 4')
    kari = shown(book_client, link_of(book_client, w.code, tokens["Kari"]))
    plan = kari.split('id="workbook-plan-title"')[1].split('id="workbook-written"')[0]
    assert NOTE in plan and ANSWER in plan  # both wrote into «2 Avdelingens behov»
    assert "4 av 5" in kari
    ola = shown(book_client, link_of(book_client, w.code, tokens["Ola"]))
    assert NOTE not in ola and ANSWER not in ola and "2 av 5" in ola
    base = f"/f/{w.code}/{w.facilitator_key}/results"
    for path in (base, base + ".json", base + ".csv"):
        exported = book_client.get(path).content.decode("utf-8-sig")
        assert NOTE not in exported and ANSWER not in exported, path


def test_the_link_is_the_persons_own_and_stays_the_same(book_client: TestClient) -> None:
    w = create_workshop(book_client, "plan.toml")
    kari = join(book_client, w.code, "Kari")
    first = link_of(book_client, w.code, kari)
    assert link_of(book_client, w.code, kari) == first
    page = book_client.get(first)
    assert page.headers["cache-control"] == "no-store"
    main = shown(book_client, first)
    assert "Kari" in main and "Mine svar" in main
    assert f"http://testserver{first}" in main  # the link written out, to save
    qr = book_client.get(first + "/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    text = book_client.get(first + "/mine.txt")
    assert text.headers["content-disposition"] == f'attachment; filename="mine-svar-{w.code}.txt"'
    assert "Personlig handlingsplan" in text.text and f"http://testserver{first}" in text.text
    english = book_client.get(first + "/mine.txt?lang=en")
    assert "My answers – Kari" in english.text
    # Without the phone's cookie there is no way to the link.
    book_client.cookies.clear()
    assert book_client.get(f"/r/{w.code}/mine", follow_redirects=False).headers["location"] == f"/j/{w.code}"


def test_the_link_key_never_reaches_a_log() -> None:
    assert mask("/w/K7MXPR/6a8eEAsA6eUl_w_dffrwuYimyqG5fwCR/mine.txt") == "/w/K7MXPR/…/mine.txt"
    assert mask("/r/K7MXPR/mine") == "/r/K7MXPR/mine"


def test_a_wrong_key_opens_nothing_and_guessing_is_limited(book_client: TestClient) -> None:
    w = create_workshop(book_client, "plan.toml")
    link_of(book_client, w.code, join(book_client, w.code, "Kari"))
    statuses = [book_client.get(f"/w/{w.code}/{'A' * 31}{i % 10}").status_code for i in range(60)]
    assert statuses[0] == 404
    assert 429 in statuses  # wrong keys count like wrong room codes


def test_using_the_link_is_rate_limited(database_url: str, programs_dir: Path) -> None:
    (programs_dir / "plan.toml").write_text(PROGRAM, encoding="utf-8")
    settings = Settings(database_url=database_url, programs_dir=programs_dir, workbook_requests_per_minute=5)
    with TestClient(create_app(settings)) as client:
        w = create_workshop(client, "plan.toml")
        link = link_of(client, w.code, join(client, w.code, "Kari"))
        statuses = [client.get(link).status_code for _ in range(7)]
    assert statuses[:4] == [200] * 4  # opening «Mine svar» on the phone was the fifth
    assert statuses[4:] == [429] * 3


def test_the_link_works_after_closing_and_ends_with_the_workshop(book_client: TestClient) -> None:
    w, tokens, _ = run_the_form(book_client)
    kari = link_of(book_client, w.code, tokens["Kari"])
    assert book_client.post(f"/f/{w.code}/{w.facilitator_key}/close").status_code in (200, 303)
    after = shown(book_client, kari)
    assert ANSWER in after and NOTE in after
    assert "Workshopen er avsluttet" in after
    assert "Tilbake til dagen" not in after
    stored = everything_stored(book_client, w.code)
    assert ANSWER in stored and NOTE in stored  # Kari's workbook is kept for her
    assert book_client.get(f"/r/{w.code}/mine").status_code == 404  # without a phone's cookie
    assert link_of(book_client, w.code, tokens["Kari"]) == kari  # her phone still finds it
    # Ola never opened «Mine svar» during the day: his link was his from the moment he
    # joined, so his phone finds his answers after the close too, and nobody else's.
    ola = link_of(book_client, w.code, tokens["Ola"])
    assert ola != kari
    his = shown(book_client, ola)
    assert OLA_NOTE in his and "2 av 5" in his and NOTE not in his and ANSWER not in his
    # The phone page of a closed workshop, reloaded: to the person's own workbook, no 404.
    book_client.cookies.set(f"samling_{w.code}", tokens["Ola"])
    again = book_client.get(f"/r/{w.code}", follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == f"/r/{w.code}/mine"
    assert OLA_NOTE in book_client.get(f"/r/{w.code}").text
    book_client.cookies.clear()
    assert book_client.get(f"/r/{w.code}").status_code == 404  # a stranger learns nothing
    deleted = book_client.post(f"/f/{w.code}/{w.facilitator_key}/delete", data={"confirm": "yes"})
    assert deleted.status_code == 200
    assert book_client.get(kari).status_code == 404
    assert book_client.get(kari + "/mine.txt").status_code == 404


def test_the_purge_ends_the_link(book_client: TestClient) -> None:
    w, tokens, _ = run_the_form(book_client)
    kari = link_of(book_client, w.code, tokens["Kari"])
    book_client.post(f"/f/{w.code}/{w.facilitator_key}/close")
    assert book_client.get(kari).status_code == 200
    store = store_of(book_client)
    assert store.purge_closed(now_ms() + 1000, now_ms()) == [w.code]
    assert book_client.get(kari).status_code == 404


def test_a_person_deletes_their_own_answers_from_the_room_and_its_history(book_client: TestClient) -> None:
    w, tokens, _ = run_the_form(book_client)
    kari = link_of(book_client, w.code, tokens["Kari"])
    assert ANSWER in everything_stored(book_client, w.code)
    assert book_client.post(kari + "/delete").status_code == 400  # not confirmed
    deleted = book_client.post(kari + "/delete", data={"confirm": "yes"}, follow_redirects=False)
    assert deleted.status_code == 303 and deleted.headers["location"] == kari + "?deleted=1"
    page = shown(book_client, kari + "?deleted=1")
    assert "Notatene og svarene dine er slettet." in page
    assert ANSWER not in page and NOTE not in page and "4 av 5" not in page
    stored = everything_stored(book_client, w.code)
    assert ANSWER not in stored and NOTE not in stored
    # Ola's answer is his, and stays.
    assert "2 av 5" in shown(book_client, link_of(book_client, w.code, tokens["Ola"]))


def test_deleting_ones_answers_after_closing(book_client: TestClient) -> None:
    w, tokens, _ = run_the_form(book_client)
    kari = link_of(book_client, w.code, tokens["Kari"])
    book_client.post(f"/f/{w.code}/{w.facilitator_key}/close")
    assert book_client.post(kari + "/delete", data={"confirm": "yes"}).status_code == 200
    assert ANSWER not in shown(book_client, kari)
    assert ANSWER not in everything_stored(book_client, w.code)


def test_the_summary_is_shown_from_five_answers_and_in_the_export_only_then(book_client: TestClient) -> None:
    w = create_workshop(book_client, "plan.toml")
    tokens = [join(book_client, w.code, f"Person {i}") for i in range(5)]
    with book_client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        ok(facilitator, {"type": "start"})
        ok(facilitator, {"type": "form_reveal", "exercise": "ovelse-2"})
        for i, token in enumerate(tokens):
            with connect_phone(book_client, w.code, token) as socket:
                phone = hello(socket, w.code, "participant")
                ok(phone, form_answer("jobb", 1 + i % 3))
                ok(phone, form_answer("evne", f"Hemmelig svar {i}"))
        drain(facilitator, answered(5))
        drain(facilitator, lambda s: s["board"]["form"]["summary"][0]["counts"] is not None)
        assert facilitator.state["board"]["form"]["summary"][0]["counts"] == [2, 2, 1, 0, 0]
    csv = book_client.get(f"/f/{w.code}/{w.facilitator_key}/results.csv").content.decode("utf-8-sig")
    assert "1:2 2:2 3:1 4:0 5:0" in csv
    assert "Hemmelig svar" not in csv
    assert "Hemmelig svar" not in book_client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").text


COMMENTS = """
title = "Avslutning"
[[exercises]]
id = "kommentarer"
kind = "info"
title = "Hvilke kommentarer har dere til dagens samling?"
grouping = "none"
minutes = 10
[exercises.comments]
"""


def test_a_comment_a_person_wrote_is_in_their_workbook_marked_as_staying(
    book_client: TestClient, programs_dir: Path
) -> None:
    """Closing comments are anonymous on the projector; in «Mine svar» they are the
    writer's own, said to stay in the day's results when the person deletes their answers."""
    (programs_dir / "comments.toml").write_text(COMMENTS, encoding="utf-8")
    w = create_workshop(book_client, "comments.toml")
    tokens = {name: join(book_client, w.code, name) for name in ("Kari", "Ola")}
    with (
        book_client.websocket_connect("/ws") as f_socket,
        connect_phone(book_client, w.code, tokens["Kari"]) as k_socket,
        connect_phone(book_client, w.code, tokens["Ola"]) as o_socket,
    ):
        ok(hello(f_socket, w.code, "facilitator", w.facilitator_key), {"type": "start"})
        for socket, text in ((k_socket, "Takk for en nyttig dag!"), (o_socket, "Olas kommentar")):
            phone = hello(socket, w.code, "participant")
            ok(phone, {"type": "comment_add", "exercise": "kommentarer", "text": text})
    kari = link_of(book_client, w.code, tokens["Kari"])
    page = shown(book_client, kari)
    written = page.split('id="workbook-written"')[1].split("</section>")[0]
    assert "Takk for en nyttig dag!" in written and "Olas kommentar" not in page
    assert "Delt med de andre: blir stående om du sletter svarene dine." in written
    text = book_client.get(kari + "/mine.txt").text
    assert "Takk for en nyttig dag!" in text and "Delt med de andre" in text and "Olas" not in text


def test_the_personal_link_on_a_second_phone_goes_on_with_the_day_as_the_same_person(
    book_client: TestClient,
) -> None:
    """Kari's phone went flat: her take-home link, opened on another phone, offers to go on
    with the day there — as Kari, with her answers, not as a second Kari."""
    w, tokens, _ = run_the_form(book_client)
    kari = link_of(book_client, w.code, tokens["Kari"])
    second = shown(book_client, kari)  # a phone without her cookie
    assert f'action="{kari}/continue"' in second and "Fortsett dagen på denne telefonen" in second
    assert 'href="/r/' not in second  # «Tilbake til dagen» is for the phone that is in
    went_on = book_client.post(kari + "/continue", follow_redirects=False)
    assert went_on.status_code == 303 and went_on.headers["location"] == f"/r/{w.code}"
    phone = book_client.get(f"/r/{w.code}")
    assert phone.status_code == 200 and re.search(r'"name": ?"Kari"', phone.text)
    hub = book_client.app.state.hub  # type: ignore[attr-defined]
    room = book_client.portal.call(hub.get, w.code).room  # type: ignore[union-attr]
    assert sorted(p.name for p in room.participants.values()) == ["Kari", "Ola"]
    assert f'href="/r/{w.code}"' in shown(book_client, kari)  # this phone is in now
    assert "Fortsett dagen" not in shown(book_client, kari)
    # The first phone still works, and «Mine svar» on the second finds her answers.
    assert ANSWER in shown(book_client, link_of(book_client, w.code, tokens["Kari"]))
    book_client.cookies.clear()
    book_client.post(f"/f/{w.code}/{w.facilitator_key}/close")
    assert book_client.post(kari + "/continue").status_code == 404  # the day is over
    assert "Fortsett dagen" not in shown(book_client, kari)


def card_at(state: dict[str, Any]) -> tuple[Any, ...]:
    """Where the phone's group card is: the exercise, the phase and the groups' round."""
    position, me = state.get("position", {}), state.get("me", {})
    if me.get("group") is None:
        return ()
    return position.get("exercise"), position.get("phase"), me.get("round")


def test_the_groups_a_person_sat_in_are_in_their_workbook_its_text_and_print(
    settings: Settings, programs_dir: Path
) -> None:
    """Kari's duo in each round of Impromptu Networking and her trio, named and listed as
    her phone's group card showed them, on «Mine svar» (which prints as the PDF), in the
    text file, in English, and after the close; Ola's page has his own groups, not hers."""
    from tests.core.test_workbook import GROUPS_DAY

    (programs_dir / "groups.toml").write_text(GROUPS_DAY, encoding="utf-8")
    with TestClient(create_app(settings)) as client:
        w = create_workshop(client, "groups.toml")
        names = ("Kari", "Ola", "Per", "Liv", "Siri", "Tor")
        tokens = {name: join(client, w.code, name) for name in names}
        cards: dict[str, list[str]] = {"Kari": [], "Ola": []}
        with (
            client.websocket_connect("/ws") as f_socket,
            connect_phone(client, w.code, tokens["Kari"]) as k_socket,
            connect_phone(client, w.code, tokens["Ola"]) as o_socket,
        ):
            facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
            phones = {
                "Kari": hello(k_socket, w.code, "participant"),
                "Ola": hello(o_socket, w.code, "participant"),
            }
            ok(facilitator, {"type": "start"})
            for steps, where, round_number, title in (
                (0, (0, 0), 1, "Duo {} · runde 1 av 3"),
                (1, (0, 1), 2, "Duo {} · runde 2 av 3"),
                (1, (0, 2), 3, "Duo {} · runde 3 av 3"),
                (2, (2, 0), 1, "Trio {}"),  # past the talk in plenary
            ):
                for _ in range(steps):
                    ok(facilitator, {"type": "next_phase"})
                for name, phone in phones.items():
                    drain(phone, lambda s, at=where, r=round_number: card_at(s) == (*at, r))
                    me = phone.state["me"]
                    members = ", ".join(m["name"] for m in me["members"])
                    cards[name].append(f"{title.format(me['group'])}: {members}")
        assert len(set(cards["Kari"])) == 4
        kari_link = link_of(client, w.code, tokens["Kari"])
        for name in ("Kari", "Ola"):
            page = shown(client, link_of(client, w.code, tokens[name]))
            printed = page.split('aria-labelledby="workbook-you"', 1)[1].split("</section>", 1)[0]
            assert "Gruppene dine i øvelsene" in printed
            assert "Impromptu Networking" in printed and "Samtale i trio" in printed
            for line in cards[name]:
                assert line in printed, (name, line)  # in a card that prints (not no-print)
            other = cards["Ola" if name == "Kari" else "Kari"]
            for line in other:  # the other's groups only where they sat together
                assert (line in printed) == (name in line.split(": ", 1)[1].split(", ")), (name, line)
        text = client.get(kari_link + "/mine.txt").text
        assert "Gruppene dine i øvelsene" in text
        for line in cards["Kari"]:
            assert f"  {line}" in text
        english = client.get(kari_link + "/mine.txt?lang=en").text
        assert "Your groups in the exercises" in english
        assert cards["Kari"][1].replace("Duo", "Pair").replace("runde 2 av 3", "round 2 of 3") in english
        assert client.post(f"/f/{w.code}/{w.facilitator_key}/close").status_code in (200, 303)
        closed = shown(client, kari_link)
        assert all(line in closed for line in cards["Kari"])
