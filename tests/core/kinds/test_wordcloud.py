"""The live word cloud: counting merges spelling variants, people edit and withdraw their
own words, the facilitator hides and merges words live — and nothing is ever counted
twice or lost."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core.actions import Start
from app.core.kinds import wordcloud
from app.core.kinds.wordcloud import Edit, Hide, Merge, Submit, Withdraw, normalize
from app.core.registry import ACTION_ADAPTER
from app.core.room import Refused
from app.core.serialize import room_from_json, room_to_json
from tests.core.roomkit import Day

PROGRAM = """
title = "Ordsky"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Vi lager en ordsky!"
grouping = "none"
minutes = 5
[exercises.wordcloud]
max_words = 3
"""


def cloud(people: int = 4) -> Day:
    day = Day.of(PROGRAM, people=people)
    day.act(Start())
    return day


def submit(day: Day, who: str, word: str) -> None:
    day.act(Submit(exercise="ordsky", word=word), by=who)


def board(day: Day) -> dict[str, Any]:
    state = day.room.kind_state(day.room.program.exercises[0], wordcloud.KIND)
    return wordcloud.board(day.room, day.room.program.exercises[0], state)


def counts(day: Day) -> dict[str | None, int]:
    return {w["text"]: w["count"] for w in board(day)["words"]}


def test_variants_of_a_word_count_as_one_shown_in_the_most_common_spelling() -> None:
    day = cloud()
    submit(day, "p1", "Åpenhet")
    submit(day, "p2", "  åpenhet! ")
    submit(day, "p3", "a\u030apenhet")  # å written as a + combining ring
    submit(day, "p4", "ÅPENHET")
    submit(day, "p1", "Tillit")
    # "åpenhet" (from p2 and p3, the same once normalised) is used more than the others.
    assert counts(day) == {"åpenhet": 4, "Tillit": 1}


def test_a_tie_between_spellings_goes_to_the_first() -> None:
    day = cloud()
    submit(day, "p1", "Mot")
    submit(day, "p2", "mot")
    assert counts(day) == {"Mot": 2}


def test_each_person_sends_at_most_the_set_number_of_words() -> None:
    day = cloud()
    for word in ("Tillit", "Mot", "Glede"):
        submit(day, "p1", word)
    before = day.room
    with pytest.raises(Refused, match="too_many"):
        submit(day, "p1", "Raushet")
    assert day.room is before


def test_people_edit_and_withdraw_their_own_words_only() -> None:
    day = cloud()
    submit(day, "p1", "Tilit")
    day.act(Edit(exercise="ordsky", entry=1, word="Tillit"), by="p1")
    assert counts(day) == {"Tillit": 1}
    with pytest.raises(Refused, match="unknown_item"):
        day.act(Withdraw(exercise="ordsky", entry=1), by="p2")
    day.act(Withdraw(exercise="ordsky", entry=1), by="p1")
    assert counts(day) == {}
    submit(day, "p1", "Mot")  # a withdrawn word frees its place
    submit(day, "p1", "Glede")
    submit(day, "p1", "Ro")


def test_words_that_are_only_punctuation_or_too_long_are_refused() -> None:
    with pytest.raises(ValidationError):
        Submit(exercise="ordsky", word=" !!! ")
    with pytest.raises(ValidationError):
        Submit(exercise="ordsky", word="x" * 81)
    day = cloud()
    with pytest.raises(Refused, match="word_too_long"):
        submit(day, "p1", "x" * 31)


def test_markup_in_a_word_is_kept_as_text() -> None:
    day = cloud()
    submit(day, "p1", "x<img src=y onerror=alert(1)>z")
    assert "x<img src=y onerror=alert(1)>z" in json.dumps(board(day))  # the views show it as text


def test_the_facilitator_hides_a_word_and_its_text_leaves_the_board() -> None:
    day = cloud()
    submit(day, "p1", "Dust")
    submit(day, "p2", "Tillit")
    day.act(Hide(exercise="ordsky", word="dust"))
    assert "Dust" not in json.dumps(board(day))
    assert counts(day)["Tillit"] == 1
    assert wordcloud.frequencies(day.room.kind_state(day.room.program.exercises[0], wordcloud.KIND)) == {
        "Tillit": 1
    }
    day.act(Hide(exercise="ordsky", word="dust", hidden=False))
    assert counts(day)["Dust"] == 1


def test_merging_two_words_counts_them_as_the_target_and_later_submissions_follow() -> None:
    day = cloud()
    submit(day, "p1", "åpen")
    submit(day, "p2", "Åpenhet")
    submit(day, "p3", "åpenhet")
    day.act(Merge(exercise="ordsky", source="åpen", target="åpenhet"))
    assert counts(day) == {"Åpenhet": 3}
    submit(day, "p4", "Åpen")
    assert counts(day) == {"Åpenhet": 4}
    with pytest.raises(Refused, match="unknown_item"):  # "åpen" is part of "åpenhet" now
        day.act(Merge(exercise="ordsky", source="åpenhet", target="åpen"))


def test_the_board_never_says_who_wrote_what() -> None:
    day = cloud()
    submit(day, "p1", "Tillit")
    assert "p1" not in json.dumps(board(day))
    assert "Person 1" not in json.dumps(board(day))


def test_a_facilitator_cannot_submit_and_a_participant_cannot_moderate() -> None:
    day = cloud()
    with pytest.raises(Refused):
        day.act(Submit(exercise="ordsky", word="Tillit"))
    assert "wordcloud_hide" in {a.model_fields["type"].default for a in wordcloud.KIND.facilitator_actions}
    assert ACTION_ADAPTER.validate_python(
        {"type": "wordcloud_merge", "exercise": "ordsky", "source": "a", "target": "b"}
    )


def test_suggestions_offer_the_top_words_to_a_later_exercise() -> None:
    day = cloud()
    for who, word in (("p1", "Mot"), ("p2", "Tillit"), ("p3", "tillit")):
        submit(day, who, word)
    ex = day.room.program.exercises[0]
    assert wordcloud.suggestions(day.room, ex, day.room.kind_state(ex, wordcloud.KIND), None) == [
        "Tillit",
        "Mot",
    ]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_normalizing_twice_changes_nothing(word: str) -> None:
    assert normalize(normalize(word)) == normalize(word)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p3", "p4"]),
            st.sampled_from(["submit", "withdraw", "edit"]),
            st.sampled_from(["Tillit", "tillit!", " TILLIT ", "Mot", "mot", "Åpen", "a\u030apen", "Glede"]),
        ),
        max_size=30,
    )
)
def test_counts_always_add_up_to_the_live_entries(steps: list[tuple[str, str, str]]) -> None:
    day = cloud()
    for who, what, word in steps:
        state = day.room.kind_state(day.room.program.exercises[0], wordcloud.KIND)
        own = [e.id for e in state.entries if e.author == who]
        try:
            if what == "submit":
                submit(day, who, word)
            elif what == "withdraw" and own:
                day.act(Withdraw(exercise="ordsky", entry=own[0]), by=who)
            elif what == "edit" and own:
                day.act(Edit(exercise="ordsky", entry=own[-1], word=word), by=who)
        except Refused:
            pass
    state = day.room.kind_state(day.room.program.exercises[0], wordcloud.KIND)
    assert sum(counts(day).values()) == len(state.entries)
    assert all(sum(1 for e in state.entries if e.author == p) <= 3 for p in ("p1", "p2", "p3", "p4"))
    exercise = day.room.program.exercises[0]
    for p in ("p1", "p2", "p3", "p4"):  # each phone lists exactly its own live words
        listed = wordcloud.mine(day.room, exercise, state, p)["entries"]
        assert listed == [{"id": e.id, "text": e.text} for e in state.entries if e.author == p]
    assert board(day)["people"] == len({e.author for e in state.entries})
    assert len({w["key"] for w in board(day)["words"]}) == len(board(day)["words"])


def test_a_state_words_were_added_to_is_unchanged_and_can_be_added_to_again() -> None:
    # The writer plans a batch again from an older room when another process stored
    # first, and the views compare the room before an action with the room after it.
    day = cloud(people=40)
    for n in range(30):
        submit(day, f"p{n + 1}", f"ord{n % 7}")
    before = day.room
    words_before = board(day)
    submit(day, "p31", "Tillit")
    submit(day, "p32", "ord1")
    after_one_way = board(day)
    day.room = before
    assert board(day) == words_before
    submit(day, "p33", "Respekt")
    assert board(day)["entries"] == after_one_way["entries"] - 1
    assert counts(day).get("Respekt") == 1 and "Tillit" not in counts(day)
    assert counts(day)["ord1"] == 5  # p2, p9, p16, p23, p30
    again = room_from_json(room_to_json(day.room), day.room.program)
    assert again == day.room


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 6), st.sampled_from(["Åpen", "åpen!", "ÅPEN", "mot", "Mot", "tillit"])),
        max_size=18,
    )
)
def test_a_cloud_without_merges_counts_as_the_general_count_does(sent: list[tuple[int, str]]) -> None:
    # words() counts a cloud without merges the short way; the same words, spellings,
    # counts and order as the way that follows merges.
    day = cloud(people=6)
    for who, word in sent:
        with contextlib.suppress(Refused):
            submit(day, f"p{who}", word)
    state = day.room.kind_state(day.room.program.exercises[0], wordcloud.KIND)
    assert wordcloud.words(state) == wordcloud._words_merged(state)
    assert sum(w.count for w in wordcloud.words(state)) == len(state.entries)
