"""Programs saved from the editor, programmes of gatherings, and who came back: the
database side (the tables are in :mod:`app.storage.tables`).

Like :class:`app.storage.store.Store`, every method is short and synchronous; the web
layer calls them in a worker thread. An owner of ``None`` is the laptop's own
facilitator (no accounts configured); in hosted mode every row belongs to an account.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.storage.tables import (
    Gathering,
    Programme,
    ReturningPerson,
    SavedProgram,
    Workshop,
)


def _owned(owner_id: int | None) -> ColumnElement[bool]:
    column = col(SavedProgram.owner_id)
    return column.is_(None) if owner_id is None else column == owner_id


# The largest id a row can have (the id columns are INTEGER: 32 bits on PostgreSQL, the
# narrower of the two databases): an id from a URL or a form beyond that names no
# program, rather than overflowing the column.
LARGEST_ID = 2**31 - 1


def _no_such_id(program_id: int) -> bool:
    return not 0 < program_id <= LARGEST_ID


class Library:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # --- saved programs ------------------------------------------------------------

    def programs(self, owner_id: int | None) -> list[SavedProgram]:
        """The owner's programs, the latest changed first."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(SavedProgram).where(_owned(owner_id)).order_by(col(SavedProgram.updated_at).desc())
            ).all()
            return list(rows)

    def program(self, owner_id: int | None, program_id: int) -> SavedProgram | None:
        """The program if this owner has it (another owner's is as good as missing)."""
        if _no_such_id(program_id):
            return None
        with Session(self.engine) as session:
            row = session.get(SavedProgram, program_id)
            return row if row is not None and row.owner_id == owner_id else None

    def save_program(
        self, owner_id: int | None, program_id: int | None, name: str, text: str, at: int
    ) -> SavedProgram | None:
        """Store a new program (``program_id`` None) or replace the owner's; None when the
        owner has no program with that id."""
        if program_id is not None and _no_such_id(program_id):
            return None
        with Session(self.engine) as session:
            if program_id is None:
                row = SavedProgram(owner_id=owner_id, name=name, text=text, created_at=at, updated_at=at)
            else:
                found = session.get(SavedProgram, program_id)
                if found is None or found.owner_id != owner_id:
                    return None
                row = found
                row.name, row.text, row.updated_at = name, text, at
            session.add(row)
            session.commit()
            session.refresh(row)
            return row

    def delete_program(self, owner_id: int | None, program_id: int) -> bool:
        if _no_such_id(program_id):
            return False
        with Session(self.engine) as session:
            row = session.get(SavedProgram, program_id)
            if row is None or row.owner_id != owner_id:
                return False
            session.delete(row)
            session.commit()
            return True

    def rehearsals(self, owner_id: int | None, name: str, before: int) -> list[str]:
        """Codes of the editor's rehearsal rooms (program ``name``) of this owner made before
        ``before`` and not deleted yet: they are done with."""
        with Session(self.engine) as session:
            owned = (
                col(Workshop.owner_id).is_(None) if owner_id is None else col(Workshop.owner_id) == owner_id
            )
            rows = session.exec(
                select(Workshop.code).where(
                    owned,
                    Workshop.program_name == name,
                    col(Workshop.deleted_at).is_(None),
                    col(Workshop.created_at) < before,
                )
            ).all()
            return list(rows)

    # --- programmes and gatherings ----------------------------------------------------

    def gathering(self, workshop_id: int) -> Gathering | None:
        with Session(self.engine) as session:
            return session.get(Gathering, workshop_id)

    def programme(self, programme_id: int) -> Programme | None:
        with Session(self.engine) as session:
            return session.get(Programme, programme_id)

    def add_gathering(self, earlier: Workshop, later_id: int, title: str, at: int) -> Gathering:
        """Make workshop ``later_id`` the next gathering after ``earlier`` (whose programme
        starts now, as gathering 1, if it had none)."""
        assert earlier.id is not None
        with Session(self.engine) as session:
            first = session.get(Gathering, earlier.id)
            if first is None:
                programme = Programme(owner_id=earlier.owner_id, title=title, created_at=at)
                session.add(programme)
                session.flush()
                assert programme.id is not None
                first = Gathering(workshop_id=earlier.id, programme_id=programme.id, number=1)
                session.add(first)
            later = Gathering(
                workshop_id=later_id,
                programme_id=first.programme_id,
                number=first.number + 1,
                follows_id=earlier.id,
            )
            session.add(later)
            session.commit()
            session.refresh(later)
            return later

    def gatherings(self, programme_id: int) -> list[tuple[Gathering, Workshop]]:
        """The programme's gatherings in order, with their workshops."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Gathering, Workshop)
                .where(Gathering.programme_id == programme_id, Gathering.workshop_id == Workshop.id)
                .order_by(col(Gathering.number))
            ).all()
            return [(g, w) for g, w in rows]

    def followers(self, workshop_id: int) -> list[tuple[Gathering, Workshop]]:
        """The gatherings that follow this workshop (usually one), with their workshops."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(Gathering, Workshop).where(
                    Gathering.follows_id == workshop_id, Gathering.workshop_id == Workshop.id
                )
            ).all()
            return [(g, w) for g, w in rows]

    # --- who came back ------------------------------------------------------------

    def returning(self, workshop_id: int) -> list[ReturningPerson]:
        with Session(self.engine) as session:
            return list(
                session.exec(select(ReturningPerson).where(ReturningPerson.workshop_id == workshop_id)).all()
            )

    def came_back(self, workshop_id: int, pid: str, earlier_pid: str, proof: str) -> bool:
        """Record that ``pid`` here is ``earlier_pid`` of the gathering before; False when
        either is matched already."""
        try:
            with Session(self.engine) as session:
                session.add(
                    ReturningPerson(workshop_id=workshop_id, pid=pid, earlier_pid=earlier_pid, proof=proof)
                )
                session.commit()
        except IntegrityError:
            return False
        return True

    def forget_returning(self, workshop_id: int, pid: str) -> None:
        with Session(self.engine) as session:
            session.execute(
                delete(ReturningPerson).where(
                    col(ReturningPerson.workshop_id) == workshop_id, col(ReturningPerson.pid) == pid
                )
            )
            session.commit()
