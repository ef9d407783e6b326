"""How fast the outbox may send on each channel: the configured limits and one pacer per channel.

Overall: broadcast slots of the channel's `SendBudget` (one per bot token, shared with the
conversation replies, which always go first; see bot/channels/budget.py). A pause (429, platform
down) holds broadcasts only; residents' replies go on. Per chat: a minimum spacing between two
sends to the same chat.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.budget import Priority, SendBudget
from bot.config import Settings

MAX_PER_CHAT_LIMITERS = 20_000  # chats remembered for per-chat spacing before the stale ones are dropped


@dataclass(frozen=True)
class ChannelLimits:
    """Messages per second: over all chats, and per chat (None = no per-chat limit)."""

    overall: float
    per_chat: float | None = None


DEFAULT_LIMITS = ChannelLimits(1.0, None)  # a channel nobody configured


def limits_from_settings(settings: Settings) -> dict[str, ChannelLimits]:
    return {
        "telegram": ChannelLimits(settings.telegram_rate_overall, settings.telegram_rate_per_chat),
        "zalo": ChannelLimits(settings.zalo_rate_overall, 1.0),
        "zalo_oa": ChannelLimits(settings.zalo_oa_rate, 1.0),
        "console": ChannelLimits(1000.0, None),
    }


class ChannelPacer:
    """Overall + per-chat pacing of one channel's broadcasts, and their pause after a 429.

    Per chat: the next send to a chat waits until 1/per_chat after the previous one started
    (the dispatcher sends other chats' rows meanwhile).
    """

    def __init__(self, limits: ChannelLimits, budget: SendBudget | None = None) -> None:
        self.limits = limits
        self.budget = budget or SendBudget(limits.overall)
        self.chat_interval = 1.0 / limits.per_chat if limits.per_chat else 0.0
        self.chat_free_at: dict[str, float] = {}  # chat -> loop time its next send may start

    def chat_free_in(self, chat_id: str, now: float) -> float:
        """Seconds until a send to `chat_id` may start (0 = now)."""
        return max(0.0, self.chat_free_at.get(chat_id, 0.0) - now) if self.chat_interval else 0.0

    def chat_started(self, chat_id: str, now: float) -> None:
        """A send to `chat_id` starts now: space the next one."""
        if self.chat_interval:
            if len(self.chat_free_at) > MAX_PER_CHAT_LIMITERS:
                self.chat_free_at = {k: v for k, v in self.chat_free_at.items() if v > now}
            self.chat_free_at[chat_id] = now + self.chat_interval

    async def wait_turn(self) -> None:
        """Until broadcasts are not paused and the budget has a slot residents do not need."""
        await self.budget.acquire(Priority.BROADCAST)

    def pause(self, seconds: float) -> None:
        """No new broadcast send on this channel for `seconds` (a 429's retry_after)."""
        self.budget.pause(Priority.BROADCAST, seconds)
