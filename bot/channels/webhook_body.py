"""Webhook bodies: a JSON object of bounded nesting, or a precise reason why not.

A request with the right secret can still carry anything (a proxy's error page, a test tool, a
changed platform). `read_object` turns each wrong shape into `BadBody` — the adapter answers 400 and
logs one line — instead of an exception deep inside a parser (500 and a traceback). The depth bound
stops a body nested 50,000 deep before any recursive code walks it.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

MAX_DEPTH = 32  # real updates nest about 5 deep (update > message > reply_to_message > from)


class BadBody(ValueError):
    """The body is not what the platform sends; the message says what was wrong (no body content)."""


def _depth_exceeds(raw: str, limit: int) -> bool:
    """True when brackets outside strings nest deeper than `limit` (scanned without recursion)."""
    depth = 0
    in_string = escaped = False
    for ch in raw:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return True
        elif ch in "]}":
            depth -= 1
    return False


def parse_object(raw: bytes, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadBody("body is not UTF-8") from None
    if text.count("[") + text.count("{") > max_depth and _depth_exceeds(text, max_depth):
        raise BadBody(f"JSON nested deeper than {max_depth}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadBody(f"not JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(data, dict):
        raise BadBody(f"JSON {type(data).__name__}, not an object")
    return data


async def read_object(request: web.Request, max_depth: int = MAX_DEPTH) -> dict[str, Any]:
    return parse_object(await request.read(), max_depth)


def bad_request(reason: str) -> web.Response:
    return web.json_response({"ok": False, "description": f"Bad Request: {reason}"}, status=400)
