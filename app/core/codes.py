"""Room codes that are easy to read aloud and to type on a phone."""

from __future__ import annotations

import secrets

# No look-alikes: no 0/O/Q/D, 1/I/L, 2/Z, 5/S, 8/B, 6/G, U/V; all upper case.
ALPHABET = "ACEFHJKMNPRTWXY3479"
LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize(typed: str) -> str:
    """What a person typed, as a code: spaces and dashes dropped, upper case."""
    return "".join(ch for ch in typed.upper() if not ch.isspace() and ch != "-")


def looks_valid(code: str) -> bool:
    return len(code) == LENGTH and all(ch in ALPHABET for ch in code)
