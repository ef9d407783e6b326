"""Class reminders, written to the outbox by the scheduler's tick; stale ones are withdrawn."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import Klass
from bot.db.repositories import classes as repo
from bot.db.repositories import outbox as outbox_repo
from bot.services.classes import class_text
from bot.services.outbox import enqueue_for_users
from bot.services.registration import unregister_button


def reminder_ref(klass: Klass, offset: int) -> str:
    return f"cr:{klass.id}:{offset}:{int(klass.starts_at.timestamp()) // 60}"


def _reminder_text(klass: Klass, offset: int, app: AppContext) -> str:
    if offset >= 24 * 60:
        when = "ngày mai" if offset == 24 * 60 else f"sau {offset // (24 * 60)} ngày"
    elif offset >= 60:
        when = f"sau {offset // 60} giờ nữa" if offset % 60 == 0 else f"sau {offset} phút nữa"
    else:
        when = f"sau {offset} phút nữa"
    return (
        f"⏰ Nhắc lịch: lớp «{klass.title}» bắt đầu {when}.\n\n"
        + class_text(klass, app.places, app)
        + "\n\nNhớ mang theo điện thoại đã sạc pin và CCCD nhé!"
    )


async def enqueue_due_reminders(session: AsyncSession, app: AppContext, now: datetime) -> int:
    """Write the reminders that are due now for registered people; returns rows added.

    For each upcoming class only the latest due offset is sent (after downtime, a stale
    1-day reminder is not sent together with the 1-hour one). Reminders of classes that
    have started are never sent: pending ones are marked expired.
    """
    await expire_stale_reminders(session, now)
    offsets = sorted({o for o in app.settings.reminder_offsets_minutes if o > 0})
    if not offsets:
        return 0
    added = 0
    for klass in await repo.scheduled_between(session, now, now + timedelta(minutes=offsets[-1])):
        due = [o for o in offsets if klass.starts_at - timedelta(minutes=o) <= now]
        if not due:
            continue
        offset = due[0]
        users = await repo.registered_users(session, klass.id)
        ref = reminder_ref(klass, offset)
        added += await enqueue_for_users(
            session,
            app,
            ref,
            users,
            _reminder_text(klass, offset, app),
            now,
            [[unregister_button(klass.id)]],
        )
        # On the commune's Zalo OA, people Zalo would refuse (silent 48 h, quota used) are skipped by
        # enqueue_for_users (services/oa_window.py), not failed.
    return added


async def expire_stale_reminders(session: AsyncSession, now: datetime) -> int:
    """Pending reminders whose class has started (the minute is in the ref) are withdrawn."""
    expired = 0
    for ref in await outbox_repo.pending_refs(session, "cr:%"):
        try:
            starts_minute = int(ref.rsplit(":", 1)[1])
        except ValueError:
            continue
        if starts_minute * 60 <= now.timestamp():
            expired += await outbox_repo.cancel_pending(session, ref, status=outbox_repo.EXPIRED)
    return expired


async def next_reminder_at(session: AsyncSession, app: AppContext, now: datetime) -> datetime | None:
    """When the next reminder becomes due (for the scheduler's precise wake-up)."""
    offsets = sorted({o for o in app.settings.reminder_offsets_minutes if o > 0})
    if not offsets:
        return None
    moments = [
        k.starts_at - timedelta(minutes=o)
        for k in await repo.scheduled_between(session, now, now + timedelta(days=400))
        for o in offsets
        if k.starts_at - timedelta(minutes=o) > now
    ]
    return min(moments) if moments else None
