"""Role invites: an admin creates a one-time code, a person redeems it in chat with /ma CODE."""

from __future__ import annotations

import logging
import math
import secrets
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.places import Places
from bot.db.models import InviteCode, Role, User
from bot.db.repositories import invites as repo
from bot.db.repositories import roles as roles_repo
from bot.services.errors import UserError
from bot.throttle import FailureLog, Limit

log = logging.getLogger(__name__)

_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
GRANTABLE = (Role.TEAM, Role.OFFICIAL, Role.ADMIN)


PERSON_FAILURES = Limit(5, timedelta(minutes=10))  # wrong codes one person may type
CHANNEL_FAILURES = Limit(50, timedelta(minutes=10))  # wrong codes all people of one channel may type


def _check_throttle(user: User, now: datetime, failures: FailureLog) -> None:
    waits = [
        failures.wait(("person", user.channel, user.id), PERSON_FAILURES, now),
        failures.wait(("channel", user.channel), CHANNEL_FAILURES, now),
    ]
    wait = max((w for w in waits if w is not None), default=None)
    if wait is None:
        return
    scope = "person" if waits[0] is not None else "channel"
    log.warning("invite: /ma throttled for %s (%s user %s), %ds left", scope, user.channel, user.id, wait.seconds)
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    raise UserError(
        f"Bạn đã nhập sai mã quá nhiều lần. Để giữ an toàn, bạn đợi khoảng {minutes} phút rồi thử lại nhé."
    )


class InviteError(ValueError):
    """Bad arguments to `invite create` (engineer-facing, English)."""


async def create_invite(
    session: AsyncSession,
    places: Places,
    role: str,
    commune_id: str | None,
    village_ids: list[str],
    now: datetime,
    valid_days: int = 7,
) -> InviteCode:
    if role not in GRANTABLE:
        raise InviteError(f"--role must be one of {', '.join(GRANTABLE)}")
    if role != Role.ADMIN and not commune_id:
        raise InviteError("--commune is required for team and official invites")
    if commune_id and commune_id not in places.communes:
        raise InviteError(f"unknown commune {commune_id!r}; known: {', '.join(places.communes)}")
    for vid in village_ids:
        if places.village_commune.get(vid) != commune_id:
            raise InviteError(f"village {vid!r} is not a village of commune {commune_id!r}")
    if role == Role.TEAM and not village_ids:
        assert commune_id is not None
        village_ids = [v.id for v in places.communes[commune_id].villages]
    code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    invite = InviteCode(
        code=code,
        role=role,
        commune_id=commune_id,
        village_ids=village_ids,
        created_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    await repo.add(session, invite)
    return invite


async def redeem(session: AsyncSession, user: User, code: str, now: datetime, failures: FailureLog) -> InviteCode:
    """Grant the invite's role to `user`; unknown, used or expired codes are refused. Wrong codes are
    counted per person and per channel (`failures`): past the limits, every try waits."""
    invite = await check(session, user, code, now, failures)
    if not await repo.mark_used(session, invite.code, user.id, now):
        raise UserError("Mã mời này đã được dùng rồi. Mỗi mã chỉ dùng được một lần.")
    # The invite's role and scope replace the person's: a new commune's code does not keep the old one.
    user.role = invite.role
    user.role_commune_id = invite.commune_id
    user.role_village_ids = sorted(invite.village_ids) if invite.role == Role.TEAM else []
    await roles_repo.audit(session, user, "invite", invite.code, now)
    # The code itself stays out of the log (it is a credential until used; the audit row keeps it).
    log.info("invite: %s user %s is now %s (%s)", user.channel, user.id, invite.role,
             invite.commune_id or "all communes")
    return invite


async def revoke(session: AsyncSession, user_id: int, now: datetime) -> User:
    """Back to resident, no scope (`hocvuso role revoke`); audited."""
    user = await session.get(User, user_id)
    if user is None:
        raise InviteError(f"no user with id {user_id}")
    user.role, user.role_commune_id, user.role_village_ids = Role.RESIDENT, None, []
    await roles_repo.audit(session, user, "cli", None, now)
    return user


def normalize(code: str) -> str:
    return code.strip().upper().replace(" ", "").replace("-", "")


async def check(session: AsyncSession, user: User, code: str, now: datetime, failures: FailureLog) -> InviteCode:
    """The usable invite for `code` (nothing changes); wrong codes count towards the throttle."""
    _check_throttle(user, now, failures)
    code = normalize(code)
    invite = await repo.get(session, code) if code else None
    if invite is None:
        failures.record(("person", user.channel, user.id), now)
        failures.record(("channel", user.channel), now)
        raise UserError("Mã mời không đúng. Bạn kiểm tra lại từng chữ giúp mình nhé.")
    if invite.used_at is not None:
        raise UserError("Mã mời này đã được dùng rồi. Mỗi mã chỉ dùng được một lần.")
    if invite.expires_at <= now:
        raise UserError("Mã mời này đã hết hạn. Bạn xin cán bộ quản trị một mã mới nhé.")
    return invite
