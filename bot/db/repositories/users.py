"""Users and their conversation state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from bot.db.models import ConversationState, Role, User
from bot.db.types import utcnow


async def get_by_platform(session: AsyncSession, channel: str, platform_id: str) -> User | None:
    return await session.scalar(select(User).where(User.channel == channel, User.platform_id == platform_id))


_WITH_STATE = (
    select(User, ConversationState)
    .outerjoin(ConversationState, ConversationState.user_id == User.id)
    .where(User.channel == bindparam("channel"), User.platform_id == bindparam("platform_id"))
)
_WITH_STATE_LOCKED = _WITH_STATE.with_for_update(of=User)  # PostgreSQL: one turn per user at a time


async def get_with_state(
    session: AsyncSession, channel: str, platform_id: str
) -> tuple[User, ConversationState | None] | None:
    """The user and their conversation state in one round trip; the user row is locked on PostgreSQL."""
    postgres = session.bind is not None and session.bind.dialect.name == "postgresql"
    stmt = _WITH_STATE_LOCKED if postgres else _WITH_STATE
    row = (await session.execute(stmt, {"channel": channel, "platform_id": platform_id})).first()
    return (row[0], row[1]) if row else None


async def get_state(session: AsyncSession, user_id: int) -> ConversationState:
    """The user's conversation state row (created if missing)."""
    stmt = select(ConversationState).where(ConversationState.user_id == user_id)
    state = await session.scalar(stmt)
    if state is None:
        state = ConversationState(user_id=user_id, flow="menu", data={}, buttons=[], pushed=[])
        session.add(state)
        await session.flush()
    return state


_STATE: Table = ConversationState.__table__  # type: ignore[assignment]
_STATE_FIELDS = tuple(c.key for c in _STATE.columns if c.key not in ("user_id", "updated_at"))
# The SET clause follows the parameters given (SQLAlchemy compiles and caches one per set of columns).
_SAVE_STATE = update(_STATE).where(_STATE.c.user_id == bindparam("state_user_id"))


async def save_state(session: AsyncSession, state: ConversationState, buttons: list[Any] | None) -> None:
    """Save the turn's changes to `state`, with `buttons` (the screen just shown, if any), in one Core
    UPDATE rather than the ORM's flush; the instance is left clean, holding what was saved."""
    found = inspect(state)
    if not found.persistent:  # created this turn and not flushed yet: the flush inserts it
        if buttons is not None and buttons != state.buttons:
            state.buttons = buttons
        return
    values = {name: getattr(state, name) for name in _STATE_FIELDS if found.attrs[name].history.has_changes()}
    if buttons is not None and buttons != state.buttons:
        values["buttons"] = buttons
    if not values:
        return
    values["updated_at"] = utcnow()
    await session.execute(_SAVE_STATE, {"state_user_id": state.user_id, **values})
    for name, value in values.items():
        set_committed_value(state, name, value)


async def create(
    session: AsyncSession,
    channel: str,
    platform_id: str,
    chat_id: str,
    display_name: str | None,
    now: datetime,
) -> User:
    user = User(
        channel=channel,
        platform_id=platform_id,
        chat_id=chat_id,
        display_name=display_name,
        consent_at=now,
        created_at=now,
        last_seen_at=now,
        role_village_ids=[],
    )
    session.add(user)
    await session.flush()
    return user


async def delete_user(session: AsyncSession, user_id: int) -> None:
    """Delete the user; every table referencing users cascades (or is set NULL)."""
    await session.execute(delete(User).where(User.id == user_id))


async def set_blocked(session: AsyncSession, user_ids: Iterable[int], now: datetime) -> None:
    """The platform said these users blocked the bot (the first time counts)."""
    ids = [u for u in set(user_ids) if u is not None]
    if ids:
        await session.execute(
            update(User)
            .where(User.id.in_(ids), User.blocked_at.is_(None))
            .values(blocked_at=now)
            .execution_options(synchronize_session=False)
        )


# Written with every batch of delivered outbox messages that have choices: one plain Core executemany.
# A turn's save_state never writes `pushed` (a turn does not change it), so neither overwrites the other.
_SET_PUSHED = update(_STATE).where(_STATE.c.user_id == bindparam("uid")).values(pushed=bindparam("pushed"))


async def set_pushed(session: AsyncSession, choices: Mapping[int, list[Any]]) -> None:
    """The numbered choices of the pushed message each person received last (bot/pushed_choices.py);
    in user id order, so two writers never wait on each other's rows crosswise."""
    if choices:
        await session.execute(_SET_PUSHED, [{"uid": uid, "pushed": choices[uid]} for uid in sorted(choices)])


async def admins(session: AsyncSession) -> list[User]:
    """Every admin (blocked ones included: the caller decides)."""
    return list(await session.scalars(select(User).where(User.role == Role.ADMIN).order_by(User.id)))
