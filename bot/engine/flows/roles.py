"""/ma CODE: redeem a one-time invite code for a role."""

from __future__ import annotations

from bot import callbacks as cb
from bot.db.models import Role
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply, rows
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
    if ctx.user.role != Role.RESIDENT:  # a role already: say what would change, change nothing yet
        invite = await invites.check(ctx.session, ctx.user, arg, ctx.now, ctx.app.invite_failures)
        now_has = _scope(ctx, ctx.user.role, ctx.user.role_commune_id, ctx.user.role_village_ids or [])
        would = _scope(ctx, invite.role, invite.commune_id, invite.village_ids)
        return [Reply(
            f"Bạn đang có quyền: {now_has}.\nMã này sẽ thay bằng: {would}.\n"
            "Quyền cũ sẽ mất. Bạn có muốn đổi không?",
            buttons=rows(
                cb.RedeemConfirm(invite.code).button("✅ Đổi quyền", no.YES),
                cb.MenuMain().button("Giữ nguyên", no.NO),
            ),
        )]
    return await _redeem(ctx, arg)


@router.button(cb.RedeemConfirm)
async def confirm_redeem(ctx: Ctx, arg: cb.RedeemConfirm) -> list[Reply]:
    return await _redeem(ctx, arg.code)


async def _redeem(ctx: Ctx, code: str) -> list[Reply]:
    assert ctx.user is not None
    invite = await invites.redeem(ctx.session, ctx.user, code, ctx.now, ctx.app.invite_failures)
    scope = ctx.app.places.communes.get(invite.commune_id or "")
    where = f" ({scope.name})" if scope else ""
    role = texts.ROLE_LABELS.get(invite.role, invite.role)
    return [await menu_reply(ctx, f"Bạn đã được cấp quyền: {role}{where}. Menu đã có thêm chức năng mới.")]


def _scope(ctx: Ctx, role: str, commune_id: str | None, village_ids: list[str]) -> str:
    label = texts.ROLE_LABELS.get(role, role)
    commune = ctx.app.places.communes.get(commune_id or "")
    if commune is None:
        return label
    villages = [ctx.app.places.villages[v].name for v in village_ids if v in ctx.app.places.villages]
    return f"{label}, {commune.name}" + (f" ({', '.join(villages)})" if villages else "")
