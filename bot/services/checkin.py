"""Check-in at the village class: the class's code and poster token, the window, marking present.

A class gets, with its first poster, a short numeric code (typed in chat: «diem danh 4821») and an
unguessable token (the poster's QR: `<public URL>/diemdanh/<token>`, and the Telegram deep link
`t.me/<bot>?start=dd_<token>`). Both are printed on a public poster, so they prove presence in the
room, not identity: the person is whoever sends them in chat. Check-in counts only inside the
window (`window()`), once per class and person (a unique attendance row), registered or not.

The code is unique among classes (not cancelled) starting within CODE_GUARD of each other, in every
commune, so a typed code names one class; if an edited time makes two open classes share a code,
the one of her village, then her commune, then the earliest is taken.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import Attendance, AttendanceVia, ClassStatus, Klass, Role, User
from bot.db.repositories import checkins as repo
from bot.db.repositories import classes as classes_repo
from bot.services.classes import can_manage_class
from bot.services.errors import Forbidden, UserError
from bot.services.roles import can_view_commune
from bot.text import fold

# The window, in one place: from OPENS_BEFORE before the start to the end (classes have no end time:
# the start plus CLASS_LENGTH).
OPENS_BEFORE = timedelta(minutes=30)
CLASS_LENGTH = timedelta(hours=3)
CODE_DIGITS = 4
CODE_GUARD = timedelta(days=2)
START_PREFIX = "dd_"  # /start dd_<token> (Telegram deep link payload: [A-Za-z0-9_-], ≤ 64)
WEB_PATH = "/diemdanh/"
_TYPED = re.compile(r"^(?:diem danh|diemdanh)(?: ([0-9][0-9 ]*))?$")
_AGREE_AND_CODE = re.compile(r"^dong y ([0-9][0-9 ]*)$")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,48}")


class Outcome(StrEnum):
    OPEN = "open"  # the key names a class whose window is open (nothing recorded yet)
    CHECKED_IN = "checked_in"
    ALREADY = "already"  # scanned / typed twice: counted once
    TOO_EARLY = "too_early"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # wrong code or token


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    klass: Klass | None = None


def window(klass: Klass) -> tuple[datetime, datetime]:
    """When check-in is open: [opens, closes)."""
    return klass.starts_at - OPENS_BEFORE, klass.starts_at + CLASS_LENGTH


def is_open(klass: Klass, now: datetime) -> bool:
    opens, closes = window(klass)
    return opens <= now < closes


def state_of(klass: Klass, now: datetime) -> Outcome:
    """OPEN when a check-in counts now; else why not (CANCELLED, TOO_EARLY, CLOSED)."""
    if klass.status == ClassStatus.CANCELLED:
        return Outcome.CANCELLED
    opens, closes = window(klass)
    if now < opens:
        return Outcome.TOO_EARLY
    return Outcome.OPEN if now < closes else Outcome.CLOSED


# ---------- what people type ----------
def typed_checkin(text: str) -> str | None:
    """«điểm danh 4821», «diem danh 48 21», «Điểm danh» → the code ("" when none was given); None otherwise."""
    found = _TYPED.match(fold(text))
    if found is None:
        return None
    return (found.group(1) or "").replace(" ", "")


def typed_agree_with_code(text: str) -> str | None:
    """«đồng ý 4821» (consent and check in, where numbers are typed) → the code."""
    found = _AGREE_AND_CODE.match(fold(text))
    return found.group(1).replace(" ", "") if found else None


def key_of_start_arg(arg: str) -> str | None:
    """The check-in key in a /start argument («dd_<token>»), or None."""
    arg = arg.strip()
    return arg if arg.startswith(START_PREFIX) and _TOKEN.fullmatch(arg[len(START_PREFIX) :]) else None


def is_code(key: str) -> bool:
    return key.isascii() and key.isdigit()


# ---------- links ----------
def web_link(app: AppContext, token: str) -> str:
    return f"{app.settings.public_base_url.rstrip('/')}{WEB_PATH}{token}"


def telegram_link(app: AppContext, token: str) -> str | None:
    username = (app.settings.telegram_bot_username or "").lstrip("@")
    return f"https://t.me/{username}?start={START_PREFIX}{token}" if username else None


# ---------- the code and token ----------
async def ensure_code(session: AsyncSession, klass: Klass) -> Klass:
    """Give the class its check-in code and token if it has none yet (kept afterwards)."""
    if klass.checkin_code and klass.checkin_token:
        return klass
    used = await repo.codes_between(session, klass.starts_at - CODE_GUARD, klass.starts_at + CODE_GUARD)
    digits = CODE_DIGITS
    for attempt in range(200):
        if attempt == 100:
            digits += 1  # 100 clashes in a row: the 4-digit space is crowded around this date
        code = str(10 ** (digits - 1) + secrets.randbelow(9 * 10 ** (digits - 1)))
        if code not in used:
            break
    klass.checkin_code = code
    klass.checkin_token = klass.checkin_token or secrets.token_urlsafe(18)
    await session.flush()
    return klass


async def recheck_code(session: AsyncSession, klass: Klass) -> bool:
    """After the class moved: if another class (not cancelled) starting within CODE_GUARD now has the same
    code, draw a new one (the token stays, so the QR of a printed poster still works). True if it changed."""
    if not klass.checkin_code:
        return False
    around = (klass.starts_at - CODE_GUARD, klass.starts_at + CODE_GUARD)
    others = await repo.with_code(session, klass.checkin_code, *around)
    if not any(k.id != klass.id for k in others):
        return False
    klass.checkin_code = None
    await session.flush()
    await ensure_code(session, klass)
    return True


async def viewable_class(session: AsyncSession, user: User | None, class_id: int) -> Klass:
    """The class, if `user` may see its code, poster and names: a team member of its villages, an
    official of its commune, or an admin (checked here, whatever the payload said)."""
    klass = await classes_repo.get(session, class_id)
    if klass is None:
        raise UserError("Không tìm thấy lớp học này. Có thể lớp đã bị xóa.")
    if user is None:
        raise Forbidden()
    if user.role == Role.OFFICIAL and can_view_commune(user, klass.commune_id):
        return klass
    if can_manage_class(user, klass):
        return klass
    raise Forbidden("Chỉ Tổ công nghệ số của thôn và cán bộ xã xem được mã điểm danh và danh sách của lớp này.")


# ---------- checking in ----------
async def find_by_code(
    session: AsyncSession, code: str, now: datetime, village_id: str | None = None, commune_id: str | None = None
) -> Klass | None:
    """The class this code names now: an open one (her village's, her commune's, else the earliest),
    else the nearest one in time (to say «too early» / «closed»), else None."""
    near = await repo.with_code(session, code, now - CLASS_LENGTH - CODE_GUARD, now + CODE_GUARD)
    if not near:
        return None
    open_now = [k for k in near if is_open(k, now)]
    if open_now:
        mine = [k for k in open_now if village_id is not None and village_id in k.village_ids]
        ours = [k for k in open_now if commune_id is not None and k.commune_id == commune_id]
        return (mine or ours or open_now)[0]
    return min(near, key=lambda k: abs((k.starts_at - now).total_seconds()))


async def resolve(session: AsyncSession, key: str, now: datetime, user: User | None = None) -> Result:
    """Which class `key` (a typed code, or «dd_<token>») names and whether its window is open now.
    Reads only: usable before consent (to tell a wrong code at once, with nothing stored)."""
    if is_code(key):
        village, commune = (user.village_id, user.commune_id) if user else (None, None)
        klass = await find_by_code(session, key, now, village, commune)
    elif key.startswith(START_PREFIX):
        klass = await repo.by_token(session, key[len(START_PREFIX) :])
    else:
        klass = None
    return Result(Outcome.UNKNOWN) if klass is None else Result(state_of(klass, now), klass)


async def check_in(session: AsyncSession, user: User, key: str, now: datetime) -> Result:
    """Mark `user` present at the class `key` names, if its window is open; once per class and person."""
    found = await resolve(session, key, now, user)
    if found.outcome is not Outcome.OPEN or found.klass is None:
        return found
    klass = found.klass
    village = user.village_id or (klass.village_ids[0] if len(klass.village_ids) == 1 else None)
    row = Attendance(
        class_id=klass.id, user_id=user.id, village_id=village, marked_by=None, marked_at=now, via=AttendanceVia.CHECKIN
    )
    if await repo.attendance_row(session, klass.id, user.id) is not None or not await repo.add_once(session, row):
        return Result(Outcome.ALREADY, klass)
    return Result(Outcome.CHECKED_IN, klass)


# ---------- who came ----------
@dataclass(frozen=True)
class Arrival:
    name: str
    at: datetime
    self_checkin: bool  # True: she checked in herself; False: ticked by the team
    registered: bool


@dataclass(frozen=True)
class Arrivals:
    klass: Klass
    people: list[Arrival]
    walk_in_names: list[str]  # typed by the team member (no account)

    @property
    def count(self) -> int:
        return len(self.people) + len(self.walk_in_names)


async def arrivals(session: AsyncSession, user: User | None, class_id: int) -> Arrivals:
    """Who has come so far (check-ins and the team's ticks), for those allowed to see it."""
    klass = await viewable_class(session, user, class_id)
    registered = {u.id for u in await classes_repo.registered_users(session, klass.id)}
    people = [
        Arrival(
            u.display_name or f"Người dùng #{u.id}", a.marked_at, a.via == AttendanceVia.CHECKIN, u.id in registered
        )
        for u, a in await repo.present_users(session, klass.id)
    ]
    nameless = [a for a in await classes_repo.attendance_of(session, klass.id) if a.user_id is None]
    walk_ins = [a.walk_in_name or "(tên không còn lưu)" for a in nameless]
    return Arrivals(klass, people, walk_ins)


async def lessons_learned_at_class(session: AsyncSession, user: User) -> list[str]:
    """Lesson ids she has «đã học tại lớp»: the marked lesson of each class she attended (first time kept)."""
    seen: list[str] = []
    for lesson_id, _when in await repo.lessons_attended(session, user.id):
        if lesson_id not in seen:
            seen.append(lesson_id)
    return seen
