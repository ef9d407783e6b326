"""A fake Telegram Bot API server (aiohttp) for tests, benches and crash tests.

It speaks the HTTP protocol of https://core.telegram.org/bots/api closely enough for
python-telegram-bot: `/bot<TOKEN>/<method>` with GET query, JSON, form or multipart bodies,
answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code": ..., "description": ...}`.

It validates like Telegram (text length, callback_data size, keyboard shape, known chats),
records every call, and can inject failures: blocked chats (403), rate limits (429 with
`parameters.retry_after`), one-shot errors on a method.

In-process use (tests)::

    async with FakeTelegramServer() as tg:
        tg.push_message(user_id=1001, text="xin chào")
        await tg.wait_for_calls("sendMessage", 1)

Standalone (another process drives it through `/_fake/...` control endpoints)::

    python -m tests.fakes.telegram_server --port 8081 --log sent.jsonl

Crash tests: `POST /_fake/hold {"after": N}` holds every send call unanswered once N messages were
sent (`GET /_fake/held`); `POST /_fake/release {"deliver": false}` then answers them 502 without
delivering them: "in flight at the crash, never arrived".
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import re
import time
from collections import Counter, defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from aiohttp import web

from tests.fakes.base import start_site

DEFAULT_TOKEN = "123456789:TEST-fake-token"
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
CHAT_ACTIONS = {
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
}
SEND_METHODS = {
    "sendMessage", "sendPhoto", "sendDocument", "sendVoice", "editMessageText", "editMessageReplyMarkup",
}
CHAT_METHODS = SEND_METHODS | {"sendChatAction"}
_INT_FIELDS = {"chat_id", "message_id", "offset", "limit", "timeout", "max_connections", "cache_time"}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional `parameters`."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class UploadedFile:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    size: int
    content: bytes = b""


@dataclass
class Call:
    """One recorded Bot API call."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    at: float  # time.monotonic() when the request arrived
    status: int = 200  # HTTP status answered
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if isinstance(value, int) or (isinstance(value, str) and _is_int(value)) else None


@dataclass
class FailureRule:
    """One-shot (or `count`-shot) injected failure for a method."""

    method: str
    status: int
    retry_after: int | None
    description: str
    count: int
    chat_id: int | None = None


@dataclass
class ChatState:
    chat: dict[str, Any]
    user: dict[str, Any] | None
    next_message_id: int = 1
    messages: dict[int, dict[str, Any]] = field(default_factory=dict)  # message_id -> Message sent by bot


def _is_int(value: str) -> bool:
    return bool(re.fullmatch(r"-?\d+", value.strip()))


def _coerce(params: dict[str, Any]) -> dict[str, Any]:
    """Decode form values like Telegram does: JSON for objects/arrays, ints for id fields."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, str):
            stripped = value.strip()
            if stripped[:1] in ("{", "[") or stripped in ("true", "false"):
                with contextlib.suppress(ValueError):
                    value = json.loads(stripped)
            if key in _INT_FIELDS and isinstance(value, str) and _is_int(value):
                value = int(value)
        out[key] = value
    return out


class FakeTelegramServer:
    """The fake Bot API; start with `await start()` or `async with`."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        log_path: Path | str | None = None,
        any_chat: bool = False,
        overall_rate: float | None = None,
        per_chat_rate: float | None = None,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.log_path = Path(log_path) if log_path else None
        self.any_chat = any_chat  # accept sends to chats never seen (broadcast tests)
        self.overall_rate = overall_rate  # messages/s over all chats; None = unlimited
        self.per_chat_rate = per_chat_rate  # messages/s per chat; None = unlimited
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user = {
            "id": self.bot_id, "is_bot": True, "first_name": "Học vụ số",
            "username": "hocvuso_test_bot", "can_join_groups": False,
            "can_read_all_group_messages": False, "supports_inline_queries": False,
        }
        self.calls: list[Call] = []
        self.commands_by_scope: dict[str, list[Any]] = {}  # "default" or "chat:<id>" -> its setMyCommands list
        self.ok_counts: Counter[str] = Counter()  # successful calls per method (cheap to poll)
        self.blocked: set[int] = set()
        self.chats: dict[int, ChatState] = {}
        self.webhook: dict[str, Any] = {"url": "", "secret_token": None}
        self.answered_callbacks: dict[str, dict[str, Any]] = {}
        self.user_files: dict[str, bytes] = {}
        self.voice_files: dict[str, bytes] = {}  # voice messages the bot sent, by file_id (OGG/Opus bytes)
        self._pending_callbacks: set[str] = set()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(100_000)
        self._callback_ids = itertools.count(1)
        self._new_updates = asyncio.Event()
        self._poll_generation = 0
        self._failures: list[FailureRule] = []
        self._sent_overall: deque[float] = deque()
        self._last_sent_per_chat: dict[int, float] = defaultdict(lambda: -1e9)
        self._runner: web.AppRunner | None = None
        self._closing = False
        self._log_file: TextIO | None = None
        self._button_waiters: dict[int, list[asyncio.Future[tuple[float, dict[str, Any]]]]] = {}
        self.hold_after: int | None = None
        self.held = 0
        self._release = asyncio.Event()
        self._deliver_held = True

    # ---------- lifecycle ----------
    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download_file)
        app.router.add_post("/_fake/updates", self._ctl_updates)
        app.router.add_post("/_fake/block", self._ctl_block)
        app.router.add_post("/_fake/unblock", self._ctl_unblock)
        app.router.add_post("/_fake/fail_next", self._ctl_fail_next)
        app.router.add_post("/_fake/rate_limit", self._ctl_rate_limit)
        app.router.add_post("/_fake/chats", self._ctl_chats)
        app.router.add_get("/_fake/calls", self._ctl_calls)
        app.router.add_get("/_fake/counts", self._ctl_counts)
        app.router.add_post("/_fake/turn", self._ctl_turn)
        app.router.add_post("/_fake/hold", self._ctl_hold)
        app.router.add_get("/_fake/held", self._ctl_held)
        app.router.add_post("/_fake/release", self._ctl_release)
        return app

    async def start(self) -> FakeTelegramServer:
        if self.log_path:
            self._log_file = self.log_path.open("a", encoding="utf-8")
        self._runner, _ = await start_site(self.make_app(), self.host, self.port, handle_signals=False, access_log=None)
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        self._closing = True
        self._new_updates.set()
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        if self._log_file:
            self._log_file.close()
            self._log_file = None

    async def __aenter__(self) -> FakeTelegramServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL (without `/bot`)."""
        return f"http://{self.host}:{self.port}"

    # ---------- test-side controls ----------
    def add_chat(self, chat_id: int, first_name: str = "Người dùng", last_name: str | None = None) -> ChatState:
        """Register a private chat (a user who has started the bot)."""
        if chat_id not in self.chats:
            user = {"id": chat_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
            if last_name:
                user["last_name"] = last_name
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
            if last_name:
                chat["last_name"] = last_name
            self.chats[chat_id] = ChatState(chat=chat, user=user)
        return self.chats[chat_id]

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (an `update_id` is added if missing); returns its update_id."""
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = next(self._update_ids)
        self._updates.append(update)
        self._new_updates.set()
        return int(update["update_id"])

    def make_message_update(
        self, user_id: int, text: str | None = None, first_name: str = "Người dùng",
        last_name: str | None = None, **extra: Any,
    ) -> dict[str, Any]:
        """Build (without queueing) an update with a private message from `user_id`."""
        state = self.add_chat(user_id, first_name, last_name)
        message: dict[str, Any] = {
            "message_id": self._next_message_id(state), "from": state.user, "chat": state.chat,
            "date": int(time.time()),
        }
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                command = text.split()[0]
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        message.update(extra)
        return {"update_id": next(self._update_ids), "message": message}

    def push_message(self, user_id: int, text: str | None = None, **kw: Any) -> int:
        """Queue a private text message (or photo etc. via keyword fields); returns update_id."""
        return self.push_update(self.make_message_update(user_id, text, **kw))

    def make_callback_update(self, user_id: int, data: str, message_id: int | None = None) -> dict[str, Any]:
        """Build a callback_query update as if `user_id` tapped a button with `data`."""
        state = self.add_chat(user_id)
        if message_id is None:
            with_keyboard = [m for m in state.messages.values() if m.get("reply_markup")]
            if not with_keyboard:
                raise AssertionError(f"chat {user_id} has no bot message with buttons")
            message_id = with_keyboard[-1]["message_id"]
        message = state.messages[message_id]
        query_id = f"{self.bot_id}{next(self._callback_ids):08d}"
        self._pending_callbacks.add(query_id)
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": query_id, "from": state.user, "message": message,
                "chat_instance": f"ci{user_id}", "data": data,
            },
        }

    def push_callback(self, user_id: int, data: str, message_id: int | None = None) -> int:
        return self.push_update(self.make_callback_update(user_id, data, message_id))

    def press_button(self, user_id: int, label: str) -> int:
        """Tap the button labelled `label` on the newest bot message that shows it."""
        state = self.chats[user_id]
        for message in reversed(list(state.messages.values())):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("text") == label and "callback_data" in button:
                        return self.push_callback(user_id, button["callback_data"], message["message_id"])
        raise AssertionError(f"no button {label!r} in chat {user_id}")

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: sends to this chat answer 403."""
        self.blocked.add(int(chat_id))

    def unblock(self, chat_id: int) -> None:
        self.blocked.discard(int(chat_id))

    def fail_next(
        self, method: str, status: int = 429, retry_after: int | None = 1, count: int = 1,
        description: str | None = None, chat_id: int | None = None,
    ) -> None:
        """The next `count` calls of `method` (optionally only to `chat_id`) fail with `status`."""
        if description is None:
            description = {
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error", 502: "Bad Gateway",
                403: "Forbidden: bot was blocked by the user",
            }.get(status, "Bad Request: injected failure")
        self._failures.append(FailureRule(
            method, status, retry_after if status == 429 else None, description, count, chat_id))

    def set_rate_limit(self, overall: float | None = None, per_chat: float | None = None) -> None:
        """Answer 429 above `overall` messages/s or `per_chat` messages/s per chat (None = off)."""
        self.overall_rate = overall
        self.per_chat_rate = per_chat
        self._sent_overall.clear()
        self._last_sent_per_chat.clear()

    def calls_for(self, method: str, chat_id: int | None = None, ok: bool | None = True) -> list[Call]:
        """Recorded calls of `method` (successful ones by default)."""
        return [
            c for c in self.calls
            if c.method == method and (chat_id is None or c.chat_id == chat_id) and (ok is None or c.ok == ok)
        ]

    def sent_texts(self, chat_id: int) -> list[str]:
        """Texts and captions the bot successfully sent or edited into a chat, in order."""
        texts: list[str] = []
        for c in self.calls:
            if c.ok and c.chat_id == chat_id and c.method in ("sendMessage", "editMessageText"):
                texts.append(str(c.params.get("text")))
            elif c.ok and c.chat_id == chat_id and c.method in ("sendPhoto", "sendDocument", "sendVoice"):
                texts.append(str(c.params.get("caption") or ""))
        return texts

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    async def wait_for_calls(
        self, method: str, count: int, timeout: float = 5.0, chat_id: int | None = None, ok: bool | None = True,
    ) -> list[Call]:
        """Wait until at least `count` matching calls were recorded; raise TimeoutError otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_for(method, chat_id, ok)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(found)}/{count} {method} calls after {timeout}s")
            await asyncio.sleep(0.005)

    async def wait_until_confirmed(self, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed (via getUpdates offset) every queued update."""
        deadline = time.monotonic() + timeout
        while self._updates:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{len(self._updates)} updates still unconfirmed")
            await asyncio.sleep(0.005)

    # ---------- HTTP plumbing ----------
    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise bad_request("request body must be a JSON object")
                params.update(body)
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        data = value.file.read()
                        files[key] = UploadedFile(value.filename, value.content_type, len(data), data)
                    else:
                        params[key] = value
        return _coerce(params), files

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method=method, params={}, files={}, at=time.monotonic())
        try:
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            call.params, call.files = await self._read_params(request)
            self.calls.append(call)
            handler = getattr(self, f"_api_{method}", None)
            if handler is None:
                raise ApiError(404, "Not Found")
            self._inject_failures(method, call.params)
            await self._maybe_hold(method)
            result = await handler(call.params, call.files)
        except ApiError as exc:
            if call not in self.calls:
                self.calls.append(call)
            call.status, call.description = exc.status, exc.description
            body: dict[str, Any] = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.status)
        call.result = result
        self.ok_counts[method] += 1
        if method in SEND_METHODS and call.chat_id in self._button_waiters and _has_buttons(result):
            for waiter in self._button_waiters.pop(call.chat_id, []):  # type: ignore[arg-type]
                if not waiter.done():
                    waiter.set_result((call.at, result))
        if method == "sendMessage" and self._log_file:
            line = {"t": time.time(), "chat_id": call.chat_id, "message_id": result["message_id"],
                    "text": result.get("text")}
            self._log_file.write(json.dumps(line, ensure_ascii=False) + "\n")
            self._log_file.flush()
        return web.json_response({"ok": True, "result": result})

    def sends(self) -> int:
        return sum(self.ok_counts[m] for m in SEND_METHODS)

    async def _maybe_hold(self, method: str) -> None:
        if method not in SEND_METHODS or self.hold_after is None or self.sends() < self.hold_after:
            return
        self.held += 1
        try:
            await self._release.wait()
        finally:
            self.held -= 1
        if not self._deliver_held:
            raise ApiError(502, "Bad Gateway: held, not delivered")

    def hold(self, after: int) -> None:
        self.hold_after, self._deliver_held = after, True
        self._release.clear()

    def release(self, deliver: bool) -> None:
        self.hold_after, self._deliver_held = None, deliver
        self._release.set()

    def _inject_failures(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        for rule in self._failures:
            if rule.method == method and rule.count > 0 and (rule.chat_id is None or rule.chat_id == chat_id):
                rule.count -= 1
                self._failures = [r for r in self._failures if r.count > 0]
                extra = {"retry_after": rule.retry_after} if rule.retry_after else None
                raise ApiError(rule.status, rule.description, extra)
        if method in CHAT_METHODS and isinstance(chat_id, int):
            if chat_id in self.blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            if chat_id not in self.chats:
                if not self.any_chat:
                    raise bad_request("chat not found")
                self.add_chat(chat_id)
        if method in SEND_METHODS and isinstance(chat_id, int):
            self._check_rate(chat_id)

    def _check_rate(self, chat_id: int) -> None:
        now = time.monotonic()
        if self.per_chat_rate:
            wait = self._last_sent_per_chat[chat_id] + 1.0 / self.per_chat_rate - now
            if wait > 0:
                raise _too_many(wait)
        if self.overall_rate:
            while self._sent_overall and self._sent_overall[0] <= now - 1.0:
                self._sent_overall.popleft()
            if len(self._sent_overall) >= self.overall_rate:
                raise _too_many(self._sent_overall[0] + 1.0 - now)
            self._sent_overall.append(now)
        self._last_sent_per_chat[chat_id] = now

    # ---------- validation helpers ----------
    def _chat(self, params: dict[str, Any]) -> ChatState:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise bad_request("chat not found")
        return self.chats[chat_id]

    @staticmethod
    def _check_text(text: Any, limit: int, what: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise bad_request(f"{what} is empty")
        if len(text) > limit:
            raise bad_request("message is too long" if what == "message text" else f"{what} is too long")
        return text

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return markup  # reply keyboards etc. are accepted as-is
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not str(button.get("text") or "").strip():
                    raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the "
                                      "inline keyboard")
                kinds = [k for k in ("callback_data", "url", "switch_inline_query", "web_app", "pay") if k in button]
                if len(kinds) != 1:
                    raise bad_request("can't parse inline keyboard button: exactly one optional field must be "
                                      "used")
                if "callback_data" in button:
                    size = len(str(button["callback_data"]).encode("utf-8"))
                    if not 1 <= size <= CALLBACK_DATA_LIMIT:
                        raise bad_request("BUTTON_DATA_INVALID")
                if "url" in button and not re.match(r"^(https?|tg)://", str(button["url"])):
                    raise bad_request("inline keyboard button URL is invalid")
        return markup

    def _next_message_id(self, state: ChatState) -> int:
        message_id = state.next_message_id
        state.next_message_id += 1
        return message_id

    def _new_bot_message(self, state: ChatState, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": self._next_message_id(state), "from": self.bot_user, "chat": state.chat,
            "date": int(time.time()),
        }
        message.update({k: v for k, v in content.items() if v is not None})
        state.messages[message["message_id"]] = message
        return message

    def _media(self, field_name: str, params: dict[str, Any], files: dict[str, UploadedFile]) -> UploadedFile | str:
        value = params.get(field_name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = files.get(value.removeprefix("attach://"))
        elif field_name in files:
            value = files[field_name]
        if isinstance(value, UploadedFile):
            if value.size == 0:
                raise bad_request("file must be non-empty")
            return value
        if isinstance(value, str) and value:
            return value  # file_id or URL
        raise bad_request(f"there is no {field_name} in the request")

    # ---------- Bot API methods ----------
    async def _api_getMe(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return self.bot_user

    async def _api_logOut(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return True

    async def _api_close(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.webhook = {"url": "", "secret_token": None}
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _api_setWebhook(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://") and not url.startswith("http://127.0.0.1"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise bad_request("secret token contains unallowed characters")
        self.webhook = {"url": url, "secret_token": secret, "max_connections": params.get("max_connections", 40)}
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        return {"url": self.webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self._updates),
                "max_connections": self.webhook.get("max_connections", 40)}

    async def _api_getUpdates(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        if self.webhook["url"]:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; use "
                                "deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        if isinstance(offset, int) and offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = params.get("limit") if isinstance(params.get("limit"), int) else 100
        limit = max(1, min(100, limit))
        timeout = params.get("timeout") if isinstance(params.get("timeout"), int) else 0
        self._poll_generation += 1
        generation = self._poll_generation
        self._new_updates.set()  # wakes an older long poll, which then answers 409 like Telegram
        deadline = time.monotonic() + max(0, timeout)
        while not self._updates and time.monotonic() < deadline and not self._closing:
            self._new_updates.clear()
            try:
                await asyncio.wait_for(self._new_updates.wait(), timeout=deadline - time.monotonic())
            except TimeoutError:
                break
            if generation != self._poll_generation:
                raise ApiError(409, "Conflict: terminated by other getUpdates request; make sure that only "
                                    "one bot instance is running")
        return self._updates[:limit]

    async def _api_sendMessage(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        state = self._chat(params)
        text = self._check_text(params.get("text"), TEXT_LIMIT, "message text")
        markup = self._check_markup(params.get("reply_markup"))
        return self._new_bot_message(state, text=text, reply_markup=markup)

    def add_user_file(self, file_id: str, content: bytes) -> None:
        """A file a user sent (e.g. a photo), downloadable through getFile + /file/bot<token>/<path>."""
        self.user_files[file_id] = content

    async def _api_getFile(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.user_files:
            raise bad_request("wrong file_id or the file is temporarily unavailable")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(self.user_files[file_id]),
                "file_path": f"photos/{file_id}.jpg"}

    async def _download_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        name = request.match_info["path"].rsplit("/", 1)[-1].removesuffix(".jpg")
        if name not in self.user_files:
            raise web.HTTPNotFound()
        return web.Response(body=self.user_files[name], content_type="image/jpeg")

    async def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        state = self._chat(params)
        photo = self._media("photo", params, files)
        caption = params.get("caption")
        if caption:
            self._check_text(caption, CAPTION_LIMIT, "message caption")
        markup = self._check_markup(params.get("reply_markup"))
        size = photo.size if isinstance(photo, UploadedFile) else 1000
        uid = f"AQAD{len(self.calls)}"
        sizes = [{"file_id": f"photo-{uid}-{w}", "file_unique_id": f"{uid}{w}", "width": w, "height": w * 3 // 4,
                  "file_size": size * w // 1280} for w in (90, 320, 1280)]
        return self._new_bot_message(state, photo=sizes, caption=caption or None, reply_markup=markup)

    async def _api_sendDocument(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        state = self._chat(params)
        document = self._media("document", params, files)
        caption = params.get("caption")
        if caption:
            self._check_text(caption, CAPTION_LIMIT, "message caption")
        markup = self._check_markup(params.get("reply_markup"))
        doc: dict[str, Any] = {"file_id": f"doc-{len(self.calls)}", "file_unique_id": f"D{len(self.calls)}"}
        if isinstance(document, UploadedFile):
            doc.update(file_name=document.filename, mime_type=document.content_type, file_size=document.size)
        return self._new_bot_message(state, document=doc, caption=caption or None, reply_markup=markup)

    async def _api_sendVoice(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        """Like Telegram: an OGG file with an Opus stream becomes a voice message; other audio is sent
        as a plain document (the person gets no voice bubble)."""
        state = self._chat(params)
        voice = self._media("voice", params, files)
        caption = params.get("caption")
        if caption:
            self._check_text(caption, CAPTION_LIMIT, "message caption")
        markup = self._check_markup(params.get("reply_markup"))
        uid = len(self.calls)
        if isinstance(voice, UploadedFile) and voice.content.startswith(b"OggS") and b"OpusHead" in voice.content[:200]:
            self.voice_files[f"voice-{uid}"] = voice.content
            media: dict[str, Any] = {"voice": {"file_id": f"voice-{uid}", "file_unique_id": f"V{uid}",
                                               "mime_type": "audio/ogg", "file_size": voice.size, "duration": 1}}
        else:
            media = {"document": {"file_id": f"doc-{uid}", "file_unique_id": f"D{uid}"}}
        return self._new_bot_message(state, caption=caption or None, reply_markup=markup, **media)

    async def _api_sendChatAction(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    def _bot_message(self, params: dict[str, Any]) -> tuple[ChatState, dict[str, Any]]:
        state = self._chat(params)
        message = state.messages.get(params.get("message_id"))  # type: ignore[arg-type]
        if message is None:
            raise bad_request("message to edit not found")
        return state, message

    async def _api_editMessageText(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        _, message = self._bot_message(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        text = self._check_text(params.get("text"), TEXT_LIMIT, "message text")
        markup = self._check_markup(params.get("reply_markup"))
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise bad_request("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return message

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        _, message = self._bot_message(params)
        markup = self._check_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise bad_request("message is not modified: specified new message content and reply markup are "
                              "exactly the same as a current content and reply markup of the message")
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return message

    async def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._pending_callbacks:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.answered_callbacks[query_id] = params
        return True

    async def _api_setMyCommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be an array of at most 100 BotCommand")
        for cmd in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(cmd.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(cmd.get("description", "")).strip()) <= 256:
                raise bad_request("command description is empty")
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        self.commands_by_scope[_scope_key(scope)] = commands
        if scope.get("type") == "default":
            self.commands = commands
        return True

    async def _api_deleteMyCommands(self, params: dict[str, Any], files: dict[str, UploadedFile]) -> Any:
        self.commands = []
        return True

    # ---------- control endpoints (standalone mode) ----------
    async def _ctl_updates(self, request: web.Request) -> web.Response:
        """Body: one object or a list; each `{"update": {...}}`, `{"user_id", "text"}` or
        `{"user_id", "data"}` (button press). Answers the update ids."""
        body = await request.json()
        items: Iterable[dict[str, Any]] = body if isinstance(body, list) else [body]
        ids: list[int] = []
        for item in items:
            if "update" in item:
                ids.append(self.push_update(item["update"]))
            elif "data" in item:
                ids.append(self.push_callback(int(item["user_id"]), str(item["data"]), item.get("message_id")))
            else:
                ids.append(self.push_message(int(item["user_id"]), item.get("text"),
                                             first_name=item.get("first_name", "Người dùng")))
        return web.json_response({"ok": True, "update_ids": ids})

    async def _ctl_block(self, request: web.Request) -> web.Response:
        self.block(int((await request.json())["chat_id"]))
        return web.json_response({"ok": True})

    async def _ctl_unblock(self, request: web.Request) -> web.Response:
        self.unblock(int((await request.json())["chat_id"]))
        return web.json_response({"ok": True})

    async def _ctl_fail_next(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.fail_next(body["method"], int(body.get("status", 429)), body.get("retry_after", 1),
                       int(body.get("count", 1)), body.get("description"), body.get("chat_id"))
        return web.json_response({"ok": True})

    async def _ctl_rate_limit(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.set_rate_limit(body.get("overall"), body.get("per_chat"))
        return web.json_response({"ok": True})

    async def _ctl_chats(self, request: web.Request) -> web.Response:
        body = await request.json()
        for item in body if isinstance(body, list) else [body]:
            self.add_chat(int(item["chat_id"]), item.get("first_name", "Người dùng"), item.get("last_name"))
        return web.json_response({"ok": True})

    async def _ctl_turn(self, request: web.Request) -> web.Response:
        """One closed-loop turn (bench/residents.py): body `{"user_id", "text"}` or `{"user_id", "data",
        "message_id"}`; queues the update, waits for the bot's next message with inline buttons in that
        chat and answers `{"ok": true, "seconds": <update queued -> buttons arrived>, "message": {...}}`
        (`{"ok": false}` after `timeout` seconds, default 30)."""
        body = await request.json()
        user_id = int(body["user_id"])
        waiter: asyncio.Future[tuple[float, dict[str, Any]]] = asyncio.get_running_loop().create_future()
        self._button_waiters.setdefault(user_id, []).append(waiter)
        queued_at = time.monotonic()
        if "data" in body:
            self.push_callback(user_id, str(body["data"]), body.get("message_id"))
        else:
            self.push_message(user_id, body.get("text"), first_name=body.get("first_name", "Người dùng"))
        try:
            arrived_at, message = await asyncio.wait_for(waiter, timeout=float(body.get("timeout", 30)))
        except TimeoutError:
            return web.json_response({"ok": False, "description": "no reply with buttons in time"})
        return web.json_response({"ok": True, "seconds": arrived_at - queued_at, "message": message},
                                 dumps=lambda o: json.dumps(o, ensure_ascii=False))

    async def _ctl_hold(self, request: web.Request) -> web.Response:
        self.hold(int((await request.json())["after"]))
        return web.json_response({"ok": True})

    async def _ctl_held(self, request: web.Request) -> web.Response:
        return web.json_response({"held": self.held, "sent": self.sends()})

    async def _ctl_release(self, request: web.Request) -> web.Response:
        self.release(bool((await request.json()).get("deliver", True)))
        return web.json_response({"ok": True})

    async def _ctl_counts(self, request: web.Request) -> web.Response:
        """Successful calls per method, e.g. {"sendMessage": 120}."""
        return web.json_response(dict(self.ok_counts))

    async def _ctl_calls(self, request: web.Request) -> web.Response:
        method = request.query.get("method")
        calls = [
            {"method": c.method, "params": c.params, "status": c.status, "at": c.at, "description": c.description}
            for c in self.calls if method is None or c.method == method
        ]
        return web.json_response(calls, dumps=lambda o: json.dumps(o, ensure_ascii=False, default=str))


def _has_buttons(result: Any) -> bool:
    return isinstance(result, dict) and bool((result.get("reply_markup") or {}).get("inline_keyboard"))


def _too_many(wait: float) -> ApiError:
    retry_after = max(1, int(wait + 0.999))
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


async def _serve(args: argparse.Namespace) -> None:
    server = FakeTelegramServer(
        token=args.token, host=args.host, port=args.port, log_path=args.log, any_chat=args.any_chat,
        overall_rate=args.rate_overall, per_chat_rate=args.rate_per_chat,
    )
    await server.start()
    print(f"fake Telegram Bot API listening on {server.base_url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def _scope_key(scope: dict[str, Any]) -> str:
    """BotCommandScope -> "default", "chat:<id>", ... (the key of FakeTelegramServer.commands_by_scope)."""
    kind = str(scope.get("type", "default"))
    return f"{kind}:{scope['chat_id']}" if "chat_id" in scope else kind



def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API server for tests")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = a random free port (printed)")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--log", type=Path, help="append every successful sendMessage as a JSON line")
    parser.add_argument("--any-chat", action="store_true", help="accept sends to chats never seen")
    parser.add_argument("--rate-overall", type=float, help="429 above this many messages/s overall")
    parser.add_argument("--rate-per-chat", type=float, help="429 above this many messages/s per chat")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
