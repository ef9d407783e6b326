"""Password-less dashboard login: a one-time link sent in chat, then an HttpOnly session cookie."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import Role, User
from bot.db.repositories import weblogin as repo
from bot.services import link_tokens
from bot.services.errors import UserError
from bot.services.roles import require_official

LINK_TTL = timedelta(minutes=10)
LOGIN_PATH = "/dangnhap/"


def csrf_token(raw_session: str) -> str:
    """A per-session token for POST forms, derived from the (secret) cookie value."""
    return hmac.new(raw_session.encode(), b"csrf", hashlib.sha256).hexdigest()[:32]


def csrf_ok(raw_session: str, given: str) -> bool:
    return hmac.compare_digest(csrf_token(raw_session), given or "")


async def create_login_link(session: AsyncSession, app: AppContext, user: User | None, now: datetime) -> str:
    """A one-time link valid for 10 minutes, for an official or admin."""
    official = require_official(user)
    token = link_tokens.new_token()
    await repo.add_token(session, link_tokens.digest(token), official.id, now + LINK_TTL)
    return app.settings.public_base_url.rstrip("/") + LOGIN_PATH + token


@dataclass(frozen=True)
class LinkState:
    ok: bool
    reason: str  # "" when ok; else a Vietnamese explanation


async def check_link(session: AsyncSession, token: str, now: datetime) -> LinkState:
    """Whether a link can still be used (without using it)."""
    row = await repo.get_token(session, link_tokens.digest(token))
    if row is None:
        return LinkState(False, "Liên kết đăng nhập không đúng.")
    if row.used_at is not None:
        return LinkState(False, "Liên kết này đã được dùng. Mỗi liên kết chỉ dùng được một lần.")
    if row.expires_at <= now:
        return LinkState(False, "Liên kết đã hết hạn (chỉ có hiệu lực 10 phút).")
    return LinkState(True, "")


async def redeem_link(session: AsyncSession, token: str, now: datetime, hours: int) -> tuple[str, User]:
    """Use the link once; return (raw session cookie value, user). Raise UserError if refused."""
    state = await check_link(session, token, now)
    if not state.ok:
        raise UserError(state.reason + " Hãy gõ /dangnhap trong chat để nhận liên kết mới.")
    user_id = await repo.use_token(session, link_tokens.digest(token), now)
    user = await session.get(User, user_id) if user_id is not None else None
    if user is None:
        raise UserError("Liên kết này đã được dùng. Hãy gõ /dangnhap trong chat để nhận liên kết mới.")
    require_official(user)
    raw = link_tokens.new_token()
    await repo.add_session(session, link_tokens.digest(raw), user.id, now, now + timedelta(hours=hours))
    await repo.delete_expired(session, now)
    return raw, user


async def session_user(session: AsyncSession, raw: str | None, now: datetime) -> User | None:
    """The official/admin behind a session cookie, or None (no, unknown or expired session, or role lost)."""
    if not raw:
        return None
    user = await repo.session_user(session, link_tokens.digest(raw), now)
    if user is None or user.role not in (Role.OFFICIAL, Role.ADMIN):
        return None
    return user


async def logout(session: AsyncSession, raw: str) -> None:
    await repo.delete_session(session, link_tokens.digest(raw))
