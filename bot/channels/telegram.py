"""Telegram channel: python-telegram-bot v22 updates in, engine replies out.

Polling (`start_polling`) or webhook (`start` + `webhook_handler` mounted by the web app).
Updates of different users run concurrently; one user's updates run strictly in order (telegram_order.py).
`send` implements the outbox's `Sender` protocol (no internal retries, errors mapped to
`RecipientBlocked` / `RetryLater` / `PermanentFailure`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dtm
import hmac
import logging
import os
from pathlib import Path
from typing import Any

from aiohttp import web
from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.ext import ApplicationBuilder, ContextTypes, ExtBot, TypeHandler

from bot.channels.base import (
    BlockedHook,
    DeliveredHook,
    Handler,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
)
from bot.channels.budget import SendBudget
from bot.channels.telegram_convert import CHANNEL, blocked_user_id, incoming_from_update
from bot.channels.telegram_limiter import BudgetRateLimiter, retry_after_seconds
from bot.channels.telegram_order import PerUserUpdateProcessor
from bot.channels.telegram_render import ReplyRenderer, call_once, call_with_retries
from bot.channels.telegram_request import AiohttpRequest
from bot.channels.webhook_body import BadBody, bad_request, read_object
from bot.messages import Incoming, Reply

# Opt in to python-telegram-bot's future behaviour: time spans (RetryAfter.retry_after, ...) are
# datetime.timedelta, not int seconds (PTB v22.2 warns on every read otherwise). PTB reads the
# variable on each access, so setting it when this module loads covers the whole process.
os.environ.setdefault("PTB_TIMEDELTA", "true")

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]
FALLBACK_TEXT = "Xin lỗi, hệ thống đang gặp trục trặc. Bạn vui lòng thử lại sau ít phút nhé."
NETWORK_BACKOFF = 2.0  # seconds the outbox waits after a network error or 5xx
BROKEN_CONFIG_BACKOFF = 60.0  # token rejected / endpoint missing: wait for a human


def _chat_ref(chat_id: str) -> int | str:
    try:
        return int(chat_id)
    except ValueError:
        return chat_id  # @channelusername


MAX_PHOTO_BYTES = 10 * 1024 * 1024


class TelegramChannel:
    """The Telegram adapter; see the module docstring."""

    channel = CHANNEL

    def __init__(
        self,
        token: str,
        handler: Handler,
        on_blocked: BlockedHook,
        media_root: Path,
        base_url: str = DEFAULT_API_BASE_URL,
        webhook_secret: str | None = None,
        overall_rate: float | None = 30.0,
        max_retries_on_429: int = 3,
        max_concurrent_updates: int = 64,
        poll_timeout: float = 10.0,
        typing_delay: float = 1.0,
        broadcast_pool_size: int = 32,
        on_delivered: DeliveredHook | None = None,
    ) -> None:
        """`overall_rate`: messages/s this bot token may send, replies and broadcasts together
        (`self.budget`, replies first; None = no limit). A reply answered 429 is retried up to
        `max_retries_on_429` times after `retry_after`. "typing…" only for turns slower than `typing_delay`."""
        self._handler = handler
        self._on_blocked = on_blocked
        self._on_delivered = on_delivered
        self._webhook_secret = webhook_secret
        self._poll_timeout = poll_timeout
        self._typing_delay = typing_delay
        base_url = base_url.rstrip("/")
        self.budget = SendBudget(overall_rate)
        self.application = (
            ApplicationBuilder()
            .token(token)
            .base_url(f"{base_url}/bot")
            .base_file_url(f"{base_url}/file/bot")
            .rate_limiter(BudgetRateLimiter(self.budget, max_retries_on_429))
            .concurrent_updates(PerUserUpdateProcessor(max_concurrent_updates))
            # aiohttp instead of PTB's default HTTPX: the same requests and errors at a fraction
            # of the CPU per request (see telegram_request.py).
            .request(AiohttpRequest(connection_pool_size=max_concurrent_updates, connect_timeout=5,
                                    read_timeout=15, write_timeout=15, pool_timeout=30, media_write_timeout=60))
            .get_updates_request(AiohttpRequest(connection_pool_size=1, connect_timeout=5, read_timeout=10,
                                                write_timeout=15, pool_timeout=30))
            .job_queue(None)
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self._on_update))
        self.application.add_error_handler(self._on_error)
        self._renderer = ReplyRenderer(self.application.bot, media_root, call_with_retries)
        # Broadcasts: the same budget (the outbox takes their slots, after residents'), no retries:
        # the outbox decides when to retry.
        self._broadcast_bot: ExtBot[int] = ExtBot(
            token, base_url=f"{base_url}/bot", base_file_url=f"{base_url}/file/bot",
            rate_limiter=BudgetRateLimiter(self.budget, 0),
            request=AiohttpRequest(connection_pool_size=broadcast_pool_size, connect_timeout=5, read_timeout=15,
                                   write_timeout=15, pool_timeout=30, media_write_timeout=60),
            get_updates_request=AiohttpRequest(connection_pool_size=1),  # never polls; avoids a second client
        )
        self._broadcast_renderer = ReplyRenderer(self._broadcast_bot, media_root, call_once, lean=True)
        self._broadcast_ready = False
        self._init_lock = asyncio.Lock()
        self._accepting = False
        self._webhook_tasks: set[asyncio.Task[None]] = set()

    # ---------- lifecycle ----------
    async def initialize(self) -> None:
        """Check the token (getMe) and prepare HTTP clients; idempotent."""
        async with self._init_lock:
            if not self.application._initialized:
                await self.application.initialize()

    async def start(self) -> None:
        """Start processing updates (webhook mode: feed them through `webhook_handler`)."""
        await self.initialize()
        if not self.application.running:
            await self.application.start()
        self._accepting = True

    async def start_polling(self) -> None:
        """Delete any webhook and long-poll getUpdates in the background."""
        await self.initialize()
        assert self.application.updater is not None
        await self.application.updater.start_polling(
            timeout=dtm.timedelta(seconds=self._poll_timeout), allowed_updates=ALLOWED_UPDATES,
            drop_pending_updates=False,
        )
        await self.start()

    async def stop(self) -> None:
        """Stop taking updates, finish the ones already taken (their replies included), close."""
        self._accepting = False
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()  # confirms fetched updates; they are in the queue and run below
        if self._webhook_tasks:
            await asyncio.gather(*self._webhook_tasks, return_exceptions=True)
        if self.application.running:
            await self.application.stop()  # drains the update queue and running handlers
        if self.application._initialized:
            await self.application.shutdown()
        if self._broadcast_ready:
            await self._broadcast_bot.shutdown()
            self._broadcast_ready = False

    # ---------- webhook ----------
    async def set_webhook(self, url: str, secret: str) -> None:
        """Register `url` with Telegram; updates will carry `secret` in the secret-token header."""
        await self.initialize()
        self._webhook_secret = secret
        await self.application.bot.set_webhook(
            url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
        )

    async def webhook_handler(self, request: web.Request) -> web.Response:
        """aiohttp handler for Telegram's webhook POST. The reply is sent before answering 200,
        so a crash before that makes Telegram deliver the update again (same update_id)."""
        secret = self._webhook_secret
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return web.json_response({"ok": False, "description": "Unauthorized"}, status=401)
        if not self._accepting:
            return web.json_response({"ok": False, "description": "shutting down"}, status=503)
        try:
            update = self._parse_update(await read_object(request))
        except BadBody as exc:
            log.warning("telegram webhook: body refused: %s", exc)
            return bad_request(str(exc))
        task = asyncio.create_task(self._process(update))
        self._webhook_tasks.add(task)
        task.add_done_callback(self._webhook_tasks.discard)
        await asyncio.shield(task)  # a dropped connection must not abort the handler half-way
        return web.json_response({"ok": True})

    def _parse_update(self, data: dict[str, Any]) -> Update:
        """An Update, or BadBody: every field we read must be an object, and PTB must accept it."""
        if not isinstance(data.get("update_id"), int):
            raise BadBody("no integer update_id")
        for name in ALLOWED_UPDATES:
            if name in data and not isinstance(data[name], dict):
                raise BadBody(f"{name} is a {type(data[name]).__name__}, not an object")
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as exc:  # PTB raises whatever the shape provokes (KeyError, TypeError, ...)
            raise BadBody(f"not a Telegram update ({type(exc).__name__}: {str(exc)[:80]})") from None
        if update is None:
            raise BadBody("empty update")
        return update

    async def _process(self, update: Update) -> None:
        app = self.application
        await app.update_processor.process_update(update, app.process_update(update))

    # ---------- conversation ----------
    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        blocked = blocked_user_id(update)
        if blocked is not None:
            await self._blocked(blocked)
            return
        incoming = incoming_from_update(update)
        if incoming is None:
            return
        edit_message_id: int | None = None
        query = update.callback_query
        if query is not None:
            with contextlib.suppress(TelegramError):  # too old / already answered: nothing to do
                await query.answer()
            if query.message is not None and query.message.is_accessible:
                edit_message_id = query.message.message_id
        replies = await self._run_handler(incoming)
        try:
            await self._renderer.render(_chat_ref(incoming.reply_to), replies, edit_message_id, self._on_delivered)
        except Forbidden:
            await self._blocked(incoming.user_id)
        except TelegramError:
            log.exception("could not deliver replies to telegram chat %s", incoming.reply_to)
        if self._on_delivered is not None:  # each reported once sent; the rest given up on
            self._on_delivered(replies)

    async def _run_handler(self, incoming: Incoming) -> list[Reply]:
        typing = asyncio.create_task(self._typing(_chat_ref(incoming.reply_to)))
        try:
            return list(await self._handler(incoming))
        except Exception:
            log.exception("handler failed on telegram update %s", incoming.update_id)
            return [Reply(FALLBACK_TEXT)]
        finally:
            typing.cancel()

    async def _typing(self, chat_id: int | str) -> None:
        """Show "typing…" while a slow handler works (first after `typing_delay`, then every 4.5 s)."""
        await asyncio.sleep(self._typing_delay)
        while True:
            with contextlib.suppress(TelegramError):
                await self.application.bot.send_chat_action(chat_id, "typing")
            await asyncio.sleep(4.5)

    async def _blocked(self, user_id: str) -> None:
        try:
            await self._on_blocked(CHANNEL, user_id)
        except Exception:
            log.exception("on_blocked hook failed for telegram user %s", user_id)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while processing telegram update %s", update, exc_info=context.error)

    # ---------- Sender protocol ----------
    async def fetch_media(self, ref: str, dest_dir: Path) -> Path:
        """Download a photo a user sent (getFile, then the file URL) into `dest_dir` (MediaFetcher)."""
        tg_file = await self.application.bot.get_file(ref)
        if tg_file.file_size and tg_file.file_size > MAX_PHOTO_BYTES:
            raise ValueError("photo too large")
        path = dest_dir / f"tg-{tg_file.file_unique_id}.jpg"
        await asyncio.to_thread(dest_dir.mkdir, parents=True, exist_ok=True)
        await tg_file.download_to_drive(path)
        return path

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver one reply outside a conversation; raise a `SendError` subclass on failure."""
        try:
            if not self._broadcast_ready:
                async with self._init_lock:
                    if not self._broadcast_ready:
                        await self._broadcast_bot.initialize()
                        self._broadcast_ready = True
            await self._broadcast_renderer.send(_chat_ref(chat_id), reply)
        except Forbidden as exc:
            raise RecipientBlocked(str(exc)) from exc
        except RetryAfter as exc:
            raise RetryLater(retry_after_seconds(exc), str(exc)) from exc
        except BadRequest as exc:
            text = str(exc).lower()
            if "chat not found" in text or "user is deactivated" in text:
                raise RecipientBlocked(str(exc)) from exc
            raise PermanentFailure(str(exc)) from exc
        except NetworkError as exc:  # includes TimedOut and 5xx answers
            raise RetryLater(NETWORK_BACKOFF, str(exc)) from exc
        except InvalidToken as exc:
            raise RetryLater(BROKEN_CONFIG_BACKOFF, f"Telegram rejected the bot token or method: {exc}") from exc
        except ChatMigrated as exc:
            raise PermanentFailure(str(exc)) from exc
        except TelegramError as exc:
            raise PermanentFailure(str(exc)) from exc

    # ---------- misc ----------
    async def set_commands(self, commands: list[tuple[str, str]], chat_id: str | None = None) -> None:
        """Set the command menu, e.g. [("start", "Bắt đầu học")]: the default one, or one chat's."""
        await self.initialize()
        scope = BotCommandScopeChat(int(chat_id)) if chat_id is not None else None
        await self.application.bot.set_my_commands([BotCommand(c, d) for c, d in commands], scope=scope)

