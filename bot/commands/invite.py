"""`hocvuso invite create --role team|official|admin --commune ID [--village ID ...]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.db.models import Role
from bot.runtime import open_runtime
from bot.services.invites import InviteError, create_invite


def add_parser(sub: Any) -> None:
    p = sub.add_parser("invite", help="role invite codes")
    p.add_argument("action", choices=["create"])
    p.add_argument("--role", required=True, choices=[Role.TEAM, Role.OFFICIAL, Role.ADMIN])
    p.add_argument("--commune", help="commune id (required for team and official)")
    p.add_argument("--village", action="append", default=[], help="village id (team; repeatable)")
    p.add_argument("--days", type=int, default=7, help="days the code stays valid (default 7)")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        async with open_runtime(settings) as runtime, runtime.sessionmaker() as session, session.begin():
            app = runtime.app_ctx
            invite = await create_invite(
                session, app.places, args.role, args.commune, args.village, app.clock(), valid_days=args.days
            )
    except InviteError as err:
        print(f"hocvuso invite create: {err}", file=sys.stderr)
        return 2
    print(invite.code)
    print(
        f"One-time code for role {invite.role}"
        + (f" in {invite.commune_id}" if invite.commune_id else "")
        + f", valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC. Redeem in chat: /ma {invite.code}",
        file=sys.stderr,
    )
    return 0
