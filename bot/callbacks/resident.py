"""Payload kinds of the resident's side: menu, consent and data, places, lessons, listening."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Callback


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
class ConsentYesCheckin(Callback, prefix="c:yesdd"):
    """«Đồng ý» after a check-in (typed code or poster deep link) before consent: the key (the code, or
    «dd_<token>») rides in the payload, nothing is stored; she is checked in right after consenting."""

    key: str


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
class VillageNotListed(Callback, prefix="novl"):
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


@dataclass(frozen=True)
class ClaimGuided(Callback, prefix="m:guided"):
    """«🤝 Tôi đã học với tổ công nghệ»: continue from lessons learnt with a team member."""
