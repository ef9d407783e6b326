"""The conversation engine: one channel-neutral event in, replies out, one transaction per turn."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import pushed_choices as pushed
from bot import reply_codec as codec
from bot.app_context import AppContext
from bot.callbacks import Callback, MenuMain
from bot.db.models import Role
from bot.db.repositories import replies as journal_repo
from bot.db.repositories import updates as updates_repo
from bot.db.repositories import users as users_repo
from bot.engine import everyday, texts
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.listen import spoken_answer
from bot.engine.router import Route, Router
from bot.messages import Button, Incoming, Kind, Reply, numbered
from bot.services import dedupe
from bot.services.errors import UserError
from bot.text import fold

log = logging.getLogger(__name__)

SEEN_RESOLUTION = timedelta(minutes=10)  # "active" statistics need no finer last-seen times
MAX_TEXT = 2000  # longer messages are refused politely, not processed


@dataclass(frozen=True)
class Dispatch:
    route: Route | None
    arg: object  # the text for commands and flows, a parsed bot.callbacks.Callback for buttons
    kind: str  # "command" | "button" | "flow" | "fallback" | "media" | "too_long" | "everyday" | "not_a_choice"


def _stored_buttons(state_buttons: list[list[Any]] | None) -> list[Button]:
    """Buttons as stored in the state: [label, payload, number] (older rows: [label, payload])."""
    found = [Button(str(b[0]), str(b[1]), int(b[2]) if len(b) > 2 else None) for b in (state_buttons or [])]
    return numbered(found)


def match_button(text: str, shown: list[Button]) -> Button | None:
    """A typed number ("2", "[2]", "2.") or label ("đồng ý", diacritics optional) picks a shown button."""
    t = text.strip().strip("[]").rstrip(".)").strip()
    if t.isascii() and t.isdigit():
        return next((b for b in numbered(shown) if b.number == int(t)), None)
    folded = fold(text)
    if not folded:
        return None
    for button in shown:
        if fold(button.label) == folded:
            return button
    return None


class Engine:
    """Routes events to flow handlers; keeps state in the database; never raises to a channel."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], app: AppContext, router: Router) -> None:
        self.sessionmaker = sessionmaker
        self.app = app
        self.router = router

    async def handle(self, incoming: Incoming) -> list[Reply]:
        now = self.app.clock()
        changed: list[Role] = []  # the user's new role, if this turn changed it
        try:
            async with self.sessionmaker() as session, session.begin():
                key = dedupe.update_key(self.app.dedupe_secret, incoming)
                if key is not None and not await updates_repo.claim(session, incoming.channel, key, now):
                    return await self._from_journal(session, incoming, key, now)  # redelivered: never re-run
                ctx = Ctx(incoming=incoming, session=session, app=self.app, now=now)
                replies = await self._turn(ctx, changed)
                user_id = ctx.user.id if ctx.user is not None else None
                replies = await self._journal(session, incoming, key, user_id, replies, now)
            if changed:  # committed: the channel may now show the new role's menu
                await self._tell_role_change(incoming, changed[-1])
            return replies
        except UserError as err:
            # The turn's changes are rolled back; still remember the update so a redelivery is a no-op
            # (and if a concurrent delivery of the same update got there first, it answered already).
            menu = ((MenuMain().button(texts.BTN_MENU, no.MENU),),)
            return await self._claim_only(incoming, [Reply(err.message, buttons=menu)])
        except Exception:
            log.exception("engine failed on %s update %s", incoming.channel, incoming.update_id)
            return [Reply(texts.SORRY, buttons=((MenuMain().button(texts.BTN_MENU, no.MENU),),))]

    async def _tell_role_change(self, incoming: Incoming, role: Role) -> None:
        hook = self.app.on_role_change
        if hook is None:
            return
        try:
            await hook(incoming.channel, incoming.user_id, role)
        except Exception:  # a menu that did not update must not spoil the turn
            log.exception("role-change hook failed on %s update %s", incoming.channel, incoming.update_id)

    async def _claim_only(self, incoming: Incoming, replies: list[Reply]) -> list[Reply]:
        """Record the update as handled with `replies` journaled; a redelivery gets the stored ones."""
        key = dedupe.update_key(self.app.dedupe_secret, incoming)
        if key is None:
            return replies
        now = self.app.clock()
        try:
            async with self.sessionmaker() as session, session.begin():
                if not await updates_repo.claim(session, incoming.channel, key, now):
                    return await self._from_journal(session, incoming, key, now)
                user = None
                if incoming.channel in self.app.journal_channels:
                    user = await users_repo.get_by_platform(session, incoming.channel, incoming.user_id)
                return await self._journal(session, incoming, key, user.id if user else None, replies, now)
        except Exception:
            log.exception("could not record update %s", incoming.update_id)
            return replies

    async def _journal(
        self, session: AsyncSession, incoming: Incoming, key: str | None, user_id: int | None,
        replies: list[Reply], now: datetime,
    ) -> list[Reply]:
        """Write the turn's replies to the journal (same transaction as its state change): each reply
        comes back carrying its entry id, which the channel reports once it is sent."""
        if not replies or incoming.channel not in self.app.journal_channels:
            return replies
        ids = await journal_repo.write(
            session, incoming.channel, incoming.reply_to, user_id, key, [codec.encode(r) for r in replies], now,
            self.app.instance_id, journal_repo.LEASE,
        )
        return [dataclasses.replace(r, journal_id=i) for r, i in zip(replies, ids, strict=True)]

    async def _from_journal(self, session: AsyncSession, incoming: Incoming, key: str, now: datetime) -> list[Reply]:
        """A redelivered update: the replies stored for it that were never delivered (and nobody is
        sending now), else nothing. The turn is not run again."""
        if incoming.channel not in self.app.journal_channels:
            return []
        entries = await journal_repo.for_update(
            session, incoming.channel, key, self.app.instance_id, now, journal_repo.LEASE
        )
        if entries:
            log.info("redelivered %s update answered from the journal (%d replies)", incoming.channel, len(entries))
        return [codec.decode(e.body, e.id) for e in entries]

    async def _turn(self, ctx: Ctx, changed: list[Role]) -> list[Reply]:
        session, incoming = ctx.session, ctx.incoming
        found = await users_repo.get_with_state(session, incoming.channel, incoming.user_id)
        if found is not None:
            ctx.user, ctx.state = found
            if ctx.state is None:
                ctx.state = await users_repo.get_state(session, ctx.user.id)
            if ctx.now - ctx.user.last_seen_at > SEEN_RESOLUTION:
                ctx.user.last_seen_at = ctx.now
            if ctx.user.blocked_at is not None:
                ctx.user.blocked_at = None  # they wrote to us, so they can receive messages again
        shown = _stored_buttons(ctx.state.buttons) if ctx.state else numbered(list(self.router.anonymous_buttons))
        ctx.shown = shown
        pushed_choices = pushed.from_state(ctx.state.pushed) if ctx.state else []  # 21…: her last pushed message

        dispatch = self._route(incoming, ctx, shown, pushed_choices)
        if dispatch.kind == "media":
            if incoming.kind in (Kind.VOICE, Kind.OTHER):  # she may not read: answer aloud
                return [await spoken_answer(ctx, shown)]
            return [Reply(texts.MEDIA_NOT_UNDERSTOOD, buttons=_rows(shown))]
        if dispatch.kind == "too_long":
            return [Reply(texts.TOO_LONG, buttons=_rows(shown))]
        if dispatch.kind == "not_a_choice":
            return [Reply(texts.NOT_A_CHOICE.format(number=dispatch.arg), buttons=_rows(shown))]
        if dispatch.kind == "everyday":
            if dispatch.arg == everyday.Intent.GREETING and ctx.user is None:
                return await self.router.commands["start"].fn(ctx, "")
            return [Reply(_EVERYDAY_REPLY.get(str(dispatch.arg), texts.WHICH_ONE), buttons=_rows(shown))]
        route = dispatch.route
        if route is None:
            return [Reply(texts.STALE_BUTTON, buttons=((MenuMain().button(texts.BTN_MENU, no.MENU),),))]
        arg = dispatch.arg
        if ctx.user is None and not route.public:
            typed = dispatch.kind in ("fallback", "flow") and self.router.before_consent is not None
            route, arg = (self.router.before_consent, arg) if typed else (self.router.commands["start"], "")
            assert route is not None
        role_before = ctx.user.role if ctx.user is not None else None
        replies = await route.fn(ctx, arg)
        if ctx.user is not None and role_before is not None and ctx.user.role != role_before:
            changed.append(Role(ctx.user.role))

        if ctx.state is not None and ctx.user is not None:
            with_buttons = [r for r in replies if r.buttons]
            stored = [[b.label, b.payload, b.number] for b in with_buttons[-1].numbered()] if with_buttons else None
            await users_repo.save_state(session, ctx.state, stored)
        return replies

    def _route(self, incoming: Incoming, ctx: Ctx, shown: list[Button], pushed_choices: list[Button]) -> Dispatch:
        if incoming.kind in (Kind.MEDIA, Kind.VOICE, Kind.OTHER):
            flow = self.router.flows.get(ctx.flow) if ctx.user is not None else None
            if flow is not None and flow.accepts_media and incoming.media_ref:
                return Dispatch(flow, (incoming.text or "").strip(), "flow")
            return Dispatch(None, "", "media")
        if incoming.kind == Kind.BUTTON:
            return self._button_route(incoming.payload or "")
        text = (incoming.text or "").strip()
        if len(text) > MAX_TEXT:
            return Dispatch(None, "", "too_long")
        if text.startswith("/"):
            name, _, arg = text[1:].partition(" ")
            name = name.split("@", 1)[0].lower()
            return Dispatch(self.router.commands.get(name), arg.strip(), "command")
        flow_route = self.router.flows.get(ctx.flow) if ctx.user is not None else None
        if flow_route is not None and flow_route.numbers_are_text and text.isascii() and text.isdigit():
            return Dispatch(flow_route, text, "flow")
        if flow_route is None or not (flow_route.free_text or flow_route.numbers_are_text):
            phrase = self.router.match_phrase(text)
            if phrase is not None:  # «điểm danh 4821»: a command in everyday words
                return Dispatch(phrase[0], phrase[1], "command")
        picked = match_button(text, shown) or match_button(text, pushed_choices)
        if picked is not None:
            return self._button_route(picked.payload)
        if shown and not (flow_route is not None and flow_route.free_text):
            meant = self._everyday(text, shown)
            if meant is not None:
                return meant
        if flow_route is not None:
            return Dispatch(flow_route, text, "flow")
        return Dispatch(self.router.fallback, text, "fallback")

    def _everyday(self, text: str, shown: list[Button]) -> Dispatch | None:
        """«ok» mid-lesson is «Tiếp», «không» at consent is «Không đồng ý»; «cảm ơn» gets a kind word;
        a number that is not on screen is said so. The buttons stay on screen in every case."""
        intent = everyday.intent_of(text)
        if intent is None:
            t = text.strip().strip("[]").rstrip(".)").strip()
            return Dispatch(None, t, "not_a_choice") if t.isascii() and t.isdigit() and len(t) <= 3 else None
        kinds: dict[str, type[Callback]] = {}
        for button in shown:
            found = self.router.resolve_button(button.payload)
            if found is not None:
                kinds[button.payload] = type(found[1])
        chosen = everyday.pick(intent, shown, kinds)
        if chosen is not None:
            return self._button_route(chosen.payload)
        return Dispatch(None, intent, "everyday")

    def _button_route(self, payload: str) -> Dispatch:
        found = self.router.resolve_button(payload)
        if found is None:
            return Dispatch(None, payload, "button")  # unknown or malformed: answered like a stale button
        return Dispatch(found[0], found[1], "button")


_EVERYDAY_REPLY: dict[str, str] = {
    everyday.Intent.THANKS: texts.THANKS,
    everyday.Intent.GREETING: texts.GREETING,
}


def _rows(buttons: list[Button]) -> tuple[tuple[Button, ...], ...]:
    return tuple((b,) for b in buttons)
