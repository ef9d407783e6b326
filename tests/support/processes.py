"""Blocking helpers for tests that drive real processes: a free port, JSON over HTTP, polling, and
reading a Prometheus sample (urllib, so usable from sync fixtures and through asyncio.to_thread)."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http(url: str, body: object | None = None, headers: dict[str, str] | None = None, timeout: float = 30) -> Any:
    """GET (no body) or POST JSON; returns the decoded JSON answer (or text for non-JSON answers)."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        raw = resp.read().decode()
        return json.loads(raw) if resp.headers.get_content_type() == "application/json" else raw


def wait_for(predicate: Callable[[], Any], within: float, what: str, every: float = 0.1) -> Any:
    """Poll `predicate` until it returns something truthy (connection errors count as not yet)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(every)
    raise AssertionError(f"timed out after {within}s waiting for {what}")


def metric(text: str, name: str, labels: str = "") -> float:
    """One sample from Prometheus text output, e.g. metric(t, "hocvuso_updates_total", 'channel="telegram"')."""
    wanted = f"{name}{{{labels}}}" if labels else name
    for line in text.splitlines():
        if line.startswith(wanted + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0
