"""Tokens of one-time links and web sessions: the link carries a random token (256 bits), the database keeps
only its SHA-256, so a copy of the database opens no link."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
