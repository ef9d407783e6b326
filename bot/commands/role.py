"""`hocvuso role list` and `hocvuso role revoke --user ID` (role changes are audited in role_changes)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.config import Settings
from bot.db.repositories import roles as roles_repo
from bot.runtime import open_runtime
from bot.services.invites import InviteError, revoke


def add_parser(sub: Any) -> None:
    p = sub.add_parser("role", help="who holds which role; revoke one")
    p.add_argument("action", choices=["list", "revoke"])
    p.add_argument("--user", type=int, help="user id (from `role list`), for revoke")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "revoke" and args.user is None:
        print("hocvuso role revoke: --user ID is required", file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session, session.begin():
        if args.action == "list":
            print("id\tchannel\trole\tcommune\tvillages\tname")
            for user in await roles_repo.holders(session):
                villages = ",".join(user.role_village_ids or []) or "-"
                print(f"{user.id}\t{user.channel}\t{user.role}\t{user.role_commune_id or '-'}\t{villages}\t"
                      f"{user.display_name or '-'}")
            return 0
        try:
            user = await revoke(session, args.user, runtime.app_ctx.clock())
        except InviteError as err:
            print(f"hocvuso role revoke: {err}", file=sys.stderr)
            return 2
    print(f"user {user.id} is now a resident (role revoked, audited)")
    return 0
