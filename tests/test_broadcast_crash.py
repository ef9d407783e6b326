"""kill -9 in the middle of a 10,000-recipient broadcast, restart: everyone gets it, duplicates bounded.

The fake Telegram server and the outbox worker (real python-telegram-bot Sender) run as
subprocesses; the fake's log (one JSON line per accepted sendMessage) is the ground truth.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.support.logs import json_records

RECIPIENTS = 10_000
KILL_AFTER = 3_000
MAX_IN_FLIGHT = 4
PORT_LINE = "listening on "


def start_fake(log: Path) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_server", "--port", "0", "--log", str(log), "--any-chat"],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert PORT_LINE in line, line
    return proc, line.split(PORT_LINE, 1)[1].strip()


def worker(database_url: str, base_url: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.outbox_worker", "--database-url", database_url,
         "--telegram-base-url", base_url, "--seed", str(RECIPIENTS), "--rate", "1000", "--owner", "crash-worker",
         "--max-in-flight", str(MAX_IN_FLIGHT)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def logged_chats(log: Path) -> list[int]:
    """The chats of the fake's complete log lines (it may be mid-line while we read)."""
    return [int(record["chat_id"]) for record in json_records(log) if "chat_id" in record]


@pytest.mark.slow
def test_sigkill_mid_broadcast_then_restart_delivers_to_everyone_once(database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "sent.jsonl"
    fake, base_url = start_fake(log)
    try:
        first = worker(database_url, base_url)
        deadline = time.monotonic() + 180
        while len(logged_chats(log)) < KILL_AFTER:
            assert first.poll() is None, first.stderr.read() if first.stderr else ""
            assert time.monotonic() < deadline, "the worker is too slow"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)
        first.communicate(timeout=10)  # reaps it and closes its pipes
        time.sleep(0.3)  # let requests already on the wire land in the fake's log
        at_kill = len(logged_chats(log))
        assert at_kill < RECIPIENTS, "the broadcast finished before the kill; nothing was tested"

        second = worker(database_url, base_url)
        out, err = second.communicate(timeout=300)
        assert second.returncode == 0, err[-3000:]
        stats = json.loads(out.strip().splitlines()[-1])
    finally:
        fake.send_signal(signal.SIGTERM)
        fake.communicate(timeout=10)

    counts = Counter(logged_chats(log))
    missing = set(range(1, RECIPIENTS + 1)) - set(counts)
    duplicates = sum(n - 1 for n in counts.values() if n > 1)
    # What may go twice is what was in flight at the kill: a send holds its slot (MAX_IN_FLIGHT of them)
    # until its outcome is committed, so accepted-but-unrecorded sends are in that count too.
    bound = MAX_IN_FLIGHT  # observed 1-4 (with 32 in flight: 3-13; before this bound, 2-15 with 46-78 allowed)
    print(f"\ncrash test: {at_kill} sent before SIGKILL, {stats['sent']} after restart, "
          f"{duplicates} duplicates (bound {bound}), {len(missing)} missing")
    assert not missing
    assert duplicates <= bound
    assert set(counts) == set(range(1, RECIPIENTS + 1))
