"""Payload kinds of officials and of residents joining classes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Callback


# ---------- officials ----------
@dataclass(frozen=True)
class Stats(Callback, prefix="tk"):
    commune_id: str  # "" = the official's own commune (or all communes for an admin)


@dataclass(frozen=True)
class Report(Callback, prefix="bc"):
    commune_id: str


@dataclass(frozen=True)
class WebLogin(Callback, prefix="dn"):
    @classmethod
    def trailing_colon(cls) -> bool:
        return True


# ---------- residents and classes ----------
@dataclass(frozen=True)
class ClassList(Callback, prefix="cls:list"):
    pass


@dataclass(frozen=True)
class ClassRegister(Callback, prefix="cls:reg"):
    class_id: int


@dataclass(frozen=True)
class ClassUnregister(Callback, prefix="cls:unreg"):
    class_id: int


# ---------- officials: residents guided without a phone ----------
@dataclass(frozen=True)
class GuidedList(Callback, prefix="hd:list"):
    commune_id: str
    page: int


@dataclass(frozen=True)
class GuidedDetail(Callback, prefix="hd:d"):
    guided_id: int


@dataclass(frozen=True)
class GuidedRemoveAsk(Callback, prefix="hd:x"):
    guided_id: int


@dataclass(frozen=True)
class GuidedRemoveYes(Callback, prefix="hd:xok"):
    guided_id: int
