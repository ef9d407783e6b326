"""`hocvuso run` as a real process against the fake Telegram Bot API: /healthz, and a SIGTERM in
the middle of a burst of updates loses nothing and answers nothing twice across a restart."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

import bot.engine.flows  # noqa: F401  (registers the commands)
from bot.config import PROJECT_ROOT
from bot.engine.command_menu import RESIDENT_COMMANDS
from bot.engine.router import router
from tests.fakes.telegram_server import DEFAULT_TOKEN
from tests.support.logs import complete_text
from tests.support.processes import free_port, http, wait_for


@pytest.fixture
def fake_api() -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_server", "--port", str(port)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: http(f"{url}/_fake/counts") is not None, 20, "the fake Bot API")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def start_bot(api: str, database_url: str, web_port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
        "TELEGRAM_API_BASE_URL": api,
        "DATABASE_URL": database_url,
        "WEB_PORT": str(web_port),
        "LOG_LEVEL": "INFO",
    }
    env.pop("ZALO_BOT_TOKEN", None)
    env.pop("WEBHOOK_URL", None)
    with log.open("ab") as out:  # the child keeps its own copy of the file descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def welcomes(api: str) -> Counter[int]:
    calls = http(f"{api}/_fake/calls?method=sendMessage")
    assert isinstance(calls, list)
    return Counter(
        int(c["params"]["chat_id"]) for c in calls if c["status"] == 200 and "hệ thống tự động" in c["params"]["text"]
    )


@pytest.mark.slow
def test_sigterm_mid_burst_loses_nothing_and_repeats_nothing(fake_api: str, database_url: str, tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    port = free_port()
    bot = start_bot(fake_api, database_url, port, log)
    try:
        wait_for(
            lambda: (
                http(f"http://127.0.0.1:{port}/healthz")
                == {"ok": True, "checks": {"database": True, "channel:telegram": True}}
            ),
            60,
            "/healthz ok",
        )
        # the command menu is set at start, in Vietnamese, and every entry is a command the bot answers
        menu = http(f"{fake_api}/_fake/calls?method=setMyCommands")
        assert isinstance(menu, list) and menu and menu[-1]["status"] == 200
        listed = menu[-1]["params"]["commands"]
        listed = json.loads(listed) if isinstance(listed, str) else listed
        assert [(c["command"], c["description"]) for c in listed] == RESIDENT_COMMANDS
        assert all(c["command"] in router.commands for c in listed)
        users = list(range(9000, 9250))  # more than one getUpdates batch (100)
        http(f"{fake_api}/_fake/updates", [{"user_id": u, "text": "/start"} for u in users])
        wait_for(lambda: sum(welcomes(fake_api).values()) >= 5, 30, "the first replies")
        bot.send_signal(signal.SIGTERM)
        at_signal = sum(welcomes(fake_api).values())
        assert bot.wait(60) == 0
    finally:
        if bot.poll() is None:
            bot.kill()
    first_run = welcomes(fake_api)
    assert "stopped cleanly" in complete_text(log)
    assert sum(first_run.values()) > at_signal  # updates in flight at the signal were still answered
    late = list(range(9300, 9340))  # written while the bot is down
    http(f"{fake_api}/_fake/updates", [{"user_id": u, "text": "/start"} for u in late])
    users += late

    bot = start_bot(fake_api, database_url, free_port(), log)
    try:
        wait_for(lambda: len(welcomes(fake_api)) == len(users), 60, "every resident answered")
        time.sleep(1.0)
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.wait(60)
    final = welcomes(fake_api)
    assert set(final) == set(users)
    assert max(final.values()) == 1, {u: n for u, n in final.items() if n > 1}
    assert "Traceback" not in complete_text(log)


def test_a_busy_web_port_is_one_line_naming_the_setting(fake_api: str, database_url: str, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        log = tmp_path / "bot.log"
        proc = start_bot(fake_api, database_url, port, log)
        try:
            code = proc.wait(60)
        finally:
            if proc.poll() is None:
                proc.kill()
    output = complete_text(log)
    assert code == 2, output
    assert f"hocvuso run: cannot serve the web app on 127.0.0.1:{port}" in output and "set WEB_PORT" in output
    assert "Traceback" not in output


def test_console_mode_on_a_busy_port_says_so_in_one_line_and_the_chat_still_works(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'local.db'}", "LOG_LEVEL": "WARNING"}
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID", "ZALO_OA_SECRET_KEY"):
        env.pop(name, None)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "bot"], cwd=PROJECT_ROOT, env={**env, "WEB_PORT": str(port)},
            input="1\nha long\nthon 3\n", capture_output=True, text=True, timeout=60,
        )
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stderr.splitlines() if ln.startswith("hocvuso:"))
    assert line.startswith(f"hocvuso: cannot serve the web app on 127.0.0.1:{port} (")
    assert line.endswith("address already in use); set WEB_PORT to a free port. The chat works without it.")
    assert "Đã lưu nơi ở của bạn: Thôn 3, Xã Hà Long." in done.stdout
    assert "Traceback" not in done.stderr
