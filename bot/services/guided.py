"""Learning with a helper (no phone): a team member records a resident they guided; the record counts
in her village's coverage as «được hướng dẫn trực tiếp»; officials list and remove records; the resident
can later start on a phone and, once a team member confirms the match, continue from the recorded lessons.

Every record keeps who recorded it and when (guided_events: recorded, claimed, linked, refused, removed,
erased). Her name and year of birth are personal data: removed with the record, or when she (linked to
a phone account) deletes her data. Roles and villages are checked here, on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.app_context import AppContext
from bot.db.models import GuidedEvent, GuidedPerson, LessonProgress, Role, User
from bot.db.repositories import guided as repo
from bot.db.repositories import progress as progress_repo
from bot.messages import Button
from bot.services import outbox
from bot.services.errors import Forbidden, UserError
from bot.services.roles import can_manage_village, require_official, require_team
from bot.text import fold

NAME_MAX = 80
MIN_YEAR = 1900


class Action(StrEnum):
    """What guided_events.action stores."""

    RECORDED = "recorded"
    CLAIMED = "claimed"  # a resident on a phone said «this is me»
    LINKED = "linked"  # a team member confirmed: her progress got the lessons
    REFUSED = "refused"  # a team member said it is not her
    REMOVED = "removed"  # an official removed the record (personal fields deleted)
    ERASED = "erased"  # the linked person deleted her data


ACTION_LABELS = {
    Action.RECORDED: "ghi nhận",
    Action.CLAIMED: "người dân nhờ nối với điện thoại",
    Action.LINKED: "xác nhận, nối với điện thoại",
    Action.REFUSED: "không đúng người",
    Action.REMOVED: "xóa ghi nhận",
    Action.ERASED: "người dân xóa dữ liệu của mình",
}


# ---------------------------------------------------------------- checks


def check_name(text: str) -> str:
    name = " ".join(text.split())
    if len(fold(name)) < 2 or any(ch.isdigit() for ch in name):
        raise UserError("Họ tên chỉ gồm chữ, ví dụ «Nguyễn Thị Lan». Bạn gõ lại giúp mình nhé.")
    if len(name) > NAME_MAX:
        raise UserError(f"Họ tên dài quá. Bạn gõ dưới {NAME_MAX} ký tự nhé.")
    return name


def check_year(text: str, now: datetime, app: AppContext) -> int:
    this_year = now.astimezone(app.settings.tz).year
    digits = text.strip().rstrip(".")
    if not (digits.isascii() and digits.isdigit() and len(digits) == 4) or not MIN_YEAR <= int(digits) <= this_year:
        raise UserError(
            f"Năm sinh là 4 chữ số, từ {MIN_YEAR} đến {this_year}, ví dụ 1956. Bạn gõ lại giúp mình nhé."
        )
    return int(digits)


def lesson_choices(app: AppContext) -> list[str]:
    """The curriculum for the toggles: core lessons first (they make the coverage), then the others."""
    lessons = list(app.catalog.lessons.values())
    return [x.id for x in lessons if x.core] + [x.id for x in lessons if not x.core]


# ---------------------------------------------------------------- recording


@dataclass(frozen=True)
class Draft:
    full_name: str
    birth_year: int
    village_id: str
    lesson_ids: list[str]


async def record(
    session: AsyncSession, app: AppContext, user: User | None, draft: Draft, now: datetime
) -> GuidedPerson:
    """Store a guided person, after her spoken consent (confirmed by the team member's button)."""
    member = require_team(user, draft.village_id)  # only a village the member manages
    commune = app.places.commune_of(draft.village_id)
    if commune is None:
        raise UserError("Không tìm thấy thôn này.")
    name = check_name(draft.full_name)
    check_year(str(draft.birth_year), now, app)
    lessons = [lid for lid in draft.lesson_ids if lid in app.catalog.lessons]
    if not lessons:
        raise UserError("Bạn chưa chọn bài nào đã học cùng nhau.")
    person = GuidedPerson(
        commune_id=commune.id,
        village_id=draft.village_id,
        full_name=name,
        name_key=fold(name),
        birth_year=draft.birth_year,
        consent_at=now,
        recorded_by=member.id,
        recorded_at=now,
    )
    await repo.add(session, person, lessons)
    await repo.add_event(session, person.id, Action.RECORDED, member.id, now)
    return person


# ---------------------------------------------------------------- officials: list, detail, remove


@dataclass(frozen=True)
class Entry:
    person: GuidedPerson
    lessons: list[str]


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    total: int
    page: int
    pages: int


async def list_for_official(
    session: AsyncSession, app: AppContext, viewer: User | None, commune_id: str, page: int, size: int
) -> Page:
    require_official(viewer, commune_id)
    total = await repo.count_in_commune(session, commune_id)
    pages = max(1, -(-total // size))
    page = min(max(page, 0), pages - 1)
    people = await repo.in_commune(session, commune_id, page * size, size)
    lessons = await repo.lessons_of(session, [p.id for p in people])
    return Page([Entry(p, lessons.get(p.id, [])) for p in people], total, page, pages)


@dataclass(frozen=True)
class Detail:
    entry: Entry
    trail: list[tuple[GuidedEvent, User | None]]


async def _for_official(session: AsyncSession, viewer: User | None, guided_id: int, lock: bool = False) -> GuidedPerson:
    require_official(viewer)
    person = await repo.get(session, guided_id, lock=lock)
    if person is None:
        raise UserError("Không tìm thấy ghi nhận này.")
    require_official(viewer, person.commune_id)
    return person


async def detail(session: AsyncSession, viewer: User | None, guided_id: int) -> Detail:
    person = await _for_official(session, viewer, guided_id)
    lessons = (await repo.lessons_of(session, [person.id]))[person.id]
    return Detail(Entry(person, lessons), await repo.events(session, person.id))


async def trails_for_official(
    session: AsyncSession, app: AppContext, viewer: User | None, commune_id: str, limit: int = 500
) -> list[Detail]:
    """The dashboard's page: the commune's records (newest first, removed ones too) with their audit trails."""
    page = await list_for_official(session, app, viewer, commune_id, 0, limit)
    trails = await repo.events_of(session, [e.person.id for e in page.entries])
    return [Detail(e, trails.get(e.person.id, [])) for e in page.entries]


async def remove(session: AsyncSession, viewer: User | None, guided_id: int, now: datetime) -> GuidedPerson:
    """Soft delete: the record stops counting, her name and year are deleted, the audit trail stays."""
    person = await _for_official(session, viewer, guided_id, lock=True)
    if person.removed_at is not None:
        return person  # removing twice changes nothing
    assert viewer is not None
    person.removed_at, person.removed_by = now, viewer.id
    await _forget(session, person)
    await repo.add_event(session, person.id, Action.REMOVED, viewer.id, now)
    return person


async def _forget(session: AsyncSession, person: GuidedPerson) -> None:
    """Her personal data goes: name and year on the record, and the match requests that quoted them."""
    person.full_name = person.name_key = None
    person.birth_year = None
    person.claim_user_id = person.claimed_at = None
    await repo.forget_messages(session, person.id)


# ---------------------------------------------------------------- a resident on a phone: the match


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


def in_curriculum_order(app: AppContext, lesson_ids: list[str]) -> list[str]:
    """Titles of the lessons in curriculum order (a lesson removed from the catalog keeps its id)."""
    order = {lid: i for i, lid in enumerate(app.catalog.lessons)}
    ids = sorted(lesson_ids, key=lambda lid: (order.get(lid, len(order)), lid))
    return [app.catalog.lessons[lid].title if lid in app.catalog.lessons else lid for lid in ids]


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


async def erase_for(session: AsyncSession, user: User, now: datetime) -> None:
    """She deletes her data: records linked to her lose her name and year (they keep counting as one
    anonymous guided person, in the village, for the team's work); a match she asked for is withdrawn."""
    for person in await repo.linked_to(session, user.id):
        await _forget(session, person)
        person.user_id = None
        await repo.add_event(session, person.id, Action.ERASED, None, now)
    for person in await repo.claimed_by(session, user.id):
        person.claim_user_id = person.claimed_at = None
    await session.flush()
