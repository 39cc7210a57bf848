"""The day's results: a printable page, JSON and CSV, for the facilitator.

This is what the next gathering starts from ("Oppsummering fra sist samling"). Results
are the shared outcomes only (word clouds, diamonds, lists, votes, comments); private
notes, ages and self-assessments are never part of them.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.core import views
from app.core.localized import localize
from app.core.room import Room
from app.web.pages import facilitator_room, not_found, render

router = APIRouter()


def rows(room: Room, lang: str) -> list[tuple[str, str, str, str, str]]:
    """(exercise, kind, group, item, value) for every exported result of the day."""
    out: list[tuple[str, str, str, str, str]] = []
    for ex in room.program.exercises:
        for kind in room.kinds_of(ex):
            state = room.kind_state(ex, kind)
            if state is None or kind.export is None:
                continue
            title = localize(ex.title, lang)
            out.extend(
                (title, kind.name, group, item, value) for group, item, value in kind.export(room, ex, state)
            )
    return out


def _results(room: Room) -> dict[str, Any]:
    return {"room": views.room_header(room), "exercises": views.results(room)}


@router.get("/f/{code}/{key}/results", response_class=HTMLResponse)
async def results_page(request: Request, code: str, key: str) -> Response:
    live = await facilitator_room(request, code, key)
    if live is None:
        return not_found(request)
    results = _results(live.room)
    return render(
        request,
        "results.html",
        code=live.code,
        results=results,
        json_path=f"/f/{live.code}/{key}/results.json",
        csv_path=f"/f/{live.code}/{key}/results.csv",
        # The kinds' own scripts draw their results (word clouds, diamonds, ...).
        boot={"role": "results", "code": live.code, "results": results},
    )


@router.get("/f/{code}/{key}/results.json")
async def results_json(request: Request, code: str, key: str) -> Response:
    live = await facilitator_room(request, code, key)
    if live is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return JSONResponse(_results(live.room))


@router.get("/f/{code}/{key}/results.csv")
async def results_csv(request: Request, code: str, key: str) -> Response:
    live = await facilitator_room(request, code, key)
    if live is None:
        return Response(status_code=404)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["exercise", "kind", "group", "item", "value"])
    writer.writerows(rows(live.room, "nb"))
    # A byte-order mark makes spreadsheet programs read the æøå right.
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="samling-{live.code}.csv"'},
    )
