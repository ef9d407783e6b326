"""One-time report downloads, for the official whose channel cannot receive files (Zalo).

`/baocao` on such a channel gets a link `<public URL>/taive/<token>`: the token is unguessable
(32 random bytes, stored hashed), belongs to one official, expires after TTL and works once. The
file is built when the link is used, after the owner's access to the commune is checked again, so a
link outliving a role change gives nothing.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import User
from bot.db.repositories import downloads as repo
from bot.messages import Document
from bot.services import link_tokens, periods, reports, stats
from bot.services.errors import UserError
from bot.services.roles import require_official

TTL = timedelta(hours=24)
PATH = "/taive/"
FORMATS = ("xlsx", "pdf")
UNKNOWN = "Liên kết tải báo cáo không đúng."
USED = "Liên kết này đã được dùng để tải báo cáo. Mỗi liên kết chỉ tải được một lần."
EXPIRED = "Liên kết tải báo cáo đã hết hạn (chỉ có hiệu lực 24 giờ)."
AGAIN = " Gõ /baocao trong chat để nhận liên kết mới."


async def create_link(
    session: AsyncSession,
    app: AppContext,
    user: User | None,
    commune_id: str,
    period: periods.Period,
    fmt: str,
    now: datetime,
) -> str:
    """A link that downloads this commune's report for `period` once, within TTL."""
    official = require_official(user, commune_id)
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    token = link_tokens.new_token()
    await repo.add(session, link_tokens.digest(token), official.id, commune_id, period.key, fmt, now, now + TTL)
    return app.settings.public_base_url.rstrip("/") + PATH + token


async def check(session: AsyncSession, token: str, now: datetime) -> str:
    """Why the link cannot be used ("" if it can), without using it."""
    row = await repo.by_token(session, link_tokens.digest(token))
    if row is None:
        return UNKNOWN
    if row.used_at is not None:
        return USED
    if row.expires_at <= now:
        return EXPIRED
    return ""


async def take(session: AsyncSession, app: AppContext, token: str, now: datetime) -> Document:
    """Use the link (once) and build its file; UserError with a Vietnamese reason if refused."""
    reason = await check(session, token, now)
    if reason:
        raise UserError(reason + AGAIN)
    row = await repo.by_token(session, link_tokens.digest(token))
    assert row is not None
    owner = await session.get(User, row.user_id)
    stats.authorize(owner, app, row.commune_id)  # the role may have changed since
    if not await repo.use(session, row.id, now):  # another request took it first
        raise UserError(USED + AGAIN)
    period = periods.parse_period_key(row.period_key, now, app.settings.tz)
    ov = await stats.commune_overview(session, app, row.commune_id, period, with_trend=False)
    if row.fmt == "pdf":
        body = await asyncio.to_thread(reports.overview_pdf, ov, app.settings.tz, now)
        return Document(reports.report_filename(ov, "pdf"), body, reports.PDF_MIME)
    body = await asyncio.to_thread(reports.overview_xlsx, ov, app.settings.tz, now)
    return Document(reports.report_filename(ov), body, reports.XLSX_MIME)
