"""A fake Zalo Official Account platform (aiohttp, 127.0.0.1): OAuth v4 and OpenAPI v3, shaped like
/work/shared/ZALO.md, for tests and local runs.

OAuth `POST /v4/oa/access_token` checks the `secret_key` header and `app_id`; `grant_type=refresh_token`
accepts only the current refresh token and kills it (each refresh hands out a new one, like Zalo);
`authorization_code` checks PKCE (S256 of `code_verifier` against the challenge given to `authorize`).
OpenAPI `POST /v3.0/oa/message/cs` checks the `access_token` header (unknown or expired -> -216) and the
payload: `recipient.user_id`, `message.text` 1-2000 characters (else -210) or a template attachment
(`button` with 1-MAX buttons of known types, `oa.query.*` payloads strings; `media` with an image URL).
`oa.open.url` needs an https `url`, `oa.open.phone` a `phone_code` of digits (a leading + allowed).
Media: `GET /media/{name}` serves `media[name]` (photos residents "sent": attachment URLs point here);
`huge.jpg` streams without a Content-Length past any limit.
Interaction windows: `last_interaction[user]` (ms, set by `event()` for user events) -> -230 after
7 days, -305 after 48 h, -311 after 8 free replies within 48 h (`quota_per_48h`).
`event(...)` builds a webhook event; `post_event(url, event)` signs it and posts it like Zalo.
Standalone: `python -m tests.fakes.zalo_oa_server --port P --app-id A --secret S --refresh-token R`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import secrets
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.fakes.base import AiohttpFake

APP_ID = "1357924680"
SECRET_KEY = "fake-oa-secret-key-XYZ"
FIRST_REFRESH = "first-refresh-token-abc"
BUTTON_TYPES = {"oa.query.show", "oa.query.hide", "oa.open.url", "oa.open.phone", "oa.open.sms"}
MAX_BUTTONS = 5
_ids = itertools.count(1)


def sign(app_id: str, body: bytes, timestamp: str, secret: str) -> str:
    return "mac=" + hashlib.sha256(app_id.encode() + body + timestamp.encode() + secret.encode()).hexdigest()


@dataclass
class FakeOaServer(AiohttpFake):
    app_id: str = APP_ID
    secret_key: str = SECRET_KEY
    refresh_token: str = FIRST_REFRESH
    expires_in: int = 90000
    quota_per_48h: int = 8
    oauth_delay: float = 0.0  # seconds an OAuth answer takes (to widen race windows)

    def __post_init__(self) -> None:
        self.access: dict[str, float] = {}  # token -> expiry (time.time())
        self.oauth_calls: list[dict[str, str]] = []
        self.sent: list[dict[str, Any]] = []  # accepted messages: {"user_id", "message", "token"}
        self.refused: list[dict[str, Any]] = []  # refused messages: {"user_id", "error"}
        self.challenges: dict[str, str] = {}  # code -> PKCE challenge
        self.last_interaction: dict[str, int] = {}
        self.replies_since: dict[str, list[float]] = {}
        self.media: dict[str, bytes] = {}  # name -> image bytes served at /media/{name}
        self.media_hits: list[str] = []

    # --- controls ---------------------------------------------------------------------
    def authorize(self, code: str, challenge: str) -> None:
        self.challenges[code] = challenge

    def expire_access_tokens(self) -> None:
        for token in self.access:
            self.access[token] = 0.0

    def refresh_requests(self) -> int:
        return sum(1 for c in self.oauth_calls if c.get("grant_type") == "refresh_token")

    def texts_to(self, user_id: str) -> list[str]:
        out = []
        for item in self.sent:
            if item["user_id"] != user_id:
                continue
            message = item["message"]
            payload = message.get("attachment", {}).get("payload", {})
            out.append(message.get("text") or payload.get("text") or "")
        return out

    def event(self, event_name: str, user_id: str, *, text: str | None = None, msg_id: str | None = None,
              url: str | None = None, timestamp: int | None = None) -> dict[str, Any]:
        ts = timestamp or int(time.time() * 1000)
        body: dict[str, Any] = {"app_id": self.app_id, "event_name": event_name, "timestamp": str(ts)}
        if event_name in ("follow", "unfollow"):
            body["follower"] = {"id": user_id}
            body["source"] = "oa_qr_code"
        else:
            body["sender"] = {"id": user_id}
            body["recipient"] = {"id": "oa-123"}
            message: dict[str, Any] = {"msg_id": msg_id or f"msg{next(_ids):012d}"}
            if text is not None:
                message["text"] = text
            if url is not None:
                message["attachments"] = [{"type": "image", "payload": {"url": url}}]
            body["message"] = message
        if event_name.startswith("user_send") or event_name == "follow":
            self.last_interaction[user_id] = ts
            self.replies_since[user_id] = []
        return body

    async def post_event(self, url: str, event: dict[str, Any], *, signature: str | None = "auto") -> tuple[int, str]:
        raw = json.dumps(event, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            headers["X-ZEvent-Signature"] = sign(self.app_id, raw, str(event.get("timestamp", "")), self.secret_key)
        elif signature is not None:
            headers["X-ZEvent-Signature"] = signature
        async with aiohttp.ClientSession() as session, session.post(
            url, data=raw, headers=headers, timeout=aiohttp.ClientTimeout(total=5)
        ) as resp:
            return resp.status, await resp.text()

    # --- server -------------------------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v4/oa/access_token", self._oauth)
        app.router.add_post("/v3.0/oa/message/cs", self._cs)
        app.router.add_get("/v2.0/oa/getoa", self._getoa)
        app.router.add_get("/media/{name}", self._media)
        return app

    def media_url(self, name: str) -> str:
        return f"{self.base_url}/media/{name}"

    async def _media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        self.media_hits.append(name)
        if name == "huge.jpg":
            resp = web.StreamResponse(headers={"Content-Type": "image/jpeg"})
            await resp.prepare(request)
            with contextlib.suppress(ConnectionError):
                for _ in range(400):  # 26 MB unless the client gives up first
                    await resp.write(b"\xff" * 65536)
            return resp
        if name not in self.media:
            raise web.HTTPNotFound()
        return web.Response(body=self.media[name], content_type="image/png")

    def _new_tokens(self) -> dict[str, Any]:
        access = "acc-" + secrets.token_hex(12)
        self.refresh_token = "ref-" + secrets.token_hex(12)
        self.access[access] = time.time() + self.expires_in
        return {"access_token": access, "refresh_token": self.refresh_token, "expires_in": str(self.expires_in)}

    async def _oauth(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.oauth_calls.append(form)
        if self.oauth_delay:
            await asyncio.sleep(self.oauth_delay)
        if request.headers.get("secret_key") != self.secret_key or form.get("app_id") != self.app_id:
            return web.json_response({"error": -14002, "error_name": "Invalid app", "error_description": "bad app"})
        grant = form.get("grant_type")
        if grant == "refresh_token":
            if form.get("refresh_token") != self.refresh_token:
                form["result"] = "refused: dead refresh token"
                return web.json_response(
                    {"error": -14014, "error_name": "Invalid refresh token", "error_description": "expired"}
                )
            return web.json_response(self._new_tokens())
        if grant == "authorization_code":
            challenge = self.challenges.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge is None or digest != challenge:
                return web.json_response({"error": -14019, "error_name": "Invalid code", "error_description": "pkce"})
            return web.json_response(self._new_tokens())
        return web.json_response({"error": -14001, "error_description": "grant_type"})

    def _token_ok(self, request: web.Request) -> str | None:
        token = request.headers.get("access_token", "")
        return token if self.access.get(token, 0.0) > time.time() else None

    async def _getoa(self, request: web.Request) -> web.Response:
        if self._token_ok(request) is None:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        return web.json_response({"error": 0, "message": "Success", "data": {"oa_id": "oa-123", "name": "UBND Xã"}})

    def _shape_error(self, message: Any) -> str | None:
        if not isinstance(message, dict):
            return "message missing"
        if "attachment" not in message:
            text = message.get("text")
            return None if isinstance(text, str) and 1 <= len(text) <= 2000 else "text length"
        payload = message["attachment"].get("payload", {})
        if message["attachment"].get("type") != "template":
            return "attachment type"
        if payload.get("template_type") == "media":
            elements = payload.get("elements") or []
            ok = elements and all(e.get("media_type") == "image" and str(e.get("url", "")).startswith("http")
                                  for e in elements)
            return None if ok else "media elements"
        if payload.get("template_type") != "button":
            return "template_type"
        text, buttons = payload.get("text"), payload.get("buttons") or []
        if not isinstance(text, str) or not 1 <= len(text) <= 2000:
            return "text length"
        if not 1 <= len(buttons) <= MAX_BUTTONS:
            return "buttons count"
        for b in buttons:
            if b.get("type") not in BUTTON_TYPES or not b.get("title"):
                return "button type/title"
            if b["type"].startswith("oa.query") and not isinstance(b.get("payload"), str):
                return "query payload"
            if b["type"] == "oa.open.url" and not str(b.get("payload", {}).get("url", "")).startswith("https://"):
                return "url payload"
            if b["type"] == "oa.open.phone":
                phone = str(b.get("payload", {}).get("phone_code", ""))
                if not phone.lstrip("+").isdigit():
                    return "phone payload"
        return None

    async def _cs(self, request: web.Request) -> web.Response:
        token = self._token_ok(request)
        if token is None:
            return web.json_response({"error": -216, "message": "Access token is invalid"})
        body = await request.json()
        user = str(body.get("recipient", {}).get("user_id", ""))
        problem = self._shape_error(body.get("message"))
        if not user or problem:
            code = -210 if problem == "text length" else -201
            self.refused.append({"user_id": user, "error": code, "problem": problem})
            return web.json_response({"error": code, "message": f"Parameters are invalid: {problem}"})
        last = self.last_interaction.get(user)
        age_h = (time.time() * 1000 - last) / 3_600_000 if last is not None else 10_000
        code = None
        if age_h > 24 * 7:
            code, text = -230, "User has not interacted with the OA in the last 7 days"
        elif age_h > 48:
            code, text = -305, "Cannot respond to user after 48 hours"
        elif len(self.replies_since.setdefault(user, [])) >= self.quota_per_48h:
            code, text = -311, "Out of quota"
        if code is not None:
            self.refused.append({"user_id": user, "error": code})
            return web.json_response({"error": code, "message": text})
        self.replies_since[user].append(time.time())
        self.sent.append({"user_id": user, "message": body["message"], "token": token})
        return web.json_response({"error": 0, "message": "Success", "data": {"message_id": secrets.token_hex(8)}})


async def _serve(args: argparse.Namespace) -> None:
    server = FakeOaServer(app_id=args.app_id, secret_key=args.secret, refresh_token=args.refresh_token,
                          quota_per_48h=10_000)
    await server.start(args.host, args.port)
    print(f"fake Zalo OA on {server.base_url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="Fake Zalo OA (OAuth v4 + OpenAPI v3)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--app-id", default=APP_ID)
    parser.add_argument("--secret", default=SECRET_KEY)
    parser.add_argument("--refresh-token", default=FIRST_REFRESH)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
