"""`hocvuso run` with platform tokens: channels, web app, outbox sender and scheduler in one process.

SIGTERM / Ctrl-C: stop taking updates, finish those in flight (replies included), stop the scheduler,
let the sender finish the sends it started, then close the database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram.error import InvalidToken, TelegramError

from bot.channels.base import Sender
from bot.channels.budget import SendBudget
from bot.channels.telegram import TelegramChannel
from bot.channels.zalo import ZaloChannel
from bot.channels.zalo_oa import ZaloOaChannel
from bot.config import PROJECT_ROOT, Settings
from bot.db.repositories import roles as roles_repo
from bot.engine.command_menu import RESIDENT_COMMANDS, commands_for
from bot.instance import claim_instance_id
from bot.messages import MediaFetcher
from bot.oa_setup import build_oa_channel
from bot.observability import JOURNAL_RESENT, JOURNAL_UNMARKED, SCHEDULER_LEADER, watch_sender
from bot.outbox.pacing import limits_from_settings
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.scheduler import BotScheduler
from bot.web.app import WebhookHandler, create_web_app, listen
from bot.web.health import HealthNote, HealthProbe
from bot.web.security import app_runner

log = logging.getLogger(__name__)


@dataclass
class Channels:
    """The platform adapters this process runs, by channel name."""

    telegram: TelegramChannel | None = None
    zalo: ZaloChannel | None = None
    zalo_oa: ZaloOaChannel | None = None
    polling: list[asyncio.Task[None]] = field(default_factory=list)

    def media_fetchers(self) -> dict[str, MediaFetcher]:
        out: dict[str, MediaFetcher] = {}
        if self.telegram:
            out["telegram"] = self.telegram.fetch_media
        if self.zalo:
            out["zalo"] = self.zalo.fetch_media
        if self.zalo_oa:
            out["zalo_oa"] = self.zalo_oa.fetch_media
        return out

    def budgets(self) -> dict[str, SendBudget]:
        """Each bot token's send budget, shared by its replies and the outbox's broadcasts."""
        out: dict[str, SendBudget] = {}
        if self.telegram:
            out["telegram"] = self.telegram.budget
        if self.zalo:
            out["zalo"] = self.zalo.budget
        return out

    def senders(self) -> dict[str, Sender]:
        out: dict[str, Sender] = {}
        if self.telegram:
            out["telegram"] = self.telegram
        if self.zalo:
            out["zalo"] = self.zalo
        if self.zalo_oa:
            out["zalo_oa"] = self.zalo_oa
        return out


def build_channels(settings: Settings, runtime: Runtime) -> Channels:
    channels = Channels()
    if settings.telegram_bot_token:
        channels.telegram = TelegramChannel(
            settings.telegram_bot_token,
            runtime.handle,
            runtime.mark_blocked,
            media_root=settings.content_dir,
            base_url=settings.telegram_api_base_url,
            webhook_secret=settings.telegram_webhook_secret,
            overall_rate=settings.telegram_rate_overall,
            on_delivered=runtime.journal.delivered,
        )
    if settings.zalo_bot_token:
        channels.zalo = ZaloChannel(
            settings.zalo_bot_token,
            settings.zalo_api_base_url,
            runtime.handle,
            runtime.mark_blocked,
            media_base_url=f"{settings.public_base_url.rstrip('/')}/media",
            webhook_secret=settings.zalo_webhook_secret,
            rate_per_second=settings.zalo_rate_overall,
            media_hosts=settings.zalo_media_hosts,
            on_quota=runtime.tell_admins_quota,
            on_delivered=runtime.journal.delivered,
        )
    return channels


def config_problems(settings: Settings) -> list[str]:
    """Settings that cannot work together; each line names the variable."""
    problems = []
    if settings.webhook_url:
        if settings.telegram_bot_token and not settings.telegram_webhook_secret:
            problems.append("WEBHOOK_URL is set: TELEGRAM_WEBHOOK_SECRET is required (1-256 of A-Z a-z 0-9 _ -)")
        if settings.zalo_bot_token and not (8 <= len(settings.zalo_webhook_secret or "") <= 256):
            problems.append("WEBHOOK_URL is set: ZALO_WEBHOOK_SECRET is required (8-256 characters)")
    return problems


RoleHolders = Callable[[], Awaitable[list[tuple[str, str, str]]]]  # (channel, platform id, role) of each


async def role_holders(runtime: Runtime) -> list[tuple[str, str, str]]:
    """Everyone who holds a team, official or admin role now."""
    async with runtime.sessionmaker() as session:
        return [(u.channel, u.platform_id, u.role) for u in await roles_repo.holders(session)]


def role_menu_hook(channels: Channels) -> Callable[[str, str, str], Awaitable[None]]:
    """AppContext.on_role_change: show the person their new role's menu (Telegram: in their chat)."""
    async def on_role_change(channel: str, platform_id: str, role: str) -> None:
        if channel == "telegram" and channels.telegram:
            await channels.telegram.set_commands(commands_for(role), chat_id=platform_id)
    return on_role_change


async def start_channels(settings: Settings, channels: Channels, holders: RoleHolders | None = None) -> None:
    base = (settings.webhook_url or "").rstrip("/")
    if channels.telegram:
        if base:
            await channels.telegram.start()
            await channels.telegram.set_webhook(f"{base}/webhook/telegram", settings.telegram_webhook_secret or "")
        else:
            await channels.telegram.start_polling()
        await channels.telegram.set_commands(RESIDENT_COMMANDS)  # the «Menu» list, in Vietnamese
        for channel, platform_id, role in await holders() if holders else []:
            if channel == "telegram":  # their role's menu, in their own chat
                try:
                    await channels.telegram.set_commands(commands_for(role), chat_id=platform_id)
                except TelegramError:
                    log.warning("could not set the %s menu of a telegram chat", role, exc_info=True)
    if channels.zalo:
        if base:
            await channels.zalo.set_webhook(f"{base}/webhook/zalo", settings.zalo_webhook_secret or "")
        else:
            channels.polling.append(asyncio.create_task(channels.zalo.start_polling()))


def web_parts(
    channels: Channels,
) -> tuple[dict[str, WebhookHandler], dict[str, HealthProbe], dict[str, HealthNote]]:
    webhooks: dict[str, WebhookHandler] = {}
    probes: dict[str, HealthProbe] = {}
    notes: dict[str, HealthNote] = {}
    if channels.telegram:
        tg = channels.telegram
        webhooks["telegram"] = tg.webhook_handler
        probes["telegram"] = lambda: tg.application.running
    if channels.zalo:
        zalo = channels.zalo
        webhooks["zalo"] = zalo.webhook_handler
        probes["zalo"] = lambda: zalo.running
        notes["zalo"] = zalo.quota.note
    if channels.zalo_oa:
        oa = channels.zalo_oa
        webhooks["zalo-oa"] = oa.webhook_handler
        probes["zalo_oa"] = lambda: oa.running
    return webhooks, probes, notes


async def serve(settings: Settings) -> int:
    problems = config_problems(settings)
    if problems:
        for problem in problems:
            print(f"hocvuso run: {problem}", file=sys.stderr)
        return 2
    runtime = await Runtime.create(settings)
    claimed = claim_instance_id(settings.instance_id, PROJECT_ROOT / "data" / "run")
    instance = claimed.name
    channels = build_channels(settings, runtime)
    channels.zalo_oa = await build_oa_channel(settings, runtime)
    # The reply journal: this instance leases what its turns write; undelivered replies of a previous run
    # are claimed (each person's turns wait behind theirs) before any update is taken.
    runtime.journal.owner = runtime.app_ctx.instance_id = instance
    runtime.app_ctx.journal_channels = frozenset(channels.senders())
    await runtime.journal.start(channels.senders())
    JOURNAL_UNMARKED.set_function(lambda: runtime.journal.unmarked)
    JOURNAL_RESENT.set_function(lambda: runtime.journal.resent)
    webhooks, probes, notes = web_parts(channels)
    runner = app_runner(create_web_app(runtime, webhooks, probes, notes))
    await runner.setup()
    busy = await listen(runner, settings.web_host, settings.web_port)
    if busy:
        print(f"hocvuso run: {busy}", file=sys.stderr)
        await runner.cleanup()
        await runtime.journal.stop_resending()
        await runtime.journal.close()
        await runtime.close()
        claimed.release()
        return 2
    log.info("web app on http://%s:%s (instance %s)", settings.web_host, settings.web_port, instance)

    sender = OutboxSender(
        runtime.sessionmaker, channels.senders(), limits_from_settings(settings), owner=instance,
        budgets=channels.budgets(),
    )
    runtime.app_ctx.wake_outbox = sender.wakeup
    runtime.app_ctx.media_fetchers = channels.media_fetchers()
    runtime.app_ctx.on_role_change = role_menu_hook(channels)
    watch_sender(lambda: sender.stats)
    scheduler = BotScheduler(
        runtime.sessionmaker, runtime.app_ctx, instance_id=instance,
        tick_seconds=settings.scheduler_tick_seconds,
        lease_ttl=timedelta(seconds=settings.scheduler_lease_seconds),
    )
    SCHEDULER_LEADER.set_function(lambda: 1.0 if scheduler.is_leader else 0.0)  # exact at scrape time
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sender_task = asyncio.create_task(sender.run(stop))
    try:
        try:
            await start_channels(settings, channels, lambda: role_holders(runtime))
        except InvalidToken:
            print("hocvuso run: TELEGRAM_BOT_TOKEN was rejected by the Bot API server", file=sys.stderr)
            return 2
        await scheduler.start()
        log.info("running: %s", ", ".join(channels.senders()) or "no channel")
        await stop.wait()
    finally:
        log.info("stopping: no new updates; finishing the ones in flight")
        stop.set()
        await runtime.journal.stop_resending()
        if channels.telegram:
            await channels.telegram.stop()
        if channels.zalo:
            await channels.zalo.stop()
        if channels.zalo_oa:
            await channels.zalo_oa.stop()
        for task in channels.polling:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await scheduler.stop()
        await runtime.journal.close()
        await sender_task
        await runner.cleanup()
        await runtime.close()
        claimed.release()
        log.info("stopped cleanly")
    return 0
