"""State of the running service: secrets, the scheduler's lease, the Zalo OA tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class AppSecret(Base):
    """A server secret generated once and shared by every instance (e.g. the dedupe-key HMAC key)."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Lease(Base):
    """A named lease (e.g. the scheduler leader): one owner at a time, taken over when it expires."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class ZaloOaToken(Base):
    """The Zalo OA's current OAuth tokens (one row per app). Each refresh replaces the refresh token and
    kills the old one, so the row is only changed under a lock (see repositories/oa_tokens.py)."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    access_expires_at: Mapped[datetime]
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
