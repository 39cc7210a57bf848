"""Private forms: a self-assessment, questions a person answers for themselves.

A form is questions grouped under headings, each of one type: a ``scale`` (1–N, with a
label at each end), a ``short`` or ``long`` text, a ``single`` or ``multiple`` choice.
Every answer is one action, checked against its question (type, range, size) and saved as
it is given; a refused answer says why and changes nothing. Answers are private: a
person's ``mine`` holds only their own, and the board (facilitator and projector) says
how many have answered, never what. A program may allow an anonymous summary — the
distribution of each scale question — which the board carries only once the facilitator
reveals it, and for a question only once at least :data:`MIN_SUMMARY` people answered it.
A question may write into a section of the person's workbook (``section = "<id>"``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, model_validator

from app.core.actions import clean_text
from app.core.kinds.base import Kind, KindAction, Written
from app.core.localized import LocalizedText, localize, required, text
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

MIN_SUMMARY = 5  # answers a scale question needs before its distribution is shown
MAX_SHORT = 200
MAX_LONG = 4000
MAX_OPTIONS = 20
MAX_QUESTIONS = 100
MAX_PROGRAM_TEXT = 1000

QuestionType = Literal["scale", "short", "long", "single", "multiple"]
Answer = int | str | tuple[int, ...]  # a scale point, a text, a choice's option index(es)
FormId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]


Text = Annotated[LocalizedText, AfterValidator(required(MAX_PROGRAM_TEXT))]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scale(_Strict):
    """``{ points = 5, low = "I liten grad", high = "I stor grad" }``: 1 … points."""

    points: Annotated[int, Field(ge=2, le=10)] = 5
    low: LocalizedText | None = None  # the label at 1
    high: LocalizedText | None = None  # the label at ``points``


class Question(_Strict):
    id: FormId
    type: QuestionType
    text: Text
    help: LocalizedText = ""
    scale: Scale | None = None  # a scale question's own scale (default: the form's)
    options: list[Text] = Field(default_factory=list, max_length=MAX_OPTIONS)  # single / multiple
    max_choices: Annotated[int, Field(ge=1, le=MAX_OPTIONS)] | None = None  # multiple
    section: FormId | None = None  # the workbook section this answer writes into

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        choice = self.type in ("single", "multiple")
        if choice and len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least 2 options")
        if not choice and self.options:
            raise ValueError("options are only for single and multiple questions")
        if self.scale is not None and self.type != "scale":
            raise ValueError("scale is only for scale questions")
        if self.max_choices is not None and self.type != "multiple":
            raise ValueError("max_choices is only for multiple questions")
        if self.max_choices is not None and self.max_choices > len(self.options):
            raise ValueError("max_choices is more than there are options")
        return self


class Group(_Strict):
    """Questions under one heading."""

    heading: LocalizedText = ""
    intro: LocalizedText = ""
    questions: Annotated[list[Question], Field(min_length=1, max_length=MAX_QUESTIONS)]


class Config(_Strict):
    """``[exercises.form]``: private questions under headings."""

    intro: LocalizedText = ""
    scale: Scale = Scale()  # the scale questions use unless they give their own
    groups: Annotated[list[Group], Field(min_length=1, max_length=MAX_QUESTIONS)]
    summary: bool = False  # may the facilitator show an anonymous summary on the projector
    phase: Annotated[int, Field(ge=0, le=50)] | None = None  # filled in in this phase only (0: first)

    @model_validator(mode="after")
    def _unique_ids(self) -> Config:
        ids = [q.id for g in self.groups for q in g.questions]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"question id {twice[0]!r} is used twice")
        if len(ids) > MAX_QUESTIONS:
            raise ValueError(f"at most {MAX_QUESTIONS} questions")
        return self

    @cached_property
    def questions(self) -> dict[str, tuple[Group, Question]]:
        return {q.id: (g, q) for g in self.groups for q in g.questions}

    def scale_of(self, question: Question) -> Scale:
        return question.scale or self.scale


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Numbers:
    """The form's numbers on the board: how many answered, and per scale question how
    many chose each point (a closed workshop keeps these, not everyone's answers)."""

    answered: int = 0
    complete: int = 0
    counts: dict[str, tuple[int, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class State:
    answers: dict[str, dict[str, Answer]] = field(default_factory=dict)  # pid -> question -> answer
    revealed: bool = False  # the facilitator shows the anonymous summary
    sealed: Numbers | None = None  # the workshop is closed: the numbers as they were then


# --- actions -------------------------------------------------------------------------------

AnswerText = Annotated[str, Field(max_length=MAX_LONG), AfterValidator(clean_text)]


class FormAnswer(KindAction):
    """One answer to one question, as given; ``value = null`` (or an empty text or choice)
    takes the answer back."""

    type: Literal["form_answer"] = "form_answer"
    question: FormId
    value: StrictInt | AnswerText | Annotated[tuple[StrictInt, ...], Field(max_length=MAX_OPTIONS)] | None = (
        None
    )


class FormReveal(KindAction):
    """The facilitator shows (or hides) the anonymous summary on the projector."""

    type: Literal["form_reveal"] = "form_reveal"
    shown: bool = True


def _config(exercise: Exercise) -> Config:
    config = exercise.form
    assert config is not None
    return config


def _one_line(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())


def checked(config: Config, question: Question, value: Answer | None) -> Answer | None:
    """The answer to store (None: none), or :class:`Refused` saying what is wrong with it."""
    if value is None:
        return None
    if question.type == "scale":
        if not isinstance(value, int) or isinstance(value, bool):
            raise Refused("answer_wrong_type")
        if not 1 <= value <= config.scale_of(question).points:
            raise Refused("answer_out_of_range")
        return value
    if question.type in ("short", "long"):
        if not isinstance(value, str):
            raise Refused("answer_wrong_type")
        value = _one_line(value) if question.type == "short" else value.strip()
        if question.type == "short" and len(value) > MAX_SHORT:
            raise Refused("answer_too_long")
        return value or None
    if question.type == "single":
        if not isinstance(value, int) or isinstance(value, bool):
            raise Refused("answer_wrong_type")
        if not 0 <= value < len(question.options):
            raise Refused("answer_out_of_range")
        return value
    if not isinstance(value, tuple):
        raise Refused("answer_wrong_type")
    if len(set(value)) != len(value):
        raise Refused("answer_wrong_type")
    if any(not 0 <= v < len(question.options) for v in value):
        raise Refused("answer_out_of_range")
    if len(value) > (question.max_choices or len(question.options)):
        raise Refused("too_many_choices")
    return tuple(sorted(value)) or None


def check(program: Program, exercise: Exercise) -> Iterator[tuple[str, str]]:
    """The phase the form is filled in is one of the exercise's."""
    phase = _config(exercise).phase
    count = len(exercise.steps)
    if phase is not None and phase >= count:
        yield "phase", f"the exercise has {count} phase{'s' if count > 1 else ''}: 0 to {count - 1}"


def is_open(room: Room, exercise: Exercise) -> bool:
    """Whether answers are taken now: the exercise is current, in the form's phase."""
    phase = _config(exercise).phase
    current = room.current
    return current is not None and current.id == exercise.id and (phase is None or room.phase == phase)


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    action = cmd.action
    config = _config(exercise)
    if isinstance(action, FormAnswer):
        found = config.questions.get(action.question)
        if found is None:
            raise Refused("unknown_question")
        if not is_open(room, exercise):
            raise Refused("form_not_now")
        value = checked(config, found[1], action.value)
        before = state.answers.get(cmd.actor, {})
        mine = {k: v for k, v in before.items() if k != action.question}
        if value is not None:
            mine[action.question] = value
        answers = {k: v for k, v in state.answers.items() if k != cmd.actor}
        if mine:
            answers[cmd.actor] = mine
        # The board counts people (who answered, who answered all) and, when revealed,
        # scale answers: tell it only when one of those changed.
        done = len(before) == len(config.questions), len(mine) == len(config.questions)
        board = (
            bool(before) != bool(mine) or done[0] != done[1] or (state.revealed and found[1].type == "scale")
        )
        return replace(state, answers=answers), Changes(board=board, personal=frozenset({cmd.actor}))
    if isinstance(action, FormReveal):
        if not config.summary:
            raise Refused("summary_not_allowed")
        return replace(state, revealed=action.shown), Changes(board=True)
    raise Refused("unknown_action")


def _question_view(config: Config, question: Question) -> dict[str, Any]:
    view: dict[str, Any] = {"id": question.id, "type": question.type, "text": text(question.text)}
    if question.help:
        view["help"] = text(question.help)
    if question.type == "scale":
        scale = config.scale_of(question)
        view.update(points=scale.points, low=text(scale.low), high=text(scale.high))
    if question.options:
        view["options"] = [text(o) for o in question.options]
    if question.type == "multiple":
        view["max_choices"] = question.max_choices or len(question.options)
    return view


def numbers(config: Config, state: State) -> Numbers:
    """The numbers the board shows, from everyone's answers (or as sealed at closing)."""
    if state.sealed is not None:
        return state.sealed
    counts: dict[str, tuple[int, ...]] = {}
    for _, question in config.questions.values():
        if question.type == "scale":
            tally = [0] * config.scale_of(question).points
            for answers in state.answers.values():
                value = answers.get(question.id)
                if isinstance(value, int):
                    tally[value - 1] += 1
            counts[question.id] = tuple(tally)
    complete = sum(1 for a in state.answers.values() if all(q in a for q in config.questions))
    return Numbers(answered=len(state.answers), complete=complete, counts=counts)


def summary(config: Config, state: State) -> list[dict[str, Any]]:
    """Per scale question: how many answered and, from :data:`MIN_SUMMARY` on, how many
    chose each point. Anonymous: counts only, and no count of fewer than five people."""
    counts = numbers(config, state).counts
    out = []
    for group in config.groups:
        for question in group.questions:
            if question.type != "scale":
                continue
            tally = counts.get(question.id, ())
            given = sum(tally)
            out.append(
                {
                    **_question_view(config, question),
                    "heading": text(group.heading),
                    "answers": given,
                    "counts": list(tally) if given >= MIN_SUMMARY else None,
                }
            )
    return out


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    """How many have answered; the anonymous summary only once revealed. Never an answer."""
    config = _config(exercise)
    shown = config.summary and state.revealed
    counted = numbers(config, state)
    return {
        "questions": len(config.questions),
        "answered": counted.answered,
        "complete": counted.complete,
        "participants": len(room.participants),
        "summary_allowed": config.summary,
        "revealed": shown,
        "min_answers": MIN_SUMMARY,
        "summary": summary(config, state) if shown else None,
    }


def _answer_json(value: Answer) -> Any:
    return list(value) if isinstance(value, tuple) else value


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    """The form and this person's own answers."""
    config = _config(exercise)
    answers = state.answers.get(pid, {})
    return {
        "intro": text(config.intro),
        "groups": [
            {
                "heading": text(g.heading),
                "intro": text(g.intro),
                "questions": [_question_view(config, q) for q in g.questions],
            }
            for g in config.groups
        ],
        "answers": {k: _answer_json(v) for k, v in answers.items()},
        "answered": len(answers),
        "questions": len(config.questions),
        "open": is_open(room, exercise),
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    """Only the revealed anonymous summary, for questions with enough answers."""
    config = _config(exercise)
    if not (config.summary and state.revealed):
        return []
    return [
        ("", localize(q["text"], "nb"), " ".join(f"{i}:{c}" for i, c in enumerate(q["counts"], start=1)))
        for q in summary(config, state)
        if q["counts"] is not None
    ]


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    config = _config(exercise)
    answers = state.answers.get(pid, {})
    out = []
    for group in config.groups:
        for question in group.questions:
            if question.id not in answers:
                continue
            value = answers[question.id]
            entry = Written(label=question.text, heading=group.heading, section=question.section)
            if question.type == "scale":
                assert isinstance(value, int)
                entry = replace(entry, score=value, points=config.scale_of(question).points)
            elif isinstance(value, str):
                entry = replace(entry, texts=(value,))
            else:
                chosen = value if isinstance(value, tuple) else (value,)
                entry = replace(entry, texts=tuple(question.options[i] for i in chosen))
            out.append(entry)
    return out


def seal(room: Room, exercise: Exercise, state: State, keep: frozenset[str]) -> State:
    """The form as a closed workshop keeps it: the board's numbers as they are now, and
    the answers only of the people in ``keep`` (who hold a take-home link)."""
    sealed = numbers(_config(exercise), state)
    return replace(state, answers={k: v for k, v in state.answers.items() if k in keep}, sealed=sealed)


def forget(room: Room, exercise: Exercise, state: State, pid: str) -> State:
    return replace(state, answers={k: v for k, v in state.answers.items() if k != pid})


def redact(action: KindAction) -> KindAction:
    return action.model_copy(update={"value": None}) if isinstance(action, FormAnswer) else action


KIND: Kind[State] = Kind(
    name="form",
    participant_actions=(FormAnswer,),
    facilitator_actions=(FormReveal,),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    written=written,
    forget=forget,
    redact=redact,
    check=check,
)
