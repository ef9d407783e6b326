"""Running the command line as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT


def run_cli(
    *args: str, database_url: str, stdin: str = "", cwd: Path = PROJECT_ROOT, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would, with no platform token and the given settings."""
    environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **env}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    environment.pop("ZALO_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=timeout,
    )
