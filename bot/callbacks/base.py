"""Typed button payloads (in the spirit of aiogram's CallbackData).

A payload kind is a frozen dataclass with a `prefix` and typed fields (`int` or `str`); `pack()` gives
the wire string `prefix:field:field` (the same strings the bot has always sent, so buttons stored in
conversation state and outbox rows keep working), and `parse(arg)` reads the part after the prefix back,
or returns None when it does not fit: wrong number of parts, an int that is not 1..12 plain digits, a
string with characters outside [A-Za-z0-9_.-] or longer than 48. The router matches the longest
registered prefix, so `tm:new` and `tm:ok` are two kinds, not one handler splitting strings.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, ClassVar, Self, get_type_hints

from bot.messages import Button

MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit
_INT = re.compile(r"[0-9]{1,12}")  # ids, pages, indices, minutes since 1970: never more than 12 digits
_STR = re.compile(r"[A-Za-z0-9_.\-]{0,48}")  # lesson, commune and village ids


class Callback:
    """Base of every payload kind; subclasses are `@dataclass(frozen=True)` and say `prefix=...`."""

    prefix: ClassVar[str]
    _fields: ClassVar[tuple[tuple[str, type], ...]]

    def __init_subclass__(cls, prefix: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or not re.fullmatch(r"[a-z]+(:[a-z]+)*", prefix):
            raise TypeError(f"{cls.__name__}: a payload prefix is lowercase words joined by ':'")
        cls.prefix = prefix

    @classmethod
    def fields(cls) -> tuple[tuple[str, type], ...]:
        if "_fields" not in cls.__dict__:
            hints = get_type_hints(cls)
            cls._fields = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        return cls._fields

    def pack(self) -> str:
        parts = [self.prefix, *(str(getattr(self, name)) for name, _ in self.fields())]
        payload = ":".join(parts)
        if not self.fields() and type(self).trailing_colon():
            payload += ":"
        assert len(payload.encode()) <= MAX_PAYLOAD_BYTES, payload
        assert type(self).parse(payload[len(self.prefix) + 1 :]) == self, payload
        return payload

    @classmethod
    def trailing_colon(cls) -> bool:
        """Fieldless kinds that were always sent as `prefix:` (kept byte-identical)."""
        return False

    def button(self, label: str, number: int | None = None) -> Button:
        return Button(label, self.pack(), number)

    @classmethod
    def parse(cls, arg: str) -> Self | None:
        specs = cls.fields()
        parts = arg.split(":") if specs else ([] if arg == "" else [arg])
        if len(parts) != len(specs):
            return None
        values: dict[str, int | str] = {}
        for (name, kind), raw in zip(specs, parts, strict=True):
            if kind is int:
                if not _INT.fullmatch(raw):
                    return None
                values[name] = int(raw)
            elif _STR.fullmatch(raw):
                values[name] = raw
            else:
                return None
        return cls(**values)
