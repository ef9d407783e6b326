"""Payload kinds of the team: the class wizard, my classes, attendance, announcements."""

from __future__ import annotations

from dataclasses import dataclass

from bot.callbacks.base import Callback


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


# ---------- team: a resident guided without a phone ----------
@dataclass(frozen=True)
class GuidedStart(Callback, prefix="tm:g"):
    pass


@dataclass(frozen=True)
class GuidedVillage(Callback, prefix="tm:gv"):
    index: int  # into the member's managed villages (re-checked on the server)


@dataclass(frozen=True)
class GuidedVillagePage(Callback, prefix="tm:gvp"):
    page: int


@dataclass(frozen=True)
class GuidedToggle(Callback, prefix="tm:gl"):
    index: int  # into services.guided.lesson_choices


@dataclass(frozen=True)
class GuidedLessonPage(Callback, prefix="tm:glp"):
    page: int


@dataclass(frozen=True)
class GuidedLessonsDone(Callback, prefix="tm:gld"):
    pass


@dataclass(frozen=True)
class GuidedConsent(Callback, prefix="tm:gok"):
    pass


@dataclass(frozen=True)
class GuidedNoConsent(Callback, prefix="tm:gno"):
    pass


@dataclass(frozen=True)
class GuidedPending(Callback, prefix="tm:gp"):
    pass


@dataclass(frozen=True)
class GuidedMatch(Callback, prefix="tm:gm"):
    guided_id: int


@dataclass(frozen=True)
class GuidedMatchYes(Callback, prefix="tm:gmy"):
    guided_id: int


@dataclass(frozen=True)
class GuidedMatchNo(Callback, prefix="tm:gmn"):
    guided_id: int


# ---------- team: class check-in ----------
@dataclass(frozen=True)
class CheckinPoster(Callback, prefix="tm:pos"):
    class_id: int


@dataclass(frozen=True)
class Arrived(Callback, prefix="tm:here"):
    class_id: int


@dataclass(frozen=True)
class ClassLesson(Callback, prefix="tm:kl"):
    class_id: int
    page: int


@dataclass(frozen=True)
class PickClassLesson(Callback, prefix="tm:klp"):
    class_id: int
    lesson_id: str
