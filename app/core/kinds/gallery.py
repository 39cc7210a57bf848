"""Gallery walk (Gallerivandring) over an earlier diamond exercise.

Each group has a host (vert) who stays with the group's diamond: the member the group
names (``gallery_host``, until the walk's timer starts; the facilitator at any time), or
else its first member by join order. The others walk as one
team. With ``n`` groups in sorted order the rotation has ``n - 1`` visits; in visit ``k``
(1-based) the team of the ``i``-th group visits the ``(i + k) mod n``-th group. So every
team sees every other group's diamond exactly once, never its own, and every host receives
exactly one team per visit (a Latin square).

Timing. The core has no clock and the views have none either, so the schedule is given
as *offsets* from the start of the rotation phase (``start_ms``/``end_ms`` per visit) plus
the phase clock: while the timer runs, ``started_at`` = ``ends_at - duration_ms`` (the
moment the phase would have started had it never been paused; a pause shifts it, an
extension does not), and the browser computes ``elapsed = serverNow() - started_at``; while
paused or ready, ``elapsed_ms`` is given directly. The current visit is the first whose
``end_ms`` is after ``elapsed``; its countdown runs to ``started_at + end_ms``. For
convenience each visit also carries ``starts_at``/``ends_at`` (absolute) while the timer
runs. A visit lasts ``minutes_per_visit`` (scaled like every phase) or the rotation
phase's planned duration split evenly; with the even split, time the facilitator adds
lengthens the last visit.

Visitors may comment on any other group's diamond (anonymous on every screen, at most
``max_comments_per_person`` each); the host sees the comments arriving for the group,
and in the return phase (and after) every member does. Because the config names the
diamond exercise with ``of``, participants may still edit their own group's diamond while
the gallery walk is the current exercise (see ``Room.open_exercises``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from app.core.actions import ParticipantId, clean_text, not_blank
from app.core.kinds import diamond
from app.core.kinds.base import ExerciseId, Kind, KindAction, Written, config_of, contributed
from app.core.outcome import Changes, Refused

if TYPE_CHECKING:
    from app.core.program import Exercise, Program
    from app.core.room import Command, Room

MAX_COMMENT = 300
FACILITATOR = diamond.FACILITATOR

Stage = Literal["closed", "before", "rotation", "return", "after"]


class Config(BaseModel):
    """``[exercises.gallery]``: the diamond exercise walked over, and the timing."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    of: ExerciseId  # the diamond exercise; its diamonds stay editable during the walk
    minutes_per_visit: Annotated[float, Field(gt=0, le=120)] | None = None
    rotation_phase: Annotated[int, Field(ge=0, le=20)] = 0
    return_phase: Annotated[int, Field(ge=0, le=20)] = 1
    max_comments_per_person: Annotated[int, Field(ge=1, le=100)] = 20

    @model_validator(mode="after")
    def _two_phases(self) -> Config:
        if self.rotation_phase == self.return_phase:
            raise ValueError("rotation_phase and return_phase must be different phases")
        return self


CommentText = Annotated[
    str, Field(max_length=MAX_COMMENT), AfterValidator(clean_text), AfterValidator(not_blank)
]
GroupNumber = Annotated[int, Field(ge=1, le=500)]


# --- state -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    group: int  # the group whose diamond it is about
    text: str
    author: str  # kept only for the author's own view and the cap; never shown
    at: int
    hidden: bool = False


@dataclass(frozen=True, slots=True)
class State:
    hosts: dict[int, str] = field(default_factory=dict)  # group -> the host it chose
    comments: tuple[Comment, ...] = ()


# --- actions -------------------------------------------------------------------------------------


class GalleryHost(KindAction):
    """A member names the group's host (the facilitator may name anyone's)."""

    type: Literal["gallery_host"] = "gallery_host"
    participant: ParticipantId


class GalleryComment(KindAction):
    type: Literal["gallery_comment"] = "gallery_comment"
    group: GroupNumber
    text: CommentText


class GalleryHide(KindAction):
    type: Literal["gallery_hide"] = "gallery_hide"
    comment: Annotated[int, Field(ge=1)]
    hidden: bool = True


# --- the rotation (pure) ---------------------------------------------------------------------------


def rotation(groups: Sequence[int]) -> list[dict[int, int]]:
    """Per visit, which group's team visits which group: ``{team: visited}``."""
    order = sorted(groups)
    n = len(order)
    return [{order[i]: order[(i + k) % n] for i in range(n)} for k in range(1, n)]


def visit_bounds(
    planned_ms: int, visits: int, per_visit_ms: int | None, actual_ms: int
) -> list[tuple[int, int]]:
    """(start_ms, end_ms) of each visit from the start of the rotation phase."""
    if visits <= 0:
        return []
    if per_visit_ms is not None:
        return [(k * per_visit_ms, (k + 1) * per_visit_ms) for k in range(visits)]
    bounds = [(k * planned_ms // visits, (k + 1) * planned_ms // visits) for k in range(visits)]
    last_start, last_end = bounds[-1]
    bounds[-1] = (last_start, max(last_end, actual_ms))  # added time lengthens the last visit
    return bounds


# --- helpers over the room ---------------------------------------------------------------------


def _config(exercise: Exercise) -> Config:
    return config_of(exercise, "gallery", Config)


def _is_current(room: Room, exercise: Exercise) -> bool:
    return room.current is not None and room.current.id == exercise.id


def _groups_now(room: Room, exercise: Exercise) -> dict[str, int]:
    return room.working_groups() if _is_current(room, exercise) else room.network_groups()


def _members(working: dict[str, int], group: int) -> tuple[str, ...]:
    return tuple(sorted((p for p, g in working.items() if g == group), key=_join_order))


def _join_order(pid: str) -> tuple[int, str]:
    digits = pid[1:]
    return (int(digits) if digits.isdigit() else 0, pid)


def host_of(state: State, working: dict[str, int], group: int) -> str | None:
    """The chosen host while still in the group, else the first member by join order."""
    chosen = state.hosts.get(group)
    if chosen is not None and working.get(chosen) == group:
        return chosen
    members = _members(working, group)
    return members[0] if members else None


def _walk_started(room: Room, exercise: Exercise) -> bool:
    """A group names its host until the walk starts: the rotation phase's timer started."""
    current = stage(room, exercise)
    if current == "rotation":
        return room.timer is not None and room.timer.status != "ready"
    return current in ("return", "after")


def stage(room: Room, exercise: Exercise) -> Stage:
    config = _config(exercise)
    if not _is_current(room, exercise):
        return "closed"
    if room.phase == config.rotation_phase:
        return "rotation"
    if room.phase == config.return_phase:
        return "return"
    return "before" if room.phase < config.rotation_phase else "after"


def clock(room: Room, exercise: Exercise, visits: int) -> dict[str, Any]:
    """The schedule's offsets and the rotation phase's clock (see the module docstring)."""
    config = _config(exercise)
    steps = exercise.steps
    if config.rotation_phase >= len(steps):
        return {"visits": [], "started_at": None, "elapsed_ms": None, "status": None, "visit_ms": None}
    planned = room.duration_ms(steps[config.rotation_phase])
    per_visit = (
        None
        if config.minutes_per_visit is None
        else max(1000, round(config.minutes_per_visit * 60_000 * room.time_scale))
    )
    started_at: int | None = None
    elapsed: int | None = 0
    status: str | None = None
    actual = planned
    timer = room.timer
    current_stage = stage(room, exercise)
    if current_stage == "rotation" and timer is not None:
        status = timer.status
        actual = timer.duration_ms
        if timer.status == "running" and timer.ends_at is not None:
            started_at = timer.ends_at - timer.duration_ms
            elapsed = None
        else:
            elapsed = timer.duration_ms - (timer.remaining_ms or 0)
    elif current_stage in ("return", "after"):
        elapsed = actual  # the walk is over
    bounds = visit_bounds(planned, visits, per_visit, actual)
    return {
        "visits": [
            {
                "visit": k,
                "start_ms": start,
                "end_ms": end,
                "starts_at": None if started_at is None else started_at + start,
                "ends_at": None if started_at is None else started_at + end,
            }
            for k, (start, end) in enumerate(bounds, start=1)
        ],
        "started_at": started_at,
        "elapsed_ms": elapsed,
        "status": status,
        "visit_ms": per_visit if per_visit is not None else (planned // visits if visits else None),
    }


def _diamond_parts(room: Room, config: Config) -> tuple[Exercise | None, diamond.State]:
    target = room.exercise_by_id(config.of)
    if target is None or getattr(target, "diamond", None) is None:
        return None, diamond.State()
    state = room.kind_state(target, diamond.KIND)
    return target, state if isinstance(state, diamond.State) else diamond.State()


def _diamond_rows(room: Room, config: Config, group: int) -> dict[str, Any] | None:
    target, state = _diamond_parts(room, config)
    if target is None:
        return None
    shown = diamond.diamond_of(target, state, group)
    return {"rows": diamond.rows_of(shown), "final": shown.final}


def _name(room: Room, pid: str | None) -> str | None:
    if pid is None or pid not in room.participants:
        return None
    return room.participants[pid].name


def _comment_view(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "group": c.group,
        "text": None if c.hidden else c.text,
        "hidden": c.hidden,
        "at": c.at,
    }


# --- the kind's functions ------------------------------------------------------------------------


def start(room: Room, exercise: Exercise, cmd: Command) -> State:
    _config(exercise)
    return State()


def apply(room: Room, exercise: Exercise, state: State, cmd: Command) -> tuple[State, Changes]:
    config = _config(exercise)
    action = cmd.action
    working = _groups_now(room, exercise)
    if isinstance(action, GalleryHost):
        group = working.get(action.participant)
        if group is None:
            raise Refused("not_in_group")
        if cmd.actor != FACILITATOR and working.get(cmd.actor) != group:
            raise Refused("not_in_group")
        if cmd.actor != FACILITATOR and cmd.v >= 2 and _walk_started(room, exercise):
            # the teams are on their way; the facilitator may still. A command of format 1
            # was accepted when a member could change the host at any time (docs/storage.md).
            raise Refused("walk_started")
        hosts = {**state.hosts, group: action.participant}
        told = frozenset(_members(working, group)) | ({cmd.actor} if cmd.actor != FACILITATOR else set())
        return replace(state, hosts=hosts), Changes(board=True, personal=told)
    if isinstance(action, GalleryComment):
        own = working.get(cmd.actor)
        if own is None:
            raise Refused("not_in_group")
        if action.group not in set(working.values()):
            raise Refused("unknown_group")
        if action.group == own:
            raise Refused("own_group")
        if sum(1 for c in state.comments if c.author == cmd.actor) >= config.max_comments_per_person:
            raise Refused("too_many")
        comment = Comment(
            id=len(state.comments) + 1, group=action.group, text=action.text, author=cmd.actor, at=cmd.at
        )
        told = frozenset(_members(working, action.group)) | {cmd.actor}
        return replace(state, comments=(*state.comments, comment)), Changes(board=True, personal=told)
    if isinstance(action, GalleryHide):
        if not 1 <= action.comment <= len(state.comments):
            raise Refused("unknown_item")
        target = state.comments[action.comment - 1]
        comments = tuple(replace(c, hidden=action.hidden) if c is target else c for c in state.comments)
        told = frozenset(_members(working, target.group)) | {target.author}
        return replace(state, comments=comments), Changes(board=True, personal=told)
    raise Refused("unknown_action")


def board(room: Room, exercise: Exercise, state: State) -> dict[str, Any]:
    """Hosts, the schedule, every group's diamond and its comments (anonymous)."""
    config = _config(exercise)
    working = _groups_now(room, exercise)
    numbers = sorted(set(working.values()))
    schedule = rotation(numbers)
    groups = []
    for group in numbers:
        host = host_of(state, working, group)
        groups.append(
            {
                "group": group,
                "host": {"id": host, "name": _name(room, host)} if host else None,
                "host_chosen": state.hosts.get(group) == host and host is not None,
                "members": len(_members(working, group)),
                "people": [{"id": m, "name": _name(room, m)} for m in _members(working, group)],
                "diamond": _diamond_rows(room, config, group),
                "comments": [_comment_view(c) for c in state.comments if c.group == group],
            }
        )
    return {
        "of": config.of,
        "stage": stage(room, exercise),
        "groups": groups,
        "schedule": [[{"team": t, "visits": v} for t, v in sorted(step.items())] for step in schedule],
        "clock": clock(room, exercise, len(schedule)),
        "method": diamond.METHOD,
    }


def mine(room: Room, exercise: Exercise, state: State, pid: str) -> dict[str, Any]:
    """Where this person goes in each visit (or "stay": the host), the diamonds on the
    route, their own comments, and the comments their group received (the host: always;
    everyone: from the return phase)."""
    config = _config(exercise)
    working = _groups_now(room, exercise)
    group = working.get(pid)
    current_stage = stage(room, exercise)
    numbers = sorted(set(working.values()))
    schedule = rotation(numbers)
    out: dict[str, Any] = {
        "of": config.of,
        "stage": current_stage,
        "group": group,
        "host": None,
        "is_host": False,
        "route": [],
        "diamonds": {},
        "clock": clock(room, exercise, len(schedule)),
        "sent": [
            {"id": c.id, "group": c.group, "text": c.text, "hidden": c.hidden}
            for c in state.comments
            if c.author == pid
        ],
        "max": config.max_comments_per_person,
        "received": [],
        "diamond": None,
    }
    if group is None:
        return out
    host = host_of(state, working, group)
    is_host = host == pid
    route = [None if is_host else step.get(group) for step in schedule]
    diamonds = {str(g): _diamond_rows(room, config, g) for g in sorted({group, *(r for r in route if r)})}
    shows_received = is_host or current_stage in ("return", "after")
    out.update(
        host={"id": host, "name": _name(room, host)} if host else None,
        is_host=is_host,
        members=[{"id": m, "name": _name(room, m)} for m in _members(working, group)],
        route=[{"visit": k, "group": g} for k, g in enumerate(route, start=1)],
        diamonds=diamonds,
        received=[_comment_view(c) for c in state.comments if c.group == group and not c.hidden]
        if shows_received
        else [],
    )
    if current_stage in ("return", "after"):
        target, dstate = _diamond_parts(room, config)
        if target is not None:
            out["diamond"] = diamond.mine(room, target, dstate, pid)
    return out


def export(room: Room, exercise: Exercise, state: State) -> list[tuple[str, str, str]]:
    return [(str(c.group), "kommentar", c.text) for c in state.comments if not c.hidden]


def check(program: Program, exercise: Exercise) -> Iterator[tuple[str, str]]:
    """``of`` names an earlier diamond exercise; the two phases exist."""
    from app.core.program import referenced

    config = _config(exercise)
    target, problem = referenced(program, exercise, config.of)
    if problem is not None:
        yield "of", problem
    elif target is not None and target.diamond is None:
        yield "of", f"{config.of!r} has no diamond to walk over"
    count = len(exercise.steps)
    for name in ("rotation_phase", "return_phase"):
        if getattr(config, name) >= count:
            yield name, f"the exercise has {count} phase(s), numbered from 0"


def written(room: Room, exercise: Exercise, state: State, pid: str) -> list[Written]:
    """The comments this person left on the other groups' diamonds, for their «Mine svar»."""
    return contributed(exercise.title, (c.text for c in state.comments if c.author == pid))


KIND: Kind[State] = Kind(
    name="gallery",
    in_groups=True,
    participant_actions=(GalleryHost, GalleryComment),
    facilitator_actions=(GalleryHost, GalleryHide),
    start=start,
    apply=apply,
    board=board,
    mine=mine,
    export=export,
    check=check,
    written=written,
)
