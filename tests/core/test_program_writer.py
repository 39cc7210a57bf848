"""The editor saves programs as TOML files in the documented format: what it writes loads
back to the same program, for every shipped program and every method template."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.program import list_programs, load_program, load_program_text, parse_program
from app.core.program_writer import write_program

ROOT = Path(__file__).parent.parent.parent
SHIPPED = sorted(list_programs(ROOT / "exercises").values())
METHODS = sorted((ROOT / "app" / "methods").glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED + METHODS, ids=lambda p: p.name)
def test_a_written_program_loads_back_unchanged(path: Path) -> None:
    program = load_program(path)
    text = write_program(program)
    assert load_program_text(text, source=path.name) == program
    assert write_program(load_program_text(text, source=path.name)) == text  # stable


def test_the_written_file_reads_like_the_documentation() -> None:
    program = load_program(ROOT / "exercises" / "demo.toml")
    text = write_program(program, comment="Laget i Samlings programredigering")
    assert text.startswith("# Laget i Samlings programredigering\n")
    assert 'title = { nb = "Prøverunde med Samling", en = "A trial run of Samling" }\n' in text
    assert '\n[[exercises]]\nid = "refleksjon"\n' in text
    assert '\n[[exercises.phases]]\nkind = "I"\nminutes = 2\n' in text  # 2, not 2.0
    assert "round_robin = { per_person_seconds = 60 }" in text
    assert "\n[exercises.comments]\nmax_per_person = 5\n" in text
    assert 'kind = "igp"' not in text and "notes" not in text  # defaults are left out


def test_texts_with_quotes_newlines_and_role_names_as_keys_survive() -> None:
    data = {
        "title": 'Dag «1»: "sitat" \\ bakstrek',
        "exercises": [
            {
                "id": "troika",
                "title": {"nb": "Linje 1\nLinje 2\ttab", "en": "Emoji 🎉"},
                "roles": {"roles": [{"name": 'Klient og "sjef"'}, {"name": "Konsulent"}]},
                "phases": [
                    {"kind": "G", "minutes": 1.5, "role_cues": {'Klient og "sjef"': "Snu ryggen til"}}
                ],
            }
        ],
    }
    program = parse_program(data)
    assert load_program_text(write_program(program), source="x.toml") == program


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_title_is_written_as_valid_toml(title: str) -> None:
    program = parse_program(
        {"title": title, "exercises": [{"id": "a", "title": "A", "kind": "break", "minutes": 5}]}
    )
    text = write_program(program)
    assert tomllib.loads(text)["title"] == title
