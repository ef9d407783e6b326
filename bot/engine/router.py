"""Maps commands, button payloads and flow states to handlers.

A command or flow handler is `async (ctx, arg: str) -> list[Reply]`:
- `@router.command("start")` handles "/start arg";
- `@router.button(OpenLesson)` handles payloads of that kind (bot.callbacks): the longest registered
  prefix of the payload wins, and the handler gets the parsed, bounded `OpenLesson`, never a raw string
  (a payload that does not parse finds no route and is answered like a stale button);
- `@router.flow("onboard_village")` handles typed text while the user is in that flow
  (`numbers_are_text=True` when the flow asks for a number, so "30" is not taken as button 30);
- `@router.flow(..., free_text=True)` when any typed text is data (a class title): everyday words
  («ok», «cảm ơn») are not read as answers there;
- `@router.text_before_consent` answers typed text from someone who has not consented;
- `@router.menu_entry` adds role-specific buttons to the main menu;
- `@router.phrase(match)` handles a typed phrase that works like a command wherever she is («điểm
  danh 4821»): `match(text)` returns the handler's argument, or None when the text is not that phrase
  (not read in flows whose typed text is data or a number).
`public=True` lets a handler run before the person consented (ctx.user is None then).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.callbacks import Callback
from bot.db.models import User
from bot.engine.context import Ctx
from bot.messages import Button, Reply

HandlerFn = Callable[[Ctx, str], Awaitable[list[Reply]]]
PhraseMatch = Callable[[str], str | None]
MenuEntryFn = Callable[[User], list[Button]]
ButtonFn = TypeVar("ButtonFn", bound=Callable[[Ctx, Any], Awaitable[list[Reply]]])


@dataclass(frozen=True)
class Route:
    fn: Callable[[Ctx, Any], Awaitable[list[Reply]]]
    public: bool = False
    numbers_are_text: bool = False  # a flow asking for a number: typed digits are not button picks
    accepts_media: bool = False  # a flow that takes a photo (ctx.incoming.media_ref)
    free_text: bool = False  # any typed text is data («ok», «cảm ơn» too): no everyday-word reading


@dataclass
class Router:
    commands: dict[str, Route] = field(default_factory=dict)
    buttons: dict[str, tuple[type[Callback], Route]] = field(default_factory=dict)
    flows: dict[str, Route] = field(default_factory=dict)
    menu_entries: list[MenuEntryFn] = field(default_factory=list)
    fallback: Route | None = None  # typed text outside any flow (lesson search)
    before_consent: Route | None = None  # typed text from someone who has not consented yet
    anonymous_buttons: list[Button] = field(default_factory=list)  # shown before consent
    phrases: list[tuple[PhraseMatch, Route]] = field(default_factory=list)  # typed phrases that act as commands

    def command(self, *names: str, public: bool = False) -> Callable[[HandlerFn], HandlerFn]:
        def deco(fn: HandlerFn) -> HandlerFn:
            for name in names:
                if name.lower() in self.commands:  # two flows on one command: the later one would win silently
                    raise ValueError(f"command /{name.lower()} registered twice")
                self.commands[name.lower()] = Route(fn, public)
            return fn

        return deco

    def button(self, kind: type[Callback], public: bool = False) -> Callable[[ButtonFn], ButtonFn]:
        """Register `fn(ctx, parsed: kind)` for payloads of `kind` (the same function may also be a command)."""

        def deco(fn: ButtonFn) -> ButtonFn:
            if kind.prefix in self.buttons:
                raise ValueError(f"payload prefix {kind.prefix!r} registered twice")
            self.buttons[kind.prefix] = (kind, Route(fn, public))
            return fn

        return deco

    def resolve_button(self, payload: str) -> tuple[Route, Callback] | None:
        """The route of the longest registered prefix and the parsed payload; None if either is missing."""
        parts = payload.split(":")
        for end in range(len(parts), 0, -1):
            found = self.buttons.get(":".join(parts[:end]))
            if found is not None:
                kind, route = found
                parsed = kind.parse(":".join(parts[end:]))
                return None if parsed is None else (route, parsed)
        return None

    def phrase(self, match: PhraseMatch, public: bool = False) -> Callable[[HandlerFn], HandlerFn]:
        def deco(fn: HandlerFn) -> HandlerFn:
            self.phrases.append((match, Route(fn, public)))
            return fn

        return deco

    def match_phrase(self, text: str) -> tuple[Route, str] | None:
        for match, route in self.phrases:
            arg = match(text)
            if arg is not None:
                return route, arg
        return None

    def flow(
        self, name: str, numbers_are_text: bool = False, accepts_media: bool = False, free_text: bool = False
    ) -> Callable[[HandlerFn], HandlerFn]:
        def deco(fn: HandlerFn) -> HandlerFn:
            self.flows[name] = Route(
                fn, numbers_are_text=numbers_are_text, accepts_media=accepts_media, free_text=free_text
            )
            return fn

        return deco

    def text_fallback(self, fn: HandlerFn) -> HandlerFn:
        self.fallback = Route(fn, public=False)
        return fn

    def text_before_consent(self, fn: HandlerFn) -> HandlerFn:
        self.before_consent = Route(fn, public=True)
        return fn

    def menu_entry(self, fn: MenuEntryFn) -> MenuEntryFn:
        self.menu_entries.append(fn)
        return fn

    def extra_menu_buttons(self, user: User) -> list[Button]:
        return [b for entry in self.menu_entries for b in entry(user)]


router = Router()
"""The application's router; flow modules register on it when imported (see bot.engine.flows)."""
