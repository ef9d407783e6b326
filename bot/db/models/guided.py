"""Learning with a helper: people a team member guided in person, their lessons and the audit trail."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class GuidedPerson(Base):
    """A resident a team member guided without a phone («được hướng dẫn trực tiếp»): her name and year
    of birth (personal data: deleted when an official removes the record or she deletes her data), her
    village, the spoken consent the team member confirmed, who recorded it and when. `user_id` is her
    phone account once a team member confirmed the match; `claim_user_id` a match asked for, unconfirmed."""

    __tablename__ = "guided_people"
    __table_args__ = (
        Index("ix_guided_village", "commune_id", "village_id", "recorded_at"),
        Index("ix_guided_match", "village_id", "name_key", "birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[str] = mapped_column(String(64))
    village_id: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str | None] = mapped_column(String(80))
    name_key: Mapped[str | None] = mapped_column(String(80))  # the name folded (bot.text.fold), for matching
    birth_year: Mapped[int | None] = mapped_column(Integer)
    consent_at: Mapped[datetime]
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime]
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    linked_at: Mapped[datetime | None]
    claim_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    claimed_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]
    removed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class GuidedLesson(Base):
    """A lesson practised together with a team member (one row per guided person and lesson)."""

    __tablename__ = "guided_lessons"

    guided_id: Mapped[int] = mapped_column(ForeignKey("guided_people.id", ondelete="CASCADE"), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class GuidedEvent(Base):
    """The audit trail of a guided record: recorded, match asked, linked, match refused, removed, erased;
    by whom (NULL once that person deleted their account) and when. Kept when the record is removed."""

    __tablename__ = "guided_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    guided_id: Mapped[int] = mapped_column(ForeignKey("guided_people.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
