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

    @property
    def url(self) -> str | None:
        """The web address a link button opens (`link_button`), else None."""
        return self.payload if self.payload.startswith(URL_SCHEMES) else None

    @property
    def phone(self) -> str | None:
        """The number a phone button dials (`phone_button`), else None."""
        return self.payload[len(PHONE_SCHEME):] if self.payload.startswith(PHONE_SCHEME) else None

    @property
    def is_link(self) -> bool:
        """A link or phone button: it opens something on the phone, it is not a choice sent back to the bot,
        so it never takes a number (typing cannot open a link: the numbered channels print it instead)."""
        return self.payload.startswith((*URL_SCHEMES, PHONE_SCHEME))


URL_SCHEMES = ("https://", "http://")
PHONE_SCHEME = "tel:"


def link_button(label: str, url: str) -> Button:
    """A button that opens `url`: an URL button on Telegram, `oa.open.url` on the Zalo OA, a «🔗 label: url»
    line on the Zalo Bot and the console."""
    if not url.startswith(URL_SCHEMES):
        raise ValueError("a link button needs an http(s) URL")
    return Button(label, url)


def phone_button(label: str, number: str) -> Button:
    """A button that dials `number`: `oa.open.phone` on the Zalo OA; a «📞 label: number» line elsewhere
    (Telegram has no dialling buttons)."""
    digits = "".join(ch for ch in number if ch.isdigit() or ch == "+")
    if not digits.lstrip("+"):
        raise ValueError("a phone button needs a number")
    return Button(label, PHONE_SCHEME + digits)


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
    # Its reply-journal entry (bot/journal/), set by the engine: the channel reports it delivered once sent.
    journal_id: int | None = field(default=None, compare=False)

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def numbered(self) -> list[Button]:
        """Every choice with its number, in the order a numbered list shows them (0 last); links excluded."""
        return numbered(self.all_buttons())

    def links(self) -> list[Button]:
        """The link and phone buttons, in row order."""
        return [b for b in self.all_buttons() if b.is_link]


PUSHED_NUMBERS = range(21, 30)
"""The numbers of the choices in a pushed (outbox) message: 21, 22… in row order (bot/pushed_choices.py).
No screen of a turn uses them (`numbered` skips them), so a typed 21 is never ambiguous."""


def numbered(buttons: list[Button]) -> list[Button]:
    """Give each button its number: a fixed `number` keeps it (an absent button leaves a gap, nothing
    shifts); the others take the lowest free numbers from 1 in row order, skipping PUSHED_NUMBERS (a
    long list goes 19, 20, 30, 31…). Sorted 1, 2, ... then 0. Link and phone buttons are left out:
    they are not choices."""
    buttons = [b for b in buttons if not b.is_link]
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
        while free in taken or free in PUSHED_NUMBERS:
            free += 1
        taken.add(free)
        out.append(Button(b.label, b.payload, free))
    return sorted(out, key=lambda b: (b.number == 0, b.number))


def link_lines(reply: Reply, shown_text: str = "") -> list[str]:
    """Links and numbers written out, for channels without such buttons: «🔗 label: url», «📞 label: number»;
    one already written in `shown_text` is not repeated."""
    lines = []
    for b in reply.links():
        target = b.url or b.phone or ""
        if target and target not in shown_text:
            lines.append(f"{'🔗' if b.url else '📞'} {b.label}: {target}")
    return lines


class MediaTooLarge(ValueError):
    """A photo a user sent is over the channel's size limit (it was not kept)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"file larger than {max_bytes} bytes")
        self.max_bytes = max_bytes


MediaFetcher = Callable[[str, Path], Awaitable[Path]]
"""fetch(media_ref, dest_dir) -> saved file: how a channel downloads a photo a user sent, when a flow
asks for it (nothing is downloaded otherwise: people send photos the bot has no right to keep)."""
