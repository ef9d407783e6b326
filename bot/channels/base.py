"""What every channel adapter offers to the rest of the app.

Adapters know nothing of the database. They receive updates, call a `Handler`
(the engine, wrapped by the app), render the returned replies, and report them through a
`DeliveredHook` (the reply journal). The outbox
sender uses `Sender.send` and reacts to the exceptions below.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from bot.messages import Incoming, Reply

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
"""Engine entry point as seen by a channel: one event in, replies out."""

DeliveredHook = Callable[[Sequence[Reply]], None]
"""Called by a channel once it has sent a turn's replies (or given up on them): the reply journal marks
them delivered (replies carrying a `journal_id`; others are ignored). A cheap, synchronous call."""

BlockedHook = Callable[[str, str], Awaitable[None]]
"""Called as hook(channel, user_id) when the platform says the user blocked the bot."""

QuotaHook = Callable[[str], Awaitable[None]]
"""Called as hook(channel) once when a channel's sending quota runs out (tell the admins)."""


class SendError(Exception):
    """Base class for delivery failures the outbox understands."""


class RecipientBlocked(SendError):
    """The user blocked the bot or the chat no longer exists (Telegram 403). Do not retry."""


class RetryLater(SendError):
    """Rate limited (429) or the platform is down (5xx, network). Retry after `retry_after` seconds."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        super().__init__(message or f"retry after {retry_after}s")
        self.retry_after = retry_after


class QuotaExceeded(RetryLater):
    """The channel's sending quota is used up (Zalo 429, monthly cap included): pause the whole
    channel for `retry_after` seconds; the row waits without using up its attempts."""


class PermanentFailure(SendError):
    """The platform rejected the message itself (400). Do not retry."""


class OutsideWindow(PermanentFailure):
    """Zalo OA -230/-305: the person has not written to the OA recently enough (48 h / 7 days) for a
    consultation message. Final for this message: retrying cannot help until they write again."""


class OutOfQuota(PermanentFailure):
    """Zalo OA -311: the free replies to this person are used up for now. Final, never retried in a loop."""


class Sender(Protocol):
    """Push a reply to a chat outside of a conversation turn (broadcasts, reminders)."""

    channel: str

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver one reply; raise a `SendError` subclass on failure."""
        ...
