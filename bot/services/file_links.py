"""One-time file links, for people whose channel cannot receive a file (the Zalo OA sends no documents).

`publish` keeps the file's bytes in `file_links` under an unguessable token (32 random bytes, stored
hashed) and returns `<public URL>/tep/<token>`: it belongs to one person, expires after TTL and gives the
file once (the row is deleted when taken, and expired rows when the next link is made). The GET page
does not spend it (link previews), the POST does (bot/web/file_links.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import User
from bot.db.repositories import file_links as repo
from bot.messages import Document
from bot.services import link_tokens
from bot.services.errors import UserError

TTL = timedelta(hours=24)
PATH = "/tep/"
GONE = "Liên kết tải tệp đã được dùng hoặc đã hết hạn (mỗi liên kết tải được một lần, trong 24 giờ)."
AGAIN = " Bạn nhắn lại cho bot để nhận liên kết mới."


async def publish(
    session: AsyncSession, app: AppContext, channel: str, platform_id: str, document: Document, now: datetime
) -> str | None:
    """A one-time link to `document` for the person (None if there is no such consented person)."""
    user_id = await session.scalar(select(User.id).where(User.channel == channel, User.platform_id == platform_id))
    if user_id is None:
        return None
    await repo.purge_expired(session, now)
    token = link_tokens.new_token()
    await repo.add(session, link_tokens.digest(token), user_id, document.filename[:128], document.mime_type[:128],
                   document.content, now, now + TTL)
    return app.settings.public_base_url.rstrip("/") + PATH + token


async def usable(session: AsyncSession, token: str, now: datetime) -> str | None:
    """The file name if the link can be used (without using it), else None."""
    row = await repo.by_token(session, link_tokens.digest(token))
    return row.filename if row is not None and row.expires_at > now else None


async def take(session: AsyncSession, token: str, now: datetime) -> Document:
    """Use the link (once): the file; UserError with a Vietnamese reason if it is gone."""
    row = await repo.by_token(session, link_tokens.digest(token))
    if row is None or not await repo.take(session, row.id, now):
        raise UserError(GONE + AGAIN)
    return Document(row.filename, row.content, row.mime_type)
