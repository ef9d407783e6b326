"""Builds the Zalo OA channel of `hocvuso run` from the settings and the token store in the database."""

from __future__ import annotations

import logging

import aiohttp

from bot.channels.zalo_oa import FilePublisher, ZaloOaChannel
from bot.channels.zalo_oa_api import OaApi, OAuthClient
from bot.channels.zalo_oa_events import CHANNEL
from bot.channels.zalo_oa_tokens import TokenKeeper
from bot.config import Settings
from bot.db.repositories.oa_tokens import TokenStore
from bot.messages import Document
from bot.runtime import Runtime
from bot.services import file_links
from bot.services.oa_window import WindowLog

log = logging.getLogger(__name__)


def oa_configured(settings: Settings) -> bool:
    return bool(settings.zalo_oa_app_id and settings.zalo_oa_secret_key)


def oa_clients(settings: Settings, runtime: Runtime) -> tuple[OAuthClient, OaApi, TokenKeeper]:
    """The OAuth and OpenAPI clients (one HTTP session) and the token keeper over the database."""
    assert settings.zalo_oa_app_id and settings.zalo_oa_secret_key
    session = aiohttp.ClientSession()
    oauth = OAuthClient(settings.zalo_oauth_base_url, settings.zalo_oa_app_id, settings.zalo_oa_secret_key, session)
    api = OaApi(settings.zalo_oa_api_base_url, session, settings.zalo_oa_rate)
    store = TokenStore(runtime.sessionmaker, settings.zalo_oa_app_id)
    keeper = TokenKeeper(store, oauth, settings.zalo_oa_refresh_token, clock=runtime.app_ctx.clock)
    return oauth, api, keeper


async def build_oa_channel(settings: Settings, runtime: Runtime) -> ZaloOaChannel | None:
    """The OA channel when the app id, the secret key and a refresh token (setting or stored) are there."""
    if not oa_configured(settings):
        return None
    assert settings.zalo_oa_app_id and settings.zalo_oa_secret_key
    stored = await TokenStore(runtime.sessionmaker, settings.zalo_oa_app_id).current()
    if stored is None and not settings.zalo_oa_refresh_token:
        log.error("zalo-oa: no refresh token (set ZALO_OA_REFRESH_TOKEN or run `hocvuso zalo-oa connect`)")
        return None
    _, api, keeper = oa_clients(settings, runtime)
    return ZaloOaChannel(
        settings.zalo_oa_app_id, settings.zalo_oa_secret_key, keeper, api, runtime.handle, runtime.mark_blocked,
        media_base_url=f"{settings.public_base_url.rstrip('/')}/media",
        media_hosts=settings.zalo_media_hosts,
        publish_file=file_publisher(runtime),
        window_log=WindowLog(runtime.sessionmaker, runtime.app_ctx.clock),
        on_delivered=runtime.journal.delivered,
    )


def file_publisher(runtime: Runtime) -> FilePublisher:
    """One-time download links (/tep/<token>) for files the OA cannot send."""

    async def publish(user_id: str, document: Document) -> str | None:
        async with runtime.sessionmaker() as session, session.begin():
            ctx = runtime.app_ctx
            return await file_links.publish(session, ctx, CHANNEL, user_id, document, ctx.clock())

    return publish
