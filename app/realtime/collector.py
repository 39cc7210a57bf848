"""The garbage collector, managed so that it never stops a busy room for long.

A 5,000-phone room keeps about a million objects alive (the connections, uvicorn's and
websockets' protocol objects, the room), and each connection leaves about a hundred
objects in reference cycles behind when it opens and when it closes (uvicorn's HTTP
protocol after the upgrade, the closed connection's tasks). CPython's full collection
looks at every live object: left to itself it ran every 20 to 30 phase changes and
stopped the server for 450–600 ms, long enough for phones to miss a pong and reconnect,
which made more garbage.

So, every ``TICK`` seconds: collect what is not frozen (only what appeared since the
last tick: a few milliseconds) and freeze what survived (``gc.freeze``), so that no
collection looks at it again. Frozen objects that become garbage later (a phone that
left) are freed as usual when nothing refers to them; only those in cycles wait for a
sweep: unfreeze, collect everything, freeze again. A sweep takes as long as a full
collection, so it runs only when the rooms have been quiet (nothing stored, no screen
come or gone) for ``QUIET`` seconds, or after ``SWEEP_AFTER`` seconds at the latest,
and only when the frozen objects have grown by half since the last sweep or a room has
left memory since (:func:`released`: idle, closed or deleted, its objects in cycles wait
among the frozen, and nothing new grows the frozen in a server whose rooms went idle).
The collection counts are raised too (``THRESHOLDS``): fewer, still short, young
collections.

While screens pour in (``STORM`` or more came in the last tick: a restarted server taking
a whole room back), a tick only freezes: collecting first would walk every new
connection's objects, 30-40 ms a tick and a twentieth of the CPU that brings the room
back. What cycles that froze as garbage (the young ones since the last collection) wait
for the next quiet sweep, which such a storm has due anyway (the frozen grew).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

TICK = 1.0  # seconds between two collect-and-freeze steps
QUIET = 20.0  # seconds without a write or a screen coming or going before a sweep may run
SWEEP_AFTER = 1800.0  # seconds after which a sweep runs anyway if the frozen grew by half
THRESHOLDS = (10_000, 20, 1_000)  # young collections every 10,000 allocations, not 700
STORM = 100  # screens come in one tick: a tick only freezes (a room joining by QR: ~1 a second)


_active_at = 0.0  # time.monotonic() of the latest write, or screen come or gone
_released = False  # a room left memory since the last sweep
_arrived = 0  # screens come since the last tick


def busy() -> None:
    """Something happened in a room (the writer and the fan-out say so): no sweep now."""
    global _active_at
    _active_at = time.monotonic()


def arrived() -> None:
    """A screen came into a room (the fan-out says so): busy, and counted for ``STORM``."""
    global _arrived
    busy()
    _arrived += 1


def released() -> None:
    """A room left memory (the hub dropped it): sweep at the next quiet moment, so that
    what it held in cycles is freed even if nothing else grows the frozen."""
    global _released
    _released = True


class Collector:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._swept_at = clock()
        self._frozen_after_sweep = self._frozen = 0  # objects frozen: after the last sweep, now
        self._uncollected = False  # frozen without collecting (a storm) since the last sweep
        self._thresholds = gc.get_threshold()

    def start(self) -> None:
        """Freeze what is there at start (the code, the app) and take over the thresholds."""
        global _arrived
        _arrived = 0
        self._thresholds = gc.get_threshold()
        gc.set_threshold(*THRESHOLDS)
        self._frozen_after_sweep = self._freeze()
        self._frozen = self._frozen_after_sweep

    @staticmethod
    def _freeze() -> int:
        """Collect what is not frozen, freeze what survived; how many that were. (Counted
        before they join the frozen: gc.get_freeze_count walks all of them, 50 ms at
        5,000 phones.)"""
        gc.collect()
        survivors = len(gc.get_objects(generation=2))  # after a collection, all are there
        gc.freeze()
        return survivors

    def tick(self) -> None:
        global _arrived
        storm, _arrived = _arrived >= STORM, 0
        if storm:
            gc.freeze()  # no walk while they come; the next sweep frees what it froze in cycles
            self._uncollected = True
        else:
            self._frozen += self._freeze()  # only what appeared since the last tick: short
        now = self._clock()
        grown = self._frozen > 1.5 * self._frozen_after_sweep
        quiet = now - _active_at >= QUIET
        if (grown or _released or self._uncollected) and (quiet or now - self._swept_at >= SWEEP_AFTER):
            self.sweep()

    def sweep(self) -> None:
        """Collect everything, frozen or not, and freeze what is left."""
        global _released
        _released = self._uncollected = False
        started = time.perf_counter()
        gc.unfreeze()
        kept = self._freeze()
        self._swept_at = self._clock()
        log.info(
            "garbage sweep: %d objects kept frozen (%d before), %.0f ms",
            kept,
            self._frozen,
            (time.perf_counter() - started) * 1000,
        )
        self._frozen = self._frozen_after_sweep = kept

    def stop(self) -> None:
        """The collector as it was (a test process runs many apps one after another)."""
        gc.unfreeze()
        gc.set_threshold(*self._thresholds)

    async def run(self, stopping: asyncio.Event) -> None:
        self.start()
        try:
            while not stopping.is_set():
                try:
                    await asyncio.wait_for(stopping.wait(), TICK)
                except TimeoutError:
                    self.tick()
        finally:
            self.stop()
