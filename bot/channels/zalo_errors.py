"""Zalo Bot API answers: one HTTP answer becomes its `result` or the matching `ZaloApiError` subclass.

Which of these codes and shapes are documented and which are defensive choices: bot/channels/zalo_api.py.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

POLL_TIMEOUT_CODE = 408
_BLOCKED_WORDS = ("block", "chặn")
INTERNAL_ERROR_CODE = 403  # Zalo's table: "Internal server error", not "forbidden"


class ZaloApiError(Exception):
    """The API refused a call (or could not be reached)."""

    def __init__(
        self, method: str, code: int | None, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"zalo {method}: {code} {description}".strip())
        self.method = method
        self.code = code
        self.description = description
        self.retry_after = retry_after


class ZaloPollTimeout(ZaloApiError):
    """getUpdates found nothing during its long poll (408): not an error."""


class ZaloQuotaExceeded(ZaloApiError):
    """429 "Quota exceeded" (the monthly message quota included): stop sending, do not retry now."""


class ZaloServerError(ZaloApiError):
    """403 ("Internal server error" in Zalo's table), 5xx, timeouts or network failures; transient."""


class ZaloBlocked(ZaloApiError):
    """The user blocked the bot or cannot be reached; never retried."""


class ZaloUnauthorized(ZaloApiError):
    """401: the bot token is wrong or revoked."""


class ZaloBadRequest(ZaloApiError):
    """Any other refusal (400 and friends); the call itself is wrong."""


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _retry_hint(data: Mapping[str, Any] | None, headers: Mapping[str, str]) -> float | None:
    if data is not None:
        params = data.get("parameters")
        if isinstance(params, Mapping) and params.get("retry_after") is not None:
            try:
                return max(0.0, float(params["retry_after"]))
            except (TypeError, ValueError):
                pass
        if data.get("retry_after") is not None:
            try:
                return max(0.0, float(data["retry_after"]))
            except (TypeError, ValueError):
                pass
    header = headers.get("Retry-After")
    if header is not None:
        try:
            return max(0.0, float(header))
        except ValueError:
            return None
    return None


def _classify(method: str, code: int | None, description: str, retry_after: float | None) -> ZaloApiError:
    lowered = description.lower()
    if code == POLL_TIMEOUT_CODE:
        if method == "getUpdates":
            return ZaloPollTimeout(method, code, description)
        return ZaloServerError(method, code, description)
    if code == 429:
        return ZaloQuotaExceeded(method, code, description, retry_after)
    if code is not None and (code >= 500 or code == INTERNAL_ERROR_CODE):
        return ZaloServerError(method, code, description, retry_after)
    if any(word in lowered for word in _BLOCKED_WORDS):
        return ZaloBlocked(method, code, description)
    if code == 401:
        return ZaloUnauthorized(method, code, description)
    return ZaloBadRequest(method, code, description)


def parse_response(method: str, status: int, body: str, headers: Mapping[str, str] | None = None) -> Any:
    """Turn one HTTP answer into its `result`, or raise the matching `ZaloApiError`.

    Accepts `{"ok": true, "result": ...}`, `{"ok": false, "error_code", "description"}`,
    `{"error": N, "message": ..., "data": ...}` and, on HTTP 2xx, a bare JSON value.
    """
    headers = headers or {}
    try:
        data: Any = json.loads(body) if body.strip() else None
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        hint = _retry_hint(data, headers)
        if "ok" in data:
            if data.get("ok") is True:
                return data.get("result")
            code = _as_int(data.get("error_code")) or (status if status >= 400 else None)
            text = str(data.get("description") or data.get("message") or "")
            raise _classify(method, code, text, hint)
        if "error" in data and _as_int(data.get("error")) is not None:
            code = _as_int(data.get("error"))
            if code == 0 and status < 400:
                return data.get("data")
            text = str(data.get("message") or data.get("description") or "")
            # Prefer the HTTP status when it says more (429/5xx) than a private negative code.
            effective = status if status in (403, 408, 429) or status >= 500 else code
            raise _classify(method, effective, text, hint)
        if status < 400:
            return data
        raise _classify(method, status, str(data.get("message") or data.get("description") or ""), hint)
    if status < 400 and data is not None:
        return data
    hint = _retry_hint(None, headers)
    code = status if status >= 400 else 500  # a 2xx without JSON: the platform misbehaved
    raise _classify(method, code, body[:200].strip() or f"HTTP {status}", hint)
