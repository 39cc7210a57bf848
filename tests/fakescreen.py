"""A screen as the realtime layer sees it, without a socket: it keeps what it is sent."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class FakeScreen:
    role: str = "participant"
    participant: str | None = None
    frames: list[dict[str, Any]] = field(default_factory=list)
    closed_with: int | None = None

    @property
    def is_staff(self) -> bool:
        return self.role != "participant"

    def send(self, frame: str) -> None:
        self.frames.append(json.loads(frame))

    def close(self, code: int = 1000) -> None:
        self.closed_with = code

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]

    def timer_status(self) -> str | None:
        """The phase timer's status as this screen would show it now."""
        status = None
        for frame in self.frames:
            state = frame.get("state") if frame["type"] == "snapshot" else frame.get("patch")
            position = (state or {}).get("position")
            if position and position.get("timer"):
                status = position["timer"]["status"]
        return status
