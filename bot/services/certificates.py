"""The completion certificate: issued once per person when the core set is done, with a short code an
official checks on the dashboard or with `hocvuso certificate check CODE`."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.loader import Catalog
from bot.content.places import Places
from bot.db.models import Certificate, User
from bot.db.repositories import certificates as repo

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed without mistakes
CODE_LENGTH = 8
NAME_LIMIT = 60
_NOT_CODE = re.compile(r"[^A-Z0-9]")
_SPACES = re.compile(r"\s+")


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_code(typed: str) -> str | None:
    """«hv7k 3pq9», «HV7K-3PQ9» → «HV7K-3PQ9»; None when it cannot be a code."""
    raw = _NOT_CODE.sub("", typed.upper())
    if len(raw) != CODE_LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return f"{raw[:4]}-{raw[4:]}"


def clean_name(typed: str) -> str | None:
    """The name as she wants it printed: spaces collapsed, at most NAME_LIMIT characters, some letters,
    no digits (a typed number is a choice, not a name)."""
    name = _SPACES.sub(" ", typed).strip()
    if not name or len(name) > NAME_LIMIT or any(ch.isdigit() for ch in name) or not any(ch.isalpha() for ch in name):
        return None
    return name


async def issue(
    session: AsyncSession, user: User, catalog: Catalog, full_name: str | None, now: datetime
) -> Certificate:
    """Her certificate (the existing one if she already has it)."""
    existing = await repo.for_user(session, user.id)
    if existing is not None:
        return existing
    for _ in range(5):  # 32^8 codes: a clash is rare; retry with a fresh code
        cert = Certificate(
            user_id=user.id,
            code=new_code(),
            full_name=full_name,
            commune_id=user.commune_id,
            village_id=user.village_id,
            lessons=list(catalog.core_ids),
            issued_at=now,
        )
        try:
            async with session.begin_nested():
                session.add(cert)
            return cert
        except IntegrityError:
            existing = await repo.for_user(session, user.id)
            if existing is not None:
                return existing
    raise RuntimeError("could not draw a free certificate code")


@dataclass(frozen=True)
class Checked:
    """What an official sees for a code."""

    code: str
    name: str
    place: str
    issued_at: datetime
    lessons: list[str]


async def check(session: AsyncSession, typed: str, catalog: Catalog, places: Places) -> Checked | None:
    code = normalize_code(typed)
    cert = await repo.by_code(session, code) if code else None
    if cert is None:
        return None
    titles = [catalog.lessons[x].title if x in catalog.lessons else x for x in cert.lessons or []]
    return Checked(cert.code, cert.full_name or "(không ghi tên)", places.village_label(cert.village_id),
                   cert.issued_at, titles)
