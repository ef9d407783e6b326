"""Zalo Bot API updates -> channel-neutral `Incoming` events.

Update shape (docs "getUpdates"/"Webhook" + openclaw extensions/zalo/src/api.ts +
/work/shared/ZALO.md): `{"event_name": "message.text.received", "message": {"message_id",
"from": {"id", "display_name", "is_bot"}, "chat": {"id", "chat_type": PRIVATE|GROUP},
"text", "photo_url" (real traffic; one docs table says "photo": both are read), "caption",
"sticker", "url" (sticker picture), "voice_url" (voice), "date" (ms)}}`.
Events: text, image, sticker -> TEXT/MEDIA; `message.voice.received` -> VOICE (the engine
cannot listen yet and says so); `message.unsupported.received` (sent among others for
accounts of people who cannot read) -> OTHER. Group chats are not turned into events at all
(`group_chat_id`): the channel answers them with a short private-only notice.
The docs' own getUpdates sample has no `event_name` and names the sender `first_name`,
so the event is inferred from the fields when missing, and the name is read from `display_name`, `name` or `first_name`.
The webhook body may be wrapped as `{"ok": true, "result": {...}}` (ZALO.md) or
bare (openclaw monitor.webhook.ts); getUpdates returns one object, but an array
is accepted too.

There is no `update_id`: `chat_id:message_id` identifies a redelivery (or, when Zalo omits
`message_id`, the time and a digest of the content); the engine stores only a keyed hash of it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from bot.channels.webhook_body import BadBody
from bot.messages import Incoming, Kind
from bot.text import clean_display_name, clean_platform_text

CHANNEL = "zalo"
ID_LIMIT = 64  # users.platform_id / chat_id columns

EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"
EVENT_VOICE = "message.voice.received"
EVENT_UNSUPPORTED = "message.unsupported.received"
GROUP = "GROUP"


def extract_updates(body: Any) -> list[Mapping[str, Any]]:
    """Unwrap `{"ok": true, "result": ...}` and return the update objects (0, 1 or many)."""
    if isinstance(body, Mapping) and "result" in body and ("ok" in body or "message" not in body):
        body = body.get("result")
    if isinstance(body, list):
        return [item for item in body if isinstance(item, Mapping)]
    if isinstance(body, Mapping) and body:
        return [body]
    return []


def check_shape(body: Mapping[str, Any]) -> None:
    """Raise BadBody unless `body` (a JSON object) holds updates of the documented shape: objects,
    whose `message`, `message.from` and `message.chat`, when present, are objects too."""
    inner: Any = body
    if "result" in body and ("ok" in body or "message" not in body):
        inner = body.get("result")
    items = inner if isinstance(inner, list) else [inner]
    for item in items:
        if not isinstance(item, Mapping):
            raise BadBody(f"update is a {type(item).__name__}, not an object")
        message = item.get("message")
        if message is None:
            continue
        if not isinstance(message, Mapping):
            raise BadBody(f"message is a {type(message).__name__}, not an object")
        for part in ("from", "chat"):
            if part in message and not isinstance(message[part], Mapping):
                raise BadBody(f"message.{part} is not an object")


def _event_name(update: Mapping[str, Any], message: Mapping[str, Any]) -> str:
    name = update.get("event_name")
    if isinstance(name, str) and name:
        return name
    if isinstance(message.get("text"), str):
        return EVENT_TEXT
    if message.get("photo_url") or message.get("photo"):
        return EVENT_IMAGE
    if message.get("voice_url"):
        return EVENT_VOICE
    if message.get("sticker") or message.get("url"):
        return EVENT_STICKER
    if message.get("voice_url"):
        return EVENT_VOICE
    return EVENT_UNSUPPORTED


def group_chat_id(update: Mapping[str, Any]) -> str | None:
    """The chat id when the update comes from a group chat (answered in private only), else None."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = message.get("chat")
    if isinstance(chat, Mapping) and str(chat.get("chat_type") or "").upper() == GROUP:
        return _text_or_none(chat.get("id"))
    return None


def dedup_key(update: Mapping[str, Any]) -> str | None:
    """`chat.id:message_id` (or None): Zalo replays consumed updates, this recognises them."""
    message = update.get("message")
    if not isinstance(message, Mapping) or message.get("message_id") is None:
        return None
    chat = message.get("chat")
    sender = message.get("from")
    chat_id = chat.get("id") if isinstance(chat, Mapping) else None
    if chat_id is None and isinstance(sender, Mapping):
        chat_id = sender.get("id")
    return f"{chat_id}:{message['message_id']}"


def _text_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return clean_platform_text(str(value))


def _platform_id(value: Any) -> str | None:
    """A user or chat id as Zalo sends it (text or number, 1-64 plain characters), else None."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if 0 < len(text) <= ID_LIMIT and clean_platform_text(text) == text and text.isprintable() else None


def _update_id(chat_id: str, message_id: str | None, message: Mapping[str, Any], event: str) -> str | None:
    """What makes this update recognisable when delivered again: `chat:message_id`; without a
    message_id, its time (`date`, ms) and a digest of its content — two sends of the same words have
    different times. Neither form is stored: the engine keeps only a keyed hash of it."""
    if message_id:
        return f"{chat_id}:{message_id}"
    date = message.get("date")
    if isinstance(date, bool) or not isinstance(date, int | str) or not str(date).strip():
        return None  # nothing tells two sends apart: better answer twice than drop a message
    content = json.dumps(
        [event, *(message.get(k) for k in ("text", "caption", "photo", "photo_url", "sticker", "voice_url"))],
        ensure_ascii=True, default=str,
    )
    return f"{chat_id}:t{date}:{hashlib.sha256(content.encode()).hexdigest()[:32]}"


def to_incoming(update: Mapping[str, Any]) -> Incoming | None:
    """Convert one update; None when it is not a message from a person."""
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    sender = message.get("from")
    sender = sender if isinstance(sender, Mapping) else {}
    if sender.get("is_bot") is True:
        return None
    chat = message.get("chat")
    chat = chat if isinstance(chat, Mapping) else {}
    user_id = _platform_id(sender.get("id")) or _platform_id(chat.get("id"))
    if not user_id:
        return None
    chat_id = _platform_id(chat.get("id")) or user_id
    message_id = _text_or_none(message.get("message_id"))
    name = sender.get("display_name") or sender.get("name") or sender.get("first_name")

    event = _event_name(update, message)
    text: str | None
    photo = message.get("photo_url") or message.get("photo")
    if event == EVENT_TEXT:
        kind, text = Kind.TEXT, clean_platform_text(str(message.get("text") or ""))
    elif event in (EVENT_IMAGE, EVENT_STICKER):
        kind, text = Kind.MEDIA, _text_or_none(message.get("caption"))
    elif event == EVENT_VOICE:
        kind, text = Kind.VOICE, None
    else:
        kind, text = Kind.OTHER, None
    return Incoming(
        channel=CHANNEL,
        user_id=user_id,
        kind=kind,
        text=text,
        update_id=_update_id(chat_id, message_id, message, event),
        display_name=clean_display_name(str(name)) if name else None,
        chat_id=chat_id,
        media_ref=str(photo) if event == EVENT_IMAGE and isinstance(photo, str) and photo else None,
    )
