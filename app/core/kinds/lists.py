"""Shared lists, proposals and voting ("minst 3 visjonsforslag", the group's purpose).

Each group builds its list together from its phones. The facilitator gathers items into
one room list (an item with the same text as one already there joins it), merges
duplicates, and opens the vote: everyone spends a few dots on the room list, live, or
(``vote = "points"``) spreads 100 points over its items as they see fit.
Who wrote an item is kept only to cap floods; who voted for what is private — the board
shows totals, and a person's own dots appear only on their own phone.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.actions import clean_line
from app.core.kinds.base import Kind, KindAction, Written, contributed
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise
    from app.core.room import Command, Room

MAX_TEXT = 300
MAX_PER_PERSON = 50  # items one person may add in one exercise (a flood cap)
FACILITATOR = "facilitator"  # app.core.room.FACILITATOR (room imports the registry, which imports us)


class Config(BaseModel):
    """``[exercises.lists]``: the groups' lists and the room's dot vote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_items: Annotated[int, Field(ge=0, le=50)] = 0  # shown as progress ("minst 3 forslag")
    max_items: Annotated[int, Field(ge=1, le=100)] = 20  # per group
    max_length: Annotated[int, Field(ge=10, le=MAX_TEXT)] = 200
    vote: Literal["dots", "points"] = "dots"  # a few dots each, or points spread over the items
    dots: Annotated[int, Field(ge=1, le=20)] = 3  # per person when voting with dots
    multiple_dots: bool = True  # may a person put several dots on one item
    points: Annotated[int, Field(ge=2, le=1000)] = 100  # per person when voting with points
    prompt: str | dict[str, str] | None = None


ItemText = Annotated[str, Field(min_length=1, max_length=MAX_TEXT * 2), AfterValidator(clean_line)]
ItemId = Annotated[int, Field(ge=1, le=1_000_000)]


def same_text(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    group: int
    text: str
    author: str
    at: int


@dataclass(frozen=True, slots=True)
class RoomItem:
    id: int
    text: str
    sources: tuple[int, ...] = ()  # the group items it gathers
    also: tuple[str, ...] = ()  # texts merged into it


@dataclass(frozen=True, slots=True)
class State:
    items: tuple[Item, ...] = ()
    room: tuple[RoomItem, ...] = ()
    next_id: int = 1
    voting: bool = False
    votes: dict[str, dict[int, int]] = field(default_factory=dict)  # pid -> room item -> dots


class Add(KindAction):
    type: Literal["lists_add"] = "lists_add"
    text: ItemText


class EditItem(KindAction):
    type: Literal["lists_edit"] = "lists_edit"
    item: ItemId
    text: ItemText


class RemoveItem(KindAction):
    type: Literal["lists_remove"] = "lists_remove"
    item: ItemId


class Vote(KindAction):
    type: Literal["lists_vote"] = "lists_vote"
    item: ItemId
    delta: Literal[1, -1] = 1


class GivePoints(KindAction):
    """Voting by points: the sender puts ``points`` of their budget on one item."""

    type: Literal["lists_points"] = "lists_points"
    item: ItemId
    points: Annotated[int, Field(ge=0, le=1000, strict=True)]


class Gather(KindAction):
    """Gather group items into the room list: the ones named, or every one not yet there."""

    type: Literal["lists_gather"] = "lists_gather"
    items: Annotated[list[ItemId], Field(max_length=500)] = Field(default_factory=list)


class MergeItems(KindAction):
    type: Literal["lists_merge"] = "lists_merge"
    source: ItemId
    target: ItemId


class Voting(KindAction):
    type: Literal["lists_voting"] = "lists_voting"
    open: bool


class RemoveRoomItem(KindAction):
    type: Literal["lists_remove_room_item"] = "lists_remove_room_item"
    item: ItemId


# --- helpers ---------------------------------------------------------------------------------


def _config(exercise: Exercise) -> Config:
    config = exercise.lists
    assert config is not None
    return config


def _my_group(room: Room, pid: str) -> int:
    group = room.group_of(pid)
    if group is None:
        raise Refused("no_group")
    return group


def _group_item(state: State, item_id: int, group: int | None) -> Item:
    item = next((i for i in state.items if i.id == item_id), None)
    if item is None:
        raise Refused("unknown_item")
    if group is not None and item.group != group:
        raise Refused("not_in_group")
    return item


def _room_item(state: State, item_id: int) -> RoomItem:
    item = next((i for i in state.room if i.id == item_id), None)
    if item is None:
        raise Refused("unknown_item")
    return item


def totals(state: State) -> dict[int, int]:
    out: dict[int, int] = {}
    for mine in state.votes.values():
        for item, dots in mine.items():
            out[item] = out.get(item, 0) + dots
    return out


def _mates(room: Room, group: int) -> frozenset[str]:
    return frozenset(pid for pid, g in room.working_groups().items() if g == group)


def _gathered(state: State, item: Item) -> RoomItem | None:
    return next((r for r in state.room if item.id in r.sources), None)


# --- the kind ----------------------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    action = cmd.action
    config = _config(exercise)
    staff = cmd.actor == FACILITATOR
    if isinstance(action, Add):
        if staff:
            raise Refused("not_allowed")
        group = _my_group(room, cmd.actor)
        if len(action.text) > config.max_length:
            raise Refused("text_too_long")
        if sum(1 for i in state.items if i.group == group) >= config.max_items:
            raise Refused("list_full")
        if sum(1 for i in state.items if i.author == cmd.actor) >= MAX_PER_PERSON:
            raise Refused("too_many")
        item = Item(id=state.next_id, group=group, text=action.text, author=cmd.actor, at=cmd.at)
        new = replace(state, items=(*state.items, item), next_id=state.next_id + 1)
        return new, Changes(board=True, personal=_mates(room, group) | {cmd.actor})
    if isinstance(action, EditItem):
        if len(action.text) > config.max_length:
            raise Refused("text_too_long")
        item = _group_item(state, action.item, None if staff else _my_group(room, cmd.actor))
        items = tuple(replace(i, text=action.text) if i.id == item.id else i for i in state.items)
        return replace(state, items=items), Changes(board=True, personal=_mates(room, item.group))
    if isinstance(action, RemoveItem):
        item = _group_item(state, action.item, None if staff else _my_group(room, cmd.actor))
        items = tuple(i for i in state.items if i.id != item.id)
        return replace(state, items=items), Changes(board=True, personal=_mates(room, item.group))
    if isinstance(action, GivePoints):
        if config.vote != "points":
            raise Refused("not_points")
        if not state.voting:
            raise Refused("voting_closed")
        _room_item(state, action.item)
        mine = {k: v for k, v in state.votes.get(cmd.actor, {}).items() if k != action.item}
        if sum(mine.values()) + action.points > config.points:
            raise Refused("no_points_left")
        if action.points:
            mine[action.item] = action.points
        votes = {**state.votes, cmd.actor: mine}
        return replace(state, votes=votes), Changes(board=True, personal=frozenset({cmd.actor}))
    if isinstance(action, Vote):
        if config.vote != "dots":
            raise Refused("not_dots")
        if not state.voting:
            raise Refused("voting_closed")
        _room_item(state, action.item)
        mine = dict(state.votes.get(cmd.actor, {}))
        on_item = mine.get(action.item, 0) + action.delta
        if on_item < 0:
            raise Refused("no_dot_here")
        if action.delta > 0 and sum(mine.values()) >= config.dots:
            raise Refused("no_dots_left")
        if action.delta > 0 and not config.multiple_dots and on_item > 1:
            raise Refused("one_dot_each")
        if on_item:
            mine[action.item] = on_item
        else:
            mine.pop(action.item, None)
        votes = {**state.votes, cmd.actor: mine}
        return replace(state, votes=votes), Changes(board=True, personal=frozenset({cmd.actor}))
    if isinstance(action, Gather):
        wanted = [_group_item(state, i, None) for i in action.items] if action.items else list(state.items)
        room_items = list(state.room)
        next_id = state.next_id
        for item in wanted:
            if _gathered(replace(state, room=tuple(room_items)), item) is not None:
                continue
            twin = next(
                (k for k, r in enumerate(room_items) if same_text(r.text) == same_text(item.text)), None
            )
            if twin is not None:
                room_items[twin] = replace(room_items[twin], sources=(*room_items[twin].sources, item.id))
            else:
                room_items.append(RoomItem(id=next_id, text=item.text, sources=(item.id,)))
                next_id += 1
        new = replace(state, room=tuple(room_items), next_id=next_id)
        return new, Changes(board=True, everyone_personal=True)
    if isinstance(action, MergeItems):
        source, target = _room_item(state, action.source), _room_item(state, action.target)
        if source.id == target.id:
            raise Refused("unknown_item")
        merged = replace(
            target, sources=(*target.sources, *source.sources), also=(*target.also, source.text, *source.also)
        )
        kept = tuple(merged if r.id == target.id else r for r in state.room if r.id != source.id)
        votes = {}
        for pid, mine in state.votes.items():
            moved = dict(mine)
            dots = moved.pop(source.id, 0)
            if dots:
                moved[target.id] = moved.get(target.id, 0) + dots
            votes[pid] = moved
        return replace(state, room=kept, votes=votes), Changes(board=True, everyone_personal=True)
    if isinstance(action, Voting):
        return replace(state, voting=action.open), Changes(board=True, everyone_personal=True)
    if isinstance(action, RemoveRoomItem):
        gone = _room_item(state, action.item)
        rest = tuple(r for r in state.room if r.id != gone.id)
        votes = {pid: {k: v for k, v in mine.items() if k != gone.id} for pid, mine in state.votes.items()}
        return replace(state, room=rest, votes=votes), Changes(board=True, everyone_personal=True)
    raise Refused("unknown_action")


def _room_list(state: State) -> list[dict[str, Any]]:
    counted = totals(state)
    listed = [
        {
            "id": r.id,
            "text": r.text,
            "also": list(r.also),
            "groups": len(r.sources),
            "votes": counted.get(r.id, 0),
        }
        for r in state.room
    ]
    return sorted(listed, key=lambda r: (-r["votes"], r["id"]))


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    groups: dict[int, list[dict[str, Any]]] = {}
    for item in state.items:
        groups.setdefault(item.group, []).append(
            {"id": item.id, "text": item.text, "gathered": _gathered(state, item) is not None}
        )
    return {
        "groups": [{"group": g, "items": groups[g]} for g in sorted(groups)],
        "room": _room_list(state),
        "voting": state.voting,
        "voters": sum(1 for mine in state.votes.values() if mine),
        "vote": _config(exercise).vote,
        "dots": _config(exercise).dots,
        "points": _config(exercise).points,
        "min_items": _config(exercise).min_items,
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    config = _config(exercise)
    group = room.group_of(pid)
    my_votes = state.votes.get(pid, {})
    return {
        "group": group,
        "items": [
            {"id": i.id, "text": i.text} for i in state.items if group is not None and i.group == group
        ],
        "min_items": config.min_items,
        "max_items": config.max_items,
        "max_length": config.max_length,
        "prompt": config.prompt,
        "room": [{**r, "mine": my_votes.get(r["id"], 0)} for r in _room_list(state)],
        "voting": state.voting,
        "vote": config.vote,
        "dots": config.dots,
        "dots_left": config.dots - sum(my_votes.values()),
        "multiple_dots": config.multiple_dots,
        "points": config.points,
        "points_left": config.points - sum(my_votes.values()),
    }


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    rows = [(f"{item.group}", item.text, "") for item in state.items]
    rows += [("", r["text"], str(r["votes"])) for r in _room_list(state)]
    return rows


def suggestions(room: Room, exercise: Exercise, state: State, group: int | None) -> list[str]:
    if group is not None:
        return [i.text for i in state.items if i.group == group]
    return [r["text"] for r in _room_list(state)]


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    """The items this person put on their group's list, for their own «Mine svar»."""
    label = _config(exercise).prompt or exercise.title
    return contributed(label, (i.text for i in state.items if i.author == pid))


KIND: Kind[State] = Kind(
    name="lists",
    in_groups=True,
    participant_actions=(Add, EditItem, RemoveItem, Vote, GivePoints),
    facilitator_actions=(Gather, MergeItems, Voting, RemoveRoomItem, EditItem, RemoveItem),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    suggestions=suggestions,
    written=written,
)
