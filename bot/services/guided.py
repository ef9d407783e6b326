"""Learning with a helper (no phone): a team member records a resident they guided; the record counts
in her village's coverage as «được hướng dẫn trực tiếp»; officials list and remove records; the resident
can later start on a phone and, once a team member confirms the match, continue from the recorded lessons
(that match: bot/services/guided_claims.py).

Every record keeps who recorded it and when (guided_events: recorded, claimed, linked, refused, removed,
erased). Her name and year of birth are personal data: removed with the record, or when she (linked to
a phone account) deletes her data. Roles and villages are checked here, on every call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import GuidedEvent, GuidedPerson, User
from bot.db.repositories import guided as repo
from bot.services.errors import UserError
from bot.services.roles import require_official, require_team
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


def in_curriculum_order(app: AppContext, lesson_ids: list[str]) -> list[str]:
    """Titles of the lessons in curriculum order (a lesson removed from the catalog keeps its id)."""
    order = {lid: i for i, lid in enumerate(app.catalog.lessons)}
    ids = sorted(lesson_ids, key=lambda lid: (order.get(lid, len(order)), lid))
    return [app.catalog.lessons[lid].title if lid in app.catalog.lessons else lid for lid in ids]


# ---------------------------------------------------------------- her data (Decree 13)


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
