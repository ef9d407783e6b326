"""People and their conversation: users (only after consent), conversation state, handled updates, roles and invites."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class Role(StrEnum):
    """Who a user is; the values are what the `users.role` column stores."""

    RESIDENT = "resident"
    TEAM = "team"
    OFFICIAL = "official"
    ADMIN = "admin"


class User(Base):
    """A person who consented. Nothing is stored about people who did not."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "platform_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    platform_id: Mapped[str] = mapped_column(String(64))
    chat_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(128))
    commune_id: Mapped[str | None] = mapped_column(String(64), index=True)
    village_id: Mapped[str | None] = mapped_column(String(64), index=True)
    consent_at: Mapped[datetime]
    role: Mapped[str] = mapped_column(String(16), default=Role.RESIDENT)
    role_commune_id: Mapped[str | None] = mapped_column(String(64))
    role_village_ids: Mapped[list[Any]] = mapped_column(default=list)
    blocked_at: Mapped[datetime | None]
    read_aloud: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # «Luôn đọc to»
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Zalo OA window accounting (migration 0013; docs/architecture.md «Zalo OA windows»): the time of her
    # last message to the OA, exact (Zalo's own timestamp), and the OA messages sent to her since then.
    oa_last_message_at: Mapped[datetime | None]
    oa_sent_since: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ConversationState(Base):
    """Where a user is in a conversation; in the database so restarts and other instances continue it."""

    __tablename__ = "conversation_states"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    flow: Mapped[str] = mapped_column(String(32), default="menu")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    buttons: Mapped[list[Any]] = mapped_column(default=list)  # last shown [[label, payload, number], ...]
    # The numbered choices (21, 22…) of the last pushed message with choices she received, written by the
    # outbox with its sent mark (migration 0015; bot/pushed_choices.py); never written by a turn.
    pushed: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProcessedUpdate(Base):
    """Platform updates already handled, so a redelivery changes nothing. `update_id` is a keyed hash
    (bot/services/dedupe.py), never the platform's ids."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[str] = mapped_column(String(96), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class RoleChange(Base):
    """Audit of role changes: the role and scope given, how (`invite` + code, or `cli`), when.
    Deleted with the person (their data, Decree 13)."""

    __tablename__ = "role_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    commune_id: Mapped[str | None] = mapped_column(String(64))
    village_ids: Mapped[list[Any]] = mapped_column(default=list)
    source: Mapped[str] = mapped_column(String(16))  # "invite" | "cli"
    code: Mapped[str | None] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class InviteCode(Base):
    """One-time code granting a role, created by an admin and redeemed in chat with /ma CODE."""

    __tablename__ = "invite_codes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    commune_id: Mapped[str | None] = mapped_column(String(64))
    village_ids: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
