"""Announcements from a team member to the residents of their villages, and their delivery status."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import Announcement, Role, User
from bot.db.repositories import announcements as repo
from bot.db.repositories import outbox as outbox_repo
from bot.db.repositories import people
from bot.services import oa_window
from bot.services.errors import UserError
from bot.services.outbox import enqueue_for_users
from bot.services.roles import require_team

TEXT_MIN = 5
TEXT_MAX = 3500  # Telegram allows 4096; leave room for the header


@dataclass(frozen=True)
class Delivery:
    """How an announcement's messages fared."""

    pending: int
    sent: int
    failed: int
    blocked: int
    outside_window: int = 0  # Zalo OA: the person has not written to the OA for 48 h (not tried, or refused)
    out_of_quota: int = 0  # Zalo OA: the 8 messages of her window were used up (counted ahead, or -311)

    @property
    def total(self) -> int:
        return self.pending + self.sent + self.failed + self.blocked + self.outside_window + self.out_of_quota


def check_text(text: str) -> str:
    clean = text.strip()
    if len(clean) < TEXT_MIN:
        raise UserError("Nội dung thông báo ngắn quá. Bạn gõ đầy đủ nội dung cần báo cho bà con nhé.")
    if len(clean) > TEXT_MAX:
        raise UserError(f"Thông báo dài quá ({len(clean)} ký tự). Bạn rút gọn dưới {TEXT_MAX} ký tự nhé.")
    return clean


def check_villages(user: User | None, village_ids: list[str], app: AppContext) -> str:
    """All villages known and managed by `user`, in one commune; returns the commune id."""
    require_team(user)
    if not village_ids:
        raise UserError("Bạn chưa chọn thôn nào để gửi thông báo.")
    communes = set()
    for village_id in village_ids:
        if village_id not in app.places.villages:
            raise UserError("Thôn này không có trong danh sách. Bạn chọn thôn bằng nút bấm nhé.")
        require_team(user, village_id)
        communes.add(app.places.village_commune[village_id])
    if len(communes) != 1:
        raise UserError("Mỗi thông báo chỉ gửi cho các thôn trong cùng một xã.")
    return communes.pop()


async def recipient_count(session: AsyncSession, user: User | None, village_ids: list[str], app: AppContext) -> int:
    check_villages(user, village_ids, app)
    return await people.count_residents_of_villages(session, village_ids)


OUTSIDE_WINDOW_REASON = "lâu không nhắn tin với OA của xã"


NO_QUOTA_REASON = f"OA của xã đã gửi họ đủ {oa_window.QUOTA} tin kể từ lần cuối họ nhắn"


async def outside_window_count(
    session: AsyncSession, village_ids: list[str], now: datetime, has_image: bool = False
) -> oa_window.Unreachable:
    """How many of the recipients on the commune's Zalo OA Zalo will refuse: silent for 48 h, or their
    reply quota used up (counted ahead: services/oa_window.py)."""
    return await oa_window.unreachable_in_villages(session, village_ids, now, has_image)


async def outside_window_in_commune(session: AsyncSession, commune_id: str, now: datetime) -> int:
    """People of a commune on the OA whom a message cannot reach now (the officials' dashboard)."""
    return (await oa_window.unreachable_in_commune(session, commune_id, now)).silent


def outside_window_note(unreachable: oa_window.Unreachable) -> str:
    lines = []
    if unreachable.silent:
        lines.append(f"\n⚠️ {unreachable.silent} người sẽ không nhận được trên Zalo vì {OUTSIDE_WINDOW_REASON} "
                     "(quá 48 giờ).")
    if unreachable.no_quota:
        lines.append(f"\n⚠️ {unreachable.no_quota} người sẽ không nhận được trên Zalo vì {NO_QUOTA_REASON} "
                     f"(Zalo cho gửi tối đa {oa_window.QUOTA} tin trong 48 giờ).")
    return "".join(lines)


def message_text(text: str, village_ids: list[str], app: AppContext) -> str:
    names = ", ".join(app.places.villages[v].name for v in village_ids if v in app.places.villages)
    return f"📣 Thông báo của Tổ công nghệ số cộng đồng ({names}):\n\n{text}"


async def send(
    session: AsyncSession,
    app: AppContext,
    user: User | None,
    text: str,
    village_ids: list[str],
    now: datetime,
    image_path: str | None = None,
) -> tuple[Announcement, int]:
    """Record the announcement and write one outbox row per resident; returns it and the count."""
    commune_id = check_villages(user, village_ids, app)
    assert user is not None
    clean = check_text(text)
    ann = await repo.add_announcement(
        session,
        Announcement(
            author_id=user.id,
            commune_id=commune_id,
            village_ids=list(village_ids),
            text=clean,
            image_path=image_path,
            created_at=now,
        ),
    )
    residents = await people.residents_of_villages(session, village_ids)
    count = await enqueue_for_users(
        session, app, f"ann:{ann.id}", residents, message_text(clean, village_ids, app), now, image_path=image_path
    )
    return ann, count


async def delivery(session: AsyncSession, user: User | None, ann_id: int) -> tuple[Announcement, Delivery]:
    """Delivery status of an announcement; only its author (or an admin) may see it."""
    require_team(user)
    assert user is not None
    ann = await repo.get_announcement(session, ann_id)
    if ann is None or (ann.author_id != user.id and user.role != Role.ADMIN):
        raise UserError("Không tìm thấy thông báo này.")
    counts = await outbox_repo.status_counts(session, f"ann:{ann.id}")
    return ann, Delivery(
        pending=counts.get(outbox_repo.PENDING, 0),
        sent=counts.get(outbox_repo.SENT, 0),
        failed=counts.get(outbox_repo.FAILED, 0) + counts.get(outbox_repo.EXPIRED, 0),
        blocked=counts.get(outbox_repo.BLOCKED, 0),
        outside_window=counts.get(outbox_repo.OUT_OF_WINDOW, 0),
        out_of_quota=counts.get(outbox_repo.OUT_OF_QUOTA, 0),
    )


async def recent(session: AsyncSession, user: User | None, limit: int = 5) -> list[Announcement]:
    require_team(user)
    assert user is not None
    return await repo.announcements_by(session, user.id, limit)


ORPHAN_AGE = timedelta(days=1)  # a draft's photo waits this long for its announcement to be sent


async def delete_orphan_uploads(session: AsyncSession, uploads_dir: Path, now: datetime) -> int:
    """Delete uploaded photos no announcement uses that are older than ORPHAN_AGE: drafts never sent,
    and drafts of people who deleted their data meanwhile. Returns how many files were deleted."""
    in_use = await repo.image_paths_in_use(session)
    cutoff = (now - ORPHAN_AGE).timestamp()

    def sweep() -> int:
        used = {str(Path(p).resolve()) for p in in_use}
        if not uploads_dir.is_dir():
            return 0
        deleted = 0
        for path in uploads_dir.iterdir():
            if path.is_file() and str(path.resolve()) not in used and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                deleted += 1
        return deleted

    return await asyncio.to_thread(sweep)

