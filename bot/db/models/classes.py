"""Village classes: the class, registrations, attendance, and the team's announcements."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class ClassStatus(StrEnum):
    """A class's life; the values are what the `classes.status` column stores."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DONE = "done"  # attendance saved


class Klass(Base):
    """A class held by a community tech team ("class" is a Python keyword)."""

    __tablename__ = "classes"
    __table_args__ = (UniqueConstraint("checkin_token", name="uq_classes_checkin_token"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commune_id: Mapped[str] = mapped_column(String(64), index=True)
    village_ids: Mapped[list[Any]] = mapped_column(default=list)  # empty = whole commune
    title: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[str | None] = mapped_column(String(64))
    place: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(index=True)
    capacity: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ClassStatus.SCHEDULED)
    # Check-in (migration 0012): the short code typed in chat and the token the poster's QR carries.
    # Both are printed on a public poster, so they are not credentials; given on the first poster.
    checkin_code: Mapped[str | None] = mapped_column(String(8), index=True)
    checkin_token: Mapped[str | None] = mapped_column(String(48))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClassRegistration(Base):
    __tablename__ = "class_registrations"
    __table_args__ = (UniqueConstraint("class_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]


class AttendanceVia(StrEnum):
    """How an attendance row came about; the values are what `attendance.via` stores."""

    TEAM = "team"  # ticked or typed by the team member
    CHECKIN = "checkin"  # the resident checked herself in (poster QR / deep link / typed code)


class Attendance(Base):
    """Who came to a class: a user (registered or not), or a walk-in known by name only.
    One row per class and user (migration 0012), so a second check-in changes nothing."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("class_id", "user_id", name="uq_attendance_class_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("classes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    walk_in_name: Mapped[str | None] = mapped_column(String(128))
    village_id: Mapped[str | None] = mapped_column(String(64))
    marked_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    marked_at: Mapped[datetime] = mapped_column(default=utcnow)
    via: Mapped[str] = mapped_column(String(16), default=AttendanceVia.TEAM, server_default=AttendanceVia.TEAM.value)


class Announcement(Base):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    commune_id: Mapped[str] = mapped_column(String(64), index=True)
    village_ids: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[str] = mapped_column(Text)
    image_path: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
