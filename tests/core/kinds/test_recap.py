"""«Oppsummering fra sist samling»: the next gathering opens with the shared results of
the one before — and never with what someone wrote for themselves."""

from __future__ import annotations

import json

from app.core.actions import FormGroups, GotoExercise, NextExercise, SaveNote, Start
from app.core.kinds import recap
from app.core.kinds.diamond import DiamondAdd, DiamondPlace
from app.core.kinds.lists import Add, Gather, Vote, Voting
from app.core.kinds.wordcloud import Submit
from app.core.program import Program, load_program_text
from app.core.program_writer import write_program
from tests.core.roomkit import Day

FIRST = """
title = { nb = "Samling 1", en = "Gathering 1" }
date = "2026-03-02"
[[exercises]]
id = "refleksjon"
title = "Refleksjon"
[[exercises.phases]]
kind = "I"
minutes = 3
[[exercises]]
id = "ordsky"
kind = "info"
title = "Verdier"
grouping = "none"
minutes = 5
[exercises.wordcloud]
[[exercises]]
id = "diamant"
title = "Diamant"
[exercises.diamond]
[[exercises.phases]]
kind = "G"
minutes = 20
[[exercises]]
id = "visjon"
title = { nb = "Visjon", en = "Vision" }
[exercises.lists]
[[exercises.phases]]
kind = "G"
minutes = 15
"""


def gathering_one() -> Day:
    day = Day.of(FIRST)
    kari, ola, per, liv = (day.join(n) for n in ("Kari", "Ola", "Per", "Liv"))
    day.act(FormGroups(mode="count", value=2))
    day.act(Start())
    day.act(SaveNote(exercise="refleksjon", text="Mitt hemmelige notat"), by=kari)
    day.act(NextExercise())
    for who, word in ((kari, "Tillit"), (ola, "tillit"), (per, "Mot")):
        day.act(Submit(exercise="ordsky", word=word), by=who)
    day.act(NextExercise())
    group = day.room.participants[kari].group
    day.act(DiamondAdd(exercise="diamant", value="Tillit"), by=kari)
    day.act(DiamondPlace(exercise="diamant", value="Tillit", slot=0), by=kari)
    day.act(NextExercise())
    day.act(Add(exercise="visjon", text="Sammen om det viktige"), by=ola)
    day.act(Add(exercise="visjon", text="Modig og nær"), by=liv)
    day.act(Gather(exercise="visjon"))
    day.act(Voting(exercise="visjon", open=True))
    day.act(Vote(exercise="visjon", item=4), by=kari)  # «Modig og nær» in the room list
    assert group is not None
    return day


def test_the_summary_holds_the_words_diamonds_lists_with_votes_and_groups() -> None:
    day = gathering_one()
    summary = recap.summary(day.room)
    assert summary.title == {"nb": "Samling 1", "en": "Gathering 1"} and summary.date == "2026-03-02"
    kinds = [s.kind for s in summary.sections]
    assert kinds == ["words", "diamond", "ranking", "list", "groups", "groups"]
    words = summary.sections[0]
    assert [(i.text, i.count) for i in words.items] == [("Tillit", 2), ("Mot", 1)]
    assert words.title == "Verdier"
    diamond = summary.sections[1]
    assert diamond.rows[0] == ["Tillit"] and diamond.group is not None
    votes = summary.sections[3]
    assert [(i.text, i.count) for i in votes.items] == [("Modig og nær", 1), ("Sammen om det viktige", 0)]
    members = sorted(
        name for s in summary.sections if s.kind == "groups" for name in (i.text for i in s.items)
    )
    assert members == ["Kari", "Liv", "Ola", "Per"]


def test_nothing_private_goes_into_the_summary() -> None:
    text = json.dumps(recap.summary(gathering_one().room).model_dump(mode="json"), ensure_ascii=False)
    assert "hemmelige" not in text and "p1" not in text


def test_the_summary_is_a_table_in_the_next_program_and_shows_on_every_screen() -> None:
    summary = recap.summary(gathering_one().room)
    first = '[[exercises]]\nid = "oppsummering"\nkind = "info"\ntitle = "Oppsummering"\nminutes = 10\n'
    second = load_program_text('title = "Samling 2"\n' + first, source="s2.toml")
    opening = second.exercises[0].model_copy(update={"recap": summary})
    program = Program.model_validate({**second.model_dump(), "exercises": [opening.model_dump()]})
    text = write_program(program)
    assert "[exercises.recap]" in text
    assert load_program_text(text, source="s2.toml") == program
    day = Day.of(text, people=1)
    day.act(GotoExercise(index=0))
    ex = day.room.current
    assert ex is not None
    state = day.room.kind_state(ex, recap.KIND)
    board = recap.view(day.room, ex, state)
    assert board["title"] == {"nb": "Samling 1", "en": "Gathering 1"}
    assert board["sections"][0]["items"][0] == {"text": "Tillit", "count": 2}
    assert recap.mine(day.room, ex, state, "p1") == board
