"""The live word cloud ("Vi lager en ordsky!"): everyone submits a few words; the
projector shows them, counted.

Counting merges variants of one word: surrounding spaces and punctuation go, case does not
count, and Unicode is compared in NFC (so "Åpen", " åpen! " and "a\u030apen" are one
word). The spelling shown is the one most people used (the earliest on a tie). The
facilitator can hide a word and merge two words ("åpen" into "åpenhet") while the cloud
is live. Every submission is an entry of its own, so nothing is counted by
read-modify-write: counts are always recomputed from the entries.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.actions import clean_line
from app.core.kinds.base import Kind, KindAction, Written, contributed
from app.core.outcome import Changes, Refused
from app.core.shared import Layered, Log, stored

if TYPE_CHECKING:
    from app.core.program import Exercise
    from app.core.room import Command, Room

MAX_WORD = 40
FACILITATOR = "facilitator"  # app.core.room.FACILITATOR (room imports the registry, which imports us)


def normalize(word: str) -> str:
    """The key two spellings of one word share: NFC, no surrounding spaces or
    punctuation, case-folded."""
    word = unicodedata.normalize("NFC", word)
    start, end = 0, len(word)
    while start < end and _is_edge(word[start]):
        start += 1
    while end > start and _is_edge(word[end - 1]):
        end -= 1
    return unicodedata.normalize("NFC", word[start:end].casefold())


def tidy(word: str) -> str:
    """The spelling as shown: NFC, single spaces, no surrounding punctuation."""
    word = " ".join(unicodedata.normalize("NFC", word).split())
    start, end = 0, len(word)
    while start < end and _is_edge(word[start]):
        start += 1
    while end > start and _is_edge(word[end - 1]):
        end -= 1
    return word[start:end]


def _is_edge(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch)[0] in ("P", "S", "Z", "C")


class Config(BaseModel):
    """``[exercises.wordcloud]``: how many words each person may send."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_words: Annotated[int, Field(ge=1, le=20)] = 3
    max_length: Annotated[int, Field(ge=2, le=MAX_WORD)] = 30
    prompt: str | dict[str, str] | None = None  # the question on the phones, if not the title


def _has_letters(value: str) -> str:
    if not normalize(value):
        raise ValueError("must contain a word, not only punctuation")
    return value


Word = Annotated[
    str,
    Field(min_length=1, max_length=MAX_WORD * 2),
    AfterValidator(clean_line),
    AfterValidator(_has_letters),
]
WordKey = Annotated[str, Field(min_length=1, max_length=MAX_WORD * 2)]


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    author: str  # kept to let a person edit their own and to cap floods; never shown
    text: str  # tidied spelling
    key: str
    at: int


Entries = tuple[Entry, ...]
Tally = dict[str, dict[str, tuple[int, int]]]  # key -> spelling -> (how many, the first entry)
_ENTRIES, _TALLY, _BY_AUTHOR = (
    stored(Entries, Log),
    stored(Tally, Layered),
    stored(dict[str, Entries], Layered),
)


@dataclass(frozen=True, slots=True)
class State:
    # Grown by one per word without copying what was there (shared.Log, shared.Layered):
    # a burst of 15,000 words copied every entry and every author 15,000 times.
    entries: Annotated[Log[Entry], *_ENTRIES] = field(default_factory=Log)
    next_id: int = 1
    hidden: frozenset[str] = frozenset()
    merged: tuple[tuple[str, str], ...] = ()  # (source key, target key), in the order made
    version: int = 0
    # key -> spelling -> (how many entries use it, the first entry that did): kept up to
    # date with the entries so that a board costs the number of words, not of entries
    # (500 phones sending 3 words each would otherwise recount everything 1,500 times).
    tally: Annotated[Layered[str, dict[str, tuple[int, int]]], *_TALLY] = field(default_factory=Layered)
    # author -> their entries, in order: so that capping a person's words and showing them
    # their own costs their few entries, not a scan of everyone's (6,000 in a big burst).
    by_author: Annotated[Layered[str, Entries], *_BY_AUTHOR] = field(default_factory=Layered)


def _with_own(state: State, author: str, entries: Entries) -> Layered[str, Entries]:
    return state.by_author.set(author, entries) if entries else state.by_author.without(author)


def _counted(state: State, entry: Entry, delta: int) -> Layered[str, dict[str, tuple[int, int]]]:
    spellings = dict(state.tally.get(entry.key, {}))
    count, first = spellings.get(entry.text, (0, entry.id))
    if count + delta > 0:
        spellings[entry.text] = (count + delta, min(first, entry.id))
    else:
        spellings.pop(entry.text, None)
    return state.tally.set(entry.key, spellings) if spellings else state.tally.without(entry.key)


class Submit(KindAction):
    type: Literal["wordcloud_submit"] = "wordcloud_submit"
    word: Word


class Edit(KindAction):
    type: Literal["wordcloud_edit"] = "wordcloud_edit"
    entry: Annotated[int, Field(ge=1)]
    word: Word


class Withdraw(KindAction):
    type: Literal["wordcloud_withdraw"] = "wordcloud_withdraw"
    entry: Annotated[int, Field(ge=1)]


class Hide(KindAction):
    type: Literal["wordcloud_hide"] = "wordcloud_hide"
    word: WordKey
    hidden: bool = True


class Merge(KindAction):
    type: Literal["wordcloud_merge"] = "wordcloud_merge"
    source: WordKey
    target: WordKey


# --- counting --------------------------------------------------------------------------------


def _resolver(state: State) -> Callable[[str], str]:
    """Where a word is counted after the facilitator's merges (merges can chain)."""
    targets = dict(state.merged)

    def resolve(key: str) -> str:
        seen = {key}
        while key in targets:
            key = targets[key]
            if key in seen:  # cannot happen (merges into a merged word are refused); be safe
                break
            seen.add(key)
        return key

    return resolve


@dataclass(frozen=True, slots=True)
class CountedWord:
    key: str
    text: str
    count: int
    hidden: bool


def words(state: State) -> list[CountedWord]:
    """Every word with its count, most frequent first (then alphabetically)."""
    if state.merged:
        return _words_merged(state)
    # No merges: each key is its own word (a board of thousands of distinct words is
    # made five times a second in a burst: 53 ms for 9,500 words the long way).
    hidden, out = state.hidden, []
    for key, used in state.tally.items():
        if len(used) == 1:
            ((text, (count, _)),) = used.items()
        else:
            count = sum(n for n, _ in used.values())
            text = min(used, key=lambda t: (-used[t][0], used[t][1]))
        out.append(CountedWord(key, text, count, key in hidden))
    return sorted(out, key=_most_first)


def _most_first(word: CountedWord) -> tuple[int, str]:
    return (-word.count, word.text.casefold())


def _words_merged(state: State) -> list[CountedWord]:
    counts: Counter[str] = Counter()
    spellings: dict[str, dict[str, tuple[int, int]]] = {}
    target_of = _resolver(state)
    for key, used in state.tally.items():
        target = target_of(key)
        merged = spellings.setdefault(target, {})
        for text, (count, first) in used.items():
            counts[target] += count
            before = merged.get(text, (0, first))
            merged[text] = (before[0] + count, min(before[1], first))
    out = []
    for key, count in counts.items():
        # The target's own spellings (those whose key it is) win over merged-in ones;
        # then the most used, then the first.
        own = state.tally.get(key) or spellings[key]
        text = min(own, key=lambda t: (-own[t][0], own[t][1]))
        out.append(CountedWord(key=key, text=text, count=count, hidden=key in state.hidden))
    return sorted(out, key=_most_first)


def frequencies(state: State) -> dict[str, int]:
    """What the projector's cloud draws: visible words and their counts."""
    return {w.text: w.count for w in words(state) if not w.hidden}


# --- the kind ----------------------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def _config(exercise: Exercise) -> Config:
    config = exercise.wordcloud
    assert config is not None
    return config


def _own(state: State, entry_id: int, actor: str) -> Entry:
    own: Entries = state.by_author.get(actor, ())
    entry = next((e for e in own if e.id == entry_id), None)
    if entry is None:
        raise Refused("unknown_item")
    return entry


def _check_length(exercise: Exercise, word: str) -> str:
    text = tidy(word)
    if len(text) > _config(exercise).max_length:
        raise Refused("word_too_long")
    return text


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    action = cmd.action
    everyone_sees = Changes(board=True, personal=frozenset({cmd.actor}))
    if isinstance(action, Submit):
        if cmd.actor == FACILITATOR:
            raise Refused("not_allowed")
        text = _check_length(exercise, action.word)
        own = state.by_author.get(cmd.actor, ())
        if len(own) >= _config(exercise).max_words:
            raise Refused("too_many")
        entry = Entry(id=state.next_id, author=cmd.actor, text=text, key=normalize(text), at=cmd.at)
        submitted = State(
            entries=state.entries.plus(entry),
            next_id=state.next_id + 1,
            hidden=state.hidden,
            merged=state.merged,
            version=state.version + 1,
            tally=_counted(state, entry, +1),
            by_author=state.by_author.set(cmd.actor, (*own, entry)),
        )
        return submitted, everyone_sees
    if isinstance(action, Edit):
        entry = _own(state, action.entry, cmd.actor)
        text = _check_length(exercise, action.word)
        edited = replace(entry, text=text, key=normalize(text))
        entries = Log([edited if e.id == entry.id else e for e in state.entries])
        without = replace(state, tally=_counted(state, entry, -1))
        tally = _counted(without, edited, +1)
        own = tuple(edited if e.id == entry.id else e for e in state.by_author[cmd.actor])
        by_author = _with_own(state, cmd.actor, own)
        new = replace(state, entries=entries, tally=tally, by_author=by_author)
        return replace(new, version=state.version + 1), everyone_sees
    if isinstance(action, Withdraw):
        entry = _own(state, action.entry, cmd.actor)
        entries = Log([e for e in state.entries if e.id != entry.id])
        tally = _counted(state, entry, -1)
        own = tuple(e for e in state.by_author[cmd.actor] if e.id != entry.id)
        by_author = _with_own(state, cmd.actor, own)
        new = replace(state, entries=entries, tally=tally, by_author=by_author)
        return replace(new, version=state.version + 1), everyone_sees
    if isinstance(action, Hide):
        known = {w.key for w in words(state)}
        if action.word not in known:
            raise Refused("unknown_item")
        hidden = state.hidden | {action.word} if action.hidden else state.hidden - {action.word}
        return replace(state, hidden=hidden, version=state.version + 1), Changes(board=True)
    if isinstance(action, Merge):
        known = {w.key for w in words(state)}
        if action.source not in known or action.target not in known or action.source == action.target:
            raise Refused("unknown_item")
        merged = (*state.merged, (action.source, action.target))
        return replace(state, merged=merged, version=state.version + 1), Changes(board=True)
    raise Refused("unknown_action")


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    listed = words(state)
    return {
        # A hidden word's text leaves the projector's browser too, not just its display.
        "words": [
            {"key": w.key, "text": None if w.hidden else w.text, "count": w.count, "hidden": w.hidden}
            for w in listed
        ],
        "entries": len(state.entries),
        "people": len(state.by_author),
        "version": state.version,
        "merged": [list(pair) for pair in state.merged],
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    config = _config(exercise)
    return {
        "entries": [{"id": e.id, "text": e.text} for e in state.by_author.get(pid, ())],
        "max": config.max_words,
        "max_length": config.max_length,
        "prompt": config.prompt,
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    return [("", w.text, str(w.count)) for w in words(state) if not w.hidden]


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    """The words this person sent, for their own «Mine svar»."""
    config = exercise.wordcloud
    label = (config.prompt if config is not None else None) or exercise.title
    return contributed(label, (e.text for e in state.by_author.get(pid, ())))


def suggestions(room: Room, exercise: Exercise, state: State, group: int | None) -> list[str]:
    return [w.text for w in words(state) if not w.hidden]


KIND: Kind[State] = Kind(
    name="wordcloud",
    participant_actions=(Submit, Edit, Withdraw),
    facilitator_actions=(Hide, Merge),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    suggestions=suggestions,
    written=written,
)
