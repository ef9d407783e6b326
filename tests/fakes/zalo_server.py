"""A fake Zalo Bot API server (aiohttp, 127.0.0.1) for tests and local runs.

Serves `POST /bot<TOKEN>/<method>` and validates like the docs (/work/shared/ZALO.md):
known token, `chat_id` required, text 1-2000 characters, photo an http(s) URL,
caption <= 2000, sendVoice `voice_url` an http(s) URL ending in `.aac`, setWebhook
https URL + secret 8-256 chars, getUpdates refused while a webhook is set,
getWebhookInfo with no webhook -> HTTP 404 `{"ok": false, "description": "Not Found"}`.
getUpdates long-polls a queue the test feeds and answers ONE update. Like Zalo (no
offset, no ack) each delivered update comes back `replays` more times, answered at
once while any is waiting; an expired (shortened) poll answers HTTP 408
`{"ok": false, "description": "Request timeout"}` (as measured), or with
`empty_poll_style="body"` HTTP 200 with `error_code: 408` in the body.
`make_update` builds real traffic's shapes: images carry `photo_url` (`photo_key="photo"`
for the docs table's variant), stickers `sticker` + `url`, voice `voice_url`.

Failure injection: `fail_next(method, status, times=...)` (403 "Internal server
error", 429 "Quota exceeded" with or without a retry hint, 5xx, 400, or the
`{error, message}` shape), `set_rate_limit(n)` (429 above n calls/second).
`post_webhook(url, update, secret=...)` delivers an update like Zalo does.

Standalone: `python -m tests.fakes.zalo_server --port P --log FILE [--token T]`
logs each successful sendMessage/sendPhoto as a JSON line. Control endpoints:
`POST /_fake/updates` (an update, or `{"user_id", "text"}`, queued for getUpdates),
`GET /_fake/calls`, `GET /_fake/sent`; `POST /_fake/hold {"after": N}`: once N messages are delivered,
send calls are held unanswered (`GET /_fake/held`), until `POST /_fake/release {"deliver": false}`
answers them 503 without delivering them (a crash test's "in flight, never arrived").
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import aiohttp
from aiohttp import web

from tests.fakes.base import AiohttpFake

DEFAULT_TOKEN = "1234567890:fake-zalo-bot-token"
METHODS = {
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "sendPhoto",
    "sendSticker",
    "sendChatAction",
    "sendVoice",
}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendSticker", "sendVoice"}
_ids = itertools.count(1)


def _new_id() -> str:
    return f"{next(_ids):020x}"


def make_update(
    user_id: str,
    text: str | None = None,
    *,
    event: str = "message.text.received",
    message_id: str | None = None,
    display_name: str = "Nguyễn Văn A",
    chat_id: str | None = None,
    photo: str | None = None,
    photo_key: str = "photo_url",
    caption: str | None = None,
    sticker: str | None = None,
    voice: str | None = None,
    chat_type: str = "PRIVATE",
) -> dict[str, Any]:
    """An update shaped like the Bot API's (date in milliseconds)."""
    message: dict[str, Any] = {
        "message_id": message_id or _new_id(),
        "from": {"id": user_id, "display_name": display_name, "is_bot": False},
        "chat": {"id": chat_id or user_id, "chat_type": chat_type},
        "date": int(time.time() * 1000),
    }
    if text is not None:
        message["text"] = text
    if photo is not None:
        message[photo_key] = photo
        message["message_type"] = "CHAT_PHOTO"
        event = "message.image.received"
    if caption is not None:
        message["caption"] = caption
    if sticker is not None:
        message["sticker"] = sticker
        message["url"] = f"https://zalo-api.zadn.vn/api/emoticon/sticker/webpc?eid={sticker}"
        event = "message.sticker.received"
    if voice is not None:
        message["voice_url"] = voice
        message["message_type"] = "CHAT_VOICE"
        event = "message.voice.received"
    return {"event_name": event, "message": message}


@dataclass
class Call:
    """One request the fake received."""

    method: str
    payload: dict[str, Any]
    status: int
    at: float
    token: str = ""


@dataclass
class _Failure:
    status: int
    times: int
    error_code: int | None = None
    description: str = ""
    retry_after: float | None = None
    shape: str = "ok"  # "ok" -> {ok, error_code, description}; "error" -> {error, message, data}


@dataclass
class FakeZaloServer(AiohttpFake):
    """In-process fake; `await start()` returns its base URL."""

    tokens: set[str] = field(default_factory=lambda: {DEFAULT_TOKEN})
    max_poll_wait: float = 0.5  # cap on getUpdates' long poll to keep tests fast
    empty_poll_style: str = "http"  # "http": HTTP 408 (measured); "body": HTTP 200 + error_code 408
    replays: int = 2  # how many more times getUpdates answers each update it delivered (Zalo: no ack)
    log_path: str | None = None
    any_token: bool = False

    def __post_init__(self) -> None:
        self.calls: list[Call] = []
        self.sent: list[dict[str, Any]] = []  # successful sendMessage / sendPhoto payloads (+ "method")
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._replay: deque[dict[str, Any]] = deque()
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None, "updated_at": 0}
        self._failures: dict[str, deque[_Failure]] = {}
        self._rate_limit: float | None = None
        self._recent: deque[float] = deque()
        self._sent_event = asyncio.Event()
        self.hold_after: int | None = None
        self.held = 0
        self._release = asyncio.Event()
        self._deliver_held = True

    # --- test controls --------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> dict[str, Any]:
        self.updates.put_nowait(update)
        return update

    def fail_next(
        self,
        method: str,
        status: int,
        *,
        times: int = 1,
        error_code: int | None = None,
        description: str = "",
        retry_after: float | None = None,
        shape: str = "ok",
    ) -> None:
        self._failures.setdefault(method, deque()).append(
            _Failure(status, times, error_code, description, retry_after, shape)
        )

    def set_rate_limit(self, per_second: float | None) -> None:
        self._rate_limit = per_second

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def texts_to(self, chat_id: str) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent if m["chat_id"] == chat_id]

    async def wait_sent(self, count: int, within: float = 5.0) -> list[dict[str, Any]]:
        """Wait until at least `count` messages were delivered."""
        deadline = time.monotonic() + within
        while len(self.sent) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"only {len(self.sent)} of {count} messages sent: {self.sent}")
            self._sent_event.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._sent_event.wait(), remaining)
        return self.sent

    @staticmethod
    async def post_webhook(
        url: str, update: dict[str, Any], *, secret: str | None = None, wrap: bool = True
    ) -> tuple[int, str]:
        """POST an update to a webhook URL as Zalo would; returns (status, body)."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Bot-Api-Secret-Token"] = secret
        body = {"ok": True, "result": update} if wrap else update
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                url, data=json.dumps(body), headers=headers, timeout=aiohttp.ClientTimeout(total=5)
            ) as resp,
        ):
            return resp.status, await resp.text()

    # --- server -----------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_post("/_fake/updates", self._control_update)
        app.router.add_get("/_fake/calls", self._control_calls)
        app.router.add_get("/_fake/sent", self._control_sent)
        app.router.add_post("/_fake/hold", self._control_hold)
        app.router.add_get("/_fake/held", self._control_held)
        app.router.add_post("/_fake/release", self._control_release)
        return app

    def _error(
        self,
        method: str,
        payload: dict[str, Any],
        token: str,
        status: int,
        code: int,
        description: str,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> web.Response:
        self.calls.append(Call(method, payload, status, time.monotonic(), token))
        body = {"ok": False, "error_code": code, "description": description, **(extra or {})}
        return web.json_response(body, status=status, headers=headers)

    def _ok(self, method: str, payload: dict[str, Any], token: str, result: Any) -> web.Response:
        self.calls.append(Call(method, payload, 200, time.monotonic(), token))
        return web.json_response({"ok": True, "result": result})

    async def _read_payload(self, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            return dict(request.query)
        if request.content_type == "application/json":
            raw = await request.text()
            data = json.loads(raw) if raw.strip() else {}
            return data if isinstance(data, dict) else {}
        form = await request.post()
        return {k: v for k, v in form.items() if isinstance(v, str)}

    def _over_rate(self) -> bool:
        if self._rate_limit is None:
            return False
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 1.0:
            self._recent.popleft()
        if len(self._recent) >= self._rate_limit:
            return True
        self._recent.append(now)
        return False

    async def _handle(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = request.match_info["method"]
        try:
            payload = await self._read_payload(request)
        except ValueError:
            return self._error(method, {}, token, 400, 400, "Bad Request: invalid JSON")
        if not self.any_token and token not in self.tokens:
            return self._error(method, payload, token, 401, 401, "Unauthorized")
        if method not in METHODS:
            return self._error(method, payload, token, 404, 404, "Not Found: method not found")

        queue = self._failures.get(method)
        if queue:
            failure = queue[0]
            failure.times -= 1
            if failure.times <= 0:
                queue.popleft()
            return self._injected(method, payload, token, failure)
        if method != "getUpdates" and self._over_rate():
            return self._error(
                method,
                payload,
                token,
                429,
                429,
                "Quota exceeded",
                extra={"parameters": {"retry_after": 1}},
                headers={"Retry-After": "1"},
            )
        if method in SEND_METHODS and self.hold_after is not None and len(self.sent) >= self.hold_after:
            self.held += 1
            try:
                await self._release.wait()
            finally:
                self.held -= 1
            if not self._deliver_held:
                return self._error(method, payload, token, 503, 503, "Service Unavailable: held, not delivered")
        return await getattr(self, f"_m_{method}")(method, payload, token)

    def hold(self, after: int) -> None:
        """Hold send calls once `after` messages are delivered (see the module docstring)."""
        self.hold_after, self._deliver_held = after, True
        self._release.clear()

    def release(self, deliver: bool) -> None:
        self.hold_after, self._deliver_held = None, deliver
        self._release.set()

    def _injected(self, method: str, payload: dict[str, Any], token: str, failure: _Failure) -> web.Response:
        code = failure.error_code if failure.error_code is not None else failure.status
        text = failure.description or {
            403: "Internal server error",
            429: "Quota exceeded",
            500: "Internal Server Error",
            502: "Bad Gateway",
            503: "Service Unavailable",
        }.get(failure.status, "Bad Request")
        headers: dict[str, str] = {}
        extra: dict[str, Any] = {}
        if failure.retry_after is not None:
            headers["Retry-After"] = str(failure.retry_after)
            extra["parameters"] = {"retry_after": failure.retry_after}
        if failure.shape == "error":
            self.calls.append(Call(method, payload, failure.status, time.monotonic(), token))
            return web.json_response(
                {"error": code, "message": text, "data": None}, status=failure.status, headers=headers
            )
        return self._error(method, payload, token, failure.status, code, text, extra=extra, headers=headers)

    # --- methods ------------------------------------------------------------------

    async def _m_getMe(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        return self._ok(
            method,
            payload,
            token,
            {
                "id": token.split(":")[0],
                "account_name": "bot.fake",
                "account_type": "BASIC",
                "can_join_groups": False,
            },
        )

    async def _m_getUpdates(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if self.webhook["url"]:
            return self._error(
                method,
                payload,
                token,
                400,
                400,
                "Bad Request: webhook is active, call deleteWebhook before getUpdates",
            )
        try:
            wait = float(payload.get("timeout", 30))
        except (TypeError, ValueError):
            return self._error(method, payload, token, 400, 400, "Bad Request: timeout must be a number")
        if self.updates.empty() and self._replay:
            return self._ok(method, payload, token, self._replay.popleft())  # at once, like Zalo
        try:
            update = await asyncio.wait_for(self.updates.get(), min(wait, self.max_poll_wait))
        except TimeoutError:
            if self.empty_poll_style == "body":
                return self._error(method, payload, token, 200, 408, "Request timeout")
            self.calls.append(Call(method, payload, 408, time.monotonic(), token))
            return web.json_response({"ok": False, "description": "Request timeout"}, status=408)
        self._replay.extend([update] * self.replays)
        return self._ok(method, payload, token, update)

    async def _m_setWebhook(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        url = str(payload.get("url") or "")
        secret = payload.get("secret_token")
        if urlparse(url).scheme != "https" or not urlparse(url).netloc:
            return self._error(method, payload, token, 400, 400, "Bad Request: url must be https")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return self._error(
                method, payload, token, 400, 400, "Bad Request: secret_token must be 8-256 chars"
            )
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return self._ok(method, payload, token, {"url": url, "updated_at": self.webhook["updated_at"]})

    async def _m_deleteWebhook(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        self.webhook = {"url": "", "secret_token": None, "updated_at": int(time.time() * 1000)}
        return self._ok(method, payload, token, {"url": "", "updated_at": self.webhook["updated_at"]})

    async def _m_getWebhookInfo(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if not self.webhook["url"]:
            self.calls.append(Call(method, payload, 404, time.monotonic(), token))
            return web.json_response({"ok": False, "description": "Not Found"}, status=404)
        return self._ok(
            method, payload, token, {"url": self.webhook["url"], "updated_at": self.webhook["updated_at"]}
        )

    def _check_chat(self, method: str, payload: dict[str, Any], token: str) -> web.Response | None:
        chat_id = payload.get("chat_id")
        if not isinstance(chat_id, str) or not chat_id:
            return self._error(method, payload, token, 400, 400, "Bad Request: chat_id is required")
        return None

    def _delivered(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        record = {"method": method, **payload, "at": time.time()}
        self.sent.append(record)
        self._sent_event.set()
        if self.log_path:
            with open(self.log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        return self._ok(method, payload, token, {"message_id": _new_id(), "date": int(time.time() * 1000)})

    async def _m_sendMessage(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if (bad := self._check_chat(method, payload, token)) is not None:
            return bad
        text = payload.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return self._error(
                method, payload, token, 400, 400, "Bad Request: text must be 1-2000 characters"
            )
        return self._delivered(method, payload, token)

    async def _m_sendPhoto(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if (bad := self._check_chat(method, payload, token)) is not None:
            return bad
        photo = str(payload.get("photo") or "")
        parsed = urlparse(photo)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            return self._error(method, payload, token, 400, 400, "Bad Request: photo must be an http(s) URL")
        caption = payload.get("caption")
        if caption is not None and (not isinstance(caption, str) or not 1 <= len(caption) <= 2000):
            return self._error(
                method, payload, token, 400, 400, "Bad Request: caption must be 1-2000 characters"
            )
        return self._delivered(method, payload, token)

    async def _m_sendSticker(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if (bad := self._check_chat(method, payload, token)) is not None:
            return bad
        if not payload.get("sticker"):
            return self._error(method, payload, token, 400, 400, "Bad Request: sticker is required")
        return self._delivered(method, payload, token)

    async def _m_sendVoice(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if (bad := self._check_chat(method, payload, token)) is not None:
            return bad
        url = str(payload.get("voice_url") or "")
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc or not parsed.path.endswith(".aac"):
            return self._error(
                method, payload, token, 400, 400, "Bad Request: voice_url must be a public .aac URL"
            )
        return self._delivered(method, payload, token)

    async def _m_sendChatAction(self, method: str, payload: dict[str, Any], token: str) -> web.Response:
        if (bad := self._check_chat(method, payload, token)) is not None:
            return bad
        if payload.get("action") not in ("typing", "upload_photo"):
            return self._error(method, payload, token, 400, 400, "Bad Request: unknown action")
        self.calls.append(Call(method, payload, 200, time.monotonic(), token))
        return web.json_response({"ok": True})

    # --- control endpoints (standalone runs) -----------------------------------------

    async def _control_update(self, request: web.Request) -> web.Response:
        data = await request.json()
        if "message" not in data:
            data = make_update(
                str(data["user_id"]),
                str(data.get("text", "")),
                display_name=str(data.get("display_name", "Nguyễn Văn A")),
            )
        self.push_update(data)
        return web.json_response({"ok": True, "result": data})

    async def _control_calls(self, request: web.Request) -> web.Response:
        return web.json_response(
            [{"method": c.method, "payload": c.payload, "status": c.status} for c in self.calls]
        )

    async def _control_sent(self, request: web.Request) -> web.Response:
        return web.json_response(self.sent)

    async def _control_hold(self, request: web.Request) -> web.Response:
        self.hold(int((await request.json())["after"]))
        return web.json_response({"ok": True})

    async def _control_held(self, request: web.Request) -> web.Response:
        return web.json_response({"held": self.held, "sent": len(self.sent)})

    async def _control_release(self, request: web.Request) -> web.Response:
        self.release(bool((await request.json()).get("deliver", True)))
        return web.json_response({"ok": True})


async def _serve(args: argparse.Namespace) -> None:
    server = FakeZaloServer(
        tokens=set(args.token or []),
        any_token=not args.token,
        max_poll_wait=args.poll_wait,
        log_path=args.log,
    )
    url = await server.start(args.host, args.port)
    print(f"fake Zalo Bot API on {url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Zalo Bot API server for local runs and tests.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--log", help="append each delivered message as a JSON line to this file")
    parser.add_argument("--token", action="append", help="accepted bot token (repeatable; default: any)")
    parser.add_argument("--poll-wait", type=float, default=30.0, help="cap on getUpdates long poll (s)")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
