"""The editor's method templates: every method the issue names, each a program file that
loads, with the seeds' timings and texts."""

from __future__ import annotations

from app import library
from app.core.localized import localize
from app.core.program import Exercise

NAMED = {
    "duoer": "duos with half-time swap",
    "igp-rekkeframlegg": "IGP with rekkeframlegg",
    "trioer-roller": "triads with rotating roles",
    "verdidiamant": "values diamond with roles by rule",
    "gallerivandring": "gallery walk",
    "gruppelister": "group lists with dot voting",
    "ordsky": "word cloud",
    "avslutning-kommentarer": "closing comments",
    "egenvurdering": "self-assessment",
    "handlingsplan": "action plan",
    "1-2-4-alle": "1-2-4-All",
    "troika": "Troika",
    "25-10": "25/10",
    # The method library's own (exercises/): the palette offers them too.
    "verdenskafe": "World Café",
    "impromptu-nettverk": "Impromptu Networking",
}


def exercise(method_id: str, index: int = 0) -> Exercise:
    found = library.method(method_id)
    assert found is not None, method_id
    return Exercise.model_validate(found.exercises[index])


def minutes(ex: Exercise) -> list[float | None]:
    return [p.minutes for p in ex.steps]


def test_every_named_method_is_offered_with_a_name_in_both_languages() -> None:
    offered = {m.id: m for m in library.methods()}
    assert set(NAMED) <= set(offered)
    for method in offered.values():
        assert isinstance(method.title, dict) and method.title["nb"] and method.title["en"]
        assert localize(method.description, "en") != localize(method.description, "nb")


def test_the_methods_have_the_seeds_timings() -> None:
    duos = exercise("duoer")
    assert duos.grouping == "pairs" and minutes(duos) == [7] and duos.phases[0].half_time_signal
    igp = exercise("igp-rekkeframlegg")
    assert [p.kind for p in igp.phases] == ["I", "G", "P"] and minutes(igp) == [3, 15, 3]
    assert igp.phases[1].round_robin is not None
    triads = exercise("trioer-roller")
    assert triads.grouping == "triads" and triads.roles is not None and triads.roles.rotate
    assert [localize(r.name, "nb") for r in triads.roles.roles] == ["Tilbakemelder", "Mottaker", "Observatør"]
    assert minutes(triads) == [2, 5, 5, 5, 5, 5, 5]
    diamond = exercise("verdidiamant")
    assert diamond.diamond is not None and minutes(diamond) == [20]
    assert diamond.roles is not None and [r.rule for r in diamond.roles.roles] == [
        "largest",
        "smallest",
        "shortest_name",
    ]
    gallery = exercise("gallerivandring", 1)
    assert gallery.gallery is not None and gallery.gallery.of == "diamant" and minutes(gallery) == [15, 10]
    lists = exercise("gruppelister")
    assert lists.lists is not None and lists.lists.dots == 3 and minutes(lists) == [15, 10]
    cloud = exercise("ordsky")
    assert cloud.wordcloud is not None and cloud.wordcloud.max_words == 3 and minutes(cloud) == [5]
    comments = exercise("avslutning-kommentarer")
    assert comments.comments is not None and minutes(comments) == [10]
    assert minutes(exercise("1-2-4-alle")) == [1, 2, 4, 5]
    troika = exercise("troika")
    assert troika.grouping == "triads" and len(troika.phases) == 13
    crowd = exercise("25-10")
    assert crowd.crowdsource is not None and crowd.crowdsource.rounds == 5
    cafe = exercise("verdenskafe")
    assert cafe.grouping == "world_cafe" and minutes(cafe) == [20, 20, 20, 15]
    assert [p.new_groups for p in cafe.phases] == [False, True, True, False]
    impromptu = exercise("impromptu-nettverk")
    assert impromptu.grouping == "pairs" and minutes(impromptu) == [4, 4, 4, 3]
    assert [p.new_groups for p in impromptu.phases] == [False, True, True, False]
    assert all(p.half_time_signal for p in impromptu.phases[:3])


def test_the_private_methods_write_into_the_workbook() -> None:
    for method_id in ("egenvurdering", "handlingsplan"):
        found = library.method(method_id)
        assert found is not None and found.sections
        ex = exercise(method_id)
        assert ex.form is not None and ex.grouping == "none"
        sections = {q.section for g in ex.form.groups for q in g.questions if q.section}
        assert sections <= {s["id"] for s in found.sections} and sections
    scale = exercise("egenvurdering").form
    assert scale is not None and scale.scale.points == 5
    assert sum(1 for g in scale.groups for q in g.questions if q.type == "scale") == 9
