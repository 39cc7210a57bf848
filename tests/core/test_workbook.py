"""A person's workbook: the action plan fills up from several exercises, «Mine svar»
holds everything the person wrote and nothing anyone else wrote, and deleting one's
answers leaves nothing of them — not even in the stored history."""

from __future__ import annotations

import json

import pytest

from app.core import workbook
from app.core.actions import (
    ForgetAnswers,
    FormGroups,
    GotoExercise,
    LinkWorkbook,
    RemoveParticipant,
    SaveNote,
    Start,
)
from app.core.kinds.form import FormAnswer
from app.core.kinds.lists import Add
from app.core.kinds.wordcloud import Submit
from app.core.localized import localize
from app.core.program import ProgramError, load_program_text
from app.core.room import Command, Refused, Room, apply
from app.core.serialize import command_to_json
from tests.core.roomkit import Day

PROGRAM = """
title = "Kompetanse og læring"

[workbook]
title = "Personlig handlingsplan"
[[workbook.sections]]
id = "avdelingen"
title = "2 Avdelingens behov"
[[workbook.sections]]
id = "delegering"
title = "3 Delegering og oppgavestyring"
hint = "Dette spørsmålet skal jeg stille meg selv oftere før jeg delegerer oppgaver:"

[[exercises]]
id = "periode"
title = "Tenk på en periode du opplevde sterk grad av læring"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 3

[[exercises]]
id = "ovelse-2"
title = "Øvelse 2: Avdelingens behov"
notes_section = "avdelingen"
[exercises.roles]
roles = [{ name = "Sekretær", rule = "shortest_name" }]
[exercises.lists]
[[exercises.phases]]
kind = "I"
minutes = 5

[[exercises]]
id = "ovelse-3a"
title = "Øvelse 3a: Oppgavestyring og delegering"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 5
[exercises.form]
[[exercises.form.groups]]
[[exercises.form.groups.questions]]
id = "sporsmal"
type = "single"
section = "delegering"
text = "Hvilket spørsmål bør du stille deg oftere i forbindelse med delegering?"
options = ["Hvem kan gjøre jobben effektivt?", "Hvem har lyst?"]
[[exercises.form.groups.questions]]
id = "oppgave"
type = "scale"
text = "Hvor godt kjenner du oppgaven?"
"""


def day_with_plan() -> Day:
    day = Day.of(PROGRAM)
    for name in ("Kari", "Ola", "Per", "Liv"):
        day.join(name)
    day.act(FormGroups(mode="count", value=2))
    day.act(Start())
    return day


def goto(day: Day, index: int) -> None:
    day.act(GotoExercise(index=index))
    day.act(Start())


def fill(day: Day) -> None:
    """Kari writes into her plan from two exercises; Ola writes things of his own."""
    day.act(SaveNote(exercise="periode", text="Da jeg fikk lede et prosjekt"), by="p1")
    goto(day, 1)
    day.act(SaveNote(exercise="ovelse-2", text="Evne til å lede endring"), by="p1")
    day.act(SaveNote(exercise="ovelse-2", text="Olas hemmelige notat"), by="p2")
    day.act(Add(exercise="ovelse-2", text="Tillit"), by="p1")
    goto(day, 2)
    day.act(FormAnswer(exercise="ovelse-3a", question="sporsmal", value=0), by="p1")
    day.act(FormAnswer(exercise="ovelse-3a", question="oppgave", value=4), by="p1")
    day.act(FormAnswer(exercise="ovelse-3a", question="sporsmal", value=1), by="p2")


def texts(entries: tuple[workbook.Entry, ...]) -> list[str]:
    return [localize(t, "nb") for e in entries for t in e.written.texts]


def test_the_action_plan_fills_up_from_several_exercises() -> None:
    day = day_with_plan()
    fill(day)
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    assert localize(mine.title, "nb") == "Personlig handlingsplan"
    avdelingen, delegering = mine.sections
    assert texts(avdelingen.entries) == ["Evne til å lede endring"]
    assert avdelingen.entries[0].exercise == "ovelse-2"
    assert texts(delegering.entries) == ["Hvem kan gjøre jobben effektivt?"]
    # What wrote into no section is there too, in the order of the day (her list item too).
    assert texts(mine.other) == ["Da jeg fikk lede et prosjekt", "Tillit"]
    scale = [e.written for e in mine.other if e.written.score is not None]
    assert [(w.score, w.points) for w in scale] == [(4, 5)]


def test_the_workbook_has_the_persons_roles_group_and_the_shared_results() -> None:
    day = day_with_plan()
    fill(day)
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    group = day.room.participants["p1"].group
    assert mine.group == group
    mates = {p.name for p in day.room.participants.values() if p.group == group and p.id != "p1"}
    assert set(mine.members) == mates
    holder = next(w for w in ("p1", "p2", "p3", "p4") if (workbook.personal(day.room, w) or mine).roles)
    held = workbook.personal(day.room, holder)
    assert held is not None
    assert [localize(r, "nb") for r in held.roles[0].roles] == ["Sekretær"]
    # The group's list (not gathered for the room yet).
    assert [(s.exercise, s.group, s.room) for s in mine.shared] == [("ovelse-2", ("Tillit",), ())]


CLOUD = """
title = "Ordsky"
[[exercises]]
id = "ordsky"
kind = "info"
title = "Vi lager en ordsky!"
grouping = "none"
minutes = 5
[exercises.wordcloud]
prompt = "Hvilke verdier skal kjennetegne god ledelse?"
"""


def test_the_words_a_person_sent_to_a_word_cloud_are_in_their_workbook() -> None:
    day = Day.of(CLOUD, people=2)
    day.act(Start())
    for pid, word in (("p1", "Tillit"), ("p1", "Mot"), ("p2", "Raushet")):
        day.act(Submit(exercise="ordsky", word=word), by=pid)
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    assert [(localize(e.written.label, "nb"), e.written.texts) for e in mine.other] == [
        ("Hvilke verdier skal kjennetegne god ledelse?", ("Tillit", "Mot"))
    ]
    assert set(mine.shared[0].room) == {"Tillit", "Mot", "Raushet"}  # the whole room's cloud


def test_nobody_elses_writing_is_in_a_workbook() -> None:
    day = day_with_plan()
    fill(day)
    for pid in ("p1", "p3"):
        mine = workbook.personal(day.room, pid)
        dumped = json.dumps(str(mine), ensure_ascii=False)
        assert "Olas hemmelige notat" not in dumped
        assert "Hvem har lyst?" not in dumped
    assert workbook.personal(day.room, "p9") is None


def test_deleting_ones_answers_removes_notes_and_answers_and_nothing_else() -> None:
    day = day_with_plan()
    fill(day)
    day.act(ForgetAnswers(), by="p1")
    mine = workbook.personal(day.room, "p1")
    assert mine is not None and mine.empty
    assert texts(mine.other) == ["Tillit"]  # what she put on her group's list stays there
    ola = workbook.personal(day.room, "p2")
    assert ola is not None
    assert "Olas hemmelige notat" in texts(ola.sections[0].entries)
    assert mine.shared  # the group's list is the group's, and stays


def test_the_redacted_history_replays_to_the_same_room_without_a_word_of_the_answers() -> None:
    day = day_with_plan()
    fill(day)
    day.act(ForgetAnswers(), by="p1")
    redacted = [workbook.redacted(cmd, "p1") for cmd in day.history]
    room = Room(code=day.room.code, program=day.room.program)
    for cmd in redacted:
        room, _ = apply(room, cmd)
    assert room == day.room
    stored = json.dumps([command_to_json(c) for c in redacted if c.actor == "p1"], ensure_ascii=False)
    assert "Evne til å lede endring" not in stored
    assert "Da jeg fikk lede et prosjekt" not in stored
    assert '"value": 0' not in stored and '"value": 4' not in stored
    assert "Olas hemmelige notat" in json.dumps([command_to_json(c) for c in redacted], ensure_ascii=False)


def test_a_take_home_link_is_linked_once_and_goes_with_the_person() -> None:
    day = day_with_plan()
    key = "ab" * 32
    day.act(LinkWorkbook(key_hash=key), by="p1")
    assert day.room.workbook_links == {key: "p1"}
    with pytest.raises(Refused) as caught:
        day.act(LinkWorkbook(key_hash=key), by="p1")
    assert caught.value.code == "already_linked"
    with pytest.raises(Refused):
        apply(day.room, Command(action=LinkWorkbook(key_hash="cd" * 32), at=day.now, actor="p9"))
    day.act(RemoveParticipant(participant="p1"))
    assert day.room.workbook_links == {}


def test_a_section_that_does_not_exist_is_named_when_the_program_loads() -> None:
    broken = PROGRAM.replace('section = "delegering"', 'section = "delegeringen"')
    with pytest.raises(ProgramError, match=r"exercise 3 \(\"ovelse-3a\"\), field form.groups\[0\]"):
        load_program_text(broken, source="t.toml")
    broken = PROGRAM.replace('notes_section = "avdelingen"', 'notes_section = "plan"')
    with pytest.raises(ProgramError, match="no workbook section 'plan'"):
        load_program_text(broken, source="t.toml")
    twice = PROGRAM.replace('id = "delegering"', 'id = "avdelingen"').replace(
        'section = "delegering"', 'section = "avdelingen"'
    )
    with pytest.raises(ProgramError, match="section id 'avdelingen' is used twice"):
        load_program_text(twice, source="t.toml")


SHARED = """
title = "Felles bidrag"
[[exercises]]
id = "ideer"
title = "Ideer til avdelingen"
[exercises.lists]
prompt = "Hva bør avdelingen bli bedre på?"
[[exercises.phases]]
kind = "G"
minutes = 5

[[exercises]]
id = "kort"
title = "25/10 Crowd Sourcing"
grouping = "none"
[exercises.crowdsource]
rounds = 1
prompt = "Hvilken stor idé ville du anbefalt?"
[[exercises.phases]]
kind = "I"
minutes = 5
[[exercises.phases]]
kind = "timed"
minutes = 1
[[exercises.phases]]
kind = "P"
minutes = 5

[[exercises]]
id = "kommentarer"
kind = "info"
title = "Hvilke kommentarer har dere til dagens samling?"
grouping = "none"
minutes = 5
[exercises.comments]
"""


def test_what_a_person_wrote_into_a_shared_result_is_in_their_workbook_and_no_one_elses() -> None:
    """Lists, 25/10 cards and closing comments are the room's, but what a person wrote
    there is theirs too: «Mine svar» lists it (the author is never shown anyone else)."""
    from app.core.kinds.comments import AddComment
    from app.core.kinds.crowdsource import CrowdsourceWrite

    day = Day.of(SHARED, people=2)
    day.act(FormGroups(mode="count", value=1))
    day.act(Start())
    day.act(Add(exercise="ideer", text="Tillit"), by="p1")
    day.act(Add(exercise="ideer", text="Olas forslag"), by="p2")
    goto(day, 1)
    day.act(CrowdsourceWrite(exercise="kort", idea="Fire dager i uka", step="Prøve i én avdeling"), by="p1")
    day.act(CrowdsourceWrite(exercise="kort", idea="Olas idé", step="Olas steg"), by="p2")
    goto(day, 2)
    day.act(AddComment(exercise="kommentarer", text="Takk for en nyttig dag!"), by="p1")
    day.act(AddComment(exercise="kommentarer", text="Olas kommentar"), by="p2")
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    found = [(e.exercise, localize(e.written.label, "nb"), texts((e,)), e.written.shared) for e in mine.other]
    assert found == [
        ("ideer", "Hva bør avdelingen bli bedre på?", ["Tillit"], True),
        ("kort", "Hvilken stor idé ville du anbefalt?", ["Fire dager i uka", "Prøve i én avdeling"], True),
        ("kommentarer", "Hvilke kommentarer har dere til dagens samling?", ["Takk for en nyttig dag!"], True),
    ]
    assert not any("Ola" in t for t in texts(mine.other))


def test_a_person_goes_on_on_a_second_phone_as_themselves() -> None:
    """Their take-home link opened on another phone: that phone's token is theirs too (no
    second Kari), the first phone keeps working, and leaving the room ends both."""
    from app.core.actions import AddPhone

    day = day_with_plan()
    first = next(h for h, pid in day.room.tokens.items() if pid == "p1")
    day.act(AddPhone(token_hash="cd" * 32, workbook="ef" * 32), by="p1")
    assert day.room.tokens["cd" * 32] == "p1" and day.room.tokens[first] == "p1"
    assert day.room.workbook_links["ef" * 32] == "p1"
    assert len(day.room.participants) == 4
    for taken in (first, "cd" * 32):
        with pytest.raises(Refused) as caught:
            day.act(AddPhone(token_hash=taken), by="p2")
        assert caught.value.code == "already_joined"
    with pytest.raises(Refused):
        apply(day.room, Command(action=AddPhone(token_hash="12" * 32), at=day.now, actor="p9"))
    day.act(RemoveParticipant(participant="p1"))
    assert "p1" not in day.room.tokens.values() and "p1" not in day.room.workbook_links.values()


GROUPS_DAY = """
title = "Grupper"

[[exercises]]
id = "impromptu"
title = "Impromptu Networking"
grouping = "pairs"
[[exercises.phases]]
kind = "G"
minutes = 2
[[exercises.phases]]
kind = "G"
minutes = 2
new_groups = true
[[exercises.phases]]
kind = "G"
minutes = 2
new_groups = true

[[exercises]]
id = "plenum"
kind = "info"
title = "Felles samtale"
grouping = "none"
minutes = 5

[[exercises]]
id = "trioer"
title = "Samtale i trio"
grouping = "triads"
[[exercises.phases]]
kind = "G"
minutes = 5

[[exercises]]
id = "en-to-fire"
title = "1-2-4-Alle"
grouping = "1-2-4-all"
[[exercises.phases]]
kind = "I"
minutes = 1
[[exercises.phases]]
kind = "G"
minutes = 2
[[exercises.phases]]
kind = "G"
minutes = 2
[[exercises.phases]]
kind = "P"
minutes = 2

[[exercises]]
id = "kafe"
title = "Kafébord"
grouping = "world_cafe"
[[exercises.phases]]
kind = "G"
minutes = 5
[[exercises.phases]]
kind = "G"
minutes = 5
new_groups = true
"""


def group_card(day: Day, pid: str) -> tuple[str, int, tuple[str, ...]] | None:
    """What the person's phone shows now: the exercise, the group's number and who is in it."""
    from app.core import views

    me = views.me(day.room, pid)
    if me["group"] is None or day.room.current is None or day.room.current.grouping == "none":
        return None
    return day.room.current.id, me["group"], tuple(m["name"] for m in me["members"])


def test_the_workbook_lists_who_the_person_sat_with_in_every_exercise_and_round() -> None:
    """The duo, trio, four and table of every exercise of the day, round by round, with the
    names the group card showed then; each person's own only; kept in a snapshot."""
    from app.core.actions import NextPhase
    from app.core.serialize import room_from_json, room_to_json

    day = Day.of(GROUPS_DAY)
    for name in ("Kari", "Ola", "Per", "Liv", "Siri", "Tor", "Åse"):
        day.join(name)
    day.act(FormGroups(mode="count", value=2))
    day.act(Start())
    cards: dict[str, list[tuple[str, int, tuple[str, ...]]]] = {pid: [] for pid in day.room.participants}
    while day.room.current is not None:
        for pid in cards:
            card = group_card(day, pid)
            if card is not None and card not in cards[pid]:
                cards[pid].append(card)
        day.act(NextPhase())
    assert [c[0] for c in cards["p1"]] == [
        *["impromptu"] * 3,
        "trioer",
        *["en-to-fire"] * 2,  # the pairs, then the fours
        *["kafe"] * 2,
    ]
    for pid, seen in cards.items():
        mine = workbook.personal(day.room, pid)
        assert mine is not None
        listed = [(g.exercise, sat.number, sat.members) for g in mine.groups for sat in g.rounds]
        assert listed == seen, pid
        me = day.room.participants[pid].name
        assert all(me in sat.members for g in mine.groups for sat in g.rounds)
    kari = workbook.personal(day.room, "p1")
    assert kari is not None
    assert [g.exercise for g in kari.groups] == ["impromptu", "trioer", "en-to-fire", "kafe"]
    impromptu, trio, one_two_four, cafe = kari.groups
    assert localize(impromptu.exercise_title, "nb") == "Impromptu Networking"
    assert [(s.key, s.round, s.rounds) for s in impromptu.rounds] == [("group.pair", r, 3) for r in (1, 2, 3)]
    assert [(s.key, s.rounds) for s in trio.rounds] == [("group.triad", 1)]
    assert [(s.key, s.rounds) for s in one_two_four.rounds] == [("group.pair", 1), ("group.four", 1)]
    assert [(s.key, s.round, s.rounds) for s in cafe.rounds] == [("group.table", 1, 2), ("group.table", 2, 2)]
    # A new partner each round of Impromptu Networking: three different duos.
    assert len({s.members for s in impromptu.rounds}) == 3
    # The snapshot keeps them (a restart reads it), and so does the replay of the history.
    restored = room_from_json(room_to_json(day.room), day.room.program)
    assert workbook.personal(restored, "p1") == kari
    assert workbook.personal(day.replayed(), "p1") == kari


def test_the_current_exercises_groups_are_in_the_workbook_while_it_runs() -> None:
    from app.core.actions import NextPhase

    day = Day.of(GROUPS_DAY, people=4)
    day.act(Start())
    card = group_card(day, "p1")
    assert card is not None
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    assert [(g.exercise, s.number, s.members) for g in mine.groups for s in g.rounds] == [card]
    day.act(NextPhase())  # round 2: a new partner, the first one's still listed
    mine = workbook.personal(day.room, "p1")
    assert mine is not None
    assert [s.round for g in mine.groups for s in g.rounds] == [1, 2]
