"""Creating workshops and checking who may do what in them.

Secrets are random and only their hashes (facilitator key, participant tokens) are
stored, so a copy of the database does not hand out control of a room.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from app.core import codes
from app.core.program import ProgramError, load_program_text
from app.realtime.hub import now_ms
from app.settings import Settings
from app.storage.store import Store
from app.storage.tables import Workshop


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same_secret(secret: str, expected_hash: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_hash)


def new_token() -> str:
    return secrets.token_urlsafe(24)


@dataclass(frozen=True)
class NewWorkshop:
    code: str
    facilitator_key: str
    projector_key: str


def create_workshop(store: Store, settings: Settings, program_name: str) -> NewWorkshop:
    """Start a workshop from a program file in the programs folder."""
    from app.core.program import list_programs

    path = list_programs(settings.programs_dir).get(program_name)
    if path is None:
        raise ProgramError(f"{program_name}: no such program")
    text = path.read_text(encoding="utf-8")
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
        )
    )
    return NewWorkshop(code=code, facilitator_key=facilitator_key, projector_key=projector_key)
