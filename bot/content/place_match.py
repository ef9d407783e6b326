"""Finding the commune or village a person typed: diacritics, spacing and small typos ignored, and the
village words (thôn, xóm, bản, tổ, ấp…) interchangeable — «xom3» finds «Thôn 3», «ha lonh» «Xã Hà Long».

Names and queries are reduced to a key (folded, the leading administrative word dropped, no spaces),
then compared with rapidfuzz. Numbers never match approximately: «thôn 3» is not «thôn 13».
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.text import fold

COMMUNE_WORDS = ("xa", "phuong", "thi tran", "tt")
VILLAGE_WORDS = ("to dan pho", "tdp", "thon", "xom", "ban", "to", "ap", "khu", "khom", "lang", "doi", "so")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_DIGITS = re.compile(r"[0-9]+")
CUTOFF = 75.0  # rapidfuzz ratio (0..100) below which a name is not offered at all
CLEAR_LEAD = 8.0  # the best guess must beat the next by this much to be offered alone


@dataclass(frozen=True)
class Found:
    """What a typed name found: `ids` best first; `exact` when the key is equal (no need to confirm)."""

    ids: tuple[str, ...]
    exact: bool = False

    @property
    def single(self) -> str | None:
        return self.ids[0] if len(self.ids) == 1 else None


def key(name: str, words: tuple[str, ...]) -> str:
    """«Thôn Đồng Xá» → «dongxa», «xom3» → «3», «Xã Hà Long» → «halong»."""
    text = _LETTER_DIGIT.sub(" ", fold(name))
    for word in sorted(words, key=len, reverse=True):
        if text.startswith(word + " "):
            text = text[len(word) + 1 :]
            break
    return text.replace(" ", "")


def find(names: Mapping[str, str], query: str, words: tuple[str, ...]) -> Found:
    """The ids of `names` (id → display name) that `query` means; empty when nothing is close."""
    q = key(query, words)
    if not q:
        return Found(())
    keys = {pid: key(name, words) for pid, name in names.items()}
    exact = tuple(pid for pid, k in keys.items() if k == q)
    if exact:
        return Found(exact, exact=True)
    digits = _DIGITS.findall(q)
    comparable = {pid: k for pid, k in keys.items() if _DIGITS.findall(k) == digits}
    scored = {pid: score for _, score, pid in process.extract(q, comparable, scorer=fuzz.ratio, limit=None)}
    if len(q) >= 3:  # a part of the name: «trung» for «Trung Sơn»
        scored |= {pid: max(scored[pid], 90.0) for pid, k in comparable.items() if q in k}
    ranked = sorted(((pid, s) for pid, s in scored.items() if s >= CUTOFF), key=lambda t: -t[1])
    if not ranked:
        return Found(())
    best = ranked[0][1]
    return Found(tuple(pid for pid, s in ranked if best - s < CLEAR_LEAD))
