"""The interface every exercise kind implements (roles, word cloud, diamond, ...).

A kind is plain Python with no I/O: a frozen ``State`` per exercise, the actions it
accepts, and four functions. The room reducer routes a kind's actions to ``apply`` and
the views ask ``board`` (what the facilitator and the projector show) and ``mine`` (what
one phone shows). Private answers (ages, hair colour) stay inside the state and never
appear in ``board`` or in another person's ``mine``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

from pydantic import Field

from app.core.actions import Action
from app.core.localized import LocalizedText
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

S = TypeVar("S")
C = TypeVar("C")

ExerciseId = Annotated[str, Field(min_length=1, max_length=40)]


class KindAction(Action):
    """An action of an exercise kind names the exercise it belongs to."""

    exercise: ExerciseId


@dataclass(frozen=True, slots=True)
class Written:
    """One thing a person wrote for themselves, for their own workbook (never anyone else's).

    ``texts`` is a text answer or the chosen options; ``score`` out of ``points`` a scale
    answer. ``section`` names the workbook section it writes into, if any."""

    label: LocalizedText = ""  # the question it answers ("": a note)
    texts: tuple[LocalizedText, ...] = ()
    score: int | None = None
    points: int | None = None
    heading: LocalizedText = ""  # the form's heading it stands under
    section: str | None = None
    shared: bool = False  # written into a shared result (a list, a comment): it stays there


def contributed(label: LocalizedText, texts: Iterable[str]) -> list[Written]:
    """What a person wrote into a shared result (a word cloud, a list, comments), for
    their own workbook; nothing when they wrote nothing there."""
    own = tuple(texts)
    return [Written(label=label, texts=own, shared=True)] if own else []


def config_of(exercise: Exercise, kind: str, config: type[C]) -> C:
    """The exercise's settings for this kind (its ``[exercises.<kind>]`` table); an
    exercise without them is not one of this kind's: refused as ``unknown_exercise``."""
    found = getattr(exercise, kind, None)
    if not isinstance(found, config):
        raise Refused("unknown_exercise")
    return found


@dataclass(frozen=True)
class Kind(Generic[S]):
    name: str  # also the program table (``[exercises.wordcloud]``) and the Activities field
    participant_actions: tuple[type[KindAction], ...]
    facilitator_actions: tuple[type[KindAction], ...]
    # The state when the exercise is entered (or first used).
    start: Callable[[Room, Exercise, Command], S]
    # Apply one of this kind's actions; raise Refused to refuse it.
    apply: Callable[[Room, Exercise, S, Command], tuple[S, Changes]]
    # What the facilitator and the projector see: shared results, never private answers.
    board: Callable[[Room, Exercise, S], dict[str, Any]]
    # What one participant sees.
    mine: Callable[[Room, Exercise, S, str], dict[str, Any]]
    # The day's results as table rows (group, item, value) for the CSV export.
    export: Callable[[Room, Exercise, S], list[tuple[str, str, str]]] | None = None
    # Texts a later exercise may offer as input (a word cloud's top words, a group's list),
    # for ``group`` (a working-group number) or the whole room (None); most popular first.
    suggestions: Callable[[Room, Exercise, S, int | None], list[str]] | None = None
    # What this participant wrote for themselves here, for their workbook.
    written: Callable[[Room, Exercise, S, str], list[Written]] | None = None
    # The state without this participant's private answers (they deleted their answers).
    forget: Callable[[Room, Exercise, S, str], S] | None = None
    # A stored action of this kind with the private words taken out, when its author deletes
    # their answers; replaying the redacted history and then the deletion gives the same room.
    redact: Callable[[KindAction], KindAction] | None = None
    # Checks of the kind's table against the rest of the program (other exercises it
    # names, its own phases), run when a program is loaded: (field, message) per problem.
    check: Callable[[Program, Exercise], Iterable[tuple[str, str]]] | None = None
    # Works per group (roles, a diamond, lists, a gallery walk): refused at load on an
    # exercise with grouping = "none", where every phone's action would be refused.
    in_groups: bool = False
    # A later phase of the exercise starts (the room is already in it): the roles pass on.
    phase_started: Callable[[Room, Exercise, S, Command], tuple[S, Changes]] | None = None
