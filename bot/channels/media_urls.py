"""Which URLs a channel may download a user's photo from.

A photo reference in a Zalo update is a URL the bot then fetches; without a check, anyone who can
post an update could make the bot request any address (http://127.0.0.1:…, the cloud metadata
service, a huge file). The policy: https only, on an allowed host or a subdomain of one, default
port; an entry with a scheme (`http://127.0.0.1:8123`) allows exactly that origin instead (tests, a
local mirror). Redirects are followed only by the caller re-checking each hop.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


class MediaRefused(ValueError):
    """The URL is not on the allowed media hosts (the message names the host, not the whole URL)."""


class MediaUrlPolicy:
    def __init__(self, entries: Iterable[str]) -> None:
        self.domains: set[str] = set()
        self.origins: set[tuple[str, str, int | None]] = set()
        for entry in entries:
            entry = entry.strip().lower()
            if "://" in entry:
                parts = urlsplit(entry)
                self.origins.add((parts.scheme, parts.hostname or "", parts.port))
            elif entry:
                self.domains.add(entry.strip("."))

    def check(self, url: str) -> None:
        """Raise MediaRefused unless `url` may be fetched."""
        try:
            parts = urlsplit(url)
            host, port = (parts.hostname or "").lower(), parts.port
        except ValueError:
            raise MediaRefused("not a URL") from None
        if parts.username is not None or parts.password is not None:
            raise MediaRefused(f"URL with credentials (host {host or '-'})")
        if (parts.scheme, host, port) in self.origins:
            return
        if parts.scheme != "https" or port not in (None, 443):
            raise MediaRefused(f"{parts.scheme or 'no scheme'}://{host or '-'} is not on the allowed media hosts")
        if not any(host == d or host.endswith("." + d) for d in self.domains):
            raise MediaRefused(f"{host or '-'} is not on the allowed media hosts")
