"""A chat driver: talks to the engine like a person on a chat app."""

from __future__ import annotations

from bot.messages import Button, Incoming, Kind, Reply
from bot.runtime import Runtime


class Chat:
    """Drives the engine like a person on a chat app: types text, taps buttons by label or number."""

    def __init__(self, runtime: Runtime, channel: str = "console") -> None:
        self.runtime = runtime
        self.channel = channel
        self.last: dict[str, list[Reply]] = {}
        self._update = 0

    def buttons(self, user: str) -> list[Button]:
        shown = [r for r in self.last.get(user, []) if r.buttons]
        return shown[-1].all_buttons() if shown else []

    async def send(self, incoming: Incoming) -> list[Reply]:
        replies = await self.runtime.handle(incoming)
        self.last[incoming.user_id] = replies
        return replies

    async def say(self, user: str, text: str) -> list[Reply]:
        """Type text (a number or a label resolves to a shown button in the engine)."""
        self._update += 1
        return await self.send(Incoming(self.channel, user, Kind.TEXT, text=text, update_id=f"{user}:{self._update}"))

    async def tap(self, user: str, label_part: str) -> list[Reply]:
        """Tap the last shown button whose label contains `label_part`."""
        for button in self.buttons(user):
            if label_part in button.label:
                return await self.tap_payload(user, button.payload)
        labels = [b.label for b in self.buttons(user)]
        raise AssertionError(f"no button containing {label_part!r} in {labels}")

    async def tap_payload(self, user: str, payload: str) -> list[Reply]:
        self._update += 1
        return await self.send(
            Incoming(self.channel, user, Kind.BUTTON, payload=payload, update_id=f"{user}:{self._update}")
        )

    def text(self, user: str) -> str:
        return "\n".join(r.text for r in self.last.get(user, []))

    async def onboard(self, user: str, commune: str = "Hà Long", village: str = "Thôn 3") -> None:
        """Consent and choose a place."""
        await self.say(user, "/start")
        await self.tap(user, "Đồng ý")
        await self.tap(user, commune)
        await self.tap(user, village)
