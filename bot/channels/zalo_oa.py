"""Zalo Official Account channel: the commune's own OA, webhook only (there is no polling for OA).

- `webhook_handler` (POST /webhook/zalo-oa) reads the raw body, checks `X-ZEvent-Signature` in constant
  time (zalo_oa_events); missing or wrong -> 401 and nothing happens. A good event is acknowledged at
  once with 200 and handled afterwards (Zalo expects a fast answer).
- Redelivered events (same `msg_id`, or same event, user and timestamp) are dropped here (the last
  `SEEN_KEYS`, in memory) and by the engine's processed-updates table (across restarts and instances).
- One user's events are handled in order, different users concurrently.
- `follow` greets and asks consent (the engine's /start); `unfollow` marks the person unreachable
  through `on_blocked`; button taps come back as text carrying the button's payload.
- Window accounting (`window_log`, bot/services/oa_window.py): each message's Zalo timestamp is reported
  before the turn, each delivered message after it is sent, so broadcasts know her window and quota.
- Files go out as one-time links (`publish_file`); photos residents send are fetched on demand
  (`fetch_media`) from the allowed media hosts only, up to MAX_PHOTO_BYTES.
- Sending (`send`, the outbox Sender, and replies): `zalo_oa_render` payloads to /v3.0/oa/message/cs
  with the access token from `TokenKeeper`; on -216 the token is refreshed once and the message sent
  again. Errors: -230/-305 (outside Zalo's interaction window) -> `OutsideWindow`, -311 (the
  person's reply quota is used up) -> `OutOfQuota`: final, never retried in a loop; 5xx/network ->
  `RetryLater`; anything else -> `PermanentFailure`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from bot.channels.base import (
    BlockedHook,
    DeliveredHook,
    Handler,
    OutOfQuota,
    OutsideWindow,
    PermanentFailure,
    RetryLater,
)
from bot.channels.media_download import save_photo
from bot.channels.media_urls import MediaRefused, MediaUrlPolicy
from bot.channels.user_queues import UserQueues
from bot.channels.zalo_oa_api import (
    OUT_OF_QUOTA,
    TOKEN_INVALID,
    WINDOW_CODES,
    OaApi,
    OaError,
    OaUnavailable,
)
from bot.channels.zalo_oa_events import CHANNEL, SIGNATURE_HEADER, OaEvent, parse_signed, to_event
from bot.channels.zalo_oa_render import render
from bot.channels.zalo_oa_tokens import NotConnected, TokenKeeper
from bot.config import ZALO_MEDIA_HOSTS
from bot.messages import Document, Incoming, Reply

log = logging.getLogger(__name__)
MAX_PHOTO_BYTES = 10 * 1024 * 1024

# (user id, document) -> a one-time download URL for it, or None (bot/services/file_links.py)
FilePublisher = Callable[[str, Document], Awaitable[str | None]]


class WindowLog(Protocol):
    """Where the channel reports what Zalo's window and quota depend on (bot/services/oa_window.py)."""

    async def received(self, user_id: str, at: datetime) -> None: ...

    async def sent(self, user_id: str, count: int, at: datetime | None = None) -> None: ...

SEEN_KEYS = 4096
SORRY_TEXT = "Xin lỗi, mình đang bận một chút. Bạn thử lại sau ít phút nhé."


class ZaloOaChannel:
    channel = CHANNEL

    def __init__(
        self,
        app_id: str,
        secret_key: str,
        keeper: TokenKeeper,
        api: OaApi,
        handler: Handler,
        on_blocked: BlockedHook | None = None,
        media_base_url: str | None = None,
        idle_worker_seconds: float = 60.0,
        media_hosts: Sequence[str] = ZALO_MEDIA_HOSTS,
        publish_file: FilePublisher | None = None,
        window_log: WindowLog | None = None,
        on_delivered: DeliveredHook | None = None,
    ) -> None:
        self._app_id = app_id
        self._secret_key = secret_key
        self.keeper = keeper
        self.api = api
        self._handler = handler
        self._on_blocked = on_blocked
        self._on_delivered = on_delivered
        self.media_base_url = media_base_url.rstrip("/") if media_base_url else None
        self.media_policy = MediaUrlPolicy(media_hosts)  # where photos residents send may be fetched from
        self._publish_file = publish_file
        self._window_log = window_log
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._users: UserQueues[OaEvent] = UserQueues(self._process, idle_worker_seconds)
        self._stopping = False

    # --- receiving ------------------------------------------------------------------

    async def webhook_handler(self, request: web.Request) -> web.Response:
        raw = await request.read()
        event = parse_signed(raw, request.headers.get(SIGNATURE_HEADER), self._app_id, self._secret_key)
        if event is None:
            log.warning("zalo-oa: webhook call with a missing or wrong signature from %s", request.remote)
            return web.json_response({"error": 401, "message": "invalid signature"}, status=401)
        self.dispatch(event)
        return web.json_response({"error": 0, "message": "ok"})

    def dispatch(self, raw_event: Mapping[str, Any]) -> bool:
        """Queue a verified event behind the same user's earlier ones; False when ignored or seen."""
        event = to_event(raw_event)
        if event is None or self._stopping:
            return False
        if event.key in self._seen:
            return False
        self._seen[event.key] = None
        if len(self._seen) > SEEN_KEYS:
            self._seen.popitem(last=False)
        self._users.put(event.user_id, event)
        return True

    async def _process(self, event: OaEvent) -> None:
        if event.unfollowed:
            if self._on_blocked is not None:
                try:
                    await self._on_blocked(CHANNEL, event.user_id)
                except Exception:
                    log.exception("zalo-oa: on_blocked hook failed")
            return
        assert event.incoming is not None
        incoming: Incoming = event.incoming
        at = datetime.fromtimestamp(event.timestamp_ms / 1000, UTC) if event.timestamp_ms else datetime.now(UTC)
        if self._window_log is not None:
            try:
                await self._window_log.received(incoming.user_id, at)
            except Exception:
                log.exception("zalo-oa: recording a message time failed")
        try:
            replies = await self._handler(incoming)
        except Exception:
            log.exception("zalo-oa: handler failed for event %s", incoming.update_id)
            replies = [Reply(text=SORRY_TEXT)]
        try:
            for reply in replies:
                try:
                    await self.send(incoming.reply_to, reply)
                except Exception as exc:
                    log.error("zalo-oa: reply to event %s not delivered: %s", incoming.update_id, exc)
                    return
                if self._on_delivered is not None:
                    self._on_delivered((reply,))
        finally:
            if self._on_delivered is not None:  # the rest: given up on
                self._on_delivered(replies)

    # --- sending ----------------------------------------------------------------------

    async def _send_one(self, user_id: str, message: dict[str, Any]) -> None:
        token = await self.keeper.access_token()
        try:
            await self.api.send_cs(token, user_id, message)
        except OaError as exc:
            if exc.code != TOKEN_INVALID:
                raise
            token = await self.keeper.refresh(stale=token)
            await self.api.send_cs(token, user_id, message)

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Sender protocol: every message of `reply`, in order; raises a `SendError` subclass. Each
        delivered message is reported to `window_log` (Zalo's quota counts them)."""
        sent = 0
        try:
            file_url = await self._file_url(chat_id, reply.document) if reply.document is not None else None
            for message in render(reply, self.media_base_url, file_url):
                await self._send_one(chat_id, message)
                sent += 1
        except OaUnavailable as exc:
            raise RetryLater(30.0, str(exc)) from None
        except NotConnected as exc:
            raise RetryLater(300.0, str(exc)) from None
        except OaError as exc:
            if exc.code in WINDOW_CODES:
                raise OutsideWindow(str(exc)) from None
            if exc.code == OUT_OF_QUOTA:
                raise OutOfQuota(str(exc)) from None
            raise PermanentFailure(str(exc)) from None
        finally:
            if sent and self._window_log is not None:
                try:
                    await self._window_log.sent(chat_id, sent)
                except Exception:
                    log.exception("zalo-oa: counting sent messages failed")

    async def _file_url(self, chat_id: str, document: Document) -> str | None:
        if self._publish_file is None:
            return None
        try:
            return await self._publish_file(chat_id, document)
        except Exception:
            log.exception("zalo-oa: a download link for %s could not be made", document.filename)
            return None

    # --- media ------------------------------------------------------------------------

    async def fetch_media(self, ref: str, dest_dir: Path) -> Path:
        """Download a photo a resident sent to the OA (its URL on Zalo's servers) into `dest_dir`
        (MediaFetcher): only from the allowed media hosts, at most MAX_PHOTO_BYTES."""
        try:
            body, content_type = await self.api.download(ref, MAX_PHOTO_BYTES, self.media_policy.check)
        except MediaRefused as exc:
            log.warning("zalo-oa: photo not fetched: %s", exc)
            raise
        return await save_photo(body, content_type, ref, dest_dir, "zalo-oa")

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._stopping

    async def stop(self, grace_seconds: float = 30.0) -> None:
        self._stopping = True
        await self._users.drain(grace_seconds)
        await self.api.close()
