"""What every HTTP response and request log of the web app must respect, wherever it runs.

- Security headers on every response (pages, JSON, static files, errors), and no `Server` banner
  naming Python and aiohttp versions.
- An access log that never writes a secret: login-link tokens in the path are masked, query strings
  and the Referer header (which may carry a login link) are not logged.
- `same_origin_post`: the check behind the login POST (login CSRF).
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from aiohttp import hdrs, web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # same-origin: a login link in the URL never leaves for another site, and our own POSTs still carry
    # an Origin (browsers send "Origin: null" under no-referrer), which the login check needs.
    "Referrer-Policy": "same-origin",
}

# Path segments that are secrets: /dangnhap/<one-time token>, /thuchanh/<practice token> and the QR
# picture that encodes it, /taive/<one-time report download>, /diemdanh/<class check-in token> (printed on a
# poster, but a log is no place for it either).
_SECRET_PATHS = re.compile(r"^(/dangnhap/|/thuchanh/|/taive/|/media/practice/|/diemdanh/)[^/]+")


async def add_security_headers(request: web.Request, response: StreamResponse) -> None:
    """`on_response_prepare` hook: runs after aiohttp filled in its default headers."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.popall(hdrs.SERVER, None)


def harden(app: web.Application) -> web.Application:
    app.on_response_prepare.append(add_security_headers)
    return app


def redacted_path(path: str) -> str:
    """The path as it may be logged: secret segments masked, no query string."""
    return _SECRET_PATHS.sub(r"\1…", path.split("?", 1)[0])


class RedactingAccessLogger(AbstractAccessLogger):
    """`remote "METHOD /path" status bytes seconds`, with `redacted_path` (no query, no Referer)."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        self.logger.info(
            '%s "%s %s" %s %s %.3fs',
            request.remote or "-",
            request.method,
            redacted_path(request.path),
            response.status,
            response.body_length,
            time,
        )

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)


def app_runner(app: web.Application) -> web.AppRunner:
    """The runner for the real server: the redacting access log, signals left to the caller."""
    return web.AppRunner(app, handle_signals=False, access_log_class=RedactingAccessLogger)


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def same_origin_post(request: web.Request, public_base_url: str) -> bool:
    """True when a POST comes from one of our own pages: its Origin (or, for browsers that send none,
    its Referer) is the public base URL's origin or the origin the request was addressed to."""
    ours = {_origin(public_base_url), f"{request.scheme}://{request.host}".lower()}
    origin = request.headers.get(hdrs.ORIGIN)
    if origin is not None:
        return origin.lower() in ours
    referer = request.headers.get(hdrs.REFERER)
    return referer is not None and _origin(referer) in ours
