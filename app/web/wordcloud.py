"""The word cloud's picture (PNG) and counts (CSV), for the projector and the facilitator.

The projector's page asks for ``…/wordcloud/<exercise>.png?v=<version>`` whenever the
board's version changes; the renderer draws off the event loop and coalesces requests.
"""

from __future__ import annotations

import csv
import hmac
import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.core.kinds import wordcloud
from app.core.kinds.wordcloud import State
from app.realtime.hub import LiveRoom
from app.render.cloud import CloudRenderer
from app.web.pages import facilitator_room, live_room

router = APIRouter()


def _state(live: LiveRoom, exercise_id: str) -> State | None:
    exercise = live.room.exercise_by_id(exercise_id)
    if exercise is None or exercise.wordcloud is None:
        return None
    state = live.room.kind_state(exercise, wordcloud.KIND)
    return state if isinstance(state, State) else State()


async def _png(request: Request, live: LiveRoom, exercise_id: str) -> Response:
    if _state(live, exercise_id) is None:
        return Response(status_code=404)

    def current() -> tuple[int, dict[str, int]]:
        state = _state(live, exercise_id) or State()
        return state.version, wordcloud.frequencies(state)

    renderer: CloudRenderer = request.app.state.renderer
    png = await renderer.png((live.code, exercise_id), current)
    return Response(png, media_type="image/png", headers={"cache-control": "no-store"})


@router.get("/s/{code}/{key}/wordcloud/{exercise}.png")
async def projector_cloud(request: Request, code: str, key: str, exercise: str) -> Response:
    live = await live_room(request, code)
    if live is None or not hmac.compare_digest(key, live.projector_key):
        return Response(status_code=404)
    return await _png(request, live, exercise)


@router.get("/f/{code}/{key}/wordcloud/{exercise}.png")
async def facilitator_cloud(request: Request, code: str, key: str, exercise: str) -> Response:
    live = await facilitator_room(request, code, key)
    if live is None:
        return Response(status_code=404)
    return await _png(request, live, exercise)


@router.get("/f/{code}/{key}/wordcloud/{exercise}.csv")
async def cloud_counts(request: Request, code: str, key: str, exercise: str) -> Response:
    live = await facilitator_room(request, code, key)
    state = _state(live, exercise) if live is not None else None
    if live is None or state is None:
        return Response(status_code=404)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["word", "count"])
    writer.writerows((w.text, w.count) for w in wordcloud.words(state) if not w.hidden)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="ordsky-{live.code}-{exercise}.csv"'},
    )
