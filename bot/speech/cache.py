"""Voice files cached by content hash: a text (or an author's recording) is encoded once.

Each entry is two files with the same name: `<sha256>.ogg` (OGG/Opus, Telegram) and `<sha256>.aac`
(ADTS AAC, Zalo). The key covers what changes the sound: the engine version, the voice, the speed
and the spoken text (after the pronunciation table), or the recording's bytes. Files are written to
a temporary name and renamed, so a crash never leaves half a file under a real name and two
processes writing the same entry write the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.speech.encode import Format, decode, encode
from bot.speech.espeak import Pcm

FORMATS: tuple[Format, ...] = ("aac", "ogg")  # the .ogg is written last: its presence marks a full entry
CACHE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class Voice:
    """One cached voice message in both formats."""

    ogg: Path
    aac: Path

    @property
    def name(self) -> str:
        return self.ogg.stem


class VoiceCache:
    def __init__(self, root: Path) -> None:
        self.root = root

    def paths(self, key: str) -> Voice:
        return Voice(self.root / f"{key}.ogg", self.root / f"{key}.aac")

    def get(self, key: str) -> Voice | None:
        voice = self.paths(key)
        return voice if voice.ogg.is_file() and voice.aac.is_file() else None

    def put(self, key: str, make_pcm: Callable[[], Pcm]) -> Voice:
        """The entry for `key`, making and encoding it first if it is not there."""
        found = self.get(key)
        if found is not None:
            return found
        pcm = make_pcm()
        self.root.mkdir(parents=True, exist_ok=True)
        voice = self.paths(key)
        for fmt in FORMATS:
            _write_atomic(voice.ogg if fmt == "ogg" else voice.aac, encode(pcm, fmt))
        return voice

    def put_recording(self, recording: Path) -> Voice:
        """An author's recorded file, re-encoded for both channels (keyed by its bytes)."""
        data = recording.read_bytes()
        return self.put(recording_key(data), lambda: decode(data))

    def entries(self) -> int:
        return sum(1 for _ in self.root.glob("*.ogg")) if self.root.is_dir() else 0

    def size_bytes(self) -> int:
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.iterdir() if p.suffix in (".ogg", ".aac"))


def text_key(spoken: str, voice: str, words_per_minute: int, engine_version: str) -> str:
    material = "\x1f".join([CACHE_VERSION, engine_version, voice, str(words_per_minute), spoken])
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def recording_key(data: bytes) -> str:
    return hashlib.sha256(CACHE_VERSION.encode() + b"\x1frecording\x1f" + data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
