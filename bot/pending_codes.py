"""Invite codes sent before consent, held in memory until she agrees (issue 12, item 11).

Ground floor like bot/throttle.py: no application imports; one `PendingCodes` per process (AppContext).

`/ma CODE` may come before «Đồng ý». Nothing may be stored before consent, so the code is not
written anywhere: on channels with buttons it rides in the «✅ Đồng ý» button's payload
(`c:yesma:CODE`), and for a typed «1» or «đồng ý» (Zalo Bot, where the engine maps the number to the
fixed consent buttons) it waits here, in this process's memory only:

- the key is the keyed hash of (channel, platform user id) that `bot.services.dedupe.user_tag` makes
  (the caller passes it), so the map holds no platform id; the value is the code (an invite, not a
  fact about her) and its expiry;
- an entry lives `TTL` (30 minutes) and the map holds at most `MAX_ENTRIES` (the oldest go first),
  so strangers cannot grow it without bound;
- it is redeemed when she consents; a restart, or her «1» reaching another instance, loses it, and
  she is then asked to send `/ma CODE` again once she has agreed (docs/architecture.md).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

TTL = timedelta(minutes=30)
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _Pending:
    code: str
    expires_at: datetime


class PendingCodes:
    """user tag -> the invite code she sent before consenting, for `TTL`."""

    def __init__(self, ttl: timedelta = TTL, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: OrderedDict[str, _Pending] = OrderedDict()
        self._ttl = ttl
        self._max = max_entries

    def __len__(self) -> int:
        return len(self._entries)

    def remember(self, key: str, code: str, now: datetime) -> None:
        self._entries.pop(key, None)
        self._entries[key] = _Pending(code, now + self._ttl)
        self._drop_expired(now)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def get(self, key: str, now: datetime) -> str | None:
        """Her waiting code, None if there is none or it expired.

        Read, not removed: if the consent turn fails and is rolled back, her next «1» finds it again.
        After consent it is never asked for again (she exists), and it expires or is forgotten with
        her data (`forget`)."""
        self._drop_expired(now)
        found = self._entries.get(key)
        return found.code if found is not None else None

    def forget(self, key: str) -> None:
        self._entries.pop(key, None)

    def _drop_expired(self, now: datetime) -> None:
        while self._entries:
            key, oldest = next(iter(self._entries.items()))
            if oldest.expires_at > now:
                break
            del self._entries[key]
