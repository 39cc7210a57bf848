"""The word cloud as a PNG, drawn with the ``wordcloud`` package.

Drawing is CPU work (a 1920×1080 layout of 200 words takes about 2 s at full size), so it
never runs on the event loop: it runs in a separate process. It is also coalesced: per
cloud, at most one drawing is in flight; requests that arrive meanwhile wait for it and,
if the cloud changed since it started, one more drawing follows with the newest words.
To keep the 1-second promise on the projector, the layout is computed at a quarter of
the size and drawn scaled up (``scale``), which keeps the letters sharp at 1920×1080, and
the PNG is compressed lightly (200 words: about 0.55 s instead of 2 s; bench/cloud_burst.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

WIDTH, HEIGHT = 1920, 1080
LAYOUT_SCALE = 4  # the layout is computed at 480×270 and drawn four times larger
MAX_WORDS = 150
BACKGROUND = "#0b1a26"  # the projector's background
# Light colours that each keep at least 7:1 contrast on the background.
PALETTE = ("#ffd27a", "#8fd3ff", "#a8f0b0", "#ffb8cf", "#f4f7fa", "#d3c2ff", "#ffc48f")
FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


def font_path() -> str | None:
    """A bold sans font with æøå if the system has one; else the package's own."""
    return next((f for f in FONTS if Path(f).exists()), None)


def _colour(word: str, **_: object) -> str:
    # The same word keeps its colour as the cloud grows.
    return PALETTE[int(hashlib.sha256(word.encode()).hexdigest(), 16) % len(PALETTE)]


def draw(frequencies: dict[str, int], width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The PNG of a cloud. Runs in a worker process; pure function of its input."""
    from wordcloud import WordCloud

    buffer = io.BytesIO()
    if not frequencies:
        from PIL import Image

        Image.new("RGB", (width, height), BACKGROUND).save(buffer, format="PNG")
        return buffer.getvalue()
    cloud = WordCloud(
        width=width // LAYOUT_SCALE,
        height=height // LAYOUT_SCALE,
        scale=LAYOUT_SCALE,
        background_color=BACKGROUND,
        color_func=_colour,
        font_path=font_path(),
        max_words=MAX_WORDS,
        prefer_horizontal=0.9,
        random_state=7,  # the same words give the same picture
        relative_scaling=0.5,
        collocations=False,
        normalize_plurals=False,
    )
    cloud.generate_from_frequencies(frequencies)
    cloud.to_image().save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _exit_with(parent: int) -> None:
    """In the drawing process: end when the server that started it is gone. A server
    killed without a word (kill -9, the out-of-memory killer) cannot stop its pool, and
    the drawing process would wait for ever to hand back a picture, holding its memory."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-server", daemon=True).start()


@dataclass
class _Cloud:
    version: int = -1
    png: bytes = b""
    running: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class CloudRenderer:
    """Coalesced, off-loop drawing of word clouds, one cache entry per cloud."""

    def __init__(self, workers: int = 1) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._workers = workers
        self._clouds: dict[tuple[int, str], _Cloud] = {}  # (workshop id, exercise id)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self._workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_exit_with,
                initargs=(os.getpid(),),
            )
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)

    def forget(self, workshop_id: int) -> None:
        """The workshop left memory (idle, closed or deleted): its pictures go too."""
        for cloud_id in [c for c in self._clouds if c[0] == workshop_id]:
            del self._clouds[cloud_id]

    async def png(
        self, cloud_id: tuple[int, str], current: Callable[[], tuple[int, Callable[[], dict[str, int]]]]
    ) -> bytes:
        """The newest picture of a cloud. ``current`` gives the cloud's version now and how
        to count its words at that version: counted only when a picture is drawn (a
        projector asks for the picture of every board it is shown, mostly one already
        drawn; counting 5,000 distinct words for it took 30 ms of the event loop)."""
        entry = self._clouds.setdefault(cloud_id, _Cloud())
        while True:
            version, _ = current()
            if entry.version >= version:
                return entry.png
            async with entry.lock:  # one drawing at a time; who waited re-checks the version
                version, frequencies = current()
                if entry.version >= version:
                    return entry.png
                loop = asyncio.get_running_loop()
                png = await loop.run_in_executor(self._executor(), draw, frequencies())
                if version > entry.version:
                    entry.version, entry.png = version, png
