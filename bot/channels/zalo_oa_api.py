"""HTTP clients of the Zalo Official Account: OAuth v4 (tokens) and OpenAPI v3 (consultation messages).

Facts (/work/shared/ZALO.md):
- OAuth: `POST {oauth}/v4/oa/access_token`, header `secret_key`, form `app_id` and either
  `grant_type=authorization_code` + `code` + `code_verifier` (PKCE) or `grant_type=refresh_token` +
  `refresh_token`. Answer `{"access_token", "refresh_token", "expires_in"}` (seconds, about 25 h;
  sometimes a string) or `{"error": N, "error_name", "error_description"}`. Each refresh returns a new
  refresh token and kills the old one.
- Messages: `POST {api}/v3.0/oa/message/cs`, header `access_token`, JSON `{"recipient": {"user_id"},
  "message": {...}}`; answer `{"error": 0, "message": "Success", "data": {"message_id"}}` or
  `{"error": N, "message": "..."}`. -216 access token invalid/expired; -230 the user has not interacted
  in 7 days; -305 cannot answer after 48 h; -311 out of reply quota; -210 text over 2000 characters.
Neither token nor secret ever appears in an exception or a log line: errors carry Zalo's code and text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiolimiter import AsyncLimiter

from bot.channels import media_download

DEFAULT_API_BASE_URL = "https://openapi.zalo.me"
DEFAULT_OAUTH_BASE_URL = "https://oauth.zaloapp.com"
TOKEN_INVALID = -216
NOT_INTERACTED_7_DAYS = -230
AFTER_48_HOURS = -305
OUT_OF_QUOTA = -311
TEXT_TOO_LONG = -210
WINDOW_CODES = (NOT_INTERACTED_7_DAYS, AFTER_48_HOURS)


class OaError(Exception):
    """Zalo refused a call; `code` is Zalo's (negative) error number, None for HTTP/network trouble."""

    def __init__(self, what: str, code: int | None, message: str) -> None:
        super().__init__(f"zalo-oa {what}: {code} {message}".strip())
        self.code = code
        self.message = message


class OaUnavailable(OaError):
    """Network failure, timeout or HTTP 5xx: transient."""


@dataclass(frozen=True)
class OAuthTokens:
    access_token: str
    refresh_token: str
    expires_in: float

    def __repr__(self) -> str:  # never show a token
        return f"OAuthTokens(expires_in={self.expires_in})"


def _json(body: str) -> Any:
    try:
        return json.loads(body) if body.strip() else None
    except ValueError:
        return None


class OAuthClient:
    """Obtains and refreshes the OA's tokens."""

    def __init__(self, base_url: str, app_id: str, secret_key: str, session: aiohttp.ClientSession) -> None:
        self._url = f"{base_url.rstrip('/')}/v4/oa/access_token"
        self._app_id = app_id
        self._secret_key = secret_key
        self._session = session
        self.requests = 0  # token requests this process made (tests and /metrics-style checks)

    async def _post(self, form: dict[str, str]) -> OAuthTokens:
        self.requests += 1
        try:
            async with self._session.post(
                self._url, data={"app_id": self._app_id, **form}, headers={"secret_key": self._secret_key},
                timeout=aiohttp.ClientTimeout(total=20),
            ) as resp:
                status, body = resp.status, await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OaUnavailable("oauth", None, type(exc).__name__) from None
        data = _json(body)
        if status >= 500:
            raise OaUnavailable("oauth", None, f"HTTP {status}")
        if not isinstance(data, dict) or not data.get("access_token") or not data.get("refresh_token"):
            code = data.get("error") if isinstance(data, dict) else None
            text = str(data.get("error_description") or data.get("error_name") or "") if isinstance(data, dict) else ""
            raise OaError("oauth", int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit()
                          else None, text or f"HTTP {status}")
        try:
            expires = float(data.get("expires_in") or 90000)
        except (TypeError, ValueError):
            expires = 90000.0
        return OAuthTokens(str(data["access_token"]), str(data["refresh_token"]), expires)

    async def refresh(self, refresh_token: str) -> OAuthTokens:
        return await self._post({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def exchange_code(self, code: str, code_verifier: str) -> OAuthTokens:
        return await self._post({"grant_type": "authorization_code", "code": code, "code_verifier": code_verifier})


class OaApi:
    """Sends consultation messages, paced at `rate_per_second`."""

    def __init__(self, base_url: str, session: aiohttp.ClientSession, rate_per_second: float = 5.0) -> None:
        self._base = base_url.rstrip("/")
        self._session = session
        self._limiter = AsyncLimiter(1, 1.0 / rate_per_second)

    async def call(self, path: str, access_token: str, payload: dict[str, Any] | None = None) -> Any:
        """POST (or GET without payload) `path`; the `data` of a success, else `OaError`."""
        await self._limiter.acquire()
        headers = {"access_token": access_token}
        try:
            if payload is None:
                request = self._session.get(f"{self._base}{path}", headers=headers,
                                            timeout=aiohttp.ClientTimeout(total=20))
            else:
                request = self._session.post(f"{self._base}{path}", json=payload, headers=headers,
                                             timeout=aiohttp.ClientTimeout(total=20))
            async with request as resp:
                status, body = resp.status, await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise OaUnavailable(path, None, type(exc).__name__) from None
        data = _json(body)
        if status >= 500 or not isinstance(data, dict):
            raise OaUnavailable(path, None, f"HTTP {status}")
        code = data.get("error", 0)
        if code in (0, "0"):
            return data.get("data")
        try:
            number = int(code)
        except (TypeError, ValueError):
            number = None
        raise OaError(path, number, str(data.get("message") or ""))

    async def download(self, url: str, max_bytes: int, check_url: Callable[[str], None]) -> tuple[bytes, str]:
        """A file a user sent (no access token: Zalo's media URLs are public); see media_download."""
        return await media_download.download(self._session, url, max_bytes, check_url)

    async def send_cs(self, access_token: str, user_id: str, message: dict[str, Any]) -> Any:
        return await self.call(
            "/v3.0/oa/message/cs", access_token, {"recipient": {"user_id": user_id}, "message": message}
        )

    async def close(self) -> None:
        if not self._session.closed:
            await self._session.close()

    async def get_oa(self, access_token: str) -> Any:
        """The OA's profile (used by `hocvuso zalo-oa status`)."""
        return await self.call("/v2.0/oa/getoa", access_token)
