"""python-telegram-bot's rate limiter hook, paying every call to a chat from the bot's `SendBudget`.

Conversation replies take slots first (see bot/channels/budget.py). A 429 answered to a reply
makes only that call wait its `retry_after` (then it is tried again, up to `max_retries` times)
and pauses broadcasts for as long; other residents' replies go on. Calls without a chat
(getUpdates, answerCallbackQuery, getMe) are not paced.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.channels.budget import Priority, SendBudget

log = logging.getLogger(__name__)

JSONish = bool | dict[str, Any] | list[dict[str, Any]]


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after  # a timedelta with PTB_TIMEDELTA on (bot/channels/telegram.py); seconds if turned off
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


class BudgetRateLimiter(BaseRateLimiter[int]):
    """Pays each call to a chat with one slot of `budget`; `max_retries` retries after a 429."""

    def __init__(self, budget: SendBudget, max_retries: int = 0) -> None:
        self.budget = budget
        self.max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONish]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> JSONish:
        if data.get("chat_id") is None:
            return await callback(*args, **kwargs)
        retries = self.max_retries if rate_limit_args is None else rate_limit_args
        for attempt in range(retries + 1):
            await self.budget.take()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                wait = retry_after_seconds(exc)
                self.budget.pause(Priority.BROADCAST, wait)
                if attempt == retries:
                    raise
                log.info("telegram %s answered 429; this call retries in %.1f s", endpoint, wait)
                await asyncio.sleep(wait + 0.1)
        raise AssertionError("unreachable")
