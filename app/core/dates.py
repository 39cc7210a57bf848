"""Dates written in program files ("2026-06-14"), checked when the file is loaded."""

from __future__ import annotations

import datetime
from typing import Annotated

from pydantic import AfterValidator


def _calendar_date(value: str) -> str:
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date: write it as YYYY-MM-DD") from None
    return value


CalendarDate = Annotated[str, AfterValidator(_calendar_date)]
