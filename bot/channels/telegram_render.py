"""Render channel-neutral replies as Telegram Bot API calls."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from telegram import Bot, InlineKeyboardMarkup, InputFile
from telegram.constants import ChatAction
from telegram.error import BadRequest, NetworkError
from telegram.warnings import PTBUserWarning
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.channels.telegram_convert import CAPTION_LIMIT, keyboard, reply_text, split_text
from bot.messages import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")
Call = Callable[[Callable[[], Awaitable[T]]], Awaitable[T]]


def _is_transient(exc: BaseException) -> bool:
    """Network trouble or 5xx (PTB raises NetworkError), but not a 400 (BadRequest subclasses it)."""
    return isinstance(exc, NetworkError) and not isinstance(exc, BadRequest)


async def call_with_retries(factory: Callable[[], Awaitable[T]]) -> T:
    """Run one API call, retrying network errors with exponential backoff (about 4 s in total)."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(_is_transient), stop=stop_after_attempt(4),
        wait=wait_exponential(multiplier=0.3, max=2), reraise=True,
    ):
        with attempt:
            return await factory()
    raise AssertionError("unreachable")


async def call_once(factory: Callable[[], Awaitable[T]]) -> T:
    """Run one API call without retries (the outbox decides when to retry)."""
    return await factory()


class ReplyRenderer:
    """Sends replies to one bot, using `call` to wrap every API request.

    `lean=True` (broadcasts) sends text through `Bot.do_api_request`: the same request, the same
    error mapping, but the answer is not parsed into a `telegram.Message` (nobody reads it, and
    building one costs about as much CPU as the HTTP request itself).
    """

    def __init__(
        self, bot: Bot, media_root: Path, call: Callable[[Callable[[], Awaitable[Any]]], Awaitable[Any]],
        lean: bool = False,
    ):
        self.bot = bot
        self.media_root = media_root
        self._call = call
        self._lean = lean
        if lean:  # do_api_request("sendMessage") is on purpose; silence exactly PTB's advice against it
            warnings.filterwarnings("ignore", r"Please use 'Bot\.sendMessage' instead", PTBUserWarning)

    async def render(
        self, chat_id: int | str, replies: Sequence[Reply], edit_message_id: int | None = None,
        sent: Callable[[Sequence[Reply]], None] | None = None,
    ) -> None:
        """Send `replies` in order, calling `sent((reply,))` after each. One reply marked `edit` may
        replace message `edit_message_id` (the message whose button was tapped), as long as nothing
        new was sent before it."""
        for reply in replies:
            edited = False
            if reply.edit and edit_message_id is not None:
                edited = await self.try_edit(chat_id, edit_message_id, reply)
            if not edited:
                await self.send(chat_id, reply)
            edit_message_id = None  # only the first reply may replace the tapped message
            if sent is not None:
                sent((reply,))

    async def try_edit(self, chat_id: int | str, message_id: int, reply: Reply) -> bool:
        """Replace the text and buttons of a bot message; False if the reply cannot be an edit."""
        chunks = split_text(reply_text(reply))
        if reply.image or reply.image_bytes or reply.document or reply.voice or len(chunks) != 1:
            return False
        try:
            await self._call(lambda: self.bot.edit_message_text(
                chunks[0], chat_id=chat_id, message_id=message_id, reply_markup=keyboard(reply)))
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return True  # the message already shows exactly this
            log.info("editing message %s in chat %s failed (%s); sending a new one", message_id, chat_id, exc)
            return False
        return True

    async def send(self, chat_id: int | str, reply: Reply) -> None:
        """Send one reply as new message(s): media first (caption if short), then text chunks.
        A voice message is the last medium, so a short text is its caption and the buttons sit under it.
        A medium Telegram refuses (400: bad file, unsupported) is left out, never the text and buttons."""
        markup = keyboard(reply)
        chunks = split_text(reply_text(reply))
        photo = self._photo(reply)
        media: list[tuple[str, Any]] = []
        if photo is not None:
            media.append(("photo", photo))
        if reply.document is not None:
            media.append(("document", InputFile(reply.document.content, filename=reply.document.filename)))
        voice = self._file(reply.voice)
        if voice is not None:
            media.append(("voice", voice))
        caption: str | None = None
        if media and len(chunks) == 1 and len(chunks[0]) <= CAPTION_LIMIT:
            caption, chunks = chunks[0], []
        for index, (kind, source) in enumerate(media):
            last = index == len(media) - 1 and not chunks
            try:
                await self._send_media(chat_id, kind, source, caption if last else None, markup if last else None)
            except BadRequest as exc:  # the file itself is refused: retrying will not help
                log.warning("telegram refused a %s for chat %s (%s); sending the rest without it", kind, chat_id, exc)
                if last and caption is not None:  # the words and buttons it carried still go
                    chunks = [caption]
        for index, chunk in enumerate(chunks):
            await self._send_text(chat_id, chunk, markup if index == len(chunks) - 1 else None)

    async def _send_text(self, chat_id: int | str, text: str, markup: InlineKeyboardMarkup | None) -> None:
        if self._lean:
            params: dict[str, Any] = {"chat_id": chat_id, "text": text}
            if markup is not None:
                params["reply_markup"] = markup
            await self._call(lambda: self.bot.do_api_request("sendMessage", api_kwargs=params))
            return
        await self._call(lambda: self.bot.send_message(chat_id, text, reply_markup=markup))

    async def _send_media(
        self, chat_id: int | str, kind: str, source: Any, caption: str | None, markup: InlineKeyboardMarkup | None,
    ) -> None:
        if kind == "photo":
            await self._call(lambda: self.bot.send_photo(chat_id, source, caption=caption, reply_markup=markup))
            return
        if kind == "voice":
            await self._call(lambda: self.bot.send_voice(chat_id, source, caption=caption, reply_markup=markup))
            return
        await self._call(lambda: self.bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT))
        await self._call(lambda: self.bot.send_document(chat_id, source, caption=caption, reply_markup=markup))

    def _photo(self, reply: Reply) -> bytes | None:
        if reply.image_bytes:
            return reply.image_bytes
        return self._file(reply.image)

    def _file(self, name: str | None) -> bytes | None:
        """The bytes of a media file named by a reply (absolute, or under the media root)."""
        if not name:
            return None
        path = Path(name)
        candidates = [path] if path.is_absolute() else [self.media_root / path, path]
        for candidate in candidates:
            if candidate.is_file():
                try:
                    return candidate.read_bytes()
                except OSError as exc:
                    log.error("media file %s cannot be read (%s)", candidate, exc)
        log.error("media file %s for a reply not found under %s; sending the text only", path, self.media_root)
        return None
