"""«bấm» → «gõ số» for channels without buttons (Zalo Bot, the console), at render time.

Flows write for buttons («Bấm «Xong» khi chọn đủ»); where the person types numbers the same text
must say what to type: a quoted label that is on screen becomes its number («gõ 5 («✔ Xong»)»),
«bấm Menu» becomes «gõ 0 (Menu)», and any other «bấm» becomes «gõ số».
"""

from __future__ import annotations

import re

from bot.messages import Button
from bot.text import fold

_QUOTED = re.compile(r"\b([Bb])ấm (?:nút |vào )?«([^»]{1,60})»")
_MENU = re.compile(r"\b([Bb])ấm (?:nút )?«?Menu»?")
_PHRASES = (
    ("gõ số hoặc bấm nút", "gõ số"),
    ("bấm một nút bên dưới", "gõ số của một lựa chọn bên dưới"),
    ("Bấm một nút bên dưới", "Gõ số của một lựa chọn bên dưới"),
    ("bằng nút bấm", "bằng cách gõ số"),
    ("bấm nút để chọn", "gõ số để chọn"),
    ("bấm nút", "gõ số"),
    ("Bấm tên xã", "Gõ số của xã"),
    ("Bấm tên người", "Gõ số của người"),
    ("Bấm tên", "Gõ số"),
    ("bấm đúng", "gõ số đúng"),
    ("bấm lại để bỏ", "gõ lại số đó để bỏ"),
    ("Bấm vào tên", "Gõ số của"),
    ("Bấm vào một", "Gõ số của một"),
    ("bấm gợi ý", "gõ số của gợi ý"),
    ("bấm chọn", "gõ số để chọn"),
    ("hoặc bấm", "hoặc gõ số"),
)
_ANY = re.compile(r"\b([Bb])ấm\b")


def for_typing(text: str, shown: list[Button]) -> str:
    """`text` reworded for a person who types the number of a choice; `shown` carry their numbers."""

    def number_of(label: str) -> int | None:
        wanted = fold(label)
        for button in shown:
            have = fold(button.label)
            if wanted and (have == wanted or wanted in have):
                return button.number
        return None

    def quoted(match: re.Match[str]) -> str:
        verb = "Gõ" if match.group(1) == "B" else "gõ"
        number = number_of(match.group(2))
        if number is None:
            return f"{'Chọn' if verb == 'Gõ' else 'chọn'} «{match.group(2)}»"
        return f"{verb} {number} («{match.group(2)}»)"

    def menu(match: re.Match[str]) -> str:
        verb = "Gõ" if match.group(1) == "B" else "gõ"
        return f"{verb} 0 (Menu)" if any(b.number == 0 for b in shown) else f"{verb} /menu"

    text = _QUOTED.sub(quoted, text)
    text = _MENU.sub(menu, text)
    for before, after in _PHRASES:
        text = text.replace(before, after)
    return _ANY.sub(lambda m: "Gõ số" if m.group(1) == "B" else "gõ số", text)
