"""Creating workshops and checking who may do what in them.

Secrets are random and only their hashes (facilitator key, participant tokens) are
stored, so a copy of the database does not hand out control of a room.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from app.core import codes
from app.core.actions import Join
from app.core.privacy import results_only
from app.core.program import ProgramError, load_program_text
from app.core.room import Room
from app.core.serialize import room_to_json
from app.realtime.hub import now_ms
from app.settings import Settings
from app.storage.history import restore
from app.storage.store import Store
from app.storage.tables import Workshop


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(secret: str, expected_hash: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_hash)


def new_token() -> str:
    return secrets.token_urlsafe(24)


def link_key(token: str, code: str) -> str:
    """The take-home link's key for the phone holding ``token``: 192 bits, unguessable
    without the token, the same every time the phone asks."""
    mac = hmac.new(token.encode(), f"samling workbook {code}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")[:32]


def joining(name: str, token: str, code: str) -> Join:
    """The phone holding ``token`` joins room ``code`` as ``name``, with its take-home
    link (raises pydantic's ValidationError for a name that is no name)."""
    return Join(name=name, token_hash=digest(token), workbook=digest(link_key(token, code)))


@dataclass(frozen=True)
class NewWorkshop:
    code: str
    facilitator_key: str
    projector_key: str


def create_workshop(
    store: Store, settings: Settings, program_name: str, owner_id: int | None = None
) -> NewWorkshop:
    """Start a workshop from a program file in the programs folder (hosted mode: for the
    signed-in facilitator's account)."""
    from app.core.program import list_programs

    path = list_programs(settings.programs_dir).get(program_name)
    if path is None:
        raise ProgramError(f"{program_name}: no such program")
    return start_workshop(store, settings, program_name, path.read_text(encoding="utf-8"), owner_id=owner_id)


def start_workshop(
    store: Store, settings: Settings, program_name: str, text: str, *, owner_id: int | None = None
) -> NewWorkshop:
    """Start a workshop from a program file's text (a file, or one saved from the editor)."""
    load_program_text(text, source=program_name)  # refuse a broken file before it is a room
    code = codes.new_code()
    while store.code_in_use(code):
        code = codes.new_code()
    facilitator_key = secrets.token_urlsafe(18)
    projector_key = secrets.token_urlsafe(9)
    store.create_workshop(
        Workshop(
            code=code,
            program_name=program_name,
            program_text=text,
            facilitator_key_hash=digest(facilitator_key),
            projector_key=projector_key,
            time_scale=settings.time_scale,
            created_at=now_ms(),
            owner_id=owner_id,
        )
    )
    return NewWorkshop(code=code, facilitator_key=facilitator_key, projector_key=projector_key)


# --- the end of a workshop: live -> closed (read-only, results only) -> deleted (tombstone) ---


def stored_room(store: Store, code: str) -> tuple[Workshop, Room] | None:
    """A workshop and its room as stored (open or closed; never a deleted one)."""
    stored = store.load_room(code)
    return (stored.workshop, restore(store, stored)) if stored is not None else None


def keep_results_only(store: Store, code: str) -> None:
    """A closed workshop's history goes (its commands held notes and ages); one snapshot
    of its shared results stays, for the facilitator."""
    found = stored_room(store, code)
    if found is None or found[0].id is None or found[0].closed_at is None:
        return
    workshop, room = found
    assert workshop.id is not None
    shared = results_only(room)
    store.keep_results_only(workshop.id, shared.seq, room_to_json(shared))


def close_workshop(store: Store, code: str, at: int) -> bool:
    """Close: no more writes (a write in progress finishes first), the private answers and
    the history go at once; the facilitator keeps the results and can delete them."""
    if not store.close_workshop(code, at):
        return False
    keep_results_only(store, code)
    return True


def finish_closing(store: Store) -> list[str]:
    """Closed workshops whose closing was cut short (a crash) lose their history now."""
    unfinished = store.closed_with_history()
    for code in unfinished:
        keep_results_only(store, code)
    return unfinished
