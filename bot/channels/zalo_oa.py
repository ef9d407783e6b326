"""Zalo Official Account channel: the commune's own OA, webhook only (there is no polling for OA).

- `webhook_handler` (POST /webhook/zalo-oa) reads the raw body, checks `X-ZEvent-Signature` in constant
  time (zalo_oa_events); missing or wrong -> 401 and nothing happens. A good event is acknowledged at
  once with 200 and handled afterwards (Zalo expects a fast answer).
- Redelivered events (same `msg_id`, or same event, user and timestamp) are dropped here (the last
  `SEEN_KEYS`, in memory) and by the engine's processed-updates table (across restarts and instances).
- One user's events are handled in order, different users concurrently.
- `follow` greets and asks consent (the engine's /start); `unfollow` marks the person unreachable
  through `on_blocked`; button taps come back as text carrying the button's payload.
- Sending (`send`, the outbox Sender, and replies): `zalo_oa_render` payloads to /v3.0/oa/message/cs
  with the access token from `TokenKeeper`; on -216 the token is refreshed once and the message sent
  again. Errors: -230/-305 (outside Zalo's interaction window) -> `OutsideWindow`, -311 (the
  person's reply quota is used up) -> `OutOfQuota`: final, never retried in a loop; 5xx/network ->
  `RetryLater`; anything else -> `PermanentFailure`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from bot.channels.base import (
    BlockedHook,
    Handler,
    OutOfQuota,
    OutsideWindow,
    PermanentFailure,
    RetryLater,
)
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
from bot.messages import Incoming, Reply

log = logging.getLogger(__name__)

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
    ) -> None:
        self._app_id = app_id
        self._secret_key = secret_key
        self.keeper = keeper
        self.api = api
        self._handler = handler
        self._on_blocked = on_blocked
        self.media_base_url = media_base_url.rstrip("/") if media_base_url else None
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
        try:
            replies = await self._handler(incoming)
        except Exception:
            log.exception("zalo-oa: handler failed for event %s", incoming.update_id)
            replies = [Reply(text=SORRY_TEXT)]
        for reply in replies:
            try:
                await self.send(incoming.reply_to, reply)
            except Exception as exc:
                log.error("zalo-oa: reply to event %s not delivered: %s", incoming.update_id, exc)
                return

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
        """Sender protocol: every message of `reply`, in order; raises a `SendError` subclass."""
        try:
            for message in render(reply, self.media_base_url):
                await self._send_one(chat_id, message)
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

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return not self._stopping

    async def stop(self, grace_seconds: float = 30.0) -> None:
        self._stopping = True
        await self._users.drain(grace_seconds)
        await self.api.close()
