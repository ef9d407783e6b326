"""Residents: consent, place, personal data view and deletion (Decree 13/2023/NĐ-CP)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.content.places import Places
from bot.db.models import User
from bot.db.repositories import announcements as announcements_repo
from bot.db.repositories import progress as progress_repo
from bot.db.repositories import replies as replies_repo
from bot.db.repositories import users as users_repo
from bot.messages import Incoming
from bot.services import dedupe, guided
from bot.services.errors import UserError


async def consent(session: AsyncSession, incoming: Incoming, now: datetime) -> User:
    """Create the user record at the moment they agree (the first thing ever stored about them)."""
    existing = await users_repo.get_by_platform(session, incoming.channel, incoming.user_id)
    if existing is not None:
        return existing
    name = (incoming.display_name or "")[:128] or None
    return await users_repo.create(session, incoming.channel, incoming.user_id, incoming.reply_to, name, now)


def set_village(user: User, places: Places, village_id: str) -> None:
    """Set the user's village (and its commune); unknown ids are refused."""
    commune = places.commune_of(village_id)
    if commune is None:
        raise UserError("Không tìm thấy thôn này. Bạn chọn lại giúp mình nhé.")
    user.commune_id = commune.id
    user.village_id = village_id
    user.blocked_at = None


@dataclass(frozen=True)
class MyData:
    """Everything stored about one person, for /dulieu."""

    user: User
    place: str
    lessons_started: int
    lessons_completed: int
    quiz_attempts: int


async def my_data(session: AsyncSession, user: User, places: Places) -> MyData:
    rows = await progress_repo.all_for_user(session, user.id)
    return MyData(
        user=user,
        place=places.village_label(user.village_id),
        lessons_started=len(rows),
        lessons_completed=sum(1 for r in rows if r.completed_at),
        quiz_attempts=await progress_repo.count_attempts(session, user.id),
    )


async def delete_my_data(session: AsyncSession, app: AppContext, user: User) -> None:
    """Erase the person and everything linked to them: the keys of their processed updates, their
    reply-journal rows (those written before they consented included), the name and year of birth on
    the record of a team member who guided her, and the photos of their announcements (the
    announcements stay, as text: the commune's record)."""
    await guided.erase_for(session, user, app.clock())
    paths = set(await announcements_repo.image_paths_by(session, user.id))
    await announcements_repo.forget_images(session, paths)
    await dedupe.forget_user(session, app.dedupe_secret, user.channel, user.platform_id)
    app.pending_codes.forget(dedupe.user_tag(app.dedupe_secret, user.channel, user.platform_id))
    await replies_repo.delete_for_person(session, user.id, user.channel, user.chat_id)
    await users_repo.delete_user(session, user.id)
    await asyncio.to_thread(_delete_uploads, app.settings.uploads_dir, paths)


def _delete_uploads(uploads_dir: Path, paths: set[str]) -> None:
    uploads = uploads_dir.resolve()
    for raw in paths:
        path = Path(raw).resolve()
        if path.is_relative_to(uploads):  # only our uploads folder, never a lesson picture
            path.unlink(missing_ok=True)
