"""The word cloud over the wire: phones send words, the projector's board counts them,
and the picture and the counts download with the right secrets only."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from starlette.testclient import TestClient

from app.main import create_app
from app.settings import Settings
from tests.roomkit import connect_phone, create_workshop, hello, join, room_screens

PROGRAM = """
title = "Ordsky"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Vi lager en ordsky!"
grouping = "none"
minutes = 5
[exercises.wordcloud]
max_words = 2
"""


def test_words_from_phones_reach_the_projector_and_the_downloads(
    client: TestClient, programs_dir: Path
) -> None:
    (programs_dir / "ordsky.toml").write_text(PROGRAM, encoding="utf-8")
    w = create_workshop(client, "ordsky.toml")
    tokens = [join(client, w.code, name) for name in ("Kari", "Ola")]
    with room_screens(client, w, tokens) as (facilitator, projector, (kari, ola)):
        facilitator.act({"type": "start"})
        assert kari.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": "Tillit"})["type"] == "ack"
        assert (
            ola.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": " tillit. "})["type"] == "ack"
        )
        last = kari.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": "Mot"})
        refused = kari.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": "Glede"})
        assert refused == {"type": "error", "id": refused["id"], "code": "too_many"}
        projector.until_seq(last["seq"])
        words = projector.state["board"]["wordcloud"]["words"]
        assert [(x["text"], x["count"]) for x in words] == [("Tillit", 2), ("Mot", 1)]
        assert kari.state["activity"]["wordcloud"]["entries"] == [
            {"id": 1, "text": "Tillit"},
            {"id": 3, "text": "Mot"},
        ]

    picture = client.get(f"/s/{w.code}/{w.projector_key}/wordcloud/ordsky.png?v=3")
    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(picture.content)).size == (1920, 1080)
    assert client.get(f"/s/{w.code}/wrong/wordcloud/ordsky.png").status_code == 404
    assert client.get(f"/s/{w.code}/{w.projector_key}/wordcloud/nope.png").status_code == 404
    counts = client.get(f"/f/{w.code}/{w.facilitator_key}/wordcloud/ordsky.csv")
    assert counts.content.decode("utf-8-sig").splitlines() == ["word,count", "Tillit,2", "Mot,1"]
    assert client.get(f"/f/{w.code}/{w.projector_key}/wordcloud/ordsky.csv").status_code == 404


def test_a_burst_of_words_reaches_the_projector_as_a_few_whole_boards(
    settings: Settings, programs_dir: Path
) -> None:
    """The projector gets the whole cloud at most once per interval, and the last one it
    gets counts every word: a burst costs a few boards, not one per word."""
    (programs_dir / "ordsky.toml").write_text(PROGRAM, encoding="utf-8")
    slow_boards = settings.model_copy(update={"board_interval_ms": 2000})
    with TestClient(create_app(slow_boards)) as client:
        w = create_workshop(client, "ordsky.toml")
        tokens = [join(client, w.code, f"P{i}") for i in range(6)]
        with client.websocket_connect("/ws") as f_socket, client.websocket_connect("/ws") as s_socket:
            facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
            projector = hello(s_socket, w.code, "projector", w.projector_key)
            facilitator.act({"type": "start"})
            last = 0
            for token in tokens:
                with connect_phone(client, w.code, token) as socket:
                    phone = hello(socket, w.code, "participant")
                    for word in ("Tillit", "Mot"):
                        answer = phone.act({"type": "wordcloud_submit", "exercise": "ordsky", "word": word})
                        assert answer["type"] == "ack"
                        last = answer["seq"]
            while projector.state.get("board", {}).get("wordcloud", {}).get("entries") != 12:
                projector.receive()
            assert projector.seq >= last
            words = projector.state["board"]["wordcloud"]["words"]
            assert [(x["text"], x["count"]) for x in words] == [("Mot", 6), ("Tillit", 6)]
            boards = [m for m in projector.inbox if m["type"] == "event" and "board" in m["patch"]]
            assert len(boards) <= 3  # the start, maybe the first word, then the burst at once
