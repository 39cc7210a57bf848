"""Hostile input: thousands of random and malformed messages and requests. The server
answers each with a clear refusal, never crashes or answers 500, and no room changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.core.result import Ok
from starlette.testclient import TestClient

from app.core.registry import ALL_ACTION_TYPES, FACILITATOR_ACTIONS, PARTICIPANT_ACTIONS
from app.main import create_app
from app.settings import Settings
from tests.roomkit import Screen, Workshop, connect_phone, create_workshop, hello, join

pytestmark = pytest.mark.timeout(300)

FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same messages on every run, so a failure can be replayed
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
action_types = st.sampled_from(sorted(ALL_ACTION_TYPES)) | st.text(max_size=20)
actions = st.fixed_dictionaries(
    {"type": action_types}, optional={"exercise": st.text(max_size=50), "text": st.text(max_size=60)}
).flatmap(
    lambda base: st.dictionaries(st.text(max_size=12), json_values, max_size=3).map(lambda x: {**x, **base})
)
envelopes = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("action"), "action": actions | json_values},
        optional={"id": st.text(max_size=80) | st.integers()},
    ),
    st.fixed_dictionaries(
        {"type": st.sampled_from(["hello", "ping", "pong", "welcome", "event", "ack"])}
    ).flatmap(
        lambda base: st.dictionaries(st.text(max_size=10), json_values, max_size=4).map(
            lambda x: {**x, **base}
        )
    ),
    st.dictionaries(st.text(max_size=10), json_values, max_size=5),
)
raw_frames = st.one_of(
    envelopes.map(json.dumps),
    st.text(max_size=200),
    st.builds(lambda n: "x" * n, st.integers(16_000, 20_000)),  # around the size limit
    json_values.map(json.dumps),
)


@pytest.fixture
def fuzz_client(tmp_path: Path, programs_dir: Path) -> Iterator[TestClient]:
    # Refused input never reaches the database, so one database is enough here.
    fast = Settings(
        database_url=f"sqlite:///{tmp_path / 'fuzz.db'}",
        programs_dir=programs_dir,
        messages_per_second=10_000,
        message_burst=10_000,
        room_messages_per_second=100_000,
        join_attempts_per_minute=100_000,
    )
    with TestClient(create_app(fast)) as client:
        yield client


def _room(client: TestClient, code: str) -> Any:
    return client.app.state.hub.rooms[code].room  # type: ignore[attr-defined]


def test_random_frames_from_a_read_only_screen_are_refused_and_change_nothing(
    fuzz_client: TestClient,
) -> None:
    w = create_workshop(fuzz_client)
    join(fuzz_client, w.code, "Kari")
    with fuzz_client.websocket_connect("/ws") as socket:
        projector = hello(socket, w.code, "projector", w.projector_key)
        projector.wait_for("snapshot")
        before = _room(fuzz_client, w.code)

        @FUZZ
        @given(frame=raw_frames)
        def refused(frame: str) -> None:
            projector.send_raw(frame)
            answer = projector.receive()
            assert answer["type"] in ("error", "pong"), answer
            if answer["type"] == "error":
                assert isinstance(answer["code"], str) and answer["code"]

        refused()
        assert _room(fuzz_client, w.code) == before
        # ... and the room still serves everyone.
        _still_serves(fuzz_client, w, projector)


def test_a_participant_sending_anything_but_its_own_actions_changes_nothing(fuzz_client: TestClient) -> None:
    w = create_workshop(fuzz_client)
    kari = join(fuzz_client, w.code, "Kari")
    facilitator_only = st.sampled_from(sorted(FACILITATOR_ACTIONS - PARTICIPANT_ACTIONS)).flatmap(
        lambda kind: st.dictionaries(st.text(max_size=12), json_values, max_size=3).map(
            lambda extra: {**extra, "type": kind}
        )
    )
    with connect_phone(fuzz_client, w.code, kari) as socket:
        phone = hello(socket, w.code, "participant")
        phone.wait_for("snapshot")
        before = _room(fuzz_client, w.code)

        @FUZZ
        @given(action=facilitator_only, message_id=st.text(min_size=1, max_size=64))
        def not_allowed(action: dict[str, Any], message_id: str) -> None:
            phone.send_raw(json.dumps({"type": "action", "id": message_id, "action": action}))
            answer = phone.receive()
            assert answer["type"] == "error", answer
            assert answer["code"] in ("not_allowed", "invalid", "unknown_action"), answer

        not_allowed()
        assert _room(fuzz_client, w.code) == before


def _still_serves(client: TestClient, w: Workshop, screen: Screen) -> None:
    with client.websocket_connect("/ws") as f_socket:
        facilitator = hello(f_socket, w.code, "facilitator", w.facilitator_key)
        ack = facilitator.act({"type": "start"})
        assert ack["type"] == "ack"
        screen.until_seq(ack["seq"])
        assert screen.state["position"]["timer"]["status"] == "running"


paths = st.lists(
    st.text(
        alphabet=st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="/?#%\\"),
        min_size=1,
        max_size=12,
    ),
    min_size=1,
    max_size=4,
).map(lambda parts: "/" + "/".join(parts))
prefixes = st.sampled_from(["", "/f", "/s", "/j", "/r", "/qr", "/static", "/join", "/workshops"])


def test_random_http_requests_never_get_a_server_error(fuzz_client: TestClient) -> None:
    w = create_workshop(fuzz_client)
    known = [
        f"/f/{w.code}/{w.facilitator_key}",
        f"/s/{w.code}/{w.projector_key}",
        f"/r/{w.code}",
        f"/j/{w.code}",
    ]
    assert fuzz_client.get(known[0]).status_code == 200  # the room is live in the server
    before = _room(fuzz_client, w.code)

    @FUZZ
    @given(
        method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "HEAD"]),
        path=st.one_of(
            st.tuples(prefixes, paths).map("".join), st.sampled_from(known).map(lambda p: p + "x")
        ),
        form=st.dictionaries(
            st.sampled_from(["code", "name", "program", "confirm", "x"]), st.text(max_size=300)
        ),
    )
    def no_server_error(method: str, path: str, form: dict[str, str]) -> None:
        response = fuzz_client.request(method, path, data=form if method == "POST" else None)
        assert response.status_code < 500, (method, path, form, response.status_code)

    no_server_error()
    assert _room(fuzz_client, w.code) == before


def test_the_openapi_schema_holds_for_random_requests(database_url: str, programs_dir: Any) -> None:
    app = create_app(
        Settings(database_url=database_url, programs_dir=programs_dir, join_attempts_per_minute=100_000)
    )
    with TestClient(app):
        loaded = schemathesis.openapi.from_asgi("/openapi.json", app)
        for operation in loaded.get_all_operations():
            assert isinstance(operation, Ok), operation.err()  # the schema of every route reads
            case_strategy = operation.ok().as_strategy()

            @settings(
                max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
            )
            @given(case=case_strategy)
            def conforms(case: Any) -> None:
                response = case.call()
                assert response.status_code < 500, (case.method, case.path, response.status_code)

            conforms()
