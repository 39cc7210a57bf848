"""Rooms built in memory for the core's tests: a program, people, and a clock we move."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.core.actions import Action, Join
from app.core.outcome import Changes
from app.core.program import load_program_text
from app.core.room import FACILITATOR, Command, Room, apply
from tests.roomkit import DEMO_PROGRAM

T0 = 1_795_564_496_000


@dataclass
class Day:
    """A room plus a clock: ``day.act(action, by=...)`` applies one command at ``day.now``."""

    room: Room
    now: int = T0
    seed: int = 1
    history: list[Command] = field(default_factory=list)

    @classmethod
    def of(cls, program: str = DEMO_PROGRAM, people: int = 0, time_scale: float = 1.0) -> Day:
        day = cls(
            Room(code="K7MXPR", program=load_program_text(program, source="t.toml"), time_scale=time_scale)
        )
        for i in range(people):
            day.join(f"Person {i + 1}")
        return day

    def act(self, action: Action, by: str = FACILITATOR) -> Changes:
        cmd = Command(action=action, at=self.now, actor=by, seed=self.seed)
        self.room, changes = apply(self.room, cmd)
        self.history.append(cmd)
        self.seed += 1
        return changes

    def join(self, name: str) -> str:
        self.act(Join(name=name, token_hash=f"{len(self.room.tokens) + 1:064x}"), by="system")
        return f"p{self.room.next_number - 1}"

    def wait(self, seconds: float) -> None:
        self.now += round(seconds * 1000)

    def replayed(self) -> Room:
        room = Room(code=self.room.code, program=self.room.program, time_scale=self.room.time_scale)
        for cmd in self.history:
            room, _ = apply(room, cmd)
        return room
