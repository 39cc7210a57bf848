"""The shipped programs with forms and a workbook, and the example in docs/programs.md,
load and hold what the seeds ask for."""

from __future__ import annotations

import re
from pathlib import Path

from app.core.kinds.form import Config as FormConfig
from app.core.localized import localize
from app.core.program import Program, load_program, load_program_text

ROOT = Path(__file__).parent.parent
EXERCISES = ROOT / "exercises"


def forms(program: Program) -> dict[str, FormConfig]:
    return {ex.id: ex.form for ex in program.exercises if ex.form is not None}


def scale_statements(form: FormConfig) -> list[int]:
    return [
        sum(q.type == "scale" for q in g.questions) for g in form.groups if g.questions[0].type == "scale"
    ]


def test_the_docs_example_with_a_workbook_loads_and_uses_every_question_type() -> None:
    text = (ROOT / "docs" / "programs.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", text, re.DOTALL) if "[workbook]" in b]
    assert len(blocks) == 1
    program = load_program_text(blocks[0], source="programs.md")
    assert program.workbook is not None
    types = {q.type for form in forms(program).values() for g in form.groups for q in g.questions}
    assert types == {"scale", "short", "long", "single", "multiple"}
    assert program.exercises[0].notes_section == "avdelingen"


def test_the_three_self_assessments_of_seed_002() -> None:
    program = load_program(EXERCISES / "egenvurdering-lederskap-og-medarbeiderskap.toml")
    found = forms(program)
    assert [scale_statements(f) for f in found.values()] == [[3, 3, 3], [3, 3, 3, 3], [3, 3, 4, 4]]
    for form in found.values():
        assert form.scale.points == 5
        sections = [q.section for g in form.groups for q in g.questions if q.section]
        assert sections.count("utviklingsomrader") == 4  # two areas, each with how to work on it
        assert sections.count("styrker") == 4
    first = found["aktivt-medarbeiderskap"]
    headings = [localize(g.heading, "nb") for g in first.groups]
    assert headings == ["Selvledelse", "Med-ledelse", "Medarbeiderledelse", "Utviklingsområder", "Styrker"]


def test_kompetanse_og_laering_fills_its_action_plan_across_the_day() -> None:
    program = load_program(EXERCISES / "kompetanse-og-laering.toml")
    assert program.workbook is not None
    filled_by: dict[str, list[str]] = {}
    for ex in program.exercises:
        for group in ex.form.groups if ex.form else []:
            for question in group.questions:
                if question.section:
                    filled_by.setdefault(question.section, []).append(ex.id)
    assert filled_by == {
        "1-medarbeiders-behov": ["handlingsplan"],
        "2-avdelingens-behov": ["ovelse-2"],
        "3a-delegering": ["ovelse-3a"],
        "3b-delegering": ["ovelse-3b"] * 4,  # four real tasks to delegate
        "4-coaching": ["ovelse-4"],
    }
    closing = program.exercises[-1]
    assert closing.form is not None
    question = closing.form.groups[0].questions[0]
    assert question.section is None and "konkret og spesifikk atferd" in localize(question.text, "nb")


def test_the_seljord_action_learning_exercise_is_a_form() -> None:
    program = load_program(EXERCISES / "seljord-samling-2.toml")
    exercise = program.exercise("aksjonslaering")
    assert exercise is not None and exercise.form is not None
    questions = [localize(q.text, "nb") for g in exercise.form.groups for q in g.questions]
    assert len(questions) == 4
    assert "Hva har du testet ut?" in questions[0] and "Problemstilling til kollegaveiledning" in questions[3]


def test_the_five_questions_for_the_network_groups_first_meeting_are_a_method() -> None:
    """«Til første møte i nettverksgruppen: Oppstart aksjonslæringsprosjekt» (seeds/003):
    five private questions, in the slide's words, offered in the editor's methods."""
    from app import library

    method = library.method("aksjonslaering-oppstart")
    assert method is not None
    program = load_program_text(
        (ROOT / "app" / "methods" / "aksjonslaering-oppstart.toml").read_text(encoding="utf-8"), source="m"
    )
    (form,) = forms(program).values()
    questions = [localize(q.text, "nb") for g in form.groups for q in g.questions]
    assert questions == [
        "1. Hva ønsker du skal kjennetegne ditt lederskap?",
        "2. Med utgangspunkt i modellen, hva tenker du at er dine viktigste utviklingspunkt?",
        "3. Hva skal være den første aksjonen – det første du skal gjøre annerledes/trene på?",
        "4. Når skal du trene?",
        "5. Hvordan skal du undersøke om du er på rett vei?",
    ]
    assert not form.summary  # private: never on the projector
    assert all(localize(q.text, "en") != localize(q.text, "nb") for g in form.groups for q in g.questions)


# The slides' statements (seeds/002), in their order; typos of the slides corrected:
# «Jeg er vet» -> «Jeg vet», «personlig utvikling» -> «personlige», «Jeg er praktiserer»,
# «tydeliggjøre/klargjøre» -> «tydeliggjør/klargjør», «delegere» -> «delegerer», «inspirerende».
SEED_002 = {
    "aktivt-medarbeiderskap": [
        "Jeg tar ansvar for å gjøre egen jobb og er aktivt med å utvikle den (tenk forbedring og utvikling)",
        "Jeg tar ansvar for egen karriere- og kompetanseutvikling",
        "Jeg tar ansvar for egen trivsel og motivasjon",
        "Jeg kommuniserer mine ønsker og behov til nærmeste leder",
        "Jeg er konstruktiv, bidrags- og løsningsorientert",
        "Jeg gjør min leder god",
        "Jeg bidrar positivt til å utvikle et godt arbeids- og læringsmiljø",
        "Jeg tar lederansvar i oppgaveløsning med andre",
        "Jeg er opptatt av å være en god kollega",
    ],
    "karrierebevissthet": [
        "Jeg har tatt bevisste valg gjennom mitt arbeidsliv",
        "Jeg har en klar forståelse for hva karriere betyr for meg",
        "Jeg vet hva som grunnleggende sett driver meg",
        "Jeg har god oversikt over min kompetanse i bredde og i spiss",
        "Jeg kjenner mine faglige og personlige sterke sider",
        "Jeg har god innsikt i min sosiale kompetanse (hvem jeg er i samspill med andre)",
        "Jeg vet hva som motiverer meg",
        "Jeg vet hva som skaper arbeidsglede for meg",
        "Jeg lytter aktivt og undersøker medarbeidernes perspektiv",
        "Jeg har mål for min faglige og personlige utvikling",
        "Jeg vet hvordan målene skal nås",
        "Jeg tar initiativ og ansvar for egen læring og utvikling",
    ],
    "lederferdigheter": [
        "Jeg jobber bevisst med egen selvinnsikt og utvikling",
        "Jeg praktiserer selvledelse",
        "Jeg er genuint opptatt av andre mennesker",
        "Jeg gir tydelig oppgaveansvar og delegerer myndighet",
        "Jeg tydeliggjør handlingsrom",
        "Jeg klargjør oppdraget (hovedoppgave og -mål)",
        "Jeg oppmuntrer mine medarbeidere til å ta initiativ",
        "Jeg fokuserer på motiverende mål og oppgaver",
        "Jeg lytter aktivt og undersøker medarbeidernes perspektiv",
        "Jeg er god til å inspirere gjennom å være mulighetsorientert",
        "Jeg er opptatt av mine medarbeideres mestringsopplevelser",
        "Jeg dyrker arbeidsplassen som en arena for hverdagslæring",
        "Jeg praktiserer coachende kommunikasjon",
        "Jeg er en god rollemodell",
    ],
}


def test_every_statement_of_the_three_self_assessments_is_the_slides_own() -> None:
    program = load_program(EXERCISES / "egenvurdering-lederskap-og-medarbeiderskap.toml")
    found = {
        ex_id: [localize(q.text, "nb") for g in form.groups for q in g.questions if q.type == "scale"]
        for ex_id, form in forms(program).items()
    }
    assert found == SEED_002
    for form in forms(program).values():  # rated 1-5, with the scale's ends named in both languages
        assert form.scale.points == 5 and form.scale.low and form.scale.high
