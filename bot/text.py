"""Vietnamese text helpers: diacritics-insensitive folding for matching what people type."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w\s]")


def fold(text: str, keep: str = "") -> str:
    """Lowercase, strip diacritics (đ → d), drop punctuation except the characters in `keep`,
    collapse spaces.

    "Quét mã QR!" → "quet ma qr"; fold("20/12 8:30", keep="/:") → "20/12 8:30".
    """
    text = text.lower().replace("đ", "d")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    non_word = re.compile(rf"[^\w\s{re.escape(keep)}]") if keep else _NON_WORD
    text = non_word.sub(" ", text)
    return _SPACES.sub(" ", text).strip()
