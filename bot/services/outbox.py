"""Write messages to the outbox for users (one row each) and nudge the sender."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import User
from bot.db.repositories import outbox as repo
from bot.messages import Button

OA_WINDOW = timedelta(hours=48)  # Zalo OA: free consultation replies within 48 h of the person's last message


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
    """One pending row per user (idempotent per ref); returns how many rows were added."""
    added = await repo.enqueue(
        session, ref, recipients(users), text, now, buttons=stored_buttons(buttons), image_path=image_path
    )
    if added and app is not None:
        wake = app.wake_outbox
        if wake is not None:  # after the turn's transaction commits, so the sender sees the rows
            event.listen(session.sync_session, "after_commit", lambda _s: wake(), once=True)
    return added
