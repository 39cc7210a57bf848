"""Pages and downloads over HTTP: links are secrets, headers are strict, assets are local."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from tests.roomkit import connect_phone, create_workshop, hello, join

ROOT = Path(__file__).parent.parent


def test_every_page_forbids_inline_script_and_framing(client: TestClient) -> None:
    response = client.get("/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    # Only the origin, never a path with a secret in it, leaves a page as Referer.
    assert response.headers["referrer-policy"] == "strict-origin"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_control_and_projector_links_need_their_secret(client: TestClient) -> None:
    w = create_workshop(client)
    assert client.get(f"/f/{w.code}/{w.facilitator_key}").status_code == 200
    assert client.get(f"/f/{w.code}/wrong-key").status_code == 404
    assert client.get(f"/s/{w.code}/{w.projector_key}").status_code == 200
    assert client.get(f"/s/{w.code}/wrong-key").status_code == 404
    assert client.get(f"/f/{w.code}/{w.projector_key}").status_code == 404
    assert client.get(f"/f/{w.code}/wrong-key/results.json").status_code == 404


def test_the_qr_code_leads_to_the_join_page_with_the_code(client: TestClient) -> None:
    w = create_workshop(client)
    qr = client.get(f"/qr/{w.code}.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<?xml") or "<svg" in qr.text
    assert client.get("/qr/XXXXXX.svg").status_code == 404


def test_a_phone_without_a_join_is_sent_to_the_join_form(client: TestClient) -> None:
    w = create_workshop(client)
    client.cookies.clear()
    response = client.get(f"/r/{w.code}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/j/{w.code}"


def test_a_broken_program_is_refused_naming_file_exercise_and_field(
    client: TestClient, programs_dir: Path
) -> None:
    (programs_dir / "broken.toml").write_text(
        'title = "x"\n[[exercises]]\nid = "verdier"\ntitle = "Verdier"\n[[exercises.phases]]\nkind = "I"\n'
        "minutes = -3\n",
        encoding="utf-8",
    )
    start = client.get("/")
    assert "broken.toml" in start.text
    created = client.post("/workshops", data={"program": "broken.toml"}, follow_redirects=False)
    assert created.status_code == 400
    assert "broken.toml" in created.text
    assert "verdier" in created.text
    assert "phases[0].minutes" in created.text


def test_the_results_export_holds_the_shared_results_but_no_private_notes(client: TestClient) -> None:
    w = create_workshop(client)
    kari = join(client, w.code, "Kari")
    with client.websocket_connect("/ws") as f_socket, connect_phone(client, w.code, kari) as a:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        phone = hello(a, w.code, "participant")
        facilitator.act({"type": "start"})
        phone.act({"type": "save_note", "exercise": "refleksjon", "text": "privat notat"})
        facilitator.act({"type": "goto_exercise", "index": 2})
        phone.act({"type": "comment_add", "exercise": "kommentarer", "text": "Takk for i dag, «alle»"})
    exported = client.get(f"/f/{w.code}/{w.facilitator_key}/results.json").json()
    comments = exported["exercises"][0]["comments"]["comments"]
    assert [c["text"] for c in comments] == ["Takk for i dag, «alle»"]
    csv_text = client.get(f"/f/{w.code}/{w.facilitator_key}/results.csv").content.decode("utf-8-sig")
    assert "Takk for i dag, «alle»" in csv_text
    for body in (str(exported), csv_text):
        assert "privat notat" not in body
        assert "Kari" not in body


def test_no_page_or_asset_refers_to_another_site() -> None:
    external = re.compile(r"""(?:src|href|url)\s*[=(]\s*["']?(?:https?:)?//""", re.IGNORECASE)
    offenders = []
    for folder in (ROOT / "app" / "templates", ROOT / "app" / "static"):
        for path in folder.rglob("*"):
            is_page_or_asset = path.is_file() and path.suffix in {".html", ".js", ".css"}
            if is_page_or_asset and external.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_catalogs_have_the_same_keys_and_no_empty_text(lang: str) -> None:
    from app.i18n import catalog

    reference = set(catalog("nb"))
    assert set(catalog(lang)) == reference
    assert all(text.strip() for text in catalog(lang).values())
