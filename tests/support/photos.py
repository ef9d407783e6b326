"""A photo the tests send, and a stand-in for the platforms' photo download."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.config import PROJECT_ROOT

PHOTO = PROJECT_ROOT / "content" / "media" / "qr-gia.png"


class FakeFetcher:
    """Stands in for the platform download (Telegram getFile / a Zalo photo URL)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, ref: str, dest: Path) -> Path:
        self.calls.append(ref)
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy(PHOTO, dest / f"{ref}.png"))

