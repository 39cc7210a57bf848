"""Hosted mode's facilitator accounts: passwords, sign-in, and the command that makes
the first account.

A municipality that hosts Samling for many facilitators sets ``SAMLING_HOSTED=true``:
then only a signed-in facilitator reaches the start page, each workshop belongs to the
account that created it, and the start page lists the facilitator's own workshops (open
and closed) to reopen — the secret facilitator link is no longer the only way back.
Passwords are hashed with Argon2id (argon2-cffi, its recommended parameters); a
sign-in cookie is a random token of which only the SHA-256 is stored.

Make an account (the password is asked for twice, or read from standard input)::

    .venv/bin/python -m app.accounts add kari@kommune.no
    printf '%s\\n' "$PASSWORD" | .venv/bin/python -m app.accounts add kari@kommune.no --password-stdin
"""

from __future__ import annotations

import argparse
import getpass
import secrets
import sys

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.realtime.hub import now_ms
from app.storage.accounts import AccountExists, Accounts
from app.storage.tables import Facilitator
from app.workshops import digest

SESSION_COOKIE = "samling_session"
SESSION_DAYS = 14
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Checked when the e-mail address is unknown, so that a wrong address takes as long as
# a wrong password and the answer does not tell which accounts exist.
_UNKNOWN = _hasher.hash(secrets.token_urlsafe(16))


class WeakPassword(ValueError):
    """Too short to be a password."""


def normalize_email(email: str) -> str:
    return email.strip().lower()


def add_account(accounts: Accounts, email: str, password: str) -> Facilitator:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"a password has at least {MIN_PASSWORD} characters")
    return accounts.add(normalize_email(email), _hasher.hash(password), now_ms())


def check_password(accounts: Accounts, email: str, password: str) -> Facilitator | None:
    """The account if the password is right (its hash is renewed when the parameters
    have grown since); None for a wrong address or password, in the same time."""
    account = accounts.by_email(normalize_email(email))
    try:
        _hasher.verify(account.password_hash if account else _UNKNOWN, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or account.id is None:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        accounts.set_password_hash(account.id, _hasher.hash(password))
    return account


def start_session(accounts: Accounts, facilitator_id: int) -> str:
    """A new sign-in cookie's value for this account."""
    token = secrets.token_urlsafe(32)
    accounts.start_session(digest(token), facilitator_id, now_ms() + SESSION_DAYS * 86_400_000)
    return token


def signed_in(accounts: Accounts, token: str | None) -> int | None:
    """The account a sign-in cookie belongs to, or None."""
    return accounts.signed_in(digest(token), now_ms()) if token else None


def end_session(accounts: Accounts, token: str) -> None:
    accounts.end_session(digest(token), now_ms())


def main(argv: list[str] | None = None) -> int:
    from app.settings import get_settings
    from app.storage.store import Store

    parser = argparse.ArgumentParser(prog="python -m app.accounts", description="Facilitator accounts.")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="make a facilitator account")
    add.add_argument("email")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("The passwords differ.", file=sys.stderr)
            return 1
    store = Store(get_settings().database_url)
    try:
        account = add_account(Accounts(store.engine), args.email, password)
    except (WeakPassword, AccountExists) as exc:
        print(f"Not made: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Account {account.email} made.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
