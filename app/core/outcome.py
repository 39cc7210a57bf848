"""What an action leads to: a refusal, or a description of what changed and for whom."""

from __future__ import annotations

from dataclasses import dataclass


class Refused(Exception):
    """An action that is well-formed but not allowed now; ``code`` is a translation key
    (``error.<code>`` in the catalogs)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Changes:
    """What an action changed, so the adapter knows whom to tell."""

    public: bool = False  # the exercise, phase or timer: every screen
    staff: bool = False  # the participant list: facilitator and projector
    board: bool = False  # the current exercise's shared results: facilitator and projector
    personal: frozenset[str] = frozenset()  # these participants' own view
    everyone_personal: bool = False  # every participant's own view
    plan: bool = False  # the day's agenda (the method menu, what is done): every screen
    presenting: bool = False  # what the projector shows (blank, QR, hidden results): the staff

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            public=self.public or other.public,
            staff=self.staff or other.staff,
            board=self.board or other.board,
            personal=self.personal | other.personal,
            everyone_personal=self.everyone_personal or other.everyone_personal,
            plan=self.plan or other.plan,
            presenting=self.presenting or other.presenting,
        )
