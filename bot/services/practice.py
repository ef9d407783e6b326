"""Practice for real: a lesson step gives a task the person does on her phone, and the bot knows.

`qr-scan`: the bot sends a QR picture encoding `<public URL>/thuchanh/<token>`; opening the link
(scanning the code with the camera or Zalo's scanner) marks the task done, the page explains what it
means for a bank QR, and the bot congratulates her in chat through the outbox. A token is
unguessable (32 random bytes, stored hashed), belongs to one person and one lesson, and expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import segno
from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.app_context import AppContext
from bot.content.models import Lesson
from bot.db.models import User
from bot.db.repositories import practice as repo
from bot.services import link_tokens, outbox

TTL = timedelta(days=7)
PATH = "/thuchanh/"
DONE_CHAT = (
    "🎉 Giỏi quá! Bạn đã quét mã QR thành công — bài thực hành «{title}» đã được ghi nhận.\n"
    "Đây là bước đầu tiên khi thanh toán bằng mã QR. Khi trả tiền thật, luôn kiểm tra tên người nhận "
    "và số tiền trước khi xác nhận."
)
PAGE_TITLE = "Bạn đã quét mã QR thành công!"
PAGE_TEXT = "Đây là bước đầu tiên khi thanh toán bằng mã QR — luôn kiểm tra tên người nhận."


class Outcome(StrEnum):
    DONE = "done"  # done now, by this request
    ALREADY = "already"  # done before (scanned twice)
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Ticket:
    """What the bot shows for a practice step: the QR picture and the link it encodes."""

    link: str
    image: Path


@dataclass(frozen=True, slots=True)
class Result:
    outcome: Outcome
    lesson_title: str = ""


def link_for(app: AppContext, token: str) -> str:
    return f"{app.settings.public_base_url.rstrip('/')}{PATH}{token}"


def draw_qr(link: str, folder: Path, name: str) -> Path:
    """A PNG of the link's QR code, big enough to scan from another phone's screen."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    segno.make(link, error="m").save(str(path), kind="png", scale=12, border=4)
    return path


async def issue(session: AsyncSession, app: AppContext, user: User, lesson: Lesson, kind: str, now: datetime) -> Ticket:
    """A new task for `user` in `lesson`; its picture's name is unguessable too (it shows the token)."""
    token = link_tokens.new_token()
    digest = link_tokens.digest(token)
    await repo.add(session, digest, user.id, lesson.id, kind, now, now + TTL)
    link = link_for(app, token)
    return Ticket(link, draw_qr(link, app.settings.practice_dir, link_tokens.digest(digest)[:40]))


async def complete(session: AsyncSession, app: AppContext, token: str, now: datetime) -> Result:
    """Opening the link: mark the task done once and tell her in chat (outbox, once per task)."""
    task = await repo.by_token(session, link_tokens.digest(token)) if token else None
    if task is None:
        return Result(Outcome.UNKNOWN)
    lesson = app.catalog.get(task.lesson_id)
    title = lesson.title if lesson else ""
    if task.done_at is not None:
        return Result(Outcome.ALREADY, title)
    if task.expires_at <= now:
        return Result(Outcome.EXPIRED, title)
    user = await session.get(User, task.user_id)
    if user is None:
        return Result(Outcome.UNKNOWN)
    if not await repo.mark_done(session, task.id, now, user.commune_id, user.village_id):
        return Result(Outcome.ALREADY, title)  # another request won the race
    buttons = [[cb.StartQuiz(task.lesson_id).button("📝 Làm bài kiểm tra")], [cb.MenuMain().button("☰ Menu")]]
    await outbox.enqueue_for_users(
        session, app, f"practice:{task.id}", [user], DONE_CHAT.format(title=title), now, buttons=buttons
    )
    return Result(Outcome.DONE, title)


async def done_lessons(session: AsyncSession, user: User) -> set[str]:
    return await repo.done_lessons(session, user.id)
