"""Program files: what a facilitator writes, and the errors they get when it is wrong —
always naming the file, the exercise and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.localized import localize
from app.core.program import ProgramError, list_programs, load_program, load_program_text

ROOT = Path(__file__).parent.parent.parent

GOOD = """
title = { nb = "Dag", en = "Day" }
[[exercises]]
id = "verdier"
title = "Verdier"
[[exercises.phases]]
kind = "I"
minutes = 4
"""


def error_of(text: str, source: str = "dag.toml") -> str:
    with pytest.raises(ProgramError) as raised:
        load_program_text(text, source=source)
    return str(raised.value)


def test_every_shipped_program_loads_and_the_seljord_day_has_the_seed_timings() -> None:
    programs = list_programs(ROOT / "exercises")
    for path in programs.values():
        load_program(path)
    seljord = load_program(programs["seljord-samling-2.toml"])
    by_id = {ex.id: ex for ex in seljord.exercises}
    assert [p.minutes for p in by_id["refleksjon"].phases] == [3, 15, 3]
    assert [p.minutes for p in by_id["verdier"].phases] == [4, 20, 10]
    assert by_id["duoer"].grouping == "pairs" and by_id["duoer"].planned_ms == 7 * 60_000
    assert by_id["tilbakemelding"].grouping == "triads"
    assert sum(ex.planned_ms for ex in seljord.exercises) == (15 * 60 - (8 * 60 + 30)) * 60_000


def test_negative_minutes_name_the_file_exercise_and_field() -> None:
    message = error_of(GOOD.replace("minutes = 4", "minutes = -3"))
    assert message.startswith('dag.toml: exercise 1 ("verdier"), field phases[0].minutes:')


def test_a_typo_in_a_key_is_reported_not_ignored() -> None:
    assert "field phases[0].minuttes" in error_of(GOOD.replace("minutes = 4", "minutes = 4\nminuttes = 5"))


def test_duplicate_ids_and_missing_phases_are_refused() -> None:
    twice = GOOD + GOOD.split("title = { nb", 1)[1].split("\n", 1)[1]
    assert "'verdier' is used twice" in error_of(twice)
    assert "needs at least one phase" in error_of('title = "x"\n[[exercises]]\nid = "a"\ntitle = "A"\n')


def test_broken_toml_and_yaml_say_so_with_the_file_name() -> None:
    assert error_of("title = ", "dag.toml").startswith("dag.toml: not valid TOML")
    assert error_of("title: [unclosed", "dag.yaml").startswith("dag.yaml: not valid YAML")
    assert "top level" in error_of("- just a list", "dag.yaml")


def test_yaml_and_toml_describe_the_same_day() -> None:
    yaml_text = """
title: {nb: Dag, en: Day}
exercises:
  - id: verdier
    title: Verdier
    phases:
      - {kind: I, minutes: 4}
"""
    assert load_program_text(yaml_text, source="dag.yaml") == load_program_text(GOOD, source="dag.toml")


def test_texts_fall_back_to_bokmal() -> None:
    assert localize({"nb": "Pause", "en": "Break"}, "en") == "Break"
    assert localize({"nb": "Pause"}, "en") == "Pause"
    assert localize("Pause", "en") == "Pause"
    assert localize(None, "nb") == ""


def test_notes_are_on_in_individual_phases_unless_the_program_says_otherwise() -> None:
    program = load_program_text(GOOD, source="dag.toml")
    assert program.exercises[0].phases[0].has_notes
