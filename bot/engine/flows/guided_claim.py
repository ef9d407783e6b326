"""«🤝 Tôi đã học với tổ công nghệ»: a resident who learnt with a team member before she had a phone
gives her name and year of birth; if her village has such a record, a team member is asked to confirm,
and on their confirmation her progress gets the lessons they practised together (bot/services/guided_claims.py).

Flow states: claim_name, claim_year (typed text, no buttons; «thôi» stops). She has consented and chosen
her village before the menu shows the item, so nothing is stored about anyone before consent.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import CLAIM_GUIDED, MENU_BUTTON, menu_reply, rows
from bot.engine.flows.team_classes import STOP_WORDS
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import guided, guided_claims
from bot.services.errors import UserError
from bot.text import fold

NAME_ASK = "Bạn gõ họ và tên của mình, như đã nói với tổ (không dấu cũng được). Muốn thôi, gõ «thôi»."
WAITING = "Bạn đã nhờ tổ xác nhận rồi, mình đang chờ tổ trả lời. Trong lúc chờ, bạn cứ học tiếp nhé."
YEAR_ASK = "Bạn sinh năm nào? Gõ 4 chữ số, ví dụ 1956. Muốn thôi, gõ «thôi»."


@router.button(cb.ClaimGuided)
async def start(ctx: Ctx, arg: object) -> list[Reply]:
    assert ctx.user is not None
    if not ctx.user.village_id:
        raise UserError("Bạn chọn thôn/xã của mình trước nhé (Menu → «🏠 Đổi thôn/xã»).")
    if await guided_claims.waiting(ctx.session, ctx.user):
        return [await menu_reply(ctx, WAITING)]
    ctx.set_flow("claim_name")
    return [
        Reply(
            "🤝 Nếu bạn đã học cùng Tổ công nghệ số khi chưa có điện thoại, mình sẽ nối các bài đã học đó vào "
            "tiến độ của bạn, sau khi người trong tổ xác nhận.\n" + NAME_ASK
        )
    ]


@router.flow("claim_name", numbers_are_text=True, free_text=True)
async def typed_name(ctx: Ctx, text: str) -> list[Reply]:
    if fold(text) in STOP_WORDS:
        return [await menu_reply(ctx, "Vâng. Bạn muốn làm gì tiếp theo?")]
    try:
        name = guided.check_name(text)
    except UserError as err:
        return [Reply(err.message + "\n" + NAME_ASK)]
    ctx.set_flow("claim_year", name=name)
    return [Reply(YEAR_ASK)]


@router.flow("claim_year", numbers_are_text=True, free_text=True)
async def typed_year(ctx: Ctx, text: str) -> list[Reply]:
    assert ctx.user is not None
    if fold(text) in STOP_WORDS:
        return [await menu_reply(ctx, "Vâng. Bạn muốn làm gì tiếp theo?")]
    try:
        year = guided.check_year(text, ctx.now, ctx.app)
    except UserError as err:
        return [Reply(err.message + "\n" + YEAR_ASK)]
    outcome = await guided_claims.claim(ctx.session, ctx.app, ctx.user, ctx.data.get("name", ""), year, ctx.now)
    if outcome == guided_claims.Claim.SENT:
        return [await menu_reply(ctx, "✅ Mình đã nhờ Tổ công nghệ số ở thôn của bạn xác nhận. Khi tổ xác nhận, "
                                      "các bài bạn đã học sẽ được ghi vào tiến độ và mình sẽ báo bạn.")]
    if outcome == guided_claims.Claim.WAITING:
        return [await menu_reply(ctx, WAITING)]
    ctx.set_flow("menu")
    return [
        Reply(
            "Mình chưa tìm thấy ghi nhận nào với họ tên và năm sinh này ở thôn của bạn. Bạn thử gõ lại, hoặc hỏi "
            "người trong Tổ công nghệ số đã hướng dẫn bạn nhé.",
            buttons=rows(Button("🔁 Gõ lại", CLAIM_GUIDED.payload, no.YES), MENU_BUTTON),
        )
    ]
