"""Greeting and consent. Nothing is stored until the person taps «Đồng ý»."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot import callbacks as cb
from bot.db.repositories import users as users_repo
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply, rows
from bot.engine.flows.onboarding import ask_commune
from bot.engine.router import router
from bot.messages import Reply
from bot.services import dedupe, invites, users
from bot.services.errors import UserError

CONSENT_BUTTONS = [
    cb.ConsentYes().button(texts.BTN_AGREE, no.YES),
    cb.ConsentNo().button(texts.BTN_DISAGREE, no.NO),
    cb.ConsentInfo().button(texts.BTN_PRIVACY, no.CONSENT_INFO),
]
router.anonymous_buttons = CONSENT_BUTTONS


StartArgHandler = Callable[[Ctx, str], Awaitable[list[Reply] | None]]
START_ARGS: list[StartArgHandler] = []
"""Handlers of `/start <arg>` (Telegram deep links, e.g. the class check-in poster's «dd_<token>»),
added by the flows that own them; each returns None when the argument is not its own."""

PendingHandler = Callable[[Ctx, str], Awaitable[list[Reply]]]
PENDING_KINDS: dict[str, PendingHandler] = {}
"""What else may wait in `pending_codes` for her «Đồng ý» besides an invite code: prefix → handler of
the rest (e.g. «dd:4821», a class check-in); the handler consents and acts."""


def pending_key(ctx: Ctx) -> str:
    """Her key in `AppContext.pending_codes`: a keyed hash, never the platform id (bot/pending_codes.py)."""
    return dedupe.user_tag(ctx.app.dedupe_secret, ctx.incoming.channel, ctx.incoming.user_id)


def consent_prompt(greet: bool = True) -> list[Reply]:
    ask = Reply(texts.CONSENT_ASK, buttons=rows(*CONSENT_BUTTONS))
    return [Reply(texts.WELCOME), ask] if greet else [ask]


def consent_with_code(ctx: Ctx, code: str) -> list[Reply]:
    """`/ma CODE` before consent: nothing is stored. The code rides in the «Đồng ý» button's payload
    (a tap) and waits in this process's memory under a keyed hash for 30 minutes (a typed «1» or
    «đồng ý», as on Zalo, where the engine maps the number to the fixed consent buttons)."""
    code = code.strip().upper().replace(" ", "").replace("-", "")[:16]
    if not code.isalnum():
        return [
            Reply(
                texts.CODE_AFTER_CONSENT.format(code=code or "MÃ") + "\n\n" + texts.CONSENT_ASK,
                buttons=rows(*CONSENT_BUTTONS),
            )
        ]
    ctx.app.pending_codes.remember(pending_key(ctx), code, ctx.now)
    yes = cb.ConsentYesCode(code).button(texts.BTN_AGREE, no.YES)
    return [
        Reply(texts.CODE_KEPT.format(code=code) + "\n\n" + texts.CONSENT_ASK, buttons=rows(yes, *CONSENT_BUTTONS[1:]))
    ]


@router.text_before_consent
async def typed_before_consent(ctx: Ctx, text: str) -> list[Reply]:
    """Anything typed before consent: a short reminder of who she talks to and the question, not the
    whole welcome again (greetings and /start get the welcome)."""
    return [Reply(texts.AUTOMATED + "\n" + texts.CONSENT_ASK, buttons=rows(*CONSENT_BUTTONS))]


@router.command("start", "batdau", public=True)
async def start(ctx: Ctx, arg: str) -> list[Reply]:
    for handler in START_ARGS if arg else ():
        handled = await handler(ctx, arg)
        if handled is not None:
            return handled
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
    if ctx.user is not None:
        return [await menu_reply(ctx)] if ctx.user.village_id else [Reply(texts.CONSENTED), *ask_commune(ctx)]
    code = ctx.app.pending_codes.get(pending_key(ctx), ctx.now)  # /ma CODE typed before a typed «1»
    for prefix, handler in PENDING_KINDS.items():
        if code is not None and code.startswith(prefix):
            return await handler(ctx, code[len(prefix) :])
    if code is not None:
        return await consent_and_redeem(ctx, cb.ConsentYesCode(code))
    return await agree(ctx)


async def agree(ctx: Ctx) -> list[Reply]:
    """Consent (if not yet) and the next step: the menu, or the commune question."""
    if ctx.user is None:
        ctx.user = await users.consent(ctx.session, ctx.incoming, ctx.now)
        ctx.state = await users_repo.get_state(ctx.session, ctx.user.id)
    if ctx.user.village_id:
        return [await menu_reply(ctx)]
    return [Reply(texts.CONSENTED), *ask_commune(ctx)]


@router.button(cb.ConsentYesCode, public=True)
async def consent_and_redeem(ctx: Ctx, arg: cb.ConsentYesCode) -> list[Reply]:
    """«Đồng ý» with the invite code sent before consent (in the payload, or waiting in memory):
    consent, then redeem it at once."""
    replies = await agree(ctx)
    assert ctx.user is not None
    try:
        invite = await invites.redeem(ctx.session, ctx.user, arg.code, ctx.now, ctx.app.invite_failures)
    except UserError as err:
        return [Reply(err.message), *replies]
    scope = ctx.app.places.communes.get(invite.commune_id or "")
    where = f" ({scope.name})" if scope else ""
    granted = f"Bạn đã được cấp quyền: {texts.ROLE_LABELS.get(invite.role, invite.role)}{where}."
    return [Reply(granted), *replies]
