"""Issue 15, item 13: with no INSTANCE_ID, `hocvuso run` names itself after the host — the same name
after a crash (so the restarted process takes its scheduler lease and outbox rows back at once
instead of waiting the lease out), and a different one for a second process on the same host (two
live processes under one name would both believe they hold the lease)."""

from __future__ import annotations

import socket
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.process_cluster import BotInstance, FakeTelegram
from tests.support.processes import metric, wait_for

pytestmark = pytest.mark.slow

LEASE_SECONDS = 60.0  # a restart that had to wait this out would fail the 15 s bound below
ENV = {"INSTANCE_ID": "", "SCHEDULER_TICK_SECONDS": "0.5", "SCHEDULER_LEASE_SECONDS": str(LEASE_SECONDS)}


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    api = FakeTelegram().start()
    try:
        yield api
    finally:
        api.stop()


def lease_owner(db: Path) -> str | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT owner FROM leases WHERE name = 'scheduler'").fetchone()
    return str(row[0]) if row else None


def announced_id(inst: BotInstance) -> str:
    for record in inst.log_records():
        if record["message"].startswith("web app on"):
            return str(record["message"].rsplit("(instance ", 1)[1].rstrip(")"))
    raise AssertionError(inst.log()[-2000:])


def test_default_instance_id_is_the_host_stable_across_a_crash_and_unique_beside_another(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{db}"
    host = socket.gethostname()
    first = BotInstance("first", fake.url, url, tmp_path, dict(ENV)).start()
    second: BotInstance | None = None
    try:
        first.wait_healthy()
        assert wait_for(lambda: lease_owner(db), 15, "the scheduler lease") == host
        assert announced_id(first) == host

        second = BotInstance("second", fake.url, url, tmp_path, dict(ENV)).start()
        second.wait_healthy()
        assert announced_id(second) == f"{host}-2"  # not a second holder of the first one's lease
        assert metric(second.metrics(), "hocvuso_scheduler_leader") == 0.0

        first.kill()  # SIGKILL: the lease is not released
        killed_at = time.monotonic()
        first.log_path.unlink()
        first.start()
        first.wait_healthy()
        assert announced_id(first) == host
        wait_for(lambda: metric(first.metrics(), "hocvuso_scheduler_leader") == 1.0, 15, "the restarted leader")
        assert time.monotonic() - killed_at < LEASE_SECONDS / 4
        assert lease_owner(db) == host
        assert metric(second.metrics(), "hocvuso_scheduler_leader") == 0.0
    finally:
        for inst in (first, second):
            if inst is not None and inst.proc is not None and inst.proc.poll() is None:
                assert inst.terminate() == 0
