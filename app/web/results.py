"""The day's results: a printable page, JSON and CSV, for the facilitator.

This is what the next gathering starts from ("Oppsummering fra sist samling"). Results
are the shared outcomes only (word clouds, diamonds, lists, votes, comments); private
notes, ages and self-assessments are never part of them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
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


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…),
# =cmd|…): a participant's word or comment must stay text (OWASP: CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(value: object) -> object:
    """A CSV cell as a spreadsheet will show it, never run it: text that a spreadsheet
    would read as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_download(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str) -> Response:
    """A CSV file of results: every cell through :func:`cell`, with a byte-order mark
    so that spreadsheet programs read the æøå right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([cell(value) for value in row] for row in rows)
    return Response(
        "\ufeff" + buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{filename}"'},
    )


def _results(room: Room) -> dict[str, Any]:
    return {"room": views.room_header(room), "exercises": views.results(room)}


@router.get("/f/{code}/{key}/results", response_class=HTMLResponse)
async def results_page(request: Request, code: str, key: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return not_found(request)
    results = _results(staffed.room)
    return render(
        request,
        "results.html",
        code=staffed.code,
        results=results,
        json_path=f"/f/{staffed.code}/{key}/results.json",
        csv_path=f"/f/{staffed.code}/{key}/results.csv",
        # The kinds' own scripts draw their results (word clouds, diamonds, ...).
        boot={"role": "results", "code": staffed.code, "results": results},
    )


@router.get("/f/{code}/{key}/results.json")
async def results_json(request: Request, code: str, key: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return JSONResponse({"error": "not_found"}, status_code=404)
    return JSONResponse(_results(staffed.room))


@router.get("/f/{code}/{key}/results.csv")
async def results_csv(request: Request, code: str, key: str) -> Response:
    staffed = await facilitator_room(request, code, key)
    if staffed is None:
        return Response(status_code=404)
    header = ["exercise", "kind", "group", "item", "value"]
    return csv_download(header, rows(staffed.room, "nb"), f"samling-{staffed.code}.csv")
