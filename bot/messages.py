"""Channel-neutral events and replies: the vocabulary channels, engine, services and outbox share.

This is a ground-floor module: it imports nothing of the application.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    """What the user sent."""

    TEXT = "text"  # typed text (commands like "/start" included)
    BUTTON = "button"  # a tapped button; `payload` holds its data
    MEDIA = "media"  # photo, sticker, file... (content not used)
    VOICE = "voice"  # a voice note (answered with speech: the person may not read)
    OTHER = "other"  # anything else the platform delivers


@dataclass(frozen=True, slots=True)
class Incoming:
    """One update from a user, as any channel delivers it."""

    channel: str  # "telegram" | "zalo" | "console"
    user_id: str  # the platform's user id, as text
    kind: Kind = Kind.TEXT
    text: str | None = None
    payload: str | None = None
    update_id: str | None = None  # platform update id; a redelivery carries the same one
    display_name: str | None = None
    chat_id: str | None = None  # defaults to user_id (private chats)
    media_ref: str | None = None  # a photo's platform reference (file id or URL); fetched only on demand

    @property
    def reply_to(self) -> str:
        return self.chat_id or self.user_id


@dataclass(frozen=True, slots=True)
class Button:
    """A choice the user can tap (Telegram), or type by number or label (Zalo, console)."""

    label: str
    payload: str  # <= 64 bytes (Telegram callback_data limit)
    number: int | None = None  # its fixed number on channels that type numbers (docs/conversation.md)


@dataclass(frozen=True, slots=True)
class Document:
    """A file to send (e.g. the monthly report)."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to show the user."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)  # rows of buttons
    image: str | None = None  # path to a PNG/JPEG file on disk (content/media/... resolved)
    image_bytes: bytes | None = None  # an in-memory image (charts)
    document: Document | None = None
    voice: str | None = None  # path to an OGG/Opus voice message (bot.speech's cache; an .aac beside it for Zalo)
    link: str | None = None  # the URL the picture encodes (a QR code): printed by the console, scanned on phones
    edit: bool = False  # hint: may replace the previous bot message (lesson navigation)

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def numbered(self) -> list[Button]:
        """Every button with its number, in the order a numbered list shows them (0 last)."""
        return numbered(self.all_buttons())


def numbered(buttons: list[Button]) -> list[Button]:
    """Give each button its number: a fixed `number` keeps it (an absent button leaves a gap, nothing
    shifts); the others take the lowest free numbers from 1 in row order. Sorted 1, 2, ... then 0."""
    taken: set[int] = set()
    fixed: list[Button | None] = []
    for b in buttons:
        if b.number is not None and b.number not in taken:
            taken.add(b.number)
            fixed.append(b)
        else:
            fixed.append(None)
    out: list[Button] = []
    free = 1
    for b, kept in zip(buttons, fixed, strict=True):
        if kept is not None:
            out.append(kept)
            continue
        while free in taken:
            free += 1
        taken.add(free)
        out.append(Button(b.label, b.payload, free))
    return sorted(out, key=lambda b: (b.number == 0, b.number))


MediaFetcher = Callable[[str, Path], Awaitable[Path]]
"""fetch(media_ref, dest_dir) -> saved file: how a channel downloads a photo a user sent, when a flow
asks for it (nothing is downloaded otherwise: people send photos the bot has no right to keep)."""
