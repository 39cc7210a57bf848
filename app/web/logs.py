"""Logs hold no secret: the facilitator's and the projector's keys and the take-home
links' keys are masked in the access log (``/f/K7MXPR/…``), whatever the server or proxy
in front prints."""

from __future__ import annotations

import logging
import re

# /f/<code>/<key>…, /s/<code>/<key>… and /w/<code>/<key>…: the key is the third segment.
_SECRET_PATH = re.compile(r"^(/[fsw]/[^/?#]*/)[^/?#]+")
MASK = "…"


def mask(path: str) -> str:
    return _SECRET_PATH.sub(lambda m: m.group(1) + MASK, path)


class MaskSecrets(logging.Filter):
    """For uvicorn's access log, whose arguments are (client, method, path, version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], mask(args[2]), *args[3:])
        return True


def mask_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, MaskSecrets) for f in access.filters):
        access.addFilter(MaskSecrets())
