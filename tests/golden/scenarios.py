"""How the golden histories were made: one workshop day per exercise kind, scripted.

These scripts run only when the goldens are regenerated on purpose
(``SAMLING_UPDATE_GOLDEN=1 .venv/bin/pytest tests/golden``, see docs/storage.md). The
tests never run them: they replay the committed ``history.json`` as the database holds
it, so a change to the rules shows as a changed outcome of a stored room.

Every script is a day with the shipped Seljord programme (a frozen copy in
``programs/``), fixed times and fixed seeds; only actions the room accepts are recorded,
as only those are ever stored.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.core.actions import (
    Action,
    Extend,
    ForgetAnswers,
    FormGroups,
    GotoExercise,
    Join,
    LinkWorkbook,
    MoveParticipant,
    NextExercise,
    NextPhase,
    PassTurn,
    Pause,
    RemoveParticipant,
    RenameParticipant,
    Resume,
    SaveNote,
    Start,
)
from app.core.kinds.comments import AddComment, HideComment
from app.core.kinds.diamond import DiamondAdd, DiamondClear, DiamondFinal, DiamondPlace, DiamondRemove
from app.core.kinds.form import FormAnswer, FormReveal
from app.core.kinds.gallery import GalleryComment, GalleryHide, GalleryHost
from app.core.kinds.lists import Add, EditItem, Gather, MergeItems, RemoveItem, RemoveRoomItem, Vote, Voting
from app.core.kinds.roles import RolesAnswer, RolesAssign, RolesNextRound, RolesRedraw, RolesSet, RolesSwap
from app.core.kinds.wordcloud import Edit, Hide, Merge, Submit, Withdraw
from app.core.program import load_program_text
from app.core.room import FACILITATOR, SYSTEM, Command, Room, apply

PROGRAMS = Path(__file__).parent / "programs"
PROGRAM = "seljord-samling-2.toml"
CODE = "K7MXPR"
T0 = 1_686_724_200_000  # 2023-06-14 08:30 Oslo, the programme's day

# Fake people; names as phones send them (accents, a hyphen, the longest name allowed).
PEOPLE = (
    "Kari Nordmann",
    "Ola",
    "Åse Marie Øvrebø",
    "Per-Arne",
    "Siri",
    "Jon Kåre",
    "Ingrid",
    "Tor",
    "Maria Fernanda de los Ángeles Gutiérrez",  # 40 characters: the longest name allowed
)

INDEX = {
    "velkommen": 0,
    "duoer": 1,
    "refleksjon": 3,
    "tilbakemelding": 7,
    "formaal": 9,
    "verdier": 10,
    "ordsky": 11,
    "diamant": 13,
    "galleri": 14,
    "aksjonslaering": 16,
    "kommentarer": 17,
}


@dataclass
class Script:
    """A room and a clock: each ``act`` is one stored command, at ``now``."""

    name: str
    room: Room
    program_name: str = PROGRAM
    now: int = T0
    commands: list[Command] = field(default_factory=list)
    joined: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(f"golden:{self.name}")

    @classmethod
    def day(cls, name: str, program: str = PROGRAM) -> Script:
        text = (PROGRAMS / program).read_text(encoding="utf-8")
        return cls(name, Room(code=CODE, program=load_program_text(text, source=program)), program)

    def act(self, action: Action, by: str = FACILITATOR, after: float = 2) -> None:
        """Apply ``action`` ``after`` seconds after the last one; a refusal is a broken script."""
        self.now += round(after * 1000)
        cmd = Command(action=action, at=self.now, actor=by, seed=self.rng.getrandbits(32))
        self.room, _ = apply(self.room, cmd)
        self.commands.append(cmd)

    def each(self, said: dict[str, list[str]], action: Callable[[str], Action], after: float) -> None:
        """Every person's texts, in order: ``action(text)`` by that person."""
        for pid, texts in said.items():
            for text in texts:
                self.act(action(text), by=pid, after=after)

    def join(self, name: str, after: float = 4) -> str:
        self.joined += 1
        token_hash = hashlib.sha256(f"{self.name}:{self.joined}".encode()).hexdigest()
        self.act(Join(name=name, token_hash=token_hash), by=SYSTEM, after=after)
        return f"p{self.room.next_number - 1}"

    def everyone(self, groups: int = 2) -> list[str]:
        """Everyone joins before the day starts and gets a network group."""
        pids = [self.join(name) for name in PEOPLE]
        self.act(FormGroups(mode="count", value=groups), after=30)
        return pids

    def goto(self, exercise: str, start: bool = True) -> None:
        self.act(GotoExercise(index=INDEX[exercise]), after=60)
        if start:
            self.act(Start(), after=5)

    def group_of(self, pid: str) -> int:
        group = self.room.group_of(pid)
        assert group is not None, pid
        return group

    def members(self, group: int) -> list[str]:
        working = self.room.working_groups()
        return sorted((p for p, g in working.items() if g == group), key=lambda p: int(p[1:]))


def igp() -> Script:
    """The engine itself: network groups, pairs, timers, round robin, notes, people."""
    s = Script.day("igp")
    pids = s.everyone()
    s.act(Start(), after=20)
    s.act(NextExercise(), after=23 * 60)  # duoer: pairs of their own
    s.act(Start(), after=10)
    late = s.join("Eirik", after=40)  # joins a pair while it talks
    s.act(Pause(), after=150)
    s.act(Resume(), after=45)
    s.act(Extend(seconds=120), after=60)
    s.goto("aksjonslaering")
    s.act(
        SaveNote(exercise="aksjonslaering", text="a) Testet ut ukentlige\n   én-til-én-samtaler."), by=pids[0]
    )
    s.act(SaveNote(exercise="aksjonslaering", text="Lært: å lytte først"), by=pids[2], after=30)
    s.act(
        SaveNote(
            exercise="aksjonslaering", text="a) Testet ut ukentlige\n   én-til-én-samtaler.\nb) Tålmodighet"
        ),
        by=pids[0],
        after=50,
    )
    s.goto("refleksjon")
    s.act(SaveNote(exercise="refleksjon", text="Hun spurte alltid «hvordan går det?»"), by=pids[1], after=40)
    s.act(SaveNote(exercise="refleksjon", text="Tydelig – og raus"), by=late, after=20)
    s.act(NextPhase(), after=3 * 60)  # G with round robin, per network group
    first, second = sorted({s.group_of(p) for p in pids})
    s.act(PassTurn(), by=s.members(first)[0], after=90)
    s.act(PassTurn(), by=s.members(first)[1], after=80)
    s.act(PassTurn(), by=s.members(second)[0], after=30)
    s.act(MoveParticipant(participant=s.members(first)[-1], group=second), after=20)
    s.act(RenameParticipant(participant=pids[1], name="Ola Halvorsen"), after=10)
    s.act(RemoveParticipant(participant=pids[6]), after=15)
    s.act(PassTurn(), by=s.members(second)[0], after=40)
    s.act(Extend(seconds=300), after=300)
    s.act(Pause(), after=100)
    return s


def wordcloud() -> Script:
    """«Vi lager en ordsky!»: words in many spellings, edits, withdrawals, hide and merge."""
    s = Script.day("wordcloud")
    p = s.everyone()
    s.goto("ordsky")
    words = {
        p[0]: ["Tillit", "Åpenhet", "raushet"],
        p[1]: [" tillit! ", "Åpenhet"],
        p[2]: ["a\u030apenhet", "Trygghet", "tilit"],
        p[3]: ["Ærlighet", "TILLIT"],
        p[4]: ["Trygghet", "Mot", "Åpen"],
        p[5]: ["respekt"],
        p[6]: ["Respekt", "tillit"],
        p[7]: ["Inkludering", "#mot"],
    }
    s.each(words, lambda word: Submit(exercise="ordsky", word=word), after=3)
    s.act(Edit(exercise="ordsky", entry=3, word="Raushet"), by=p[0], after=10)
    s.act(Withdraw(exercise="ordsky", entry=8), by=p[2], after=5)  # "tilit", a typo
    s.act(Submit(exercise="ordsky", word="Tillit"), by=p[2], after=4)
    s.act(Merge(exercise="ordsky", source="åpen", target="åpenhet"), after=20)
    s.act(Hide(exercise="ordsky", word="inkludering"), after=10)
    s.act(Hide(exercise="ordsky", word="inkludering", hidden=False), after=10)
    s.act(Hide(exercise="ordsky", word="mot"), after=5)
    late = s.join("Eirik", after=30)
    s.act(Submit(exercise="ordsky", word="Lojalitet"), by=late, after=8)
    return s


def lists() -> Script:
    """Ledergruppens formål: the groups' lists, gathered, merged and dot-voted."""
    s = Script.day("lists")
    p = s.everyone()
    s.goto("formaal")
    g1, g2 = s.members(1), s.members(2)
    texts = {
        g1[0]: ["Dele kunnskap på tvers", "Ta felles beslutninger"],
        g1[1]: ["Støtte hverandre"],
        g2[0]: ["Dele kunnskap på tvers av enhetene", "støtte  hverandre"],
        g2[1]: ["Være tydelige utad", "Noe å fjerne"],
    }
    s.each(texts, lambda text: Add(exercise="formaal", text=text), after=20)
    items = {i.text: i.id for i in s.room.activities["formaal"].lists.items}  # type: ignore[union-attr]
    s.act(
        EditItem(exercise="formaal", item=items["Ta felles beslutninger"], text="Ta beslutninger sammen"),
        by=g1[1],
    )
    s.act(RemoveItem(exercise="formaal", item=items["Noe å fjerne"]), by=g2[0], after=10)
    s.act(NextPhase(), after=15 * 60)
    s.act(Gather(exercise="formaal"), after=20)  # "støtte  hverandre" joins "Støtte hverandre"
    room_items = {r.text: r.id for r in s.room.activities["formaal"].lists.room}  # type: ignore[union-attr]
    s.act(
        MergeItems(
            exercise="formaal",
            source=room_items["Dele kunnskap på tvers av enhetene"],
            target=room_items["Dele kunnskap på tvers"],
        ),
        after=15,
    )
    s.act(Voting(exercise="formaal", open=True), after=10)
    dots = {
        p[0]: ["Dele kunnskap på tvers", "Dele kunnskap på tvers", "Støtte hverandre"],
        p[1]: ["Være tydelige utad"],
        p[2]: ["Ta beslutninger sammen", "Støtte hverandre", "Støtte hverandre"],
        p[3]: ["Dele kunnskap på tvers"],
        p[5]: ["Være tydelige utad", "Ta beslutninger sammen"],
    }
    s.each(dots, lambda text: Vote(exercise="formaal", item=room_items[text]), after=3)
    s.act(Vote(exercise="formaal", item=room_items["Være tydelige utad"], delta=-1), by=p[1], after=5)
    s.act(Vote(exercise="formaal", item=room_items["Støtte hverandre"]), by=p[1], after=2)
    s.act(RemoveRoomItem(exercise="formaal", item=room_items["Ta beslutninger sammen"]), after=20)
    s.act(Vote(exercise="formaal", item=room_items["Være tydelige utad"]), by=p[2], after=4)
    return s


def comments() -> Script:
    """The closing round: anonymous comments, one hidden and shown again, one hidden."""
    s = Script.day("comments")
    p = s.everyone()
    s.goto("kommentarer")
    said = [
        (p[0], "Takk for en god dag!"),
        (p[3], "Mer tid til gruppearbeid,\nmindre til foredrag."),
        (p[4], "Lunsjen var for kort"),
        (p[8], "Rommet var kaldt 🥶"),
        (p[0], "Gleder meg til neste samling"),
        (p[5], "Dårlig  ord"),
    ]
    for pid, text in said:
        s.act(AddComment(exercise="kommentarer", text=text), by=pid, after=25)
    s.act(HideComment(exercise="kommentarer", comment=6), after=10)
    s.act(HideComment(exercise="kommentarer", comment=3), after=10)
    s.act(HideComment(exercise="kommentarer", comment=3, hidden=False), after=10)
    return s


def roles() -> Script:
    """Rotating triads (tilbakemelding), then roles by age with private answers (verdier)."""
    s = Script.day("roles")
    p = s.everyone()
    s.goto("tilbakemelding")  # triads drawn on entry: no question asked
    s.act(NextPhase(), after=120)
    s.act(RolesNextRound(exercise="tilbakemelding"), after=600)
    s.act(RolesNextRound(exercise="tilbakemelding"), after=600)
    s.act(RolesSwap(exercise="tilbakemelding", group=1, role_a=0, role_b=2), after=30)
    s.goto("verdier")
    ages = {p[0]: 52, p[1]: 38, p[2]: 41, p[3]: 29, p[4]: 61, p[5]: 40, p[7]: 45}
    for pid, age in ages.items():
        s.act(RolesAnswer(exercise="verdier", age=age), by=pid, after=6)
    s.act(RolesAnswer(exercise="verdier", decline=True), by=p[6], after=6)
    s.act(RolesAnswer(exercise="verdier", age=44), by=p[1], after=6)  # before the draw: changes it
    s.act(RolesAssign(exercise="verdier"), after=40)  # p[8] never answered: drawn in
    s.act(RolesRedraw(exercise="verdier", group=2), after=20)
    s.act(RolesSet(exercise="verdier", group=1, role=1, participant=s.members(1)[-1]), after=15)
    s.act(NextPhase(), after=4 * 60)
    return s


def _words_and_diamond(s: Script, p: list[str]) -> None:
    s.goto("ordsky")
    cloud = ["Tillit", "Åpenhet", "Respekt", "tillit", "Mot", "Raushet", "Trygghet", "Ærlighet"]
    for pid, word in zip(p, cloud, strict=False):  # the ninth person sends nothing
        s.act(Submit(exercise="ordsky", word=word), by=pid, after=3)
    s.goto("diamant")
    hair = {p[0]: 2, p[1]: 5, p[2]: 3, p[3]: 1, p[4]: 4, p[5]: 3}
    for pid, shade in hair.items():
        s.act(RolesAnswer(exercise="diamant", hair=shade), by=pid, after=5)
    s.act(RolesAnswer(exercise="diamant", decline=True), by=p[6], after=5)
    s.act(RolesAssign(exercise="diamant"), after=30)
    values = ["Tillit", "Åpenhet", "Respekt", "Mot", "Raushet", "Trygghet", "Ærlighet", "Lojalitet", "Humor"]
    g1, g2 = s.members(1), s.members(2)
    for slot, value in enumerate(values):
        writer = g1[slot % len(g1)]
        s.act(DiamondAdd(exercise="diamant", value=value), by=writer, after=8)
        s.act(DiamondPlace(exercise="diamant", value=value, slot=slot), by=writer, after=4)
    s.act(DiamondPlace(exercise="diamant", value="Humor", slot=0), by=g1[1], after=10)  # a swap
    s.act(DiamondFinal(exercise="diamant"), by=g1[0], after=20)
    for value in ["Respekt", "Tillit", "Inkludering", "mot"]:
        s.act(DiamondAdd(exercise="diamant", value=value), by=g2[0], after=9)
    s.act(DiamondPlace(exercise="diamant", value="respekt", slot=0), by=g2[1], after=5)
    s.act(DiamondPlace(exercise="diamant", value="Tillit", slot=1), by=g2[2], after=5)
    s.act(DiamondPlace(exercise="diamant", value="Inkludering", slot=4), by=g2[0], after=5)
    s.act(DiamondPlace(exercise="diamant", value="mot", slot=8), by=g2[1], after=5)
    s.act(DiamondClear(exercise="diamant", slot=4), by=g2[0], after=5)
    s.act(DiamondRemove(exercise="diamant", value="inkludering"), by=g2[0], after=5)
    s.act(DiamondAdd(exercise="diamant", value="Samhold", group=2), after=10)  # the facilitator helps
    s.act(DiamondPlace(exercise="diamant", value="Samhold", slot=2, group=2), after=5)


def diamond() -> Script:
    """«Sorter i diamant»: word-cloud input, roles by hair, two groups' diamonds."""
    s = Script.day("diamond")
    p = s.everyone()
    _words_and_diamond(s, p)
    return s


def gallery() -> Script:
    """Gallerivandring over the diamonds: hosts, visitors' comments, the return phase."""
    s = Script.day("gallery")
    p = s.everyone()
    _words_and_diamond(s, p)
    s.act(NextExercise(), after=20 * 60)
    g1, g2 = s.members(1), s.members(2)
    s.act(GalleryHost(exercise="galleri", participant=g1[2]), by=g1[0], after=20)  # before the walk
    s.act(Start(), after=10)
    s.act(GalleryHost(exercise="galleri", participant=g2[1]), after=20)  # the facilitator, during it
    s.act(GalleryComment(exercise="galleri", group=2, text="Hvorfor er mot nederst?"), by=g1[0], after=120)
    s.act(GalleryComment(exercise="galleri", group=2, text="Fin plassering av respekt"), by=g1[1], after=30)
    s.act(GalleryComment(exercise="galleri", group=1, text="Humor øverst – modig!"), by=g2[0], after=60)
    s.act(GalleryComment(exercise="galleri", group=1, text="Tull"), by=g2[2], after=20)
    s.act(GalleryHide(exercise="galleri", comment=4), after=15)
    s.act(DiamondFinal(exercise="diamant", final=False), by=g1[0], after=30)  # reopened during the walk
    s.act(DiamondPlace(exercise="diamant", value="Tillit", slot=0), by=g1[0], after=10)
    s.act(NextPhase(), after=15 * 60)
    s.act(DiamondFinal(exercise="diamant"), by=g1[1], after=120)
    return s


def form() -> Script:
    """Private forms and the workbook: a note into the action plan, every type of answer
    (changed, taken back), the anonymous summary revealed from five answers, a take-home
    link, and one person who deletes their answers."""
    s = Script.day("form", program="skjema.toml")
    p = s.everyone()
    s.act(Start(), after=20)  # Øvelse 2: the note writes into «2 Avdelingens behov»
    s.act(SaveNote(exercise="ovelse-2", text="Evne til å lede endring"), by=p[0], after=60)
    s.act(SaveNote(exercise="ovelse-2", text="Evne til å samarbeide\npå tvers"), by=p[3], after=30)
    s.act(NextExercise(), after=8 * 60)
    s.act(Start(), after=5)

    def answer(pid: str, question: str, value: object, after: float = 6) -> None:
        s.act(
            FormAnswer.model_validate({"exercise": "ovelse-3", "question": question, "value": value}),
            by=pid,
            after=after,
        )

    for i, pid in enumerate(p[:7]):
        answer(pid, "anerkjennende", 1 + (i * 3) % 5)
    answer(p[0], "sporsmal", 2)
    answer(p[0], "oppgave-1", "  Ukentlig  statusmøte ")
    answer(p[0], "vanskelig", [1, 0])
    answer(p[0], "atferd", "Spørre mer,\nsnakke mindre.")
    answer(p[1], "sporsmal", 0)
    answer(p[1], "oppgave-1", "Budsjettet")
    answer(p[1], "oppgave-1", None, after=20)  # taken back
    answer(p[2], "vanskelig", [2])
    answer(p[0], "anerkjennende", 5, after=30)  # changed
    s.act(FormReveal(exercise="ovelse-3"), after=60)
    s.act(LinkWorkbook(key_hash=hashlib.sha256(b"form:link:1").hexdigest()), by=p[0], after=10)
    s.act(LinkWorkbook(key_hash=hashlib.sha256(b"form:link:4").hexdigest()), by=p[3], after=10)
    s.act(ForgetAnswers(), by=p[1], after=30)
    s.act(NextPhase(), after=120)  # the plenary: the form takes no more answers
    return s


SCENARIOS: dict[str, Callable[[], Script]] = {
    "igp": igp,
    "wordcloud": wordcloud,
    "lists": lists,
    "comments": comments,
    "roles": roles,
    "diamond": diamond,
    "gallery": gallery,
    "form": form,
}
