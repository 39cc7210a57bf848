"""25/10 Crowd Sourcing (Liberating Structures): bold ideas, scored by the room, top ten.

Each person writes one card: a bold idea ("if you were ten times bolder …") and its first
step. Then, for ``rounds`` rounds (five by default), every phone is dealt a card to score
from 1 to 5: never its own, never one it has scored before, and never showing the scores
the card got earlier (on paper the scores on the back are hidden by folding; here nobody
but the server ever sees them). The cards are dealt so that each gets about as many
scores as the others. At the end the projector reveals the ten cards with the highest
totals, counting down from the tenth to the first, one at a time as the facilitator
presses on.

The exercise's phases drive it: ``write_phase`` (default 0) is for writing, the next
``rounds`` phases are the scoring rounds (a round's cards are dealt as its phase starts),
and any phase after those is the reveal. Who wrote a card is kept only to never deal it
back to its author and to let a person edit their own card; no view shows it.

Dealing is pure and seeded: the order people are served in comes from the seed of the
command that started the round, so a room's history replays to the same deals.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.actions import clean_text, not_blank
from app.core.kinds.base import Kind, KindAction, Written, config_of, contributed
from app.core.localized import LocalizedText
from app.core.localized import text as texts_of
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

MAX_TEXT = 300
FACILITATOR = "facilitator"  # app.core.room.FACILITATOR (room imports the registry, which imports us)

Stage = Literal["closed", "before", "write", "score", "reveal"]


class Config(BaseModel):
    """``[exercises.crowdsource]``: the rounds of scoring, and how many cards are revealed."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rounds: Annotated[int, Field(ge=1, le=10)] = 5
    top: Annotated[int, Field(ge=1, le=30)] = 10  # cards revealed at the end, counting down
    write_phase: Annotated[int, Field(ge=0, le=20)] = 0
    prompt: LocalizedText | None = None  # above the card on the phone


CardText = Annotated[str, Field(max_length=MAX_TEXT), AfterValidator(clean_text), AfterValidator(not_blank)]
CardId = Annotated[int, Field(ge=1, le=100_000)]


# --- state ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    id: int
    author: str  # never shown; keeps the card away from its author
    idea: str
    step: str


@dataclass(frozen=True, slots=True)
class State:
    cards: tuple[Card, ...] = ()
    deals: tuple[dict[str, int], ...] = ()  # per round: participant -> the card dealt to them
    scores: dict[int, dict[str, int]] = field(default_factory=dict)  # card -> scorer -> 1..5
    revealed: int = 0  # how many of the top cards the projector shows, from the last up
    circle: tuple[str, ...] = ()  # the authors in a drawn order, fixed at the first deal


# --- actions -------------------------------------------------------------------------------


class CrowdsourceWrite(KindAction):
    """A person's card: the bold idea and its first step (written again: replaced)."""

    type: Literal["crowdsource_write"] = "crowdsource_write"
    idea: CardText
    step: CardText


class CrowdsourceScore(KindAction):
    """A score for the card dealt to the sender in this round (scored again: replaced)."""

    type: Literal["crowdsource_score"] = "crowdsource_score"
    card: CardId
    score: Annotated[int, Field(ge=1, le=5, strict=True)]


class CrowdsourceReveal(KindAction):
    """The projector shows one more card of the top (``all``: every one of them)."""

    type: Literal["crowdsource_reveal"] = "crowdsource_reveal"
    all: bool = False


# --- stages and dealing (pure) ----------------------------------------------------------------


def _config(exercise: Exercise) -> Config:
    return config_of(exercise, "crowdsource", Config)


def stage(room: Room, exercise: Exercise) -> Stage:
    config = _config(exercise)
    if room.current is None or room.current.id != exercise.id:
        return "closed"
    if room.phase < config.write_phase:
        return "before"
    if room.phase == config.write_phase:
        return "write"
    if room.phase <= config.write_phase + config.rounds:
        return "score"
    return "reveal"


def round_of(room: Room, exercise: Exercise) -> int:
    """The scoring round now (1 …), 0 outside the scoring rounds."""
    return room.phase - _config(exercise).write_phase if stage(room, exercise) == "score" else 0


def deal(state: State, people: list[str], round_number: int, rng: random.Random) -> dict[str, int]:
    """One round's cards: each person gets a card not their own and not one they were
    dealt before. The authors sit in a circle (``state.circle``) and in round ``r`` each
    gets the card of the author ``r`` seats on: every card is scored once a round and by
    someone new, for as many rounds as there are authors less one. Anyone else (who wrote
    no card, or whose seat's card they cannot take) gets one of the cards dealt least so
    far; someone with no such card left gets none this round."""
    seen: dict[str, set[int]] = {pid: set() for pid in people}
    dealt = dict.fromkeys((c.id for c in state.cards), 0)
    for earlier in state.deals:
        for pid, card in earlier.items():
            seen.setdefault(pid, set()).add(card)
            dealt[card] = dealt.get(card, 0) + 1
    authors = {c.id: c.author for c in state.cards}
    card_of = {c.author: c.id for c in state.cards}
    out: dict[str, int] = {}
    circle = state.circle
    present = set(people)
    for seat, pid in enumerate(circle):
        passed = card_of.get(circle[(seat + round_number) % len(circle)])
        if pid in present and passed is not None and authors[passed] != pid and passed not in seen[pid]:
            out[pid] = passed
    ranked = [c.id for c in state.cards]
    rng.shuffle(ranked)
    order = [pid for pid in people if pid not in out]
    rng.shuffle(order)
    this_round = Counter(out.values())
    for pid in order:
        choices = [c for c in ranked if authors[c] != pid and c not in seen[pid]]
        if not choices:
            continue
        card = min(choices, key=lambda c: (dealt[c] + this_round[c], ranked.index(c)))
        this_round[card] += 1
        out[pid] = card
    return out


def ranking(state: State) -> list[tuple[Card, int, int]]:
    """Every card with its total and how many scored it, highest total first (ties: the
    card with more scores, then the earlier card)."""
    totals = [
        (card, sum(state.scores.get(card.id, {}).values()), len(state.scores.get(card.id, {})))
        for card in state.cards
    ]
    return sorted(totals, key=lambda entry: (-entry[1], -entry[2], entry[0].id))


# --- the kind's functions ----------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def phase_started(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    """A scoring round's phase starts: deal its cards (once per round)."""
    number = round_of(room, exercise)
    if number == 0 or len(state.deals) >= number:
        return state, Changes()
    rng = random.Random(f"crowdsource:{cmd.seed}")
    if not state.circle:
        circle = [c.author for c in state.cards]
        rng.shuffle(circle)
        state = replace(state, circle=tuple(circle))
    people = sorted(room.participants, key=lambda pid: int(pid[1:]))
    deals = state.deals
    while len(deals) < number - 1:  # a round that was skipped dealt nothing
        deals = (*deals, {})
    deals = (*deals, deal(replace(state, deals=deals), people, number, rng))
    return replace(state, deals=deals), Changes(board=True, everyone_personal=True)


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    config = _config(exercise)
    action = cmd.action
    if isinstance(action, CrowdsourceWrite):
        if stage(room, exercise) != "write":
            raise Refused("not_writing")
        mine = next((c for c in state.cards if c.author == cmd.actor), None)
        if mine is None:
            card = Card(id=len(state.cards) + 1, author=cmd.actor, idea=action.idea, step=action.step)
            cards = (*state.cards, card)
        else:
            cards = tuple(
                replace(c, idea=action.idea, step=action.step) if c is mine else c for c in state.cards
            )
        return replace(state, cards=cards), Changes(board=True, personal=frozenset({cmd.actor}))
    if isinstance(action, CrowdsourceScore):
        number = round_of(room, exercise)
        if number == 0 or len(state.deals) < number:
            raise Refused("not_scoring")
        if state.deals[number - 1].get(cmd.actor) != action.card:
            raise Refused("not_your_card")
        scores = {**state.scores, action.card: {**state.scores.get(action.card, {}), cmd.actor: action.score}}
        return replace(state, scores=scores), Changes(board=True, personal=frozenset({cmd.actor}))
    if isinstance(action, CrowdsourceReveal):
        shown = min(config.top, len(state.cards))
        if stage(room, exercise) != "reveal":
            raise Refused("not_revealing")
        if state.revealed >= shown:
            raise Refused("all_revealed")
        revealed = shown if action.all else state.revealed + 1
        return replace(state, revealed=revealed), Changes(board=True, everyone_personal=True)
    raise Refused("unknown_action")


def _card_view(card: Card) -> dict[str, Any]:
    return {"id": card.id, "idea": card.idea, "step": card.step}


def _top(exercise: Exercise, state: State) -> list[dict[str, Any]]:
    """The revealed cards of the top, from the lowest place shown up to the first."""
    config = _config(exercise)
    top = ranking(state)[: min(config.top, len(state.cards))]
    shown = top[len(top) - state.revealed :] if state.revealed else []
    first_place = len(top) - state.revealed + 1
    return [
        {**_card_view(card), "place": first_place + i, "total": total, "scores": count}
        for i, (card, total, count) in enumerate(shown)
    ]


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    """Progress while writing and scoring (counts only); the revealed top at the end."""
    config = _config(exercise)
    number = round_of(room, exercise)
    dealt = state.deals[number - 1] if 0 < number <= len(state.deals) else {}
    scored = sum(1 for pid, card in dealt.items() if pid in state.scores.get(card, {}))
    return {
        "stage": stage(room, exercise),
        "prompt": texts_of(config.prompt),
        "cards": len(state.cards),
        "round": number,
        "rounds": config.rounds,
        "dealt": len(dealt),
        "scored": scored,
        "top": min(config.top, len(state.cards)),
        "revealed": state.revealed,
        "ranking": _top(exercise, state),
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    """The person's own card; in a round, the card dealt to them and their own score."""
    config = _config(exercise)
    own = next((c for c in state.cards if c.author == pid), None)
    number = round_of(room, exercise)
    dealt_id = state.deals[number - 1].get(pid) if 0 < number <= len(state.deals) else None
    dealt = next((c for c in state.cards if c.id == dealt_id), None)
    return {
        "stage": stage(room, exercise),
        "prompt": texts_of(config.prompt),
        "mine": _card_view(own) if own is not None else None,
        "round": number,
        "rounds": config.rounds,
        "card": _card_view(dealt) if dealt is not None else None,
        "score": state.scores.get(dealt.id, {}).get(pid) if dealt is not None else None,
        "ranking": _top(exercise, state),
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    """(place, idea — first step, total) for every card, highest first."""
    return [
        (str(place), f"{card.idea} — {card.step}", str(total))
        for place, (card, total, _count) in enumerate(ranking(state), start=1)
    ]


def check(program: Program, exercise: Exercise) -> Iterator[tuple[str, str]]:
    config = _config(exercise)
    needed = config.write_phase + config.rounds + 1
    if len(exercise.steps) < needed:
        yield (
            "rounds",
            f"needs {needed} phases (writing, then one per round); the exercise has {len(exercise.steps)}",
        )


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    """This person's card (the idea and its first step), for their own «Mine svar»."""
    config = exercise.crowdsource
    label = (config.prompt if config is not None else None) or exercise.title
    return contributed(label, (t for c in state.cards if c.author == pid for t in (c.idea, c.step)))


KIND: Kind[State] = Kind(
    name="crowdsource",
    participant_actions=(CrowdsourceWrite, CrowdsourceScore),
    facilitator_actions=(CrowdsourceReveal,),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    check=check,
    phase_started=phase_started,
    written=written,
)
