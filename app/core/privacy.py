"""What a closed workshop keeps: its shared results, and nothing a person said only for
themselves.

Closing a workshop makes it read-only: the facilitator keeps the results (word clouds,
diamonds, lists, comments, who held which role) and can delete it. What nobody can reach
any more goes at once, not at the purge: the private answers that drew the roles (ages,
hair colour), the participants' tokens, and the notes of everyone without a take-home
link to their own workbook (a phone has one from the moment it joins; a person keeps
theirs, and may delete it). Forms keep the numbers their results showed, and the answers
of link holders only.
"""

from __future__ import annotations

from dataclasses import replace

from app.core.kinds import form
from app.core.kinds.roles import Reply
from app.core.registry import Activities
from app.core.room import Room
from app.core.shared import Layered

ANSWERED = Reply(declined=True)  # who answered still counts as having answered; not what


def _shared(room: Room, exercise: str, activities: Activities, keeps: frozenset[str]) -> Activities:
    roles, answers, ex = activities.roles, activities.form, room.exercise_by_id(exercise)
    if answers is not None and ex is not None:
        activities = replace(activities, form=form.seal(room, ex, answers, keeps))
    if roles is None:
        return activities
    return replace(activities, roles=replace(roles, replies=dict.fromkeys(roles.replies, ANSWERED)))


def results_only(room: Room) -> Room:
    """The room without private answers, participant tokens or unreachable notes; every
    shared result (``views.results``) is the same as before."""
    keeps = frozenset(room.workbook_links.values())
    return replace(
        room,
        notes={pid: notes for pid, notes in room.notes.items() if pid in keeps},
        tokens=Layered(),
        activities={
            exercise: _shared(room, exercise, acts, keeps) for exercise, acts in room.activities.items()
        },
    )
