"""Token buckets: a sustained rate with room for a short burst."""

from __future__ import annotations

import time
from collections import OrderedDict


class TokenBucket:
    def __init__(self, rate: float, burst: float, *, clock: object = time.monotonic) -> None:
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._at = self._now()

    def _now(self) -> float:
        return self._clock()  # type: ignore[operator, no-any-return]

    def take(self, amount: float = 1.0) -> bool:
        if self.allows(amount):
            self._tokens -= amount
            return True
        return False

    def allows(self, amount: float = 1.0) -> bool:
        """Whether ``amount`` could be taken now (nothing is taken)."""
        now = self._now()
        self._tokens = min(self.burst, self._tokens + (now - self._at) * self.rate)
        self._at = now
        return self._tokens >= amount


class KeyedLimiter:
    """One bucket per key (an IP address), forgetting the oldest keys beyond ``max_keys``."""

    def __init__(self, rate: float, burst: float, max_keys: int = 10_000) -> None:
        self.rate, self.burst, self.max_keys = rate, burst, max_keys
        self._buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def take(self, key: str) -> bool:
        return self._bucket(key).take()

    def allows(self, key: str) -> bool:
        """Whether this key has budget left (nothing is taken)."""
        return self._bucket(key).allows()

    def _bucket(self, key: str) -> TokenBucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate, self.burst)
            if len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        return bucket
