"""25/10 Crowd Sourcing: cards pass to others (never back to their author, never twice to
one person), are scored 1-5 over five rounds with earlier scores hidden, and the top ten
are revealed counting down."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from app.core import views
from app.core.actions import NextPhase, Start
from app.core.kinds import crowdsource
from app.core.kinds.crowdsource import CrowdsourceReveal, CrowdsourceScore, CrowdsourceWrite, State
from app.core.program import ProgramError, load_program_text
from app.core.room import Refused
from tests.core.roomkit import Day

PROGRAM = (
    """
title = "Dristige ideer"
[[exercises]]
id = "25-10"
title = "25/10 Crowd Sourcing"
grouping = "none"
[exercises.crowdsource]
prompt = "Hvis du var ti ganger dristigere: hvilken stor idé ville du anbefalt? Hva er første skritt?"
[[exercises.phases]]
kind = "I"
minutes = 5
"""
    + "".join(
        f'[[exercises.phases]]\nkind = "timed"\nminutes = 1\ntitle = "Runde {r}"\n' for r in range(1, 6)
    )
    + """
[[exercises.phases]]
kind = "P"
minutes = 10
title = "Topp ti"
"""
)


def state(day: Day) -> State:
    found = day.room.activities["25-10"].crowdsource
    assert found is not None
    return found


def mine(day: Day, pid: str) -> dict[str, Any]:
    found: dict[str, Any] = views.activity(day.room, pid)["crowdsource"]
    return found


def written(people: int) -> Day:
    day = Day.of(PROGRAM, people=people)
    day.act(Start())
    for i in range(1, people + 1):
        day.act(CrowdsourceWrite(exercise="25-10", idea=f"Idé {i}", step=f"Steg {i}"), by=f"p{i}")
    return day


def test_each_person_writes_one_card_and_may_rewrite_it() -> None:
    day = written(3)
    day.act(CrowdsourceWrite(exercise="25-10", idea="Enda dristigere", step="Ring ordføreren"), by="p2")
    assert [c.idea for c in state(day).cards] == ["Idé 1", "Enda dristigere", "Idé 3"]
    assert mine(day, "p2")["mine"]["idea"] == "Enda dristigere"


def test_over_five_rounds_nobody_gets_their_own_card_or_the_same_card_twice() -> None:
    day = written(12)
    authors = {c.id: c.author for c in state(day).cards}
    seen: dict[str, list[int]] = {pid: [] for pid in day.room.participants}
    for _ in range(5):
        day.act(NextPhase())
        for pid in day.room.participants:
            card = mine(day, pid)["card"]
            assert card is not None
            assert authors[card["id"]] != pid
            seen[pid].append(card["id"])
            day.act(CrowdsourceScore(exercise="25-10", card=card["id"], score=3), by=pid)
    for cards in seen.values():
        assert len(set(cards)) == 5
    assert sorted(Counter(c for cards in seen.values() for c in cards).values()) == [5] * 12  # even


def test_a_phone_never_sees_the_scores_a_card_got_before() -> None:
    day = written(6)
    day.act(NextPhase())
    for pid in day.room.participants:
        card = mine(day, pid)["card"]
        day.act(CrowdsourceScore(exercise="25-10", card=card["id"], score=5), by=pid)
    day.act(NextPhase())
    for pid in day.room.participants:
        shown = json.dumps(mine(day, pid))
        assert '"score": null' in shown and "total" not in shown  # neither earlier scores nor totals
    board = views.board(day.room)["crowdsource"]
    assert board["ranking"] == [] and "total" not in json.dumps(board)


def test_only_the_card_dealt_this_round_may_be_scored_and_only_from_1_to_5() -> None:
    day = written(4)
    with pytest.raises(Refused, match="not_scoring"):
        day.act(CrowdsourceScore(exercise="25-10", card=2, score=4), by="p1")
    day.act(NextPhase())
    other = next(c.id for c in state(day).cards if c.id != mine(day, "p1")["card"]["id"] and c.author != "p1")
    with pytest.raises(Refused, match="not_your_card"):
        day.act(CrowdsourceScore(exercise="25-10", card=other, score=4), by="p1")
    with pytest.raises(Refused, match="not_writing"):
        day.act(CrowdsourceWrite(exercise="25-10", idea="For sent", step="x"), by="p1")
    with pytest.raises(ValueError):
        CrowdsourceScore(exercise="25-10", card=1, score=6)


def test_the_top_ten_are_revealed_counting_down() -> None:
    day = written(12)
    for _ in range(5):
        day.act(NextPhase())
        for pid in day.room.participants:
            card = mine(day, pid)["card"]
            day.act(CrowdsourceScore(exercise="25-10", card=card["id"], score=1 + card["id"] % 5), by=pid)
    day.act(NextPhase())  # the reveal
    with pytest.raises(Refused, match="not_scoring"):
        day.act(CrowdsourceScore(exercise="25-10", card=1, score=3), by="p2")
    ranking = crowdsource.ranking(state(day))
    day.act(CrowdsourceReveal(exercise="25-10"))
    shown = views.board(day.room)["crowdsource"]["ranking"]
    assert [(e["place"], e["idea"]) for e in shown] == [(10, ranking[9][0].idea)]
    for _ in range(9):
        day.act(CrowdsourceReveal(exercise="25-10"))
    shown = views.board(day.room)["crowdsource"]["ranking"]
    assert [e["place"] for e in shown] == list(range(1, 11))
    assert shown[0]["idea"] == ranking[0][0].idea and shown[0]["total"] >= shown[-1]["total"]
    assert "author" not in json.dumps(shown) and not any(f'"p{i}"' in json.dumps(shown) for i in range(13))
    with pytest.raises(Refused, match="all_revealed"):
        day.act(CrowdsourceReveal(exercise="25-10"))


def test_too_few_phases_for_the_rounds_is_refused_at_load() -> None:
    with pytest.raises(
        ProgramError, match=r'exercise 1 \("25-10"\), field crowdsource.rounds: needs 8 phases'
    ):
        load_program_text(
            PROGRAM.replace("[exercises.crowdsource]", "[exercises.crowdsource]\nrounds = 7"), source="t.toml"
        )


def test_the_same_history_deals_the_same_cards() -> None:
    day = written(9)
    day.act(NextPhase())
    day.act(NextPhase())
    assert day.replayed() == day.room
