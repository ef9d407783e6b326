"""Learning on the phone: lesson progress, quiz attempts, QR practice tasks, certificates."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db.models.base import Base
from bot.db.types import utcnow


class LessonProgress(Base):
    """One row per user and lesson: the current step, and the completion once the quiz is passed."""

    __tablename__ = "lesson_progress"
    __table_args__ = (
        UniqueConstraint("user_id", "lesson_id"),
        Index("ix_progress_completed", "completed_commune_id", "completed_village_id", "completed_at"),
        Index(  # migration 0004: covering index for the statistics overview
            "ix_progress_commune_stats",
            "completed_commune_id", "completed_village_id", "lesson_id", "completed_at", "user_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    lesson_id: Mapped[str] = mapped_column(String(64), index=True)
    step: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    completed_commune_id: Mapped[str | None] = mapped_column(String(64))
    completed_village_id: Mapped[str | None] = mapped_column(String(64))


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (  # migration 0004: quiz numbers per village of a commune
        Index("ix_quiz_commune_stats", "commune_id", "village_id", "finished_at", "passed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64), index=True)
    answers: Mapped[list[Any]] = mapped_column(default=list)
    score: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool] = mapped_column(Boolean, default=False)
    commune_id: Mapped[str | None] = mapped_column(String(64))
    village_id: Mapped[str | None] = mapped_column(String(64))
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeTask(Base):
    """A real task given in a lesson (e.g. scan a QR code that opens /thuchanh/<token>): one person, one
    token (stored hashed), an expiry; `done_at` and the place at that time count as «thực hành»."""

    __tablename__ = "practice_tasks"
    __table_args__ = (Index("ix_practice_done", "commune_id", "village_id", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    commune_id: Mapped[str | None] = mapped_column(String(64))
    village_id: Mapped[str | None] = mapped_column(String(64))


class Certificate(Base):
    """The completion certificate of the core set: one per person, with the name she chose to have on
    it (optional), the place and core lessons at that time, and a short code an official can check."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(80))
    commune_id: Mapped[str | None] = mapped_column(String(64))
    village_id: Mapped[str | None] = mapped_column(String(64))
    lessons: Mapped[list[Any]] = mapped_column(default=list)
    issued_at: Mapped[datetime]
