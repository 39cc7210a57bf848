"""Facilitator accounts and their sign-in sessions (hosted mode): the database side.

Only an Argon2 hash of a password is stored, and only the SHA-256 of a session cookie.
Like :class:`app.storage.store.Store`, every method is short and synchronous; the web
layer calls them in a worker thread.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.storage.tables import Facilitator, FacilitatorSession, Workshop


class AccountExists(Exception):
    """There is an account with this e-mail address already."""


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, email: str, password_hash: str, at: int) -> Facilitator:
        with Session(self.engine) as session:
            account = Facilitator(email=email, password_hash=password_hash, created_at=at)
            session.add(account)
            try:
                session.commit()
            except IntegrityError:
                raise AccountExists(email) from None
            session.refresh(account)
            return account

    def by_email(self, email: str) -> Facilitator | None:
        with Session(self.engine) as session:
            return session.exec(select(Facilitator).where(Facilitator.email == email)).first()

    def by_id(self, facilitator_id: int) -> Facilitator | None:
        with Session(self.engine) as session:
            return session.get(Facilitator, facilitator_id)

    def set_password_hash(self, facilitator_id: int, password_hash: str) -> None:
        with Session(self.engine) as session:
            account = session.get(Facilitator, facilitator_id)
            if account is not None:
                account.password_hash = password_hash
                session.add(account)
                session.commit()

    def start_session(self, token_hash: str, facilitator_id: int, expires_at: int) -> None:
        with Session(self.engine) as session:
            session.add(
                FacilitatorSession(
                    token_hash=token_hash, facilitator_id=facilitator_id, expires_at=expires_at
                )
            )
            session.commit()

    def signed_in(self, token_hash: str, now: int) -> int | None:
        """The account a sign-in cookie (its hash) belongs to while it has not expired."""
        with Session(self.engine) as session:
            row = session.get(FacilitatorSession, token_hash)
            return row.facilitator_id if row is not None and row.expires_at > now else None

    def end_session(self, token_hash: str, now: int) -> None:
        """Sign out, and forget every expired session while at it."""
        with Session(self.engine) as session:
            session.execute(
                delete(FacilitatorSession).where(col(FacilitatorSession.token_hash) == token_hash)
            )
            session.execute(delete(FacilitatorSession).where(col(FacilitatorSession.expires_at) <= now))
            session.commit()

    def workshops(self, owner_id: int) -> list[Workshop]:
        """The facilitator's workshops, open and closed (not deleted), the newest first."""
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(Workshop)
                    .where(Workshop.owner_id == owner_id, col(Workshop.deleted_at).is_(None))
                    .order_by(col(Workshop.created_at).desc())
                ).all()
            )
