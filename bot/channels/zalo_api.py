"""Thin aiohttp client for the Zalo Bot Platform API (bot-api.zaloplatforms.com).

Every call is `POST {base}/bot{token}/{method}` with a JSON body. Outgoing calls
are paced by the OA's `SendBudget` (replies first) and retried with `tenacity` when the
failure is transient (429, 5xx, network); everything else raises at once. Answers become
results or `ZaloApiError`s in zalo_errors.py.

Facts and where they come from (checked 2026 with the search tool):
- Base URL, `bot{token}/{method}`, POST + JSON, the `{"ok", "result"}` /
  `{"ok": false, "error_code", "description"}` envelope, the method names and
  their parameters (sendMessage text 1-2000 chars, sendPhoto `photo` URL +
  `caption`, sendChatAction `action: typing`, setWebhook `url` + `secret_token`
  8-256 chars, getUpdates `timeout` seconds as a string, default 30):
  the official docs as mirrored in XuanNguyenNB/QuanLyThuChi_Bot_Telegram_Zalom
  docs/ZALO_BOT_API.md ("cập nhật 10/12/2025", source bot.zaloplatforms.com/docs),
  and openclaw/openclaw extensions/zalo/src/api.ts.
- getUpdates returns ONE update object (not an array). An empty long poll is
  measured as HTTP 408 `{"ok": false, "description": "Request timeout"}`; some
  clients see `error_code: 408` in an HTTP 200 body: both are `ZaloPollTimeout`.
- Zalo's own error table (/work/shared/ZALO.md): 400 bad request, 401 token
  invalid, **403 "Internal server error"** (transient: retried, never taken to
  mean the person blocked the bot), 404 not found, 408 empty poll, **429 "Quota
  exceeded"** (includes the monthly message quota: `ZaloQuotaExceeded`, never
  retried here; the channel pauses itself, see zalo.py).
- getWebhookInfo with no webhook set answers HTTP 404 `{"ok": false,
  "description": "Not Found"}`: `get_webhook_info()` returns None then.
- sendVoice takes `voice_url`, a public URL ending in `.aac` (private chats only).
Chosen defensively (not documented anywhere we could find):
- The `{error, message, data}` error shape (used by Zalo's other APIs) is parsed
  too; `error == 0` means success with `data` as the result.
- 429 retry hint: read from `parameters.retry_after` (Telegram style) or the
  HTTP `Retry-After` header; neither is documented for Zalo.
- "User blocked the bot / unreachable": no error code is published. Only a
  refusal (not 403, not 5xx) whose description says "block" or "chặn" is taken
  as blocked.
- 401 means a bad token (as Telegram); we never retry it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import aiohttp
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from bot.channels import media_download
from bot.channels.budget import Priority, SendBudget
from bot.channels.zalo_errors import ZaloBadRequest, ZaloQuotaExceeded, ZaloServerError, parse_response

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
TEXT_LIMIT = 2000  # sendMessage `text` and sendPhoto `caption`: 1..2000 characters
VOICE_SUFFIX = ".aac"


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ZaloServerError)


class ZaloApi:
    """Rate-limited, retrying caller of the Zalo Bot API. Create and use inside a running loop."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        rate_per_second: float = 5.0,
        max_attempts: int = 4,
        retry_base_delay: float = 0.5,
        max_retry_wait: float = 10.0,
        request_timeout: float = 20.0,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if rate_per_second <= 0:
            raise ValueError("rate_per_second must be positive")
        self._token = token
        self._base_url = base_url.rstrip("/")
        # The OA's send budget, shared by replies (first) and broadcasts (see bot/channels/budget.py).
        self.budget = SendBudget(rate_per_second)
        self._max_attempts = max(1, max_attempts)
        self._retry_base_delay = retry_base_delay
        self._max_retry_wait = max_retry_wait
        self._request_timeout = request_timeout
        self._session = session
        self._own_session = session is None

    def _url(self, method: str) -> str:
        return f"{self._base_url}/bot{self._token}/{method}"

    def _scrub(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text

    async def _session_get(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
            self._own_session = True
        return self._session

    async def download(
        self, url: str, max_bytes: int, check_url: Callable[[str], None], max_redirects: int = 3
    ) -> tuple[bytes, str]:
        """GET a file a user sent (e.g. a photo URL); returns (body, content type).

        `check_url` raises for a URL that must not be fetched; it sees the first URL and every
        redirect target before it is requested. The body is read in chunks and refused as soon as
        it passes `max_bytes`."""
        return await media_download.download(await self._session_get(), url, max_bytes, check_url, max_redirects)

    async def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._own_session and self._session is not None and not self._session.closed:
            await self._session.close()

    async def _once(self, method: str, payload: dict[str, Any], seconds: float, limited: bool) -> Any:
        session = await self._session_get()
        if limited:
            await self.budget.take()
        try:
            async with session.post(
                self._url(method), json=payload, timeout=aiohttp.ClientTimeout(total=seconds)
            ) as resp:
                body = await resp.text()
                return parse_response(method, resp.status, body, resp.headers)
        except ZaloQuotaExceeded as exc:  # broadcasts wait; a resident's reply may still get through
            self.budget.pause(Priority.BROADCAST, exc.retry_after or 60.0)
            raise
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ZaloServerError(method, None, self._scrub(f"{type(exc).__name__}: {exc}")) from None

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after", None)
        if hint is not None:
            return min(float(hint), self._max_retry_wait)
        return min(self._retry_base_delay * 2.0 ** (state.attempt_number - 1), self._max_retry_wait)

    def _stop(self, state: RetryCallState) -> bool:
        if stop_after_attempt(self._max_attempts)(state):
            return True
        exc = state.outcome.exception() if state.outcome else None
        hint = getattr(exc, "retry_after", None)
        # A long cool-down is the caller's business (the outbox reschedules), not ours.
        return hint is not None and float(hint) > self._max_retry_wait

    async def call(
        self,
        method: str,
        payload: dict[str, Any] | None = None,
        *,
        seconds: float | None = None,
        retry: bool = True,
    ) -> Any:
        """Call `method`; return its result or raise a `ZaloApiError` subclass."""
        body = payload or {}
        total = seconds or self._request_timeout
        limited = method != "getUpdates"  # the long poll is not a message; do not let it starve sends
        if not retry:
            return await self._once(method, body, total, limited)
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_is_transient),
            stop=self._stop,
            wait=self._wait,
            reraise=True,
            before_sleep=lambda s: log.warning(
                "zalo %s failed (attempt %d): %s",
                method,
                s.attempt_number,
                s.outcome.exception() if s.outcome else "?",
            ),
        ):
            with attempt:
                return await self._once(method, body, total, limited)
        raise AssertionError("unreachable")  # pragma: no cover

    # --- documented methods -------------------------------------------------

    async def get_updates(self, poll_seconds: int = 30) -> Any:
        """One long poll. Returns the raw result; raises `ZaloPollTimeout` when empty."""
        return await self.call(
            "getUpdates", {"timeout": str(poll_seconds)}, seconds=poll_seconds + 10, retry=False
        )

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> Any:
        """The webhook Zalo has on record, or None when there is none (Zalo answers 404 then)."""
        try:
            return await self.call("getWebhookInfo")
        except ZaloBadRequest as exc:
            if exc.code == 404:
                return None
            raise

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo: str, caption: str | None = None) -> Any:
        payload: dict[str, Any] = {"chat_id": chat_id, "photo": photo}
        if caption:
            payload["caption"] = caption
        return await self.call("sendPhoto", payload)

    async def send_voice(self, chat_id: str, voice_url: str) -> Any:
        """A voice message from a public `.aac` URL (private chats only)."""
        if not voice_url.lower().split("?", 1)[0].endswith(VOICE_SUFFIX):
            raise ValueError("Zalo sendVoice needs a public URL ending in .aac")
        return await self.call("sendVoice", {"chat_id": chat_id, "voice_url": voice_url})


__all__ = ["DEFAULT_BASE_URL", "TEXT_LIMIT", "ZaloApi"]
