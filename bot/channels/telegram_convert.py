"""Pure conversions between python-telegram-bot objects and the channel-neutral events."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.messages import Button, Incoming, Kind, Reply, link_lines
from bot.text import clean_display_name, clean_platform_text

CHANNEL = "telegram"
TEXT_LIMIT = 4096  # characters per message
CAPTION_LIMIT = 1024  # characters per photo/document caption

_MEDIA_FIELDS = ("photo", "sticker", "document", "video", "animation")
_VOICE_FIELDS = ("voice", "audio", "video_note")  # answered aloud: the person may not read


def incoming_from_update(update: Update) -> Incoming | None:
    """Turn an update into an `Incoming`, or None if it is not something a user said."""
    update_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        return Incoming(
            channel=CHANNEL, user_id=str(query.from_user.id), kind=Kind.BUTTON, payload=_clean(query.data),
            update_id=update_id, display_name=clean_display_name(query.from_user.full_name), chat_id=str(chat_id),
        )
    message = update.message
    if message is None or message.from_user is None:
        return None  # edits, channel posts, member updates... are not conversation turns
    kind, text = _message_kind(message)
    return Incoming(
        channel=CHANNEL, user_id=str(message.from_user.id), kind=kind, text=_clean(text), update_id=update_id,
        display_name=clean_display_name(message.from_user.full_name), chat_id=str(message.chat.id),
        media_ref=message.photo[-1].file_id if message.photo else None,  # the largest size
    )


def _clean(text: str | None) -> str | None:
    return None if text is None else clean_platform_text(text)


def _message_kind(message: Message) -> tuple[Kind, str | None]:
    if message.text is not None:
        return Kind.TEXT, message.text
    if any(getattr(message, name) for name in _VOICE_FIELDS):
        return Kind.VOICE, message.caption
    if any(getattr(message, name) for name in _MEDIA_FIELDS):
        return Kind.MEDIA, message.caption
    return Kind.OTHER, message.caption


def blocked_user_id(update: Update) -> str | None:
    """The user id if this update says a private-chat user blocked the bot."""
    member = update.my_chat_member
    if member is None or member.chat.type != "private":
        return None
    if member.new_chat_member.status == "kicked":
        return str(member.from_user.id)
    return None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard for a reply's button rows (None without buttons). An https link button is an URL
    button; a phone button has no Telegram form (no tel: URLs) and is written in the text (`reply_text`)."""
    rows = [[_inline(button) for button in row if not _written(button)] for row in reply.buttons]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


def _written(button: Button) -> bool:
    """A phone button, or a link Telegram would refuse on a button (only https: a local http address is
    BUTTON_URL_INVALID), goes in the text instead."""
    return button.phone is not None or (button.url is not None and not button.url.startswith("https://"))


def _inline(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(text=button.label, url=button.url)
    return InlineKeyboardButton(text=button.label, callback_data=button.payload)


def reply_text(reply: Reply) -> str:
    """The reply's text with its phone buttons (and http links) written out («📞 label: number»)."""
    written = tuple(b for b in reply.links() if _written(b))
    lines = link_lines(Reply("", buttons=(written,)), reply.text) if written else []
    return "\n\n".join([reply.text, "\n".join(lines)]) if lines else reply.text


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split a long text into messages of at most `limit` characters.

    Cuts between paragraphs when possible, else between lines, else between words,
    else hard. Blank-only pieces are dropped (Telegram refuses empty messages).
    """
    return [chunk for chunk in _split(text.strip(), limit, ("\n\n", "\n", " ")) if chunk.strip()]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    if len(text) <= limit:
        return [text]
    if not separators:
        return [text[i:i + limit] for i in range(0, len(text), limit)]
    separator, finer = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for piece in text.split(separator):
        candidate = f"{current}{separator}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current.strip():
            chunks.append(current.strip())
        current = ""
        if len(piece) <= limit:
            current = piece
        else:
            chunks.extend(_split(piece.strip(), limit, finer))
    if current.strip():
        chunks.append(current.strip())
    return chunks
