"""kill -9 of `hocvuso run` while replies are still queued, then a restart: every one of 100 people
gets exactly one welcome (the reply journal, bot/journal/). Zalo by webhook, Telegram by polling.

The fakes run in their own processes and survive the bot's restart. Once many welcomes are out, the
fake holds every further send unanswered ("in flight"); the bot is killed once all 100 turns are
committed and every delivered reply's mark is committed (its /metrics), so what the kill leaves is
exactly what never arrived. The fake then drops the held calls and the restarted bot must send
the rest from the journal, in order, once each."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tests.fakes.telegram_server import DEFAULT_TOKEN as TELEGRAM_TOKEN
from tests.fakes.zalo_server import DEFAULT_TOKEN as ZALO_TOKEN
from tests.fakes.zalo_server import make_update
from tests.support.logs import complete_text
from tests.support.processes import free_port, http, metric, wait_for

PEOPLE = 100
WELCOME = "hệ thống tự động"
ZALO_SECRET = "journal-crash-secret"


def start_fake(module: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    args = [sys.executable, "-m", module, "--port", str(port)]
    if module.endswith("telegram_server"):
        args.append("--any-chat")
    proc = subprocess.Popen(args, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: http(f"{url}/_fake/calls") is not None, 30, f"the fake ({module})")
    return proc, url


@pytest.fixture
def zalo_fake() -> Iterator[str]:
    proc, url = start_fake("tests.fakes.zalo_server")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture
def telegram_fake() -> Iterator[str]:
    proc, url = start_fake("tests.fakes.telegram_server")
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


class Bot:
    """`hocvuso run` as a process; started again with the same instance id after the kill."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Bot:
        self.port = free_port()
        env = {**self.env, "WEB_PORT": str(self.port)}
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env,
                                         stdout=out, stderr=subprocess.STDOUT)
        def healthy() -> bool:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise AssertionError(f"the bot exited with {self.proc.returncode}:\n{complete_text(self.log)[-3000:]}")
            return bool(http(f"{self.url}/healthz", timeout=5).get("ok"))
        wait_for(healthy, 90, "the bot's /healthz")
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def metric(self, name: str, labels: str = "") -> float:
        return metric(str(http(f"{self.url}/metrics")), name, labels)

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(90)

    def ensure_stopped(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def bot_env(database_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "HOCVUSO_TEST_DB")
    return {
        **{k: v for k, v in os.environ.items() if k in keep},
        "PYTHONPATH": str(PROJECT_ROOT),
        "DATABASE_URL": database_url,
        "UPLOADS_DIR": str(tmp_path / "uploads"),
        "VOICE_CACHE_DIR": str(tmp_path / "voice"),
        "INSTANCE_ID": f"journal-crash-{uuid.uuid4().hex[:8]}",  # the same for the restart
        "LOG_LEVEL": "INFO",
        **extra,
    }


def crash_and_restart(bot: Bot, fake: str, channel: str, send_updates: Callable[[], None], hold_after: int) -> None:
    """Hold sends after `hold_after`, send the updates, kill -9 once the held moment is reached, drop
    what was in flight, restart."""
    http(f"{fake}/_fake/hold", {"after": hold_after})
    send_updates()

    def quiet_moment() -> bool:
        held = http(f"{fake}/_fake/held")
        return (held["held"] >= 1 and bot.metric("hocvuso_updates_total", f'channel="{channel}"') >= PEOPLE
                and bot.metric("hocvuso_reply_journal_unmarked") == 0)

    wait_for(quiet_moment, 120, "all turns committed, sends held, every delivered reply marked")
    bot.kill()
    before = http(f"{fake}/_fake/held")["sent"]
    http(f"{fake}/_fake/release", {"deliver": False})
    assert before < 2 * PEOPLE, "replies should still have been queued at the kill"
    print(f"\n{channel}: {before} messages delivered before kill -9")
    bot.start()


def check_everyone_once(chats: list[tuple[str, str]], log: Path) -> None:
    welcomes = Counter(chat for chat, text in chats if WELCOME in text)
    assert len(welcomes) == PEOPLE, f"{PEOPLE - len(welcomes)} people never got a welcome"
    assert set(welcomes.values()) == {1}, {c: n for c, n in welcomes.items() if n > 1}
    repeated = {k: n for k, n in Counter(chats).items() if n > 1}
    assert not repeated, repeated
    per_chat = Counter(chat for chat, _ in chats)
    assert len(set(per_chat.values())) == 1, per_chat  # everyone got the whole answer
    text = complete_text(log)
    resending = [line for line in text.splitlines() if "reply journal: resending" in line]
    assert resending
    print(f"{len(chats)} messages in all; after the restart: {resending[-1].split('reply journal: ', 1)[1]}")
    assert "Traceback" not in text


def run_crash_case(
    database_url: str, tmp_path: Path, fake: str, channel: str, env: dict[str, str],
    send_updates: Callable[[Bot], None], sent: Callable[[], list[tuple[str, str]]], hold_after: int,
) -> None:
    """Start the bot on `channel` (`env` on top of bot_env), send everyone's updates, kill -9 it mid-replies
    and restart it; once everyone has a welcome and every mark is written, stop it cleanly and check that
    everyone got each message once."""
    log = tmp_path / "bot.log"
    bot = Bot(bot_env(database_url, tmp_path, **env), log).start()
    try:
        crash_and_restart(bot, fake, channel, lambda: send_updates(bot), hold_after)
        wait_for(lambda: len({c for c, t in sent() if WELCOME in t}) == PEOPLE, 180, "a welcome for everyone")
        wait_for(lambda: bot.metric("hocvuso_reply_journal_unmarked") == 0, 60, "the last marks")
        assert bot.terminate() == 0
    finally:
        bot.ensure_stopped()
    check_everyone_once(sent(), log)


@pytest.mark.slow
def test_zalo_webhook_kill_9_mid_replies_everyone_welcomed_once(
    zalo_fake: str, database_url: str, tmp_path: Path
) -> None:
    env = {"ZALO_BOT_TOKEN": ZALO_TOKEN, "ZALO_API_BASE_URL": zalo_fake, "ZALO_WEBHOOK_SECRET": ZALO_SECRET,
           "WEBHOOK_URL": "https://bot.example.vn"}
    people = [f"zl{n:04d}" for n in range(PEOPLE)]

    def post_all(bot: Bot) -> None:
        for person in people:
            update = make_update(person, "/start", display_name="Bà Lan")
            http(f"{bot.url}/webhook/zalo", {"ok": True, "result": update}, {"X-Bot-Api-Secret-Token": ZALO_SECRET})

    def sent() -> list[tuple[str, str]]:
        messages = http(f"{zalo_fake}/_fake/sent")
        return [(str(m["chat_id"]), str(m.get("text") or m.get("caption") or "")) for m in messages]

    run_crash_case(database_url, tmp_path, zalo_fake, "zalo", env, post_all, sent, hold_after=20)


@pytest.mark.slow
def test_telegram_polling_kill_9_mid_replies_everyone_welcomed_once(
    telegram_fake: str, database_url: str, tmp_path: Path
) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN, "TELEGRAM_API_BASE_URL": telegram_fake}
    people = list(range(7000, 7000 + PEOPLE))

    def send_all(bot: Bot) -> None:
        http(f"{telegram_fake}/_fake/updates", [{"user_id": u, "text": "/start"} for u in people])

    def sent() -> list[tuple[str, str]]:
        calls = http(f"{telegram_fake}/_fake/calls?method=sendMessage")
        return [(str(c["params"]["chat_id"]), str(c["params"]["text"])) for c in calls if c["status"] == 200]

    # Hold late enough that every update has started: PTB runs 64 at once and each frees its slot
    # once both its messages are out (the first messages of all 64 go first), so after 150 of the
    # 200 messages all 100 turns have committed; the last quarter is still queued at the kill.
    run_crash_case(database_url, tmp_path, telegram_fake, "telegram", env, send_all, sent, hold_after=3 * PEOPLE // 2)
