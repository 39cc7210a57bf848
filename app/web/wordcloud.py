"""The word cloud's picture (PNG) and counts (CSV), for the projector and the facilitator.

The projector's page asks for ``…/wordcloud/<exercise>.png?v=<version>`` whenever the
board's version changes; the renderer draws off the event loop and coalesces requests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.kinds import wordcloud
from app.core.kinds.wordcloud import State
from app.core.room import Room
from app.render.cloud import CloudRenderer
from app.web.pages import facilitator_room, projector_room
from app.web.results import csv_download

router = APIRouter()


def _state(room: Room, exercise_id: str) -> State | None:
    exercise = room.exercise_by_id(exercise_id)
    if exercise is None or exercise.wordcloud is None:
        return None
    state = room.kind_state(exercise, wordcloud.KIND)
    return state if isinstance(state, State) else State()


async def _png(request: Request, workshop_id: int, room: Callable[[], Room], exercise_id: str) -> Response:
    """``room`` gives the room as it is now (a live room changes while a picture is drawn)."""
    if _state(room(), exercise_id) is None:
        return Response(status_code=404)

    def current() -> tuple[int, Callable[[], dict[str, int]]]:
        state = _state(room(), exercise_id) or State()
        return state.version, partial(wordcloud.frequencies, state)

    renderer: CloudRenderer = request.app.state.renderer
    # Keyed by workshop, never by code: a deleted workshop's picture is dropped with it.
    png = await renderer.png((workshop_id, exercise_id), current)
    return Response(png, media_type="image/png", headers={"cache-control": "no-store"})


@router.get("/s/{code}/{key}/wordcloud/{exercise}.png")
async def projector_cloud(request: Request, code: str, key: str, exercise: str) -> Response:
    live = await projector_room(request, code, key)
    if live is None:
        return Response(status_code=404)
    return await _png(request, live.workshop_id, lambda: live.room, exercise)


@router.get("/f/{code}/{key}/wordcloud/{exercise}.png")
async def facilitator_cloud(request: Request, code: str, key: str, exercise: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return Response(status_code=404)
    return await _png(request, staffed.door.workshop_id, lambda: staffed.room, exercise)


@router.get("/f/{code}/{key}/wordcloud/{exercise}.csv")
async def cloud_counts(request: Request, code: str, key: str, exercise: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    state = _state(staffed.room, exercise) if staffed is not None else None
    if staffed is None or state is None:
        return Response(status_code=404)
    counts = ((w.text, w.count) for w in wordcloud.words(state) if not w.hidden)
    return csv_download(["word", "count"], counts, f"ordsky-{staffed.code}-{exercise}.csv")
