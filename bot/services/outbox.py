"""Write messages to the outbox for users (one row each) and nudge the sender."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import User
from bot.db.repositories import outbox as repo
from bot.messages import Button
from bot.services import oa_window


def recipients(users: Iterable[User]) -> list[repo.Recipient]:
    """Recipients among `users`: only those who have not blocked the bot."""
    return [repo.Recipient(u.id, u.channel, u.chat_id) for u in users if u.blocked_at is None]


def stored_buttons(buttons: Iterable[Iterable[Button]]) -> list[Any]:
    return [[[b.label, b.payload] for b in row] for row in buttons]


async def enqueue_for_users(
    session: AsyncSession,
    app: AppContext | None,
    ref: str,
    users: Iterable[User],
    text: str,
    now: datetime,
    buttons: Iterable[Iterable[Button]] = (),
    image_path: str | None = None,
) -> int:
    """One pending row per user (idempotent per ref); returns how many rows were added. Rows the Zalo OA
    would refuse (outside the person's window, or over its reply quota: oa_window) are marked at once."""
    to = recipients(users)
    added = await repo.enqueue(session, ref, to, text, now, buttons=stored_buttons(buttons), image_path=image_path)
    if any(r.channel == oa_window.CHANNEL for r in to):
        await oa_window.mark_unreachable(
            session, ref, now, image_path is not None, repo.OUT_OF_WINDOW, repo.OUT_OF_QUOTA
        )
    if added and app is not None:
        wake = app.wake_outbox
        if wake is not None:  # after the turn's transaction commits, so the sender sees the rows
            event.listen(session.sync_session, "after_commit", lambda _s: wake(), once=True)
    return added
