"""The WebSocket protocol: every message a screen may send, as one pydantic model each.

``parse_client_message`` is the single gate every incoming frame passes: it refuses
oversized frames, malformed JSON, unknown types and bad fields with a reason code that
the client shows in its own language. See ``docs/protocol.md``.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from app.core.registry import ALL_ACTION_TYPES, AnyAction

Role = Literal["participant", "facilitator", "projector"]


class ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Hello(ClientMessage):
    """First message on every connection: who is this, and what did it see last."""

    type: Literal["hello"] = "hello"
    room: Annotated[str, Field(min_length=1, max_length=12)]
    role: Role
    key: Annotated[str, Field(max_length=128)] | None = None  # facilitator / projector secret
    last_seq: Annotated[int, Field(ge=0)] | None = None


class Ping(ClientMessage):
    """Heartbeat and clock sample: the server answers at once with its own time."""

    type: Literal["ping"] = "ping"
    t0: float


class ActionMessage(ClientMessage):
    """An action for the room. ``id`` is the idempotency key: a resend is acknowledged once."""

    type: Literal["action"] = "action"
    id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
    action: AnyAction


AnyClientMessage = Annotated[Hello | Ping | ActionMessage, Field(discriminator="type")]
_client_message: TypeAdapter[Hello | Ping | ActionMessage] = TypeAdapter(AnyClientMessage)


class BadMessage(Exception):
    def __init__(self, code: str, detail: str = "", message_id: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail
        self.message_id = message_id


def parse_client_message(raw: str, *, max_bytes: int) -> Hello | Ping | ActionMessage:
    if len(raw) > max_bytes or len(raw.encode("utf-8", "surrogatepass")) > max_bytes:
        raise BadMessage("too_large")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadMessage("bad_json") from None
    if not isinstance(data, dict):
        raise BadMessage("bad_json")
    message_id = data.get("id") if isinstance(data.get("id"), str) else None
    kind = data.get("type")
    if kind not in ("hello", "ping", "action"):
        raise BadMessage("unknown_type", str(kind)[:40], message_id)
    if kind == "action":
        inner = data.get("action")
        action_type = inner.get("type") if isinstance(inner, dict) else None
        if not isinstance(action_type, str) or action_type not in ALL_ACTION_TYPES:
            raise BadMessage("unknown_action", str(action_type)[:40], message_id)
    try:
        return _client_message.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(
            str(p) for p in first["loc"][1:] if not str(p).startswith(("hello", "ping", "action"))
        )
        raise BadMessage("invalid", f"{where}: {first['msg']}"[:200], message_id) from None


def encode(message: dict[str, Any]) -> str:
    """Frames are encoded once and the same text is sent to every screen in the audience."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
