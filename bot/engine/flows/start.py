"""Greeting and consent. Nothing is stored until the person taps «Đồng ý»."""

from __future__ import annotations

from bot import callbacks as cb
from bot.db.repositories import users as users_repo
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply, rows
from bot.engine.flows.onboarding import ask_commune
from bot.engine.router import router
from bot.messages import Reply
from bot.services import users

CONSENT_BUTTONS = [
    cb.ConsentYes().button(texts.BTN_AGREE, no.YES),
    cb.ConsentNo().button(texts.BTN_DISAGREE, no.NO),
    cb.ConsentInfo().button(texts.BTN_PRIVACY, no.CONSENT_INFO),
]
router.anonymous_buttons = CONSENT_BUTTONS


def consent_prompt(greet: bool = True) -> list[Reply]:
    ask = Reply(texts.CONSENT_ASK, buttons=rows(*CONSENT_BUTTONS))
    return [Reply(texts.WELCOME), ask] if greet else [ask]


@router.command("start", "batdau", public=True)
async def start(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.user is None:
        return consent_prompt()
    if not ctx.user.village_id:
        return ask_commune(ctx)
    return [await menu_reply(ctx, "Chào mừng bạn quay lại! Bạn muốn làm gì hôm nay?")]


@router.button(cb.ConsentInfo, public=True)
async def privacy(ctx: Ctx, arg: cb.ConsentInfo) -> list[Reply]:
    return [Reply(texts.PRIVACY, buttons=rows(*CONSENT_BUTTONS[:2]))]


@router.button(cb.ConsentNo, public=True)
async def decline(ctx: Ctx, arg: cb.ConsentNo) -> list[Reply]:
    if ctx.user is not None:
        return [await menu_reply(ctx, "Bạn đã đồng ý trước đó. Muốn xóa dữ liệu, gõ /xoadulieu.")]
    return [Reply(texts.DECLINED, buttons=rows(cb.ConsentYes().button(texts.BTN_AGREE, no.YES)))]


@router.button(cb.ConsentYes, public=True)
async def consent(ctx: Ctx, arg: cb.ConsentYes) -> list[Reply]:
    if ctx.user is None:
        ctx.user = await users.consent(ctx.session, ctx.incoming, ctx.now)
        ctx.state = await users_repo.get_state(ctx.session, ctx.user.id)
    if ctx.user.village_id:
        return [await menu_reply(ctx)]
    return [Reply(texts.CONSENTED), *ask_commune(ctx)]
