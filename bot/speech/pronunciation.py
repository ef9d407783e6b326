"""What the voice says for a text: the text itself, with words a Vietnamese voice would misread
spelled out (content/pronunciation.yaml), times and dates in words, and no emoji.

The table maps a word as written to how it is said, e.g. `VNeID: vê en e ai đi`, `113: một một ba`.
Matching is case-sensitive (`AI` is the abbreviation, `ai` the Vietnamese word) and on whole words;
longer entries win (`dichvucong.gov.vn` before `gov`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path

import yaml

FILE_NAME = "pronunciation.yaml"
_TIME = re.compile(r"(?<![\w/])(\d{1,2})h(\d{2})?(?!\w)")
_DATE = re.compile(r"(?<![\w/])(?:ngày )?(\d{1,2})/(\d{1,2})/(\d{4})(?![\w/])")
_LINE_END = re.compile(r"(?<![.!?:;,…])\n")
_SPACES = re.compile(r"[ \t]+")


class PronunciationError(ValueError):
    """The table is not a mapping of words to non-empty spoken forms; `problems` says where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _is_symbol(ch: str) -> bool:
    """Emoji, arrows, pictographs and their joiners: shown to the eye, not said."""
    return unicodedata.category(ch) in ("So", "Sk", "Cf") or 0xFE00 <= ord(ch) <= 0xFE0F


class Pronunciation:
    """A table of words and how they are said."""

    def __init__(self, words: Mapping[str, str]) -> None:
        self.words = dict(words)
        keys = sorted(self.words, key=len, reverse=True)
        pattern = "|".join(re.escape(k) for k in keys) or r"(?!)"
        self._pattern = re.compile(rf"(?<![\w@])(?:{pattern})(?![\w@])")

    def spoken(self, text: str) -> str:
        """The sentence the voice reads for `text`."""
        out = "".join(" " if _is_symbol(ch) else ch for ch in text)
        out = self._pattern.sub(lambda m: self.words[m.group(0)], out)
        out = _DATE.sub(lambda m: f"ngày {m[1]} tháng {m[2]} năm {m[3]}", out)
        out = _TIME.sub(lambda m: f"{m[1]} giờ" + (f" {m[2]}" if m[2] else ""), out)
        out = _LINE_END.sub(".\n", out.strip())  # a line break is a pause, as on the screen
        return "\n".join(_SPACES.sub(" ", line).strip() for line in out.splitlines() if line.strip())


def parse(raw: object, source: str = FILE_NAME) -> Pronunciation:
    problems: list[str] = []
    if not isinstance(raw, dict):
        raise PronunciationError([f"{source}:(file): expected a mapping `word: how it is said`"])
    words: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str | int) or not str(key).strip():
            problems.append(f"{source}:{key!r}: a word must be non-empty text")
        elif not isinstance(value, str) or not value.strip():
            problems.append(f"{source}:{key}: say how the word is read (non-empty text)")
        else:
            words[str(key).strip()] = value.strip()
    if problems:
        raise PronunciationError(problems)
    return Pronunciation(words)


def load(content_dir: Path) -> Pronunciation:
    """The content folder's table; an empty one if the file is absent."""
    path = content_dir / FILE_NAME
    if not path.is_file():
        return Pronunciation({})
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PronunciationError([f"{FILE_NAME}:(file): not valid YAML: {str(exc).splitlines()[0]}"]) from exc
    return parse(raw or {}, f"{content_dir.name}/{FILE_NAME}")
