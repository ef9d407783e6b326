"""Zalo OA webhook: the signature, and events -> channel-neutral `Incoming`.

Signature (ZALO.md): header `X-ZEvent-Signature: mac=<hex SHA-256 of app_id + raw body + timestamp +
OA secret key>`, the timestamp being the event's own `timestamp` field. It is compared in constant time
over the raw bytes received; nothing is acted on before it matches.
Events: `user_send_text` (typed text, and button taps: text starting with `BUTTON_PREFIX`),
`user_send_image` (`message.attachments[].payload.url`), `user_send_sticker`, `user_send_audio`,
`follow` (-> "/start": greeting and consent), `unfollow` (-> the person is unreachable, as blocked);
every other event is ignored. The sender is `sender.id` (`follower.id` in follow events).
Dedup key: `msg_id`, or `event_name:user:timestamp` when there is none (follow/unfollow).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.channels.webhook_body import BadBody, parse_object
from bot.channels.zalo_oa_render import BUTTON_PREFIX
from bot.messages import Incoming, Kind

CHANNEL = "zalo_oa"
SIGNATURE_HEADER = "X-ZEvent-Signature"


def signature(app_id: str, raw_body: bytes, timestamp: str, secret_key: str) -> str:
    digest = hashlib.sha256(app_id.encode() + raw_body + timestamp.encode() + secret_key.encode()).hexdigest()
    return f"mac={digest}"


def parse_signed(raw_body: bytes, header: str | None, app_id: str, secret_key: str) -> Mapping[str, Any] | None:
    """The event when the signature matches, else None."""
    if not header:
        return None
    try:
        event = parse_object(raw_body)  # bounded depth, an object, UTF-8 (webhook_body)
    except BadBody:
        return None
    expected = signature(app_id, raw_body, str(event.get("timestamp", "")), secret_key)
    if not hmac.compare_digest(header.strip().encode(), expected.encode()):
        return None
    return event


@dataclass(frozen=True)
class OaEvent:
    """What the channel does with one event: hand `incoming` to the engine, or mark `unfollowed`."""

    key: str
    user_id: str
    incoming: Incoming | None = None
    unfollowed: bool = False
    timestamp_ms: int | None = None


def _user_of(event: Mapping[str, Any]) -> str | None:
    for field in ("sender", "follower", "user"):
        part = event.get(field)
        if isinstance(part, Mapping) and part.get("id"):
            return str(part["id"])
    return None


def _first_attachment_url(message: Mapping[str, Any]) -> str | None:
    for item in message.get("attachments") or []:
        payload = item.get("payload") if isinstance(item, Mapping) else None
        if isinstance(payload, Mapping) and isinstance(payload.get("url"), str):
            return str(payload["url"])
    return None


def to_event(event: Mapping[str, Any]) -> OaEvent | None:
    """None for events the bot ignores (user_seen_message, oa_send_*, …) or without a user."""
    name = str(event.get("event_name") or "")
    user = _user_of(event)
    if not user:
        return None
    message = event.get("message") if isinstance(event.get("message"), Mapping) else {}
    assert isinstance(message, Mapping)
    timestamp = str(event.get("timestamp") or "")
    key = str(message.get("msg_id") or f"{name}:{user}:{timestamp}")
    ts = int(timestamp) if timestamp.isdigit() else None

    def incoming(kind: Kind, text: str | None = None, payload: str | None = None, ref: str | None = None) -> OaEvent:
        item = Incoming(CHANNEL, user, kind, text=text, payload=payload, update_id=key, media_ref=ref)
        return OaEvent(key, user, incoming=item, timestamp_ms=ts)

    if name == "user_send_text":
        text = str(message.get("text") or "")
        if text.startswith(BUTTON_PREFIX):
            return incoming(Kind.BUTTON, payload=text[len(BUTTON_PREFIX):])
        return incoming(Kind.TEXT, text=text)
    if name == "user_send_image":
        return incoming(Kind.MEDIA, text=message.get("text") or None, ref=_first_attachment_url(message))
    if name in ("user_send_sticker", "user_send_gif", "user_send_file"):
        return incoming(Kind.MEDIA)
    if name == "user_send_audio":
        return incoming(Kind.VOICE)
    if name == "follow":
        return incoming(Kind.TEXT, text="/start")
    if name == "unfollow":
        return OaEvent(key, user, unfollowed=True, timestamp_ms=ts)
    return None
