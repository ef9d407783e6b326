"""`hocvuso zalo-oa connect`: the first authorization of the commune's Zalo OA (OAuth v4 with PKCE): prints
the permission URL, takes the `code` Zalo hands back on the redirect, stores the tokens in the database.
`hocvuso zalo-oa status`: whether tokens are stored and the connection works (one OpenAPI call).
Neither command ever prints a token or the secret key."""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import secrets
import sys
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from bot.channels.zalo_oa_api import OaApi, OaError, OAuthClient
from bot.channels.zalo_oa_tokens import NotConnected, TokenKeeper
from bot.config import Settings
from bot.db.repositories.oa_tokens import TokenStore
from bot.oa_setup import oa_clients, oa_configured
from bot.runtime import Runtime, open_runtime


def add_parser(sub: Any) -> None:
    p = sub.add_parser("zalo-oa", help="connect the commune's Zalo Official Account, or check the connection")
    p.add_argument("action", choices=["connect", "status"])
    p.add_argument("--redirect-uri", default=None,
                   help="callback URL registered in the Zalo app (default: PUBLIC_BASE_URL + /zalo-oa/callback)")
    p.set_defaults(func=run)


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) as RFC 7636 asks: 43-128 URL-safe characters."""
    verifier = secrets.token_urlsafe(48)[:64]
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def permission_url(settings: Settings, redirect_uri: str, challenge: str, state: str) -> str:
    query = urlencode({"app_id": settings.zalo_oa_app_id, "redirect_uri": redirect_uri,
                       "code_challenge": challenge, "state": state})
    return f"{settings.zalo_oauth_base_url.rstrip('/')}/v4/oa/permission?{query}"


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if not oa_configured(settings):
        print("hocvuso zalo-oa: set ZALO_OA_APP_ID and ZALO_OA_SECRET_KEY first", file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime:
        oauth, api, keeper = oa_clients(settings, runtime)
        try:
            if args.action == "connect":
                return await _connect(args, settings, runtime, oauth)
            return await _status(settings, runtime, api, keeper)
        finally:
            await api.close()


async def _connect(args: argparse.Namespace, settings: Settings, runtime: Runtime, oauth: OAuthClient) -> int:
    verifier, challenge = pkce_pair()
    redirect = args.redirect_uri or f"{settings.public_base_url.rstrip('/')}/zalo-oa/callback"
    print("1. Open this address signed in as an administrator of the commune's OA, and allow access:")
    print(permission_url(settings, redirect, challenge, secrets.token_urlsafe(8)))
    print("2. Zalo then opens the callback address with ?code=...; paste that code here.")
    code = (await asyncio.to_thread(input, "code: ")).strip()
    if not code:
        print("hocvuso zalo-oa connect: no code given; nothing stored", file=sys.stderr)
        return 1
    try:
        got = await oauth.exchange_code(code, verifier)
    except OaError as err:
        print(f"hocvuso zalo-oa connect: Zalo refused the code ({err.code} {err.message}); nothing stored",
              file=sys.stderr)
        return 1
    now = runtime.app_ctx.clock()
    store = TokenStore(runtime.sessionmaker, settings.zalo_oa_app_id or "")
    async with store.locked() as view:
        await view.save_new(got.access_token, got.refresh_token, now + timedelta(seconds=got.expires_in), now)
    print("Connected: the OA's tokens are stored; `hocvuso run` keeps them fresh from now on.")
    return 0


async def _status(settings: Settings, runtime: Runtime, api: OaApi, keeper: TokenKeeper) -> int:
    stored = await TokenStore(runtime.sessionmaker, settings.zalo_oa_app_id or "").current()
    if stored is None and not settings.zalo_oa_refresh_token:
        print("Not connected: run `hocvuso zalo-oa connect` (or set ZALO_OA_REFRESH_TOKEN).")
        return 1
    if stored is not None:
        print(f"Tokens stored; access token valid until {stored.access_expires_at.isoformat(timespec='minutes')}.")
    try:
        oa = await api.get_oa(await keeper.access_token())
    except (OaError, NotConnected) as err:
        print(f"The connection does not work: {err}")
        return 1
    name = oa.get("name") if isinstance(oa, dict) else None
    print(f"The connection works: OA «{name or '?'}».")
    return 0
