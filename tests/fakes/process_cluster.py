"""Real processes for multi-instance tests: the fake Telegram Bot API server standalone, and
`hocvuso run` instances in webhook mode sharing one database. Plain blocking helpers (urllib,
subprocess), usable from sync fixtures and, through `asyncio.to_thread`, from async tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from tests.fakes.telegram_server import DEFAULT_TOKEN
from tests.support.logs import complete_text, json_records
from tests.support.processes import free_port, http, wait_for

WEBHOOK_SECRET = "multi-instance-secret_1"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class FakeTelegram:
    """`python -m tests.fakes.telegram_server --any-chat` in its own process."""

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeTelegram:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.telegram_server", "--port", str(self.port), "--any-chat"],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: http(f"{self.url}/_fake/counts") is not None, 30, "the fake Bot API")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    def sent(self) -> list[dict[str, Any]]:
        """Successful sendMessage calls: [{"chat_id": int, "text": str}, ...] in arrival order."""
        calls = http(f"{self.url}/_fake/calls?method=sendMessage")
        return [
            {"chat_id": int(c["params"]["chat_id"]), "text": str(c["params"]["text"])}
            for c in calls if c["status"] == 200
        ]


@dataclass
class BotInstance:
    """One `hocvuso run` process in webhook mode."""

    name: str
    api_url: str
    database_url: str
    workdir: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")}
        return {
            **keep,
            "PYTHONPATH": str(PROJECT_ROOT),
            "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN,
            "TELEGRAM_API_BASE_URL": self.api_url,
            "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "WEBHOOK_URL": self.url,
            "DATABASE_URL": self.database_url,
            "WEB_PORT": str(self.port),
            "PUBLIC_BASE_URL": self.url,
            "UPLOADS_DIR": str(self.workdir / "uploads"),
            "INSTANCE_ID": self.name,
            "LOG_LEVEL": "INFO",
            "LOG_FORMAT": "json",
            **self.extra_env,
        }

    def start(self) -> BotInstance:
        self.workdir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as out:  # the child keeps its own copy of the file descriptor
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir, env=self.env(), stdout=out, stderr=subprocess.STDOUT,
            )
        return self

    def wait_healthy(self, within: float = 60) -> None:
        def healthy() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            return bool(http(f"{self.url}/healthz", timeout=5).get("ok"))

        wait_for(healthy, within, f"{self.name} /healthz ok")

    def post_update(self, update: dict[str, Any]) -> int:
        """POST one update to /webhook/telegram like Telegram does; returns the HTTP status."""
        try:
            http(f"{self.url}/webhook/telegram", update, {SECRET_HEADER: WEBHOOK_SECRET}, timeout=60)
            return 200
        except urllib.error.HTTPError as err:
            return err.code

    def metrics(self) -> str:
        return str(http(f"{self.url}/metrics"))

    def terminate(self, within: float = 60) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(within)

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(10)

    def log(self) -> str:
        """The complete lines of the instance's log so far (it may be mid-line while we read)."""
        return complete_text(self.log_path)

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON log lines (LOG_FORMAT=json); other lines (e.g. a crash's stderr) are skipped."""
        return json_records(self.log_path)


def message_update(update_id: int, user_id: int, text: str, first_name: str = "Bà Lan") -> dict[str, Any]:
    """A Telegram update with a private text message (a /command gets its bot_command entity)."""
    user = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}
    message: dict[str, Any] = {
        "message_id": update_id, "from": user, "chat": {"id": user_id, "type": "private", "first_name": first_name},
        "date": int(time.time()), "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}
