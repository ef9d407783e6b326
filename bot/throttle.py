"""Counting failures in a sliding window, in memory (e.g. wrong invite codes per person, per channel).

Ground floor: no application imports. One `FailureLog` per process (on the AppContext); with several
instances each counts its own share, so the effective ceiling is the limit times the instances.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limit:
    limit: int  # failures allowed within `window`
    window: timedelta


class FailureLog:
    """Failure times per key; keys are forgotten when their window empties (bounded by `max_keys`)."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._times: OrderedDict[Hashable, deque[datetime]] = OrderedDict()
        self._max_keys = max_keys

    def _recent(self, key: Hashable, window: timedelta, now: datetime) -> deque[datetime]:
        times = self._times.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - window:
            times.popleft()
        if not times:
            del self._times[key]
        return times

    def wait(self, key: Hashable, rule: Limit, now: datetime) -> timedelta | None:
        """How long until `key` may try again, or None if it may now."""
        times = self._recent(key, rule.window, now)
        if len(times) < rule.limit:
            return None
        return times[-rule.limit] + rule.window - now

    def record(self, key: Hashable, now: datetime) -> None:
        times = self._times.setdefault(key, deque())
        self._times.move_to_end(key)
        times.append(now)
        if len(times) > 1000:  # more than any limit needs
            times.popleft()
        while len(self._times) > self._max_keys:
            self._times.popitem(last=False)
