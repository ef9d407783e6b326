"""SQLAlchemy 2 typed models: the whole schema. Change it only together with an Alembic migration."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.db.types import UTCDateTime, utcnow


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Role(StrEnum):
    """Who a user is; the values are what the `users.role` column stores."""

    RESIDENT = "resident"
    TEAM = "team"
    OFFICIAL = "official"
    ADMIN = "admin"


class ClassStatus(StrEnum):
    """A class's life; the values are what the `classes.status` column stores."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    DONE = "done"  # attendance saved


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


class WebLoginToken(Base):
    """One-time dashboard login link (stored hashed)."""

    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class WebSession(Base):
    """Dashboard session (cookie value stored hashed)."""

    __tablename__ = "web_sessions"

    session_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


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


class ZaloOaToken(Base):
    """The Zalo OA's current OAuth tokens (one row per app). Each refresh replaces the refresh token and
    kills the old one, so the row is only changed under a lock (see repositories/oa_tokens.py)."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    access_expires_at: Mapped[datetime]
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


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


class DownloadLink(Base):
    """A one-time download of a report (for channels that cannot send files, e.g. Zalo): the token is
    stored hashed; the file is built when the link is opened, after the owner's access is re-checked."""

    __tablename__ = "download_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    commune_id: Mapped[str] = mapped_column(String(64))
    period_key: Mapped[str] = mapped_column(String(16))
    fmt: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


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


class FileLink(Base):
    """A file for someone whose channel cannot receive files (the Zalo OA), downloaded once through
    /tep/<token> within a day; the token is stored hashed, the row deleted once used or expired."""

    __tablename__ = "file_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(128))
    mime_type: Mapped[str] = mapped_column(String(128))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
