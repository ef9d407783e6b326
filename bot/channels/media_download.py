"""Downloading a photo a user sent, for both Zalo channels: every URL (and redirect hop) checked against
the media host policy before it is requested (`media_urls`), the body read in chunks and refused as soon
as it passes the size limit (`MediaTooLarge`), and saved under a name derived from its reference."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path

import aiohttp
from yarl import URL

from bot.messages import MediaTooLarge

REDIRECTS = (301, 302, 303, 307, 308)


async def download(
    session: aiohttp.ClientSession, url: str, max_bytes: int, check_url: Callable[[str], None], max_redirects: int = 3
) -> tuple[bytes, str]:
    """GET `url`; (body, content type). `check_url` raises for a URL that must not be fetched."""
    for _hop in range(max_redirects + 1):
        check_url(url)
        async with session.get(url, timeout=aiohttp.ClientTimeout(total=20), allow_redirects=False) as resp:
            if resp.status in REDIRECTS and "Location" in resp.headers:
                url = str(resp.url.join(URL(resp.headers["Location"])))
                continue
            resp.raise_for_status()
            if (resp.content_length or 0) > max_bytes:
                raise MediaTooLarge(max_bytes)
            body = bytearray()
            async for chunk in resp.content.iter_chunked(65536):
                body += chunk
                if len(body) > max_bytes:
                    raise MediaTooLarge(max_bytes)
            return bytes(body), resp.content_type
    raise ValueError(f"more than {max_redirects} redirects")


async def save_photo(body: bytes, content_type: str, ref: str, dest_dir: Path, prefix: str) -> Path:
    """Write an image into `dest_dir` (ValueError if it is not one); the path."""
    if not content_type.startswith("image/"):
        raise ValueError(f"not an image: {content_type}")
    suffix = ".png" if content_type == "image/png" else ".jpg"
    path = dest_dir / f"{prefix}-{hashlib.sha256(ref.encode()).hexdigest()[:20]}{suffix}"

    def write() -> None:
        dest_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    await asyncio.to_thread(write)
    return path
