"""A `Reply` as JSON and back, channel-neutral: what the journal stores (`reply_journal.body`).

An explicit codec, not pickle or a generic dump: the stored form is small (defaults are left out),
readable, and stable across versions; every `Reply` field is named here (tests/test_reply_journal.py
fails when a field is added to `Reply` and not to this codec). Bytes (a chart, a document) are base64.
`journal_id` is not stored: it is the row's own id.
"""

from __future__ import annotations

import base64
from typing import Any

from bot.messages import Button, Document, Reply

STORED_FIELDS = frozenset({"text", "buttons", "image", "image_bytes", "document", "voice", "link", "edit"})


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def encode(reply: Reply) -> dict[str, Any]:
    out: dict[str, Any] = {"t": reply.text}
    if reply.buttons:
        out["b"] = [[[b.label, b.payload, b.number] for b in row] for row in reply.buttons]
    if reply.image is not None:
        out["i"] = reply.image
    if reply.image_bytes is not None:
        out["ib"] = _b64(reply.image_bytes)
    if reply.document is not None:
        d = reply.document
        out["d"] = {"f": d.filename, "c": _b64(d.content), "m": d.mime_type}
    if reply.voice is not None:
        out["v"] = reply.voice
    if reply.link is not None:
        out["l"] = reply.link
    if reply.edit:
        out["e"] = True
    return out


def decode(data: dict[str, Any], journal_id: int | None = None) -> Reply:
    buttons = tuple(
        tuple(Button(str(label), str(payload), None if n is None else int(n)) for label, payload, n in row)
        for row in data.get("b", ())
    )
    doc = data.get("d")
    return Reply(
        str(data["t"]),
        buttons=buttons,
        image=data.get("i"),
        image_bytes=base64.b64decode(data["ib"]) if "ib" in data else None,
        document=Document(doc["f"], base64.b64decode(doc["c"]), doc["m"]) if doc else None,
        voice=data.get("v"),
        link=data.get("l"),
        edit=bool(data.get("e", False)),
        journal_id=journal_id,
    )
