"""Everyday replies: «ok», «rồi», «không», «quay lại», «cảm ơn», «👍»… read the way people mean them.

A word counts only when it is the whole message (folded: case, diacritics and punctuation ignored), so
«cảm ơn bà con đã đến» typed as an announcement stays text. Which button a yes/no/back word picks
depends on the screen: it is the button whose payload kind has that one obvious meaning (forward in a
lesson, «Đồng ý» at consent); a yes word never picks a destructive action (deleting data, cancelling a
class), where only the number or the label counts. The list is documented in docs/conversation.md.
"""

from __future__ import annotations

from enum import StrEnum

from bot import callbacks as cb
from bot.messages import Button
from bot.text import fold


class Intent(StrEnum):
    YES = "yes"  # also "next": mid-lesson yes means go on
    NO = "no"
    BACK = "back"
    THANKS = "thanks"
    GREETING = "greeting"


def _words(phrases: str) -> frozenset[str]:
    return frozenset(p.strip() for p in phrases.split(",") if p.strip())


WORDS: dict[Intent, frozenset[str]] = {
    Intent.YES: _words(
        "ok, oke, okay, oki, okie, okela, ok roi, oke roi, uh, u, um, uhm, uk, vang, vang a, da, da vang, co, co a, "
        "duoc, duoc roi, da duoc, roi, xong, xong roi, tiep, tiep tuc, tiep di, di tiep, hoc tiep, next, "
        "dong y, toi dong y, yes, buoc sau, buoc tiep, sang buoc sau"
    ),
    Intent.NO: _words("khong, ko, k, kg, khg, hong, khong a, khong dong y, no, thoi, khong can"),
    Intent.BACK: _words("quay lai, lui, lui lai, tro lai, quay ve, back, buoc truoc, lai buoc truoc"),
    Intent.THANKS: _words(
        "cam on, cam on ban, cam on nhieu, cam on bot, cam on nhe, cam on a, cam ta, thanks, thank you, thank, tks, "
        "hay qua, tot qua, tuyet, tuyet voi"
    ),
    Intent.GREETING: _words("xin chao, chao, chao ban, chao bot, hello, hi, alo, a lo, hey, chao buoi sang"),
}

_YES_KINDS: tuple[type[cb.Callback], ...] = (
    cb.StepNext, cb.StartQuiz, cb.ConsentYes, cb.ConsentYesCode, cb.PickCommune, cb.PickVillage  # «Có phải …?»
)
_NO_KINDS: tuple[type[cb.Callback], ...] = (cb.ConsentNo, cb.CertificateNoName)
_BACK_KINDS: tuple[type[cb.Callback], ...] = (cb.StepBack,)
_DESTRUCTIVE: tuple[type[cb.Callback], ...] = (cb.DeleteYes, cb.ConfirmCancel, cb.GuidedRemoveYes)
NO_NUMBER = 2  # the "no" of a yes-no question (bot.engine.numbers.NO)


def intent_of(text: str) -> Intent | None:
    """The everyday meaning of a whole message, or None. Emoji-only messages («👍», «🙏») are thanks."""
    folded = fold(text)
    if not folded:
        return Intent.THANKS if text.strip() else None
    for intent, words in WORDS.items():
        if folded in words:
            return intent
    return None


def pick(intent: Intent, shown: list[Button], kinds: dict[str, type[cb.Callback]]) -> Button | None:
    """The one shown button a yes/no/back word obviously means, or None.

    `kinds` maps each shown button's payload to its parsed kind (from the router)."""
    shown_kinds = [(b, kinds.get(b.payload)) for b in shown]
    if intent == Intent.NO and any(k in _DESTRUCTIVE for _, k in shown_kinds if k):
        return next((b for b in shown if b.number == NO_NUMBER), None)
    wanted = {Intent.YES: _YES_KINDS, Intent.NO: _NO_KINDS, Intent.BACK: _BACK_KINDS}.get(intent, ())
    found = [b for b, k in shown_kinds if k is not None and issubclass(k, wanted)]
    return found[0] if len(found) == 1 else None
