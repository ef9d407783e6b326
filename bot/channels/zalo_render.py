"""Channel-neutral `Reply` -> the Zalo calls that show it.

Zalo has no buttons (no keyboard in the documented API), so choices become a
numbered list at the end of the LAST message, followed by a hint such as
"Gõ 1, 2 hoặc 3 để chọn."; the engine maps a typed number or label back to the
button. Link and phone buttons are written out («🔗 label: url», «📞 label: number»: Zalo makes them
tappable) without a number, since typing cannot open a link. Texts longer than 2000 characters are
split on paragraph, then line, then word boundaries. Images need a public URL (sendPhoto takes a URL only);
in-memory images and binary documents cannot be uploaded, so a Vietnamese note points
to the web dashboard instead; a text document (JSON, CSV, plain text: a person's data export) is sent
as its own messages, cut only at line ends or the limit, so the messages joined give the file back
byte for byte. `edit` hints are ignored (no message editing).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath, PureWindowsPath
from urllib.parse import quote

from bot.channels.typed_wording import for_typing
from bot.channels.zalo_api import TEXT_LIMIT
from bot.messages import Button, Reply, link_lines, numbered

CHART_NOTE = "📊 Biểu đồ không gửi được qua Zalo. Bạn xem biểu đồ trên trang thống kê: gõ /dangnhap để nhận liên kết."
DOCUMENT_NOTE = (
    "📄 Tệp «{filename}» không gửi được qua Zalo. Bạn tải về trên trang quản lý (web) của chương trình."
)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One API call to make: sendMessage (text), sendPhoto (photo URL + optional caption) or
    sendVoice (a public `.aac` URL)."""

    method: str
    text: str = ""
    photo: str | None = None
    voice: str | None = None

    def payload(self, chat_id: str) -> dict[str, str]:
        if self.method == "sendVoice":
            return {"chat_id": chat_id, "voice_url": self.voice or ""}
        if self.method == "sendPhoto":
            data = {"chat_id": chat_id, "photo": self.photo or ""}
            if self.text:
                data["caption"] = self.text
            return data
        return {"chat_id": chat_id, "text": self.text}


def choice_hint(numbers: int | list[int]) -> str:
    """'Gõ 1 để chọn.', 'Gõ 1 hoặc 2 để chọn.', 'Gõ 1, 2 hoặc 0 để chọn.', 'Gõ số 1 đến 7 để chọn.',
    'Gõ số 1 đến 6, 8 hoặc 0 để chọn.'

    `numbers` are the numbers shown, in order (a count n means 1..n)."""
    shown = list(range(1, numbers + 1)) if isinstance(numbers, int) else list(numbers)
    if len(shown) <= 1:
        return f"Gõ {shown[0] if shown else 1} để chọn."
    parts: list[str] = []
    i = 0
    while i < len(shown):
        j = i
        while j + 1 < len(shown) and shown[j + 1] == shown[j] + 1:
            j += 1
        if j - i >= 3:
            parts.append(f"{shown[i]} đến {shown[j]}")
        else:
            parts.extend(str(n) for n in shown[i : j + 1])
        i = j + 1
    prefix = "Gõ số " if " đến " in parts[0] else "Gõ "
    if len(parts) == 1:
        return f"{prefix}{parts[0]} để chọn."
    return f"{prefix}{', '.join(parts[:-1])} hoặc {parts[-1]} để chọn."


def choices_block(buttons: list[Button]) -> str:
    """Numbered lines (each button's fixed number, docs/conversation.md) plus the hint."""
    shown = numbered(buttons)
    lines = [f"{button.number}. {button.label}" for button in shown]
    lines.append(choice_hint([b.number for b in shown if b.number is not None]))
    return "\n".join(lines)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split into chunks of at most `limit` characters, preferring paragraph, line, then word breaks."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]  # a break right after the limit still counts
        cut = -1
        for sep in ("\n\n", "\n", " "):
            pos = window.rfind(sep, 0, limit + 1)
            if pos > 0:
                cut = pos
                break
        if cut <= 0:
            cut = limit
        piece = rest[:cut].rstrip()
        if piece:
            chunks.append(piece)
        rest = rest[cut:].lstrip()
    if rest:
        chunks.append(rest)
    return chunks


TEXT_MIMES = ("application/json", "text/")


def is_text_document(mime_type: str) -> bool:
    return mime_type.startswith(TEXT_MIMES)


def cut_exact(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters whose concatenation is `text` exactly (cut after a newline
    when there is one in reach)."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit) + 1
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        pieces.append(rest)
    return pieces


def media_url(media_base_url: str, image_path: str) -> str:
    """Public URL of a content image: the part of the path after its last `media` folder."""
    path: PurePath = PureWindowsPath(image_path) if "\\" in image_path else PurePosixPath(image_path)
    parts = list(path.parts)
    rel = parts[-1:]
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "media" and index < len(parts) - 1:
            rel = parts[index + 1 :]
            break
    return f"{media_base_url.rstrip('/')}/{quote('/'.join(rel))}"


def render(reply: Reply, media_base_url: str | None = None, limit: int = TEXT_LIMIT) -> list[Outgoing]:
    """The calls that show `reply`, in order; numbered choices always end the last text."""
    body = for_typing(reply.text.strip(), reply.numbered())
    links = link_lines(reply, body)  # Zalo makes a written link or number tappable
    if links:
        body = "\n\n".join(part for part in [body, "\n".join(links)] if part)
    notes: list[str] = []
    if reply.image_bytes is not None:
        notes.append(CHART_NOTE)
    file_text: list[str] = []
    if reply.document is not None and is_text_document(reply.document.mime_type):
        file_text = cut_exact(reply.document.content.decode("utf-8", errors="replace"), limit)
    elif reply.document is not None:
        notes.append(DOCUMENT_NOTE.format(filename=reply.document.filename))
    if notes:
        body = "\n\n".join([part for part in [body, *notes] if part])

    buttons = [b for b in reply.all_buttons() if not b.is_link]
    chunks = split_text(body, limit) if body else []
    chunks.extend(file_text)
    if buttons and file_text:
        chunks.extend(split_text(choices_block(buttons), limit))  # never glued onto the file's text
    elif buttons:
        block = choices_block(buttons)
        if chunks and len(chunks[-1]) + 2 + len(block) <= limit:
            chunks[-1] = f"{chunks[-1]}\n\n{block}"
        else:
            chunks.extend(split_text(block, limit))

    calls: list[Outgoing] = []
    if reply.image and media_base_url:
        url = media_url(media_base_url, reply.image)
        if len(chunks) == 1:
            calls.append(Outgoing("sendPhoto", text=chunks[0], photo=url))
            chunks = []
        else:
            calls.append(Outgoing("sendPhoto", photo=url))
    calls.extend(Outgoing("sendMessage", text=chunk) for chunk in chunks)
    if reply.voice and media_base_url:  # last: the newest bubble on screen is the one to play
        calls.append(Outgoing("sendVoice", voice=voice_url(media_base_url, reply.voice)))
    return calls


def voice_url(media_base_url: str, voice_path: str) -> str:
    """Public URL of the AAC twin of a cached voice message (the web app serves /media/voice/)."""
    stem = PurePosixPath(voice_path.replace("\\", "/")).stem
    return f"{media_base_url.rstrip('/')}/voice/{quote(stem)}.aac"
