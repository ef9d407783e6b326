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


# Never useful in a chat message, and some cannot be stored (NUL in PostgreSQL) or encoded (lone
# surrogates in UTF-8): C0/C1 controls but tab and newline, surrogates, noncharacters, bidi overrides.
_NONCHARACTERS = "".join(f"{chr(p * 0x10000 + 0xFFFE)}{chr(p * 0x10000 + 0xFFFF)}" for p in range(17))
_UNWANTED = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\u202a-\u202e\u2066-\u2069"
    + re.escape(_NONCHARACTERS)
    + "]"
)
NAME_LIMIT = 128


def clean_platform_text(text: str) -> str:
    """Text from a platform (message, caption, name, payload) as the rest of the bot may use it:
    line ends as "\n", unwanted code points dropped, composed (NFC) like what people type."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _UNWANTED.sub("", text))


def clean_display_name(name: str | None) -> str | None:
    """A person's display name on one line, at most NAME_LIMIT characters; None if nothing is left."""
    if name is None:
        return None
    return _SPACES.sub(" ", clean_platform_text(name)).strip()[:NAME_LIMIT] or None

