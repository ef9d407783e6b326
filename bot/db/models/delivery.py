"""What goes out: the outbox of pushed messages and the reply journal of turns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class OutboxMessage(Base):
    """One message to one recipient. Written before sending; the sender marks it sent/failed/blocked."""

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("ref", "user_id"),
        Index("ix_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(96))  # e.g. "announcement:12", "class:3:remind:60"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[Any]] = mapped_column(default=list)
    image_path: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed|blocked
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReplyEntry(Base):
    """The reply journal: one rendered reply of a turn, written in the turn's transaction, deleted or
    marked delivered once the channel sent it (bot/journal/). `body` is the channel-neutral reply
    (bot/reply_codec.py). `user_id` is NULL for replies to someone who has not consented: such a
    row carries the platform chat id only until it is delivered, then it is deleted."""

    __tablename__ = "reply_journal"
    __table_args__ = (
        Index("ix_reply_journal_update", "channel", "update_key"),
        Index("ix_reply_journal_undelivered", "delivered_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    chat_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    update_key: Mapped[str | None] = mapped_column(String(96))  # the processed-update key (bot/services/dedupe.py)
    body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None]
