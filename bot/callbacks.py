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
from dataclasses import dataclass
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


# ---------- main menu ("m:<item>") ----------
@dataclass(frozen=True)
class MenuMain(Callback, prefix="m:menu"):
    pass


@dataclass(frozen=True)
class MenuLearn(Callback, prefix="m:learn"):
    pass


@dataclass(frozen=True)
class MenuContinue(Callback, prefix="m:continue"):
    pass


@dataclass(frozen=True)
class MenuProgress(Callback, prefix="m:progress"):
    pass


@dataclass(frozen=True)
class MenuHelp(Callback, prefix="m:help"):
    pass


@dataclass(frozen=True)
class MenuPlace(Callback, prefix="m:place"):
    pass


@dataclass(frozen=True)
class MenuData(Callback, prefix="m:data"):
    pass


# ---------- consent and my data ----------
@dataclass(frozen=True)
class ConsentYes(Callback, prefix="c:yes"):
    pass


@dataclass(frozen=True)
class RedeemConfirm(Callback, prefix="ma:ok"):
    """«Đổi quyền»: redeem `code`, replacing the role and scope the person has now."""

    code: str


@dataclass(frozen=True)
class ConsentYesCode(Callback, prefix="c:yesma"):
    """«Đồng ý» after `/ma CODE` was sent before consent: the code rides in the payload, nothing is stored."""

    code: str


@dataclass(frozen=True)
class ConsentNo(Callback, prefix="c:no"):
    pass


@dataclass(frozen=True)
class ConsentInfo(Callback, prefix="c:info"):
    pass


@dataclass(frozen=True)
class DeleteAsk(Callback, prefix="dd:ask"):
    pass


@dataclass(frozen=True)
class DeleteYes(Callback, prefix="dd:yes"):
    pass


@dataclass(frozen=True)
class ExportData(Callback, prefix="dd:export"):
    pass


# ---------- places ----------
@dataclass(frozen=True)
class CommunePage(Callback, prefix="pc"):
    page: int


@dataclass(frozen=True)
class PickCommune(Callback, prefix="cm"):
    commune_id: str


@dataclass(frozen=True)
class CommuneNotListed(Callback, prefix="nocm"):
    pass


@dataclass(frozen=True)
class VillagePage(Callback, prefix="pv"):
    page: int


@dataclass(frozen=True)
class PickVillage(Callback, prefix="v"):
    village_id: str


# ---------- certificate ----------
@dataclass(frozen=True)
class CertificateNoName(Callback, prefix="cert:noname"):
    pass


# ---------- lessons and quiz ----------
@dataclass(frozen=True)
class OpenLesson(Callback, prefix="l"):
    lesson_id: str


@dataclass(frozen=True)
class RereadLesson(Callback, prefix="lr"):
    lesson_id: str


@dataclass(frozen=True)
class LessonPage(Callback, prefix="ll"):
    page: int


@dataclass(frozen=True)
class StepNext(Callback, prefix="n:next"):
    pass


@dataclass(frozen=True)
class StepBack(Callback, prefix="n:back"):
    pass


@dataclass(frozen=True)
class StartQuiz(Callback, prefix="qz"):
    lesson_id: str  # "" = the lesson in the flow's data


@dataclass(frozen=True)
class Answer(Callback, prefix="q"):
    question: int
    choice: int


# ---------- listening («🔊 Nghe») ----------
@dataclass(frozen=True)
class ListenStep(Callback, prefix="nghe:b"):
    lesson_id: str
    step: int


@dataclass(frozen=True)
class ListenQuestion(Callback, prefix="nghe:c"):
    lesson_id: str
    question: int


@dataclass(frozen=True)
class ToggleReadAloud(Callback, prefix="m:docto"):
    pass


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


# ---------- team: home and the class wizard ----------
@dataclass(frozen=True)
class TeamHome(Callback, prefix="tm:home"):
    pass


@dataclass(frozen=True)
class TeamAbort(Callback, prefix="tm:abort"):
    pass


@dataclass(frozen=True)
class NewClass(Callback, prefix="tm:new"):
    pass


@dataclass(frozen=True)
class ToggleVillage(Callback, prefix="tm:v"):
    index: int


@dataclass(frozen=True)
class VillagesDone(Callback, prefix="tm:vdone"):
    pass


@dataclass(frozen=True)
class SuggestedPlace(Callback, prefix="tm:pl"):
    pass


@dataclass(frozen=True)
class PickTime(Callback, prefix="tm:t"):
    minutes: int  # minutes since 1970-01-01 UTC


@dataclass(frozen=True)
class SkipNote(Callback, prefix="tm:note"):
    pass


@dataclass(frozen=True)
class ConfirmClass(Callback, prefix="tm:ok"):
    pass


# ---------- team: my classes ----------
@dataclass(frozen=True)
class MyClasses(Callback, prefix="tm:mine"):
    pass


@dataclass(frozen=True)
class ClassDetail(Callback, prefix="tm:k"):
    class_id: int


@dataclass(frozen=True)
class EditTime(Callback, prefix="tm:et"):
    class_id: int


@dataclass(frozen=True)
class EditPlace(Callback, prefix="tm:ep"):
    class_id: int


@dataclass(frozen=True)
class EditCapacity(Callback, prefix="tm:ec"):
    class_id: int


@dataclass(frozen=True)
class AskCancel(Callback, prefix="tm:x"):
    class_id: int


@dataclass(frozen=True)
class ConfirmCancel(Callback, prefix="tm:xok"):
    class_id: int


# ---------- team: attendance ----------
@dataclass(frozen=True)
class Attendance(Callback, prefix="tm:att"):
    class_id: int


@dataclass(frozen=True)
class TogglePresent(Callback, prefix="tm:ap"):
    class_id: int
    user_id: int


@dataclass(frozen=True)
class AskWalkIn(Callback, prefix="tm:aw"):
    class_id: int


@dataclass(frozen=True)
class FinishAttendance(Callback, prefix="tm:afin"):
    class_id: int


# ---------- team: announcements ----------
@dataclass(frozen=True)
class NewAnnouncement(Callback, prefix="tm:ann"):
    pass


@dataclass(frozen=True)
class RewriteAnnouncement(Callback, prefix="tm:aedit"):
    pass


@dataclass(frozen=True)
class SendAnnouncement(Callback, prefix="tm:aok"):
    pass


@dataclass(frozen=True)
class Announcements(Callback, prefix="tm:anns"):
    pass


@dataclass(frozen=True)
class AnnouncementStatus(Callback, prefix="tm:as"):
    announcement_id: int
