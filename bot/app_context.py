"""The long-lived things every turn, job and web request shares (one per process).

A ground-floor module: services, engine, scheduler and web all take an `AppContext`; only `Runtime` and
`serve` build one. Optional parts are typed fields, set by `serve` when the matching component runs.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.config import Settings
from bot.content.loader import Catalog
from bot.content.places import Places
from bot.messages import MediaFetcher
from bot.pending_codes import PendingCodes
from bot.speech import Speech
from bot.throttle import FailureLog

# (channel, platform user id, new role): after a committed turn changed someone's role; `serve` sets it to
# the channel's menu update. The role is the `Role` value (bot/db/models/people.py; this module sits below db).
RoleChangeHook = Callable[[str, str, str], Awaitable[None]]


@dataclass
class AppContext:
    settings: Settings
    catalog: Catalog
    places: Places
    clock: Callable[[], datetime]  # aware UTC "now"; tests pass a controllable one
    wake_outbox: Callable[[], None] | None = None  # nudges the outbox sender after new rows commit
    media_fetchers: dict[str, MediaFetcher] = field(default_factory=dict)  # by channel name
    speech: Speech | None = None  # voice messages («🔊 Nghe»); None: text only
    # HMAC key of processed-update keys (bot/services/dedupe.py). Runtime loads the deployment's one;
    # the default, random per process, only serves contexts that never see an update (CLI reports).
    dedupe_secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    invite_failures: FailureLog = field(default_factory=FailureLog)  # wrong /ma codes (bot/services/invites.py)
    pending_codes: PendingCodes = field(default_factory=PendingCodes)  # /ma CODE before consent, in memory
    on_role_change: RoleChangeHook | None = None  # see RoleChangeHook; failures are logged, never fatal
    # Channels whose turns write their replies to the reply journal (bot/journal/; `serve` sets the running
    # ones, whose channels report deliveries), and the instance that leases what it writes.
    journal_channels: frozenset[str] = frozenset()
    instance_id: str = "local"
