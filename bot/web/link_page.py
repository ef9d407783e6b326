"""The pages opened from a one-time link or a QR code (report downloads, file links, practice, class
check-in): one template environment and one set of headers — never cached, no referrer (the token is
in the URL), no sniffing, nothing embedded, no script, styles only from /static."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import jinja2
from aiohttp import web

HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; frame-ancestors 'none'",
}


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def template(name: str) -> jinja2.Template:
    return _env().get_template(name)


def respond(html: str, status: int) -> web.Response:
    resp = web.Response(text=html, status=status, content_type="text/html")
    resp.headers.update(HEADERS)
    return resp
