"""Closing comments: anonymous open comments, shown on the projector as they arrive.

The author is kept only to let a person see their own comments and to cap floods; no
view ever shows who wrote what.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.actions import clean_text, not_blank
from app.core.kinds.base import Kind, KindAction, Written, contributed
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise
    from app.core.room import Command, Room

MAX_COMMENT = 500


class Config(BaseModel):
    """``[exercises.comments]``: open, anonymous comments on the projector."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_per_person: Annotated[int, Field(ge=1, le=100)] = 20


CommentText = Annotated[
    str, Field(max_length=MAX_COMMENT), AfterValidator(clean_text), AfterValidator(not_blank)
]


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    text: str
    author: str
    at: int
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class State:
    comments: tuple[Comment, ...] = ()


class AddComment(KindAction):
    type: Literal["comment_add"] = "comment_add"
    text: CommentText


class HideComment(KindAction):
    type: Literal["comment_hide"] = "comment_hide"
    comment: Annotated[int, Field(ge=1)]
    hidden: bool = True


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    action = cmd.action
    if isinstance(action, AddComment):
        config = exercise.comments
        assert config is not None
        if sum(1 for c in state.comments if c.author == cmd.actor) >= config.max_per_person:
            raise Refused("too_many")
        comment = Comment(id=len(state.comments) + 1, text=action.text, author=cmd.actor, at=cmd.at)
        return replace(state, comments=(*state.comments, comment)), Changes(
            board=True, personal=frozenset({cmd.actor})
        )
    if isinstance(action, HideComment):
        if not 1 <= action.comment <= len(state.comments):
            raise Refused("unknown_item")
        target = state.comments[action.comment - 1]
        comments = tuple(replace(c, hidden=action.hidden) if c is target else c for c in state.comments)
        return replace(state, comments=comments), Changes(board=True, personal=frozenset({target.author}))
    raise Refused("unknown_action")


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    # A hidden comment's text leaves the projector's browser too, not just its display.
    return {
        "comments": [
            {"id": c.id, "text": None if c.hidden else c.text, "hidden": c.hidden, "at": c.at}
            for c in state.comments
        ]
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    return {
        "mine": [{"id": c.id, "text": c.text, "hidden": c.hidden} for c in state.comments if c.author == pid],
        "max": exercise.comments.max_per_person if exercise.comments else 0,
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    return [("", c.text, "") for c in state.comments if not c.hidden]


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    """The comments this person wrote, for their own «Mine svar» (anonymous to everyone else)."""
    return contributed(exercise.title, (c.text for c in state.comments if c.author == pid))


KIND: Kind[State] = Kind(
    name="comments",
    participant_actions=(AddComment,),
    facilitator_actions=(HideComment,),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    written=written,
)
