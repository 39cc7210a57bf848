"""The actions that change a room, one pydantic model each.

These models are the single place where what a phone or the facilitator sends is
validated (types, sizes, allowed characters). The same models are stored in the room's
history and replayed after a restart.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_NAME = 40
MAX_NOTE = 4000


def clean_line(value: str) -> str:
    """One line of text: NFC, no control characters, single spaces, trimmed."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be empty")
    return value


def clean_text(value: str) -> str:
    """Free text: NFC, keeps line breaks, drops other control characters."""
    value = unicodedata.normalize("NFC", value)
    return "".join(ch for ch in value if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def not_blank(value: str) -> str:
    """Text that says something: what is left after trimming, never empty."""
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME), AfterValidator(clean_line)]
NoteText = Annotated[str, Field(max_length=MAX_NOTE), AfterValidator(clean_text)]
ParticipantId = Annotated[str, Field(pattern=r"^p[0-9]{1,6}$")]


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    type: str  # each action narrows this to its own literal name


# --- sent by a participant's phone -------------------------------------------------------


class SaveNote(Action):
    type: Literal["save_note"] = "save_note"
    exercise: Annotated[str, Field(max_length=40)]
    text: NoteText


class PassTurn(Action):
    """ "Ferdig": the current speaker in the group's round robin hands over (or, where the
    program lets anyone pass, a member moves the turn on)."""

    type: Literal["pass_turn"] = "pass_turn"
    # The turn (0, 1, 2 … over all rounds) the phone showed: a tap meant for a turn that
    # has already moved on is refused, so two taps never skip two speakers.
    turn: Annotated[int, Field(ge=0, le=100_000)] | None = None
    # The group, when the facilitator passes the turn on for it (a phone's is its own).
    group: Annotated[int, Field(ge=1, le=500)] | None = None


# --- sent by the facilitator --------------------------------------------------------------


class Start(Action):
    type: Literal["start"] = "start"


class Pause(Action):
    type: Literal["pause"] = "pause"


class Resume(Action):
    type: Literal["resume"] = "resume"


def _not_zero(value: int) -> int:
    if value == 0:
        raise ValueError("must not be 0")
    return value


class Extend(Action):
    """Time on (``seconds`` > 0) or off (< 0: never below 0 s left)."""

    type: Literal["extend"] = "extend"
    seconds: Annotated[int, Field(ge=-3600, le=3600), AfterValidator(_not_zero)] = 60


class NextPhase(Action):
    type: Literal["next_phase"] = "next_phase"


class PreviousPhase(Action):
    """A step back: the phase before in the same exercise, its timer ready again."""

    type: Literal["previous_phase"] = "previous_phase"


class NextExercise(Action):
    type: Literal["next_exercise"] = "next_exercise"


class GotoExercise(Action):
    type: Literal["goto_exercise"] = "goto_exercise"
    index: Annotated[int, Field(ge=-1, le=500)]


ExerciseRef = Annotated[str, Field(min_length=1, max_length=40)]


class SwitchExercise(Action):
    """The method menu: switch an exercise of the day on or off (skip it)."""

    type: Literal["switch_exercise"] = "switch_exercise"
    exercise: ExerciseRef
    on: bool


class MoveExercise(Action):
    """The method menu: move an exercise that is still ahead to another place in the day."""

    type: Literal["move_exercise"] = "move_exercise"
    exercise: ExerciseRef
    position: Annotated[int, Field(ge=0, le=500)]  # its place in the day's order, 0 = first


class FormGroups(Action):
    type: Literal["form_groups"] = "form_groups"
    mode: Literal["size", "count"]
    value: Annotated[int, Field(ge=1, le=500)]


class MoveParticipant(Action):
    type: Literal["move_participant"] = "move_participant"
    participant: ParticipantId
    group: Annotated[int, Field(ge=1, le=500)]


class RenameParticipant(Action):
    type: Literal["rename_participant"] = "rename_participant"
    participant: ParticipantId
    name: Name


class RemoveParticipant(Action):
    type: Literal["remove_participant"] = "remove_participant"
    participant: ParticipantId


# What the projector shows: the room, nothing (a blank screen) or the big QR code.
ProjectorShow = Literal["room", "blank", "qr"]
# The address phones join at: a plain http(s) origin (scheme, host, port), no path.
JoinBase = Annotated[
    str,
    Field(
        max_length=200,
        pattern=r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^https?://\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$",
    ),
]


class ShowOnProjector(Action):
    type: Literal["projector_show"] = "projector_show"
    show: ProjectorShow


class HideResults(Action):
    """Hide an exercise's results on the projector until revealed (``hidden = false``)."""

    type: Literal["hide_results"] = "hide_results"
    exercise: ExerciseRef
    hidden: bool


class SetJoinAddress(Action):
    """The address the projector and its QR code give phones (None: the page's own)."""

    type: Literal["set_join_address"] = "set_join_address"
    url: JoinBase | None


# --- made by the server itself --------------------------------------------------------------


class Join(Action):
    """A new participant; made by the join endpoint after the room code was checked.
    ``workbook``: the hash of their take-home link's key, so that «Mine svar» is theirs
    from the moment they join and a closed workshop keeps it for them (joins stored
    before it have none: their link is made when they first open «Mine svar»)."""

    type: Literal["join"] = "join"
    name: Name
    token_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    workbook: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class LinkWorkbook(Action):
    """A person's take-home link: the hash of its key. Made by the server (actor: the
    person) when they first open «Mine svar»."""

    type: Literal["link_workbook"] = "link_workbook"
    key_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class AddPhone(Action):
    """A person goes on on another phone: their take-home link was opened there, and that
    phone's token (and its own take-home link) is theirs too. Made by the server (actor:
    the person)."""

    type: Literal["add_phone"] = "add_phone"
    token_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    workbook: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class ForgetAnswers(Action):
    """A person deletes their own notes and private answers. Made by the server (actor:
    the person) from their take-home page."""

    type: Literal["forget_answers"] = "forget_answers"


ParticipantAction = SaveNote | PassTurn
FacilitatorAction = (
    PassTurn
    | Start
    | Pause
    | Resume
    | Extend
    | NextPhase
    | PreviousPhase
    | NextExercise
    | GotoExercise
    | SwitchExercise
    | MoveExercise
    | FormGroups
    | MoveParticipant
    | RenameParticipant
    | RemoveParticipant
    | ShowOnProjector
    | HideResults
    | SetJoinAddress
)
