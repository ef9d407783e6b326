"""A resident who learnt with a helper starts on a phone: she asks to be matched with a record
(bot/services/guided.py), a team member of her village confirms or refuses, and on confirmation her
progress gets the recorded lessons. Roles and villages are checked here, on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.app_context import AppContext
from bot.db.models import GuidedPerson, LessonProgress, Role, User
from bot.db.repositories import guided as repo
from bot.db.repositories import progress as progress_repo
from bot.messages import Button
from bot.services import outbox
from bot.services.errors import Forbidden, UserError
from bot.services.guided import Action, Entry
from bot.services.roles import can_manage_village, require_team
from bot.text import fold


class Claim(StrEnum):
    SENT = "sent"  # a team member was asked to confirm
    NOT_FOUND = "not_found"
    WAITING = "waiting"  # she already asked; a team member has not answered yet
    NO_VILLAGE = "no_village"


async def can_claim(session: AsyncSession, user: User) -> bool:
    """Show «Tôi đã học với tổ công nghệ»: a resident with a village that has records not linked yet."""
    if user.role != Role.RESIDENT or not user.village_id:
        return False
    if await repo.linked_to(session, user.id):
        return False
    return await repo.open_in_village(session, user.village_id)


async def claim(
    session: AsyncSession, app: AppContext, user: User, full_name: str, birth_year: int, now: datetime
) -> Claim:
    """She says she learnt with the team: a record with her folded name, year and village gets her claim,
    and a team member of the village is asked (outbox) to confirm. Nothing is linked before that."""
    if not user.village_id:
        return Claim.NO_VILLAGE
    if await repo.claimed_by(session, user.id):
        return Claim.WAITING
    found = await repo.matches(session, user.village_id, fold(full_name), birth_year)
    free = [p for p in found if p.claim_user_id is None]
    if not free:
        return Claim.WAITING if found else Claim.NOT_FOUND
    person = free[0]
    person.claim_user_id, person.claimed_at = user.id, now
    event_id = await repo.add_event(session, person.id, Action.CLAIMED, user.id, now)
    await _ask_team(session, app, person, event_id, now)
    return Claim.SENT


def confirm_buttons(guided_id: int) -> list[list[Button]]:
    return [
        [cb.GuidedMatchYes(guided_id).button("✅ Đúng, là người mình đã hướng dẫn")],
        [cb.GuidedMatchNo(guided_id).button("❌ Không phải")],
    ]


def claim_text(app: AppContext, person: GuidedPerson, lessons: list[str]) -> str:
    village = app.places.villages.get(person.village_id)
    return (
        f"🤝 {person.full_name} (sinh {person.birth_year}, {village.name if village else person.village_id}) "
        f"vừa bắt đầu học trên điện thoại và nói đã học với Tổ công nghệ số ({len(lessons)} bài). "
        "Đây có đúng là người bạn đã hướng dẫn không? Nếu đúng, các bài đã học sẽ được thêm vào tiến độ của bác ấy."
    )


async def _ask_team(
    session: AsyncSession, app: AppContext, person: GuidedPerson, event_id: int, now: datetime
) -> None:
    """The member who recorded it, if they still manage the village; otherwise every member who does."""
    members = await repo.team_of_commune(session, person.commune_id)
    team = [u for u in members if can_manage_village(u, person.village_id)]
    who = [u for u in team if u.id == person.recorded_by] or team
    lessons = (await repo.lessons_of(session, [person.id]))[person.id]
    text = claim_text(app, person, lessons)
    ref = f"guided:{person.id}:claim:{event_id}"
    # On the Zalo Bot and the console its choices are typed as 21 / 22 (bot/pushed_choices.py).
    await outbox.enqueue_for_users(session, app, ref, who, text, now, confirm_buttons(person.id))


@dataclass(frozen=True)
class Answer:
    person: GuidedPerson
    linked: bool
    added: int  # lessons added to her progress


async def pending_for(session: AsyncSession, app: AppContext, member: User | None) -> list[Entry]:
    """Matches waiting in the villages this team member manages."""
    user = require_team(member)
    villages = list(app.places.villages) if user.role == Role.ADMIN else list(user.role_village_ids or [])
    people = await repo.pending_claims(session, villages)
    lessons = await repo.lessons_of(session, [p.id for p in people])
    return [Entry(p, lessons.get(p.id, [])) for p in people]


async def answer(
    session: AsyncSession, app: AppContext, member: User | None, guided_id: int, yes: bool, now: datetime
) -> Answer:
    """A team member of the village confirms or refuses a match; she is told through the outbox."""
    user = require_team(member)
    person = await repo.get(session, guided_id, lock=True)
    if person is None or person.removed_at is not None:
        raise UserError("Ghi nhận này không còn nữa.")
    if not can_manage_village(user, person.village_id):
        raise Forbidden("Bạn chỉ xác nhận được người ở các thôn bạn quản lý.")
    if person.user_id is not None:
        return Answer(person, True, 0)  # already confirmed (a second tap changes nothing)
    resident_id = person.claim_user_id
    resident = await session.get(User, resident_id) if resident_id is not None else None
    if resident is None:
        raise UserError("Yêu cầu này đã được trả lời rồi.")
    person.claim_user_id = person.claimed_at = None
    if not yes:
        await repo.add_event(session, person.id, Action.REFUSED, user.id, now)
        text = (
            "Tổ công nghệ số chưa xác nhận được bạn là người đã học cùng tổ. Không sao, bạn vẫn học mọi bài "
            "ngay trên điện thoại. Nếu có nhầm lẫn, bạn hỏi trực tiếp người trong tổ đã hướng dẫn bạn nhé."
        )
        await outbox.enqueue_for_users(session, app, f"guided:{person.id}:no:{resident.id}", [resident], text, now)
        return Answer(person, False, 0)
    person.user_id, person.linked_at = resident.id, now
    lessons = (await repo.lessons_of(session, [person.id]))[person.id]
    added = await _add_progress(session, resident, person, lessons)
    await repo.add_event(session, person.id, Action.LINKED, user.id, now)
    text = (
        f"✅ Tổ công nghệ số đã xác nhận: bạn đã học {len(lessons)} bài cùng tổ. Các bài đó đã được ghi vào "
        "tiến độ của bạn («học cùng Tổ công nghệ số»). Bạn học tiếp các bài khác nhé!"
    )
    buttons = [[cb.MenuProgress().button("📊 Tiến độ của tôi")], [cb.MenuMain().button("☰ Menu")]]
    await outbox.enqueue_for_users(session, app, f"guided:{person.id}:ok", [resident], text, now, buttons)
    return Answer(person, True, added)


async def _add_progress(session: AsyncSession, resident: User, person: GuidedPerson, lessons: list[str]) -> int:
    """The recorded lessons as completed in her progress, when and where they were learnt."""
    added = 0
    for lesson_id in lessons:
        row = await progress_repo.get(session, resident.id, lesson_id)
        if row is None:
            row = LessonProgress(user_id=resident.id, lesson_id=lesson_id, step=0, started_at=person.recorded_at)
            session.add(row)
        if row.completed_at is None:
            row.completed_at = person.recorded_at
            row.completed_commune_id, row.completed_village_id = person.commune_id, person.village_id
            added += 1
    await session.flush()
    return added


async def waiting(session: AsyncSession, user: User) -> bool:
    """She asked to be matched and no team member has answered yet."""
    return bool(await repo.claimed_by(session, user.id))


async def helped_lessons(session: AsyncSession, user: User) -> set[str]:
    """Lessons she learnt with a team member (records linked to her)."""
    people = [p for p in await repo.linked_to(session, user.id) if p.removed_at is None]
    lessons = await repo.lessons_of(session, [p.id for p in people])
    return {lid for ids in lessons.values() for lid in ids}


# ---------------------------------------------------------------- her data (Decree 13)


async def linked_records(session: AsyncSession, user: User) -> list[Entry]:
    people = await repo.linked_to(session, user.id)
    lessons = await repo.lessons_of(session, [p.id for p in people])
    return [Entry(p, lessons.get(p.id, [])) for p in people]
