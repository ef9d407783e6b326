"""Messages to the admins about the running system (a channel out of quota), through the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.repositories import users as users_repo
from bot.services.outbox import enqueue_for_users

QUOTA_TEXT = {
    "zalo": (
        "⚠️ Zalo báo bot đã hết hạn mức gửi tin (gói miễn phí của Zalo Bot chỉ có 3.000 tin mỗi tháng). "
        "Các tin gửi qua Zalo đang tạm dừng; hệ thống sẽ tự thử lại sau, không gửi dồn dập.\n"
        "Nếu xã cần gửi nhiều hơn, hãy chuyển sang Zalo OA của xã (xem hướng dẫn triển khai)."
    ),
}


def quota_ref(channel: str, now: datetime) -> str:
    """One notice per channel and day, whatever the number of instances or 429s."""
    return f"ops:quota:{channel}:{now.date().isoformat()}"


async def tell_admins_quota(session: AsyncSession, app: AppContext, channel: str, now: datetime) -> int:
    """Queue the out-of-quota notice for every admin (once per day); returns how many were queued."""
    admins = await users_repo.admins(session)
    text = QUOTA_TEXT.get(channel, f"⚠️ Kênh {channel} đã hết hạn mức gửi tin; các tin đang tạm dừng.")
    return await enqueue_for_users(session, app, quota_ref(channel, now), admins, text, now)
