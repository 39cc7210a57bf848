"""The program editor over HTTP: the same checks as a file, by field; saving writes a
program file that loads unchanged; download, upload, start; only the facilitator's own."""

from __future__ import annotations

import datetime
import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from app import i18n
from app.core.program import Program, load_program_text
from app.main import create_app
from app.settings import Settings
from app.storage.tables import Facilitator, FacilitatorSession
from app.workshops import digest
from tests.roomkit import DEMO_PROGRAM

DAY: dict[str, Any] = tomllib.loads(DEMO_PROGRAM)


def boot_of(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="samling-boot">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def save(client: TestClient, program: Any, program_id: int | None = None) -> Any:
    return client.post("/editor/save", json={"id": program_id, "program": program})


def test_the_editor_checks_as_a_file_is_checked_and_says_which_field(client: TestClient) -> None:
    broken = json.loads(json.dumps(DAY))
    broken["exercises"][0]["phases"][1]["minutes"] = -3
    broken["exercises"][1]["phases"][0]["minuttes"] = 5
    broken["exercises"][2]["id"] = "refleksjon"
    report = client.post("/editor/check", json={"program": broken}).json()
    assert not report["ok"]
    assert {
        "path": ["exercises", 0, "phases", 1, "minutes"],
        "message": "Input should be greater than 0",
    } in report["problems"]
    assert {
        "path": ["exercises", 1, "phases", 0, "minuttes"],
        "message": "Extra inputs are not permitted",
    } in report["problems"]
    # The agenda still counts every exercise that is sound by itself.
    assert [item["planned_ms"] for item in report["agenda"]] == [None, None, 5 * 60_000]
    twice = json.loads(json.dumps(DAY))
    twice["exercises"][2]["id"] = "refleksjon"
    problems = client.post("/editor/check", json={"program": twice}).json()["problems"]
    assert problems == [
        {"path": ["exercises", 2, "id"], "message": "id 'refleksjon' is used twice: exercise 1 has it too"}
    ]


def test_the_agenda_has_clock_times_and_the_total(client: TestClient) -> None:
    report = client.post("/editor/check", json={"program": DAY}).json()
    assert report["ok"] and report["start"] == "08:30"
    assert [item["offset_ms"] // 60_000 for item in report["agenda"]] == [0, 21, 28]
    assert report["total_ms"] == 33 * 60_000


def test_a_saved_program_is_a_file_that_loads_unchanged_downloads_and_is_listed(client: TestClient) -> None:
    saved = save(client, DAY)
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["saved"] is True and body["name"] == "provedag.toml"
    download = client.get(f"/editor/{body['id']}/download")
    assert download.headers["content-disposition"] == 'attachment; filename="provedag.toml"'
    assert load_program_text(download.text, source="provedag.toml") == Program.model_validate(DAY)
    assert download.text.startswith("# Laget i Samlings programredigering")
    listing = client.get("/editor").text
    assert "Prøvedag" in listing and "provedag.toml" in listing
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d', listing)
    # Saving again replaces it; the editor opens it with the same data.
    changed = json.loads(json.dumps(DAY))
    changed["title"] = "Prøvedag 2"
    assert save(client, changed, body["id"]).json()["name"] == "provedag-2.toml"
    boot = boot_of(client.get(f"/editor/{body['id']}").text)
    assert boot["program"]["title"] == "Prøvedag 2" and boot["id"] == body["id"]


def test_the_list_gives_each_program_its_day_and_when_it_changed_as_the_language_writes_dates(
    client: TestClient,
) -> None:
    save(client, {**DAY, "date": "2026-03-02"})
    save(client, {**DAY, "title": "Uten dato"})
    today = datetime.date.today().isoformat()
    rows = re.findall(r"<tr>(.*?)</tr>", client.get("/editor").text, re.S)[1:]
    dated = next(row for row in rows if "Prøvedag" in row)
    assert '<time datetime="2026-03-02">2. mars 2026</time>' in dated
    assert re.search(
        rf'<time datetime="{today}T\d\d:\d\d[^"]*">{i18n.format_date(today, "nb")} \d\d:\d\d</time>', dated
    )
    undated = next(row for row in rows if "Uten dato" in row)
    assert undated.count("<time") == 1  # no day of its own: only when it changed
    english = client.get("/editor?lang=en").text
    assert '<time datetime="2026-03-02">2 March 2026</time>' in english
    assert f"{i18n.format_date(today, 'en')} " in english and "Last changed" in english


def test_a_program_with_a_mistake_is_not_saved(client: TestClient) -> None:
    broken = {**DAY, "start": "9:00"}
    refused = save(client, broken).json()
    assert refused["saved"] is False
    assert refused["problems"][0]["path"] == ["start"]
    assert "Du har ingen lagrede programmer" in client.get("/editor").text


def test_a_workshop_starts_from_a_saved_program(client: TestClient) -> None:
    program_id = save(client, DAY).json()["id"]
    started = client.post(f"/editor/{program_id}/start", follow_redirects=False)
    assert started.status_code == 303
    assert re.fullmatch(r"/f/[A-Z0-9]{6}/[\w-]+", started.headers["location"])
    assert client.get(started.headers["location"]).status_code == 200


def test_upload_stores_a_good_file_and_shows_a_broken_one_by_field(client: TestClient) -> None:
    good = client.post(
        "/editor/upload",
        files={"file": ("dag.toml", DEMO_PROGRAM.encode(), "text/plain")},
        follow_redirects=False,
    )
    assert good.status_code == 303
    program_id = int(good.headers["location"].rsplit("/", 1)[1])
    assert client.get(f"/editor/{program_id}/download").text == DEMO_PROGRAM
    broken = DEMO_PROGRAM.replace("minutes = 7", "minutes = -7")
    shown = client.post("/editor/upload", files={"file": ("dag.toml", broken.encode(), "text/plain")})
    assert shown.status_code == 200
    problems = boot_of(shown.text)["report"]["problems"]
    assert problems == [
        {"path": ["exercises", 1, "phases", 0, "minutes"], "message": "Input should be greater than 0"}
    ]
    not_toml = client.post("/editor/upload", files={"file": ("dag.toml", b"title = = 3", "text/plain")})
    assert not_toml.status_code == 400 and "not valid TOML" in not_toml.text
    assert len(client.get("/editor").text.split("/download")) == 2  # one program stored


def test_a_new_day_from_a_shipped_program_or_a_method(client: TestClient) -> None:
    shipped = boot_of(client.get("/editor/new?source=program&name=demo.toml").text)
    assert shipped["program"]["title"] == {"nb": "Prøvedag", "en": "Trial day"} and shipped["id"] is None
    method = boot_of(client.get("/editor/new?source=method&name=duoer").text)
    assert method["program"]["exercises"][0]["grouping"] == "pairs"
    assert {m["id"] for m in method["methods"]} >= {"troika", "1-2-4-alle", "25-10", "gallerivandring"}
    assert client.get("/editor/new?source=method&name=nosuch").status_code == 404


def test_an_id_beyond_what_the_database_holds_names_no_program(client: TestClient) -> None:
    """Found by the fuzzer: 2**31 and 2**63 overflowed the integer column into a 500."""
    for program_id in (2**31, 2**63, 10**30, -(2**63) - 1, 0):
        assert client.get(f"/editor/{program_id}").status_code == 404, program_id
        assert client.get(f"/editor/{program_id}/download").status_code == 404
        assert save(client, DAY, program_id).status_code == 404
        assert client.post(f"/editor/{program_id}/start").status_code == 404
        deleted = client.post(f"/editor/{program_id}/delete", follow_redirects=False)
        assert deleted.status_code == 303  # back to the list: nothing to delete
    assert client.get("/editor").status_code == 200


def test_a_form_from_another_site_is_refused(client: TestClient) -> None:
    refused = client.post("/editor/save", json={"program": DAY}, headers={"origin": "https://evil.example"})
    assert refused.status_code == 403


@pytest.fixture
def hosted(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"hosted": True}))) as client:
        yield client


def sign_in(client: TestClient, email: str) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    token = email + "-token"
    with Session(store.engine) as session:
        account = Facilitator(email=email, password_hash="x", created_at=0)
        session.add(account)
        session.commit()
        assert account.id is not None
        session.add(FacilitatorSession(token_hash=digest(token), facilitator_id=account.id, expires_at=2**62))
        session.commit()
    client.cookies.set("samling_session", token)


def test_hosted_the_editor_is_for_signed_in_facilitators_each_with_their_own(hosted: TestClient) -> None:
    assert hosted.get("/editor", follow_redirects=False).headers["location"] == "/signin"
    assert save(hosted, DAY).status_code == 403
    sign_in(hosted, "kari@example.no")
    program_id = save(hosted, DAY).json()["id"]
    assert hosted.get(f"/editor/{program_id}/download").status_code == 200
    hosted.cookies.clear()
    sign_in(hosted, "ola@example.no")
    assert hosted.get(f"/editor/{program_id}/download").status_code == 404
    assert save(hosted, DAY, program_id).status_code == 404
    assert "provedag.toml" not in hosted.get("/editor").text


def test_the_editors_script_is_told_why_when_it_is_refused(client: TestClient, hosted: TestClient) -> None:
    """Checking, saving and previewing answer in JSON: a browser not signed in (hosted mode)
    is told to sign in first, before its body is read; a body that is not a JSON object is
    refused as such."""
    sign_in_first = (403, {"ok": False, "error": "sign_in_first"})
    not_json = (400, {"ok": False, "error": "not_json"})
    for path in ("/editor/check", "/editor/save", "/editor/preview"):
        for body in (b"{not json", json.dumps({"program": DAY, "index": 0}).encode()):
            refused = hosted.post(path, content=body)
            assert (refused.status_code, refused.json()) == sign_in_first, path
        for body in (b"{not json", b"", b'["program"]'):
            refused = client.post(path, content=body)
            assert (refused.status_code, refused.json()) == not_json, path


def test_every_field_of_a_program_has_a_label_in_both_languages() -> None:
    schema = Program.model_json_schema()
    names = set(schema["properties"])
    for model in schema["$defs"].values():
        names |= set(model.get("properties", {}))
    for lang in i18n.LANGUAGES:
        missing = sorted(n for n in names if f"editor.field.{n}" not in i18n.catalog(lang))
        assert missing == [], lang


def test_a_preview_starts_a_rehearsal_of_one_exercise_seen_from_a_phone(client: TestClient) -> None:
    made = client.post("/editor/preview", json={"program": DAY, "index": 1})
    assert made.status_code == 200, made.text
    urls = made.json()
    phone = client.get(urls["phone"])
    assert phone.status_code == 200 and "phone" in phone.text
    assert client.get(urls["projector"]).status_code == 200
    code = urls["phone"].rsplit("/", 1)[1]
    assert client.portal is not None
    live = client.portal.call(client.app.state.hub.get, code)  # type: ignore[attr-defined]
    room = live.room
    assert [p.name for p in room.participants.values()] == ["Kari", "Ola", "Per"]
    assert room.current is not None and room.current.id == "duoer" and room.timer.status == "running"
    # The next preview replaces this one.
    again = client.post("/editor/preview", json={"program": DAY, "index": 0}).json()
    assert again["phone"] != urls["phone"]
    assert client.get(urls["projector"]).status_code == 404
