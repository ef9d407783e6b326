"""Zalo channel adapter (Zalo Bot Platform / Bot API) for polling and webhook mode.

- `start_polling()` deletes any webhook (polling and webhook exclude each other),
  then long-polls getUpdates until `stop()`; an empty poll (HTTP 408, or 408 in
  the body) is normal. getUpdates has no offset and no ack: Zalo replays consumed
  updates and answers at once while its queue is non-empty, so calls start at
  least `poll_min_interval` (1 s) apart and updates already seen (`chat.id` +
  `message_id`, kept in memory only, the last `SEEN_KEYS`) are dropped; the
  engine's processed-updates table catches replays across restarts.
- Group chats (beta: the bot sees mentions and replies): a short notice that the
  bot answers in private only, once per group per process; nothing reaches the
  engine, nothing is stored.
- 403 is Zalo's "Internal server error": retried, then `RetryLater`; nobody is
  marked blocked for it. 429 "Quota exceeded" (monthly cap included) pauses the
  whole channel (`zalo_quota.QuotaGate`): logged once, admins told once through
  `on_quota`, `send()` raises `QuotaExceeded` without calling Zalo until the
  pause ends.
- `webhook_handler` is mounted by the web app at /webhook/zalo. Zalo sends the
  secret given to setWebhook in header `X-Bot-Api-Secret-Token` (docs:
  setWebhook "secret_token ... đính kèm trong header X-Bot-Api-Secret-Token");
  it is compared in constant time; missing or wrong -> 401, nothing processed.
  The HTTP answer is sent at once (text in it is not delivered anyway); the
  update is processed in the background.
- Updates of one user are processed strictly in order, different users
  concurrently (one queue + worker task per user, dropped when idle).
- Replies are rendered by `zalo_render` (numbered choices, 2000-char chunks,
  photo URLs under `media_base_url`); API details live in `zalo_api`.
- `send()` implements the outbox `Sender` protocol.
See zalo_api.py for which API facts are documented and which are defensive choices.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.base import (
    BlockedHook,
    DeliveredHook,
    Handler,
    PermanentFailure,
    QuotaExceeded,
    QuotaHook,
    RecipientBlocked,
    RetryLater,
)
from bot.channels.media_download import save_photo
from bot.channels.media_urls import MediaRefused, MediaUrlPolicy
from bot.channels.user_queues import UserQueues
from bot.channels.webhook_body import BadBody, bad_request, read_object
from bot.channels.zalo_api import DEFAULT_BASE_URL, ZaloApi
from bot.channels.zalo_errors import (
    ZaloApiError,
    ZaloBadRequest,
    ZaloBlocked,
    ZaloQuotaExceeded,
    ZaloServerError,
    ZaloUnauthorized,
)
from bot.channels.zalo_polling import poll_updates
from bot.channels.zalo_quota import QuotaGate
from bot.channels.zalo_render import Outgoing, render
from bot.channels.zalo_updates import CHANNEL, check_shape, dedup_key, extract_updates, group_chat_id, to_incoming
from bot.config import ZALO_MEDIA_HOSTS
from bot.messages import Incoming, Reply

MAX_PHOTO_BYTES = 10 * 1024 * 1024

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
SORRY_TEXT = "Xin lỗi, mình đang bận một chút. Bạn thử lại sau ít phút nhé."
GROUP_NOTICE = "Xin chào! Mình chỉ trả lời tin nhắn riêng. Mời bạn nhắn riêng cho mình để học nhé."
DEFAULT_RETRY_AFTER = 5.0  # seconds suggested to the outbox when Zalo gave no hint
SEEN_KEYS = 4096  # recent updates remembered (in memory) to drop Zalo's replays


class ZaloChannel:
    """Receives Zalo updates, calls the engine `handler`, renders its replies."""

    channel = CHANNEL

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        handler: Handler | None = None,
        on_blocked: BlockedHook | None = None,
        media_base_url: str | None = None,
        webhook_secret: str | None = None,
        rate_per_second: float = 5.0,
        *,
        poll_timeout: int = 30,
        poll_min_interval: float = 1.0,
        on_quota: QuotaHook | None = None,
        max_attempts: int = 4,
        retry_base_delay: float = 0.5,
        max_retry_wait: float = 10.0,
        idle_worker_seconds: float = 60.0,
        session: aiohttp.ClientSession | None = None,
        media_hosts: Sequence[str] = ZALO_MEDIA_HOSTS,
        max_turns_in_flight: int = 20,
        on_delivered: DeliveredHook | None = None,
    ) -> None:
        """`max_turns_in_flight`: turns running at once over all users (each user's turns stay in
        order, one at a time); others wait their turn instead of exhausting the database pool (20: the
        PostgreSQL pool of bot/db/session.py)."""
        if handler is None:
            raise ValueError("ZaloChannel needs a handler")
        self.api = ZaloApi(
            token,
            base_url,
            rate_per_second=rate_per_second,
            max_attempts=max_attempts,
            retry_base_delay=retry_base_delay,
            max_retry_wait=max_retry_wait,
            session=session,
        )
        self.budget = self.api.budget
        self._turns = asyncio.Semaphore(max_turns_in_flight)
        self._handler = handler
        self._on_delivered = on_delivered
        self.media_policy = MediaUrlPolicy(media_hosts)  # where user photos may be fetched from
        self._on_blocked = on_blocked
        self.media_base_url = media_base_url.rstrip("/") if media_base_url else None
        self.webhook_secret = webhook_secret
        self.poll_timeout = poll_timeout
        self.poll_min_interval = poll_min_interval
        self.quota = QuotaGate(CHANNEL, on_quota)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._groups_told: OrderedDict[str, None] = OrderedDict()
        self._side_tasks: set[asyncio.Task[None]] = set()
        self._users: UserQueues[Incoming] = UserQueues(self._process, idle_worker_seconds, name="zalo-user")
        self._stop_event = asyncio.Event()
        self._stopping = False
        self._polling = False

    # --- receiving ----------------------------------------------------------

    def dispatch(self, incoming: Incoming) -> None:
        """Queue an event behind the same user's earlier ones; start that user's worker if needed."""
        if self._stopping:
            log.warning("zalo: update %s arrived while stopping; dropped", incoming.update_id)
            return
        self._users.put(incoming.user_id, incoming)

    @staticmethod
    def _remember(seen: OrderedDict[str, None], key: str) -> bool:
        """Add `key` to a bounded recency set; False if it was there already."""
        if key in seen:
            seen.move_to_end(key)
            return False
        seen[key] = None
        if len(seen) > SEEN_KEYS:
            seen.popitem(last=False)
        return True

    def dispatch_raw(self, body: Any) -> int:
        """Dispatch every message update in a raw API body; return how many were queued."""
        count = 0
        for update in extract_updates(body):
            key = dedup_key(update)
            if key is not None and not self._remember(self._seen, key):
                continue  # Zalo replays consumed updates: answered once already
            group = group_chat_id(update)
            if group is not None:
                self._tell_group(group)
                continue
            incoming = to_incoming(update)
            if incoming is None:
                log.info("zalo: ignored update %s", update.get("event_name"))
                continue
            self.dispatch(incoming)
            count += 1
        return count

    def _tell_group(self, chat_id: str) -> None:
        """The private-only notice, once per group; nothing reaches the engine."""
        if self._stopping or not self._remember(self._groups_told, chat_id):
            return

        async def tell() -> None:
            with contextlib.suppress(ZaloApiError):
                await self.api.send_message(chat_id, GROUP_NOTICE)

        task = asyncio.create_task(tell())
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)

    async def _process(self, incoming: Incoming) -> None:
        try:
            async with self._turns:
                replies = await self._handler(incoming)
        except Exception:
            log.exception("zalo: handler failed for update %s", incoming.update_id)
            replies = [Reply(text=SORRY_TEXT)]
        try:
            await self._answer(incoming, replies)
        finally:
            if self._on_delivered is not None:  # the rest: given up on (quota, blocked, refused)
                self._on_delivered(replies)

    async def _answer(self, incoming: Incoming, replies: list[Reply]) -> None:
        if self.quota.remaining():
            log.debug("zalo: quota paused; reply to update %s not sent", incoming.update_id)
            return
        try:
            await self._deliver(incoming.reply_to, replies)
        except ZaloBlocked:
            log.info("zalo: user %s blocked the bot", incoming.user_id)
            if self._on_blocked is not None:
                try:
                    await self._on_blocked(CHANNEL, incoming.user_id)
                except Exception:
                    log.exception("zalo: on_blocked hook failed")
        except ZaloQuotaExceeded as exc:
            self.quota.hit(exc.retry_after)  # logs once per episode
        except ZaloApiError as exc:
            log.error("zalo: reply to update %s not delivered: %s", incoming.update_id, exc)

    # --- sending --------------------------------------------------------------

    async def _call(self, chat_id: str, call: Outgoing) -> None:
        if call.method == "sendPhoto":
            try:
                await self.api.send_photo(chat_id, call.photo or "", call.text or None)
            except ZaloBadRequest as exc:
                # Zalo could not use the picture URL; the words still matter.
                log.warning("zalo: sendPhoto refused (%s); sending the caption as text", exc)
                if call.text:
                    await self.api.send_message(chat_id, call.text)
            return
        if call.method == "sendVoice":
            try:
                await self.api.send_voice(chat_id, call.voice or "")
            except ZaloBadRequest as exc:  # the text was sent already; the voice is a help, not the message
                log.warning("zalo: sendVoice refused (%s)", exc)
            return
        await self.api.send_message(chat_id, call.text)

    async def _deliver(self, chat_id: str, replies: list[Reply]) -> None:
        for reply in replies:
            for call in render(reply, self.media_base_url):
                await self._call(chat_id, call)
                self.quota.ok()
            if reply.journal_id is not None and self._on_delivered is not None:
                self._on_delivered((reply,))  # each reply once sent: a crash resends only the unsent ones

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Sender protocol: deliver one reply outside a conversation turn (broadcasts)."""
        if wait := self.quota.remaining():
            raise QuotaExceeded(wait, "zalo: quota exceeded, channel paused")
        try:
            await self._deliver(chat_id, [reply])
        except ZaloBlocked as exc:
            raise RecipientBlocked(str(exc)) from None
        except ZaloQuotaExceeded as exc:
            raise QuotaExceeded(self.quota.hit(exc.retry_after), str(exc)) from None
        except ZaloServerError as exc:
            raise RetryLater(
                exc.retry_after if exc.retry_after is not None else DEFAULT_RETRY_AFTER, str(exc)
            ) from None
        except (ZaloBadRequest, ZaloUnauthorized, ZaloApiError) as exc:
            raise PermanentFailure(str(exc)) from None

    # --- polling ----------------------------------------------------------------

    async def start_polling(self) -> None:
        """Delete the webhook, then long-poll getUpdates until `stop()` is called."""
        self._polling = True
        try:
            await self.api.delete_webhook()
        except ZaloApiError as exc:
            log.error("zalo: deleteWebhook failed (%s); polling anyway", exc)
        await poll_updates(self.api, self._stop_event, self.dispatch_raw, self.poll_timeout, self.poll_min_interval)
        self._polling = False

    # --- webhook ----------------------------------------------------------------

    async def set_webhook(self, url: str, secret: str) -> Any:
        """Register `url` with Zalo; updates then arrive at `webhook_handler` carrying `secret`."""
        if not 8 <= len(secret) <= 256:
            raise ValueError("Zalo webhook secret must be 8 to 256 characters")
        result = await self.api.set_webhook(url, secret)
        self.webhook_secret = secret
        return result

    def _secret_ok(self, request: web.Request) -> bool:
        if not self.webhook_secret:
            return False
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.webhook_secret.encode())

    async def webhook_handler(self, request: web.Request) -> web.Response:
        """aiohttp handler for POST /webhook/zalo."""
        if not self._secret_ok(request):
            log.warning("zalo: webhook call with missing or wrong secret from %s", request.remote)
            return web.json_response({"ok": False, "description": "unauthorized"}, status=401)
        try:
            body = await read_object(request)
            check_shape(body)
        except BadBody as exc:
            log.warning("zalo: webhook body refused: %s", exc)
            return bad_request(str(exc))
        self.dispatch_raw(body)
        return web.json_response({"ok": True})

    # --- media ----------------------------------------------------------------------

    async def fetch_media(self, ref: str, dest_dir: Path) -> Path:
        """Download a photo a user sent (its URL on Zalo's servers) into `dest_dir` (MediaFetcher)."""
        try:
            body, content_type = await self.api.download(ref, MAX_PHOTO_BYTES, self.media_policy.check)
        except MediaRefused as exc:
            log.warning("zalo: photo not fetched: %s", exc)
            raise
        return await save_photo(body, content_type, ref, dest_dir, "zalo")

    # --- lifecycle ----------------------------------------------------------------

    @property
    def running(self) -> bool:
        """False once `stop()` was called."""
        return not self._stopping

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Stop polling, let queued and in-flight updates finish (up to `grace_seconds`), close HTTP."""
        self._stopping = True
        self._stop_event.set()
        if self._side_tasks:
            await asyncio.wait(list(self._side_tasks), timeout=grace_seconds)
        cancelled = await self._users.drain(grace_seconds)
        if cancelled:
            log.warning("zalo: %d user queue(s) cancelled at shutdown", cancelled)
        await self.api.close()

    async def close(self) -> None:
        """Alias of `stop()`."""
        await self.stop()
