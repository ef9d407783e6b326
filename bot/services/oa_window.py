"""Zalo OA interaction windows and the reply quota, counted ahead (ZALO.md).

Zalo's rules: consultation messages are free within 48 h of the person's last message, at most 8 of them
in that window (-311 beyond); between 48 h and 7 days they are refused as "cannot respond after 48 h"
(-305), after 7 days -230. So before a broadcast or reminder goes out the outbox knows, per person:
- outside the window: her last message is older than 48 h (minus `MARGIN`, for clock skew between Zalo's
  timestamps and ours: we would rather skip someone at 47 h 55 min than be refused);
- over the quota: the OA messages sent to her since her last message, plus her other pending OA
  broadcasts, plus what this one needs (a text, and a picture if there is one), exceed 8.
Both are marked at once with their own outcome (`zalo_window`, `zalo_quota`), never tried, and the
announcement preview says how many and why.

Where the figures come from: the Zalo OA channel records her message time exactly — Zalo's own event
timestamp — on each message (one indexed UPDATE), and adds each delivery to `oa_sent_since`. The engine's
`last_seen_at` is only written every 10 minutes (it feeds statistics); reusing it could misjudge the
window by 10 minutes and could not reset the quota count, so the OA has its own two columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.repositories import oa_window as repo

CHANNEL = repo.OA
OA_WINDOW = timedelta(hours=48)  # free consultation replies within 48 h of the person's last message
MARGIN = timedelta(minutes=5)
QUOTA = 8  # consultation messages per 48 h window


def window_start(now: datetime) -> datetime:
    """People whose last message is older than this are outside the window."""
    return now - OA_WINDOW + MARGIN


def messages_needed(has_image: bool) -> int:
    """OA messages one broadcast takes: its text (announcements are under 2,000 characters) and a picture."""
    return 2 if has_image else 1


@dataclass(frozen=True)
class Unreachable:
    silent: int  # outside the 48 h window
    no_quota: int  # inside it, but Zalo's 8 messages are used up

    @property
    def total(self) -> int:
        return self.silent + self.no_quota


async def unreachable_in_villages(
    session: AsyncSession, village_ids: list[str], now: datetime, has_image: bool = False
) -> Unreachable:
    if not village_ids:
        return Unreachable(0, 0)
    silent, no_quota = await repo.count_unreachable(
        session, repo.in_villages(village_ids), window_start(now), QUOTA, messages_needed(has_image)
    )
    return Unreachable(silent, no_quota)


async def unreachable_in_commune(session: AsyncSession, commune_id: str, now: datetime) -> Unreachable:
    silent, no_quota = await repo.count_unreachable(
        session, repo.in_commune(commune_id), window_start(now), QUOTA, messages_needed(False)
    )
    return Unreachable(silent, no_quota)


async def mark_unreachable(
    session: AsyncSession, ref: str, now: datetime, has_image: bool, window_status: str, quota_status: str
) -> Unreachable:
    """Mark `ref`'s pending OA rows that Zalo would refuse; they are never tried."""
    silent, no_quota = await repo.mark_unreachable(
        session, ref, window_start(now), QUOTA, messages_needed(has_image), window_status, quota_status
    )
    return Unreachable(silent, no_quota)


class WindowLog:
    """What the Zalo OA channel reports (its `window_log`): her messages and its deliveries, each in its
    own short transaction (the channel knows nothing of the database)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]) -> None:
        self._sessionmaker = sessionmaker
        self._clock = clock

    async def received(self, user_id: str, at: datetime) -> None:
        async with self._sessionmaker() as session, session.begin():
            await repo.message_received(session, user_id, at)

    async def sent(self, user_id: str, count: int, at: datetime | None = None) -> None:
        async with self._sessionmaker() as session, session.begin():
            await repo.messages_sent(session, user_id, count, at or self._clock())
