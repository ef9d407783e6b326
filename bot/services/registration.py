"""Residents and classes: which upcoming classes I see, registering and unregistering, the buttons for it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.db.models import ClassStatus, Klass, User
from bot.db.repositories import classes as repo
from bot.db.repositories import outbox as outbox_repo
from bot.messages import Button
from bot.services.errors import UserError


@dataclass(frozen=True)
class ClassView:
    klass: Klass
    registered: int
    mine: bool  # the viewer is registered

    @property
    def full(self) -> bool:
        return self.klass.capacity is not None and self.registered >= self.klass.capacity


def register_buttons(class_id: int) -> list[list[Button]]:
    return [[cb.ClassRegister(class_id).button("✅ Tôi sẽ tham gia")], [cb.ClassList().button("📅 Lịch lớp học")]]


def unregister_button(class_id: int, label: str = "❌ Hủy đăng ký", number: int | None = None) -> Button:
    """The one «Hủy đăng ký» button: in the class list, after registering, on edits and reminders."""
    return cb.ClassUnregister(class_id).button(label, number)


def visible_to(user: User, klass: Klass) -> bool:
    if user.commune_id != klass.commune_id:
        return False
    return not klass.village_ids or user.village_id in klass.village_ids


async def upcoming_for_resident(session: AsyncSession, user: User, now: datetime) -> list[ClassView]:
    """Upcoming classes of my village and commune-wide ones of my commune."""
    if not user.commune_id:
        return []
    found = [k for k in await repo.upcoming_in_commune(session, user.commune_id, now) if visible_to(user, k)]
    ids = [k.id for k in found]
    counts = await repo.registered_counts(session, ids)
    mine = await repo.registered_class_ids(session, user.id, ids)
    return [ClassView(k, counts.get(k.id, 0), k.id in mine) for k in found]


async def register(session: AsyncSession, user: User, class_id: int, now: datetime) -> Klass:
    """Register `user` for a class of their village (capacity permitting). The class row is locked
    first, so concurrent registrations count the seats one after another, never all at once."""
    klass = await repo.lock(session, class_id)
    if klass is None or not visible_to(user, klass):
        raise UserError("Lớp học này không dành cho thôn của bạn, hoặc không còn nữa.")
    if klass.status == ClassStatus.CANCELLED:
        raise UserError("Rất tiếc, lớp học này đã bị hủy.")
    if klass.status != ClassStatus.SCHEDULED or klass.starts_at <= now:
        raise UserError("Lớp học này đã bắt đầu hoặc đã kết thúc, không đăng ký được nữa.")
    reg = await repo.get_registration(session, klass.id, user.id)
    if reg is not None and reg.cancelled_at is None:
        return klass  # already registered: tapping twice changes nothing
    if klass.capacity is not None and await repo.count_registered(session, klass.id) >= klass.capacity:
        raise UserError("Rất tiếc, lớp đã đủ chỗ. Bạn theo dõi các lớp sau nhé.")
    if reg is None:
        await repo.add_registration(session, klass.id, user.id, now)
    else:
        reg.cancelled_at = None
        reg.registered_at = now
    return klass


async def unregister(session: AsyncSession, user: User, class_id: int, now: datetime) -> Klass:
    klass = await repo.get(session, class_id)
    reg = await repo.get_registration(session, class_id, user.id) if klass else None
    if klass is None or reg is None or reg.cancelled_at is not None:
        raise UserError("Bạn chưa đăng ký lớp này.")
    reg.cancelled_at = now
    await outbox_repo.cancel_pending(session, f"cr:{klass.id}:%", user_id=user.id)
    return klass
