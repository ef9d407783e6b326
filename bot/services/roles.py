"""Role checks. Every role-gated action calls one of these on the server side."""

from __future__ import annotations

from bot.db.models import Role, User
from bot.services.errors import Forbidden


def require_team(user: User | None, village_id: str | None = None) -> User:
    """A team member (for `village_id` when given) or an admin."""
    if user is None or user.role not in (Role.TEAM, Role.ADMIN):
        raise Forbidden("Chức năng này dành cho thành viên Tổ công nghệ số cộng đồng.")
    if village_id is not None and not can_manage_village(user, village_id):
        raise Forbidden("Bạn chỉ quản lý được các thôn được giao.")
    return user


def can_manage_village(user: User, village_id: str) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.TEAM and village_id in (user.role_village_ids or []))


def require_official(user: User | None, commune_id: str | None = None) -> User:
    """An official (of `commune_id` when given) or an admin."""
    if user is None or user.role not in (Role.OFFICIAL, Role.ADMIN):
        raise Forbidden("Chức năng này dành cho cán bộ xã.")
    if commune_id is not None and not can_view_commune(user, commune_id):
        raise Forbidden("Bạn chỉ xem được số liệu của xã mình.")
    return user


def can_view_commune(user: User, commune_id: str) -> bool:
    return user.role == Role.ADMIN or (user.role == Role.OFFICIAL and user.role_commune_id == commune_id)
