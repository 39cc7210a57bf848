"""Private forms: every answer saved as given and checked against its question, each
person sees only their own, and the room sees counts — and the distribution of a scale
question only once revealed and once five people answered it."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from app.core import views
from app.core.actions import NextExercise, NextPhase, Start
from app.core.kinds import form
from app.core.kinds.form import FormAnswer, FormReveal
from app.core.program import ProgramError, load_program_text
from app.core.room import Refused
from tests.core.roomkit import Day

PROGRAM = """
title = "Egenvurdering"

[[exercises]]
id = "egen"
title = "Egenevaluering av aktivt medarbeiderskap"
grouping = "none"
[[exercises.phases]]
kind = "I"
minutes = 10
[exercises.form]
summary = true
scale = { points = 5, low = "I liten grad", high = "I stor grad" }
[[exercises.form.groups]]
heading = "Selvledelse"
[[exercises.form.groups.questions]]
id = "jobb"
type = "scale"
text = "Jeg tar ansvar for å gjøre egen jobb og er aktivt med å utvikle den"
[[exercises.form.groups.questions]]
id = "karriere"
type = "scale"
text = "Jeg tar ansvar for egen karriere- og kompetanseutvikling"
[[exercises.form.groups]]
heading = "Utviklingsområder"
[[exercises.form.groups.questions]]
id = "omraade-1"
type = "short"
text = "Utviklingsområde 1"
[[exercises.form.groups.questions]]
id = "hvordan-1"
type = "long"
text = "Hvordan kan du sikre at utvikling finner sted?"
[[exercises.form.groups.questions]]
id = "nivaa"
type = "single"
text = "Hvilket lyttenivå er jeg mest på?"
options = ["Nivå 1 – indre lytting", "Nivå 2 – fokusert lytting", "Nivå 3 – ikke-verbal lytting"]
[[exercises.form.groups.questions]]
id = "vanskelig"
type = "multiple"
text = "Hvorfor er det så vanskelig?"
options = ["Du vet ikke hvordan du gjør det", "Du er redd for å såre", "Du er redd for å bli misforstått"]
max_choices = 2

[[exercises]]
id = "pause"
kind = "break"
title = "Pause"
minutes = 10
"""


def started(people: int = 6) -> Day:
    day = Day.of(PROGRAM, people=people)
    day.act(Start())
    return day


def state(day: Day) -> form.State:
    found = day.room.kind_state(day.room.program.exercises[0], form.KIND)
    assert isinstance(found, form.State)
    return found


def board(day: Day) -> dict[str, object]:
    return form.board(day.room, day.room.program.exercises[0], state(day))


def mine(day: Day, pid: str) -> dict[str, object]:
    return form.mine(day.room, day.room.program.exercises[0], state(day), pid)


def answer(day: Day, pid: str, question: str, value: object) -> None:
    day.act(FormAnswer.model_validate({"exercise": "egen", "question": question, "value": value}), by=pid)


def refused(day: Day, pid: str, question: str, value: object) -> str:
    before = day.room
    with pytest.raises(Refused) as caught:
        answer(day, pid, question, value)
    assert day.room == before  # a refused answer changes nothing
    return caught.value.code


def test_every_type_of_answer_is_saved_as_given_and_shown_back_to_its_author() -> None:
    day = started()
    answer(day, "p1", "jobb", 4)
    answer(day, "p1", "omraade-1", "  Delegere   mer  ")
    answer(day, "p1", "hvordan-1", "Gi bort én oppgave i uka.\nSpørre teamet.")
    answer(day, "p1", "nivaa", 1)
    answer(day, "p1", "vanskelig", [2, 0])
    assert mine(day, "p1")["answers"] == {
        "jobb": 4,
        "omraade-1": "Delegere mer",
        "hvordan-1": "Gi bort én oppgave i uka.\nSpørre teamet.",
        "nivaa": 1,
        "vanskelig": [0, 2],
    }
    assert mine(day, "p1")["answered"] == 5
    assert mine(day, "p2")["answers"] == {}


def test_the_phone_gets_the_form_with_its_headings_in_order() -> None:
    day = started()
    groups = mine(day, "p1")["groups"]
    assert isinstance(groups, list)
    assert [g["heading"] for g in groups] == [{"nb": "Selvledelse"}, {"nb": "Utviklingsområder"}]
    first = groups[0]["questions"][0]
    assert first["points"] == 5
    assert first["low"] == {"nb": "I liten grad"}
    assert [q["id"] for q in groups[1]["questions"]] == ["omraade-1", "hvordan-1", "nivaa", "vanskelig"]


def test_changing_and_taking_back_an_answer() -> None:
    day = started()
    answer(day, "p1", "jobb", 2)
    answer(day, "p1", "jobb", 5)
    assert mine(day, "p1")["answers"] == {"jobb": 5}
    answer(day, "p1", "jobb", None)
    answer(day, "p1", "omraade-1", "x")
    answer(day, "p1", "omraade-1", "   ")
    assert mine(day, "p1")["answers"] == {}
    assert board(day)["answered"] == 0


@pytest.mark.parametrize(
    ("question", "value", "code"),
    [
        ("jobb", "4: fem", "answer_wrong_type"),
        ("jobb", 6, "answer_out_of_range"),
        ("jobb", 0, "answer_out_of_range"),
        ("jobb", [4], "answer_wrong_type"),
        ("omraade-1", 3, "answer_wrong_type"),
        ("omraade-1", "x" * 201, "answer_too_long"),
        ("nivaa", 3, "answer_out_of_range"),
        ("nivaa", "Nivå 1", "answer_wrong_type"),
        ("vanskelig", [0, 1, 2], "too_many_choices"),
        ("vanskelig", [1, 1], "answer_wrong_type"),
        ("vanskelig", [5], "answer_out_of_range"),
        ("vanskelig", 1, "answer_wrong_type"),
        ("finnes-ikke", 3, "unknown_question"),
    ],
)
def test_an_answer_that_does_not_fit_its_question_is_refused_with_a_reason(
    question: str, value: object, code: str
) -> None:
    day = started()
    assert refused(day, "p1", question, value) == code


def test_sizes_and_booleans_are_refused_by_the_message_itself() -> None:
    with pytest.raises(ValidationError):
        FormAnswer.model_validate({"exercise": "egen", "question": "hvordan-1", "value": "x" * 4001})
    with pytest.raises(ValidationError):
        FormAnswer.model_validate({"exercise": "egen", "question": "jobb", "value": True})


def test_answers_are_only_taken_while_the_form_is_the_exercise_of_the_moment() -> None:
    day = started()
    day.act(NextExercise())
    assert refused(day, "p1", "jobb", 3) == "exercise_closed"


TWO_PHASES = PROGRAM.replace(
    "[exercises.form]\nsummary = true",
    '[[exercises.phases]]\nkind = "P"\nminutes = 5\n[exercises.form]\nphase = 1\nsummary = true',
)


def test_a_form_can_be_filled_in_in_one_phase_only() -> None:
    day = Day.of(TWO_PHASES, people=2)
    day.act(Start())
    assert mine(day, "p1")["open"] is False
    assert refused(day, "p1", "jobb", 3) == "form_not_now"
    day.act(NextPhase())
    assert mine(day, "p1")["open"] is True
    answer(day, "p1", "jobb", 3)
    assert mine(day, "p1")["answers"] == {"jobb": 3}


def test_a_form_phase_the_exercise_does_not_have_is_named() -> None:
    with pytest.raises(ProgramError, match=r"field form.phase: the exercise has 2 phases: 0 to 1"):
        load_program_text(TWO_PHASES.replace("phase = 1", "phase = 2"), source="t.toml")


def test_the_board_counts_people_never_answers_until_revealed() -> None:
    day = started()
    for pid in ("p1", "p2", "p3"):
        answer(day, pid, "jobb", 4)
    answer(day, "p1", "omraade-1", "Hemmelig svar")
    seen = board(day)
    assert seen["answered"] == 3
    assert seen["complete"] == 0
    assert seen["summary"] is None
    assert "Hemmelig" not in json.dumps(seen)
    day.act(FormReveal(exercise="egen"))
    summary = board(day)["summary"]
    assert isinstance(summary, list)
    assert [q["answers"] for q in summary] == [3, 0]
    assert all(q["counts"] is None for q in summary)  # fewer than five: no distribution


def test_the_revealed_summary_shows_the_distribution_from_five_answers() -> None:
    day = started()
    for pid, value in zip(("p1", "p2", "p3", "p4"), (1, 4, 4, 5), strict=True):
        answer(day, pid, "jobb", value)
    day.act(FormReveal(exercise="egen"))
    assert board(day)["summary"][0]["counts"] is None  # type: ignore[index]
    answer(day, "p5", "jobb", 2)
    jobb = board(day)["summary"][0]  # type: ignore[index]
    assert jobb["counts"] == [1, 1, 0, 2, 1]
    assert jobb["answers"] == 5
    day.act(FormReveal(exercise="egen", shown=False))
    assert board(day)["summary"] is None


def test_a_summary_the_program_does_not_allow_cannot_be_revealed() -> None:
    day = Day.of(PROGRAM.replace("summary = true", "summary = false"), people=5)
    day.act(Start())
    before = day.room
    with pytest.raises(Refused) as caught:
        day.act(FormReveal(exercise="egen"))
    assert caught.value.code == "summary_not_allowed"
    assert day.room == before


def test_the_export_holds_only_the_revealed_summary() -> None:
    day = started()
    for i, pid in enumerate(("p1", "p2", "p3", "p4", "p5")):
        answer(day, pid, "jobb", 1 + i % 5)
        answer(day, pid, "omraade-1", f"Hemmelig {pid}")
    ex = day.room.program.exercises[0]
    assert form.export(day.room, ex, state(day)) == []
    day.act(FormReveal(exercise="egen"))
    rows = form.export(day.room, ex, state(day))
    assert rows == [
        ("", "Jeg tar ansvar for å gjøre egen jobb og er aktivt med å utvikle den", "1:1 2:1 3:1 4:1 5:1")
    ]


def test_a_closed_workshop_keeps_the_numbers_and_only_the_answers_of_link_holders() -> None:
    day = started()
    for pid in ("p1", "p2", "p3", "p4", "p5"):
        answer(day, pid, "jobb", 3)
        answer(day, pid, "omraade-1", f"Hemmelig {pid}")
    day.act(FormReveal(exercise="egen"))
    before = board(day)
    ex = day.room.program.exercises[0]
    sealed = form.seal(day.room, ex, state(day), frozenset({"p2"}))
    assert set(sealed.answers) == {"p2"}
    assert form.board(day.room, ex, sealed) == before  # the results stay as they were
    assert "Hemmelig p1" not in str(sealed)


def test_answers_survive_a_replay_of_the_history() -> None:
    day = started()
    answer(day, "p1", "vanskelig", [0])
    answer(day, "p2", "hvordan-1", "Tekst")
    assert day.replayed() == day.room


def test_who_is_told_of_an_answer() -> None:
    day = started()
    changes = day.act(FormAnswer(exercise="egen", question="jobb", value=3), by="p1")
    assert changes.personal == {"p1"} and changes.board  # one more person answered
    changes = day.act(FormAnswer(exercise="egen", question="karriere", value=3), by="p1")
    assert changes.personal == {"p1"} and not changes.board  # the counts did not change
    for question, value in (("omraade-1", "x"), ("hvordan-1", "y"), ("nivaa", 0)):
        day.act(FormAnswer(exercise="egen", question=question, value=value), by="p1")
    changes = day.act(FormAnswer(exercise="egen", question="vanskelig", value=(1,)), by="p1")
    assert changes.board and board(day)["complete"] == 1  # one more answered everything


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["p1", "p2", "p3", "p4", "p5", "p6"]),
            st.sampled_from(["jobb", "karriere", "omraade-1", "hvordan-1", "nivaa", "vanskelig"]),
            st.one_of(
                st.integers(-2, 7),
                st.text(alphabet="abcæøå XYZ", min_size=0, max_size=12).map(lambda t: "Q" + t),
                st.lists(st.integers(0, 3), max_size=3),
                st.none(),
            ),
        ),
        max_size=40,
    ),
    st.booleans(),
)
def test_no_other_screen_ever_sees_a_text_answer(steps: list[tuple[str, str, object]], reveal: bool) -> None:
    day = started()
    if reveal:
        day.act(FormReveal(exercise="egen"))
    for pid, question, value in steps:
        with contextlib.suppress(Refused):  # every text unique to its author
            answer(day, pid, question, f"{value}-{pid}" if isinstance(value, str) else value)
    for pid in day.room.participants:
        own = {a for a in state(day).answers.get(pid, {}).values() if isinstance(a, str)}
        for screen in ("facilitator", "projector"):
            frame = json.dumps(views.snapshot(day.room, screen), ensure_ascii=False)
            assert not any(a in frame for a in own)
        for other in day.room.participants:
            if other != pid:
                frame = json.dumps(views.snapshot(day.room, "participant", other), ensure_ascii=False)
                assert not any(f'"{a}"' in frame for a in own)


def test_a_broken_form_is_refused_with_the_field_named() -> None:
    broken = PROGRAM.replace('options = ["Nivå 1', 'optionz = ["Nivå 1')
    with pytest.raises(ProgramError, match=r"form.groups\[1\].questions\[2\]"):
        load_program_text(broken, source="t.toml")
    twice = PROGRAM.replace('id = "karriere"', 'id = "jobb"')
    with pytest.raises(ProgramError, match="question id 'jobb' is used twice"):
        load_program_text(twice, source="t.toml")
    no_options = PROGRAM.replace("max_choices = 2", "max_choices = 4")
    with pytest.raises(ProgramError, match="max_choices is more than there are options"):
        load_program_text(no_options, source="t.toml")
