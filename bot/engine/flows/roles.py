"""/ma CODE: redeem a one-time invite code for a role."""

from __future__ import annotations

from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply
from bot.engine.flows.start import consent_with_code
from bot.engine.router import router
from bot.messages import Reply
from bot.services import invites


@router.command("ma", public=True)
async def redeem(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.user is None:
        return consent_with_code(ctx, arg)
    if not arg.strip():
        return [Reply("Bạn gõ mã mời sau lệnh, ví dụ: /ma ABCD2345")]
    invite = await invites.redeem(ctx.session, ctx.user, arg, ctx.now, ctx.app.invite_failures)
    scope = ctx.app.places.communes.get(invite.commune_id or "")
    where = f" ({scope.name})" if scope else ""
    role = texts.ROLE_LABELS.get(invite.role, invite.role)
    return [await menu_reply(ctx, f"Bạn đã được cấp quyền: {role}{where}. Menu đã có thêm chức năng mới.")]
