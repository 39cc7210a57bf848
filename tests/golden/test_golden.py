"""Stored rooms keep their outcome across upgrades.

For each exercise kind (and the engine's own groups, timers, round robin and notes) a
committed history, row by row as the database holds it, replays to a committed board
(the staff screens and the day's results) and a committed view per phone. A change of
the rules that would alter what a stored room shows fails here. When the change is
meant, regenerate the goldens and review the diff (docs/storage.md):

    SAMLING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden

Without that variable the tests only compare; they never write.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.room import Room
from app.storage.history import restore
from app.storage.store import Store
from tests.golden.scenarios import CODE, SCENARIOS
from tests.golden.stored import GOLDEN, differences, put, read_json, record, screens, write_json

UPDATE = os.environ.get("SAMLING_UPDATE_GOLDEN") == "1"
KINDS = list(SCENARIOS)
REGENERATE = "if the change is meant: SAMLING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden (docs/storage.md)"


def restored(store: Store, folder: Path, snapshot: dict[str, Any] | None = None) -> Room:
    """The room as the server loads it from the golden rows."""
    put(store, folder, snapshot)
    stored = store.load_room(CODE)
    assert stored is not None
    return restore(store, stored)


def _regenerate(kind: str, folder: Path, tmp_path: Path) -> None:
    scratch = Store(f"sqlite:///{tmp_path / 'regenerate.db'}")
    try:
        record(SCENARIOS[kind](), scratch, folder)
        stored = scratch.load_room(CODE)
        assert stored is not None
        board, phones = screens(restore(scratch, stored))
    finally:
        scratch.close()
    write_json(folder / "board.json", board)
    write_json(folder / "views.json", phones)


@pytest.mark.parametrize("kind", KINDS)
def test_a_stored_room_replays_to_the_committed_board_and_phones(
    kind: str, store: Store, tmp_path: Path
) -> None:
    folder = GOLDEN / kind
    if UPDATE:
        _regenerate(kind, folder, tmp_path)
    board, phones = screens(restored(store, folder))
    assert_same(kind, board, read_json(folder / "board.json"), "board")
    assert_same(kind, phones, read_json(folder / "views.json"), "phones")


def assert_same(kind: str, actual: Any, golden: Any, what: str) -> None:
    changed = differences(actual, golden)
    assert not changed, f"the stored {kind} room's {what} changed: {changed}; {REGENERATE}"


@pytest.mark.parametrize("kind", KINDS)
def test_a_stored_snapshot_loads_to_the_same_room_as_the_whole_history(
    kind: str, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    folder = GOLDEN / kind
    snapshot = read_json(folder / "snapshot.json")
    assert 0 < snapshot["seq"] < len(read_json(folder / "history.json")["commands"])
    with caplog.at_level(logging.WARNING, logger="app.storage.history"):
        board, phones = screens(restored(store, folder, snapshot))
    assert [r.getMessage() for r in caplog.records] == [], "the snapshot was set aside, not read"
    assert_same(kind, board, read_json(folder / "board.json"), "board")
    assert_same(kind, phones, read_json(folder / "views.json"), "phones")


# --- the goldens themselves: nothing private where it must not be -----------------------

PRIVATE_KEYS = {"age", "hair", "declined", "reply", "replies", "author", "tokens", "token_hash", "dots_left"}
PARTICIPANT = re.compile(r"^p[0-9]+$")


def _walk(data: Any) -> Iterator[tuple[str | None, Any, Any]]:
    """(key, value, the dict holding it) for everything nested in ``data``."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield key, value, data
            yield from _walk(value)
    elif isinstance(data, list):
        for value in data:
            yield None, value, data
            yield from _walk(value)


def _sent(history: dict[str, Any], action_type: str) -> list[tuple[str, dict[str, Any]]]:
    return [
        (row["actor"], row["body"]["action"])
        for row in history["commands"]
        if row["body"]["action"]["type"] == action_type
    ]


@pytest.mark.parametrize("kind", KINDS)
def test_the_staff_golden_holds_no_note_answer_token_or_author(kind: str) -> None:
    folder = GOLDEN / kind
    history = read_json(folder / "history.json")
    board = read_json(folder / "board.json")
    secrets = {action["token_hash"] for _, action in _sent(history, "join")}
    secrets |= {action["text"] for _, action in _sent(history, "save_note")}
    secrets |= {a["value"] for _, a in _sent(history, "form_answer") if isinstance(a["value"], str)}
    for key, value, holder in _walk(board):
        assert key not in PRIVATE_KEYS, f"{kind}: {key!r} on the staff screens"
        assert not (isinstance(value, str) and value in secrets), (
            f"{kind}: a note or token on the staff screens"
        )
        if isinstance(holder, dict) and "text" in holder:  # a contribution: anonymous
            assert not (isinstance(value, str) and PARTICIPANT.match(value)), (
                f"{kind}: {holder} names its author"
            )


@pytest.mark.parametrize("kind", KINDS)
def test_each_phone_golden_holds_only_its_own_notes_and_answers(kind: str) -> None:
    folder = GOLDEN / kind
    history = read_json(folder / "history.json")
    phones = read_json(folder / "views.json")
    notes = _sent(history, "save_note")
    answers = _sent(history, "roles_answer")
    for pid, view in phones.items():
        own = {action["text"] for actor, action in notes if actor == pid}
        assert set(view["notes"].values()) <= own, f"{kind}: {pid} sees someone else's note"
        others = {action["text"] for actor, action in notes if actor != pid} - own
        given = [
            (actor, a["value"]) for actor, a in _sent(history, "form_answer") if isinstance(a["value"], str)
        ]
        others |= {
            text
            for actor, value in given
            if actor != pid
            for text in (value.strip(), " ".join(value.split()))
        } - {""}
        assert not {value for _, value, _ in _walk(view) if isinstance(value, str)} & others
        roles = view.get("activity", {}).get("roles")
        if roles and roles["reply"] and not roles["reply"]["declined"]:
            ages = {action.get("age") for actor, action in answers if actor == pid}
            hairs = {action.get("hair") for actor, action in answers if actor == pid}
            assert roles["reply"]["age"] in ages | {None} and roles["reply"]["hair"] in hairs | {None}
