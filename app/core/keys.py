"""The secrets that open a room for one person, as the room holds them: the hashes of
the participants' tokens (their phones' cookies) and of their take-home links' keys.

The store keeps them beside the room (``door_key``), so that a made-up cookie or link is
found wrong without loading the room; :func:`changed` says what one command added or
took away, for the store to write with the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice

from app.core.room import Room
from app.core.shared import Layered

TOKEN, LINK = "token", "link"
Key = tuple[str, str]  # (TOKEN or LINK, the secret's hash)


@dataclass(frozen=True, slots=True)
class KeyChanges:
    added: frozenset[Key] = frozenset()
    removed: frozenset[Key] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def then(self, later: KeyChanges) -> KeyChanges:
        """This change and then ``later``, as one (a key added and taken away in between
        is neither; one taken away and given back is unchanged)."""
        return KeyChanges(
            added=(self.added - later.removed) | (later.added - self.removed),
            removed=(self.removed - later.added) | (later.removed - self.added),
        )


NO_CHANGE = KeyChanges()


def held(room: Room) -> frozenset[Key]:
    """Every key that opens this room for someone."""
    return frozenset({(TOKEN, h) for h in room.tokens} | {(LINK, h) for h in room.workbook_links})


def _diff(kind: str, before: Layered[str, str], after: Layered[str, str]) -> tuple[list[Key], list[Key]]:
    if after is before:  # most commands: the room's dict is handed on as it was
        return [], []
    grown = len(after) - len(before)
    if grown > 0:
        # The rules add keys as new entries at the end (with_key(before, new, pid)) and take
        # none away in the same command: the last ones, when all new, are the change
        # (without walking a room of thousands at each join).
        newest = list(islice(reversed(after), grown))
        if not any(h in before for h in newest):
            return [(kind, h) for h in newest], []
    return [(kind, h) for h in after if h not in before], [(kind, h) for h in before if h not in after]


def changed(before: Room, after: Room) -> KeyChanges:
    """The keys one command added to the room and took out of it."""
    tokens_added, tokens_removed = _diff(TOKEN, before.tokens, after.tokens)
    links_added, links_removed = _diff(LINK, before.workbook_links, after.workbook_links)
    if not (tokens_added or tokens_removed or links_added or links_removed):
        return NO_CHANGE
    return KeyChanges(frozenset(tokens_added + links_added), frozenset(tokens_removed + links_removed))
