"""Metrics (Prometheus) and structured logging with the update id of the turn being handled."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from prometheus_client import REGISTRY, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily

current_update: ContextVar[str] = ContextVar("current_update", default="-")

UPDATE_SECONDS = Histogram(
    "hocvuso_update_seconds",
    "Time to handle one update in the engine",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
UPDATES = Counter("hocvuso_updates_total", "Updates handled", ["channel"])
OUTBOX = Gauge("hocvuso_outbox_messages", "Outbox rows by status (pending = depth)", ["status"])
SCHEDULER_LEADER = Gauge("hocvuso_scheduler_leader", "1 if this instance runs the scheduler's due work")
CHANNEL_UP = Gauge("hocvuso_channel_up", "1 if the channel adapter is running", ["channel"])
CHANNEL_PAUSED = Gauge(
    "hocvuso_channel_paused", "1 while the channel sends nothing (e.g. its quota is used up)", ["channel"]
)
JOURNAL_UNMARKED = Gauge(
    "hocvuso_reply_journal_unmarked", "Replies sent whose delivered mark is not committed yet (resent after a crash)"
)
JOURNAL_RESENT = Gauge("hocvuso_reply_journal_resent", "Replies resent from the journal since this process started")
SEND_RESULTS = ("sent", "blocked", "failed", "retried")


class _SenderStatsCollector:
    """`hocvuso_outbox_sends_total{result}`: outbox sends this instance finished, read from the
    running sender's own tallies at scrape time (Prometheus sums them over instances)."""

    def __init__(self) -> None:
        self.source: Callable[[], Any] | None = None

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "hocvuso_outbox_sends", "Outbox sends finished by this instance, by result", labels=["result"]
        )
        stats = self.source() if self.source is not None else None
        for result in SEND_RESULTS:
            family.add_metric([result], float(getattr(stats, result, 0)))
        yield family


_SENDER_STATS = _SenderStatsCollector()
REGISTRY.register(_SENDER_STATS)


def watch_sender(stats: Callable[[], Any]) -> None:
    """Export the outbox sender's tallies (an object with sent/blocked/failed/retried)."""
    _SENDER_STATS.source = stats


class _UpdateIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.update_id = current_update.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, update_id (and exception text)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "update_id": getattr(record, "update_id", "-"),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def setup_logging(level: str, fmt: str) -> None:
    """Log to stderr, as text or JSON lines, every record carrying the current update id."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_UpdateIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(update_id)s] %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # SQL statements carry their parameters (the Zalo OA's tokens among them): never, even at DEBUG.
    for name in ("sqlalchemy.engine", "sqlalchemy.pool", "aiosqlite", "asyncpg"):
        logging.getLogger(name).setLevel(logging.WARNING)
