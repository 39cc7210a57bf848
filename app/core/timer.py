"""Phase timers as deadlines, not ticks.

A running timer stores the absolute moment it ends (``ends_at``, epoch milliseconds);
a paused or not-yet-started one stores what is left. Every screen computes the countdown
from the same deadline, so they agree, and a deadline keeps running while the server is
down. All functions take ``now`` so the core never reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

TimerStatus = Literal["ready", "running", "paused"]


@dataclass(frozen=True, slots=True)
class Timer:
    duration_ms: int
    status: TimerStatus = "ready"
    ends_at: int | None = None  # set while running
    remaining_ms: int | None = None  # set while ready or paused

    @classmethod
    def ready(cls, duration_ms: int) -> Timer:
        return cls(duration_ms=duration_ms, status="ready", remaining_ms=duration_ms)

    def remaining(self, now: int) -> int:
        if self.status == "running":
            assert self.ends_at is not None
            return max(0, self.ends_at - now)
        return self.remaining_ms if self.remaining_ms is not None else self.duration_ms

    def elapsed(self, now: int) -> int:
        """How much of the phase has run: 0 before Start, frozen while paused (time added
        with ``extend`` does not count as run)."""
        return max(0, self.duration_ms - self.remaining(now))

    def is_up(self, now: int) -> bool:
        return self.status == "running" and self.remaining(now) == 0

    def start(self, now: int) -> Timer:
        if self.status == "running":
            return self
        return replace(self, status="running", ends_at=now + self.remaining(now), remaining_ms=None)

    def pause(self, now: int) -> Timer:
        if self.status != "running":
            return self
        return replace(self, status="paused", ends_at=None, remaining_ms=self.remaining(now))

    def extend(self, ms: int, now: int) -> Timer:
        """Add time (``ms`` < 0: take it off, down to none left); a timer that already ran
        out starts again from the added time. What has run stays run."""
        left = self.remaining(now)
        added = max(ms, -left)
        if self.status == "running":
            assert self.ends_at is not None
            return replace(self, ends_at=max(self.ends_at, now) + added, duration_ms=self.duration_ms + added)
        return replace(self, remaining_ms=left + added, duration_ms=self.duration_ms + added)

    def to_json(self) -> dict[str, object]:
        return {
            "duration_ms": self.duration_ms,
            "status": self.status,
            "ends_at": self.ends_at,
            "remaining_ms": self.remaining_ms,
        }
