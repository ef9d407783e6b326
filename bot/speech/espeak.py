"""Offline Vietnamese speech synthesis: eSpeak NG through ctypes, from the `espeakng-loader` wheel.

The wheel ships `libespeak-ng.so` and its data (voices and dictionaries, Vietnamese included), so
nothing is downloaded and no system package is needed. The library keeps global state and is not
thread-safe: every call holds one process-wide lock (callers run it in a worker thread).
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import espeakng_loader

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_RATE = 1  # espeak_PARAMETER espeakRATE (words per minute)
_PHONEMES_ASCII = 0

_Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class SpeechError(RuntimeError):
    """The speech engine could not be loaded or could not speak a text."""


@dataclass(frozen=True, slots=True)
class Pcm:
    """Signed 16-bit little-endian mono samples."""

    samples: bytes
    sample_rate: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / 2 / self.sample_rate


class ESpeak:
    """One loaded eSpeak NG library with a Vietnamese voice selected."""

    def __init__(self, voice: str = "vi") -> None:
        try:
            self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        except OSError as exc:
            raise SpeechError(f"cannot load libespeak-ng: {exc}") from exc
        lib = self._lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [_Callback]
        lib.espeak_Synth.argtypes = [
            ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint,
            ctypes.c_void_p, ctypes.c_void_p,
        ]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        data = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data, _INITIALIZE_DONT_EXIT))
        if self.sample_rate <= 0:
            raise SpeechError("eSpeak NG did not initialise (data folder missing?)")
        if lib.espeak_SetVoiceByName(voice.encode()) != 0:
            raise SpeechError(f"eSpeak NG has no voice {voice!r}")
        self.voice = voice
        self._chunks: list[bytes] = []
        self._callback = _Callback(self._collect)  # kept referenced: the library holds the pointer
        lib.espeak_SetSynthCallback(self._callback)
        self._lock = threading.Lock()

    def _collect(self, wav: Any, count: int, _events: Any) -> int:
        if wav and count > 0:
            self._chunks.append(ctypes.string_at(wav, count * 2))
        return 0

    def synthesize(self, text: str, words_per_minute: int) -> Pcm:
        """Speak `text` (plain UTF-8 text) at `words_per_minute`; blocks until done."""
        data = text.encode("utf-8")
        with self._lock:
            self._chunks = []
            self._lib.espeak_SetParameter(_RATE, words_per_minute, 0)
            status = self._lib.espeak_Synth(data, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            samples = b"".join(self._chunks)
            self._chunks = []
        if status != 0:
            raise SpeechError(f"eSpeak NG could not speak the text (error {status})")
        return Pcm(samples, self.sample_rate)

    def phonemes(self, text: str) -> str:
        """eSpeak's phoneme mnemonics for `text`; a switch to another language shows as `(en)...(vi)`."""
        out: list[str] = []
        with self._lock:
            pointer = ctypes.c_char_p(text.encode("utf-8"))
            while pointer.value:
                chunk = self._lib.espeak_TextToPhonemes(ctypes.byref(pointer), _CHARS_UTF8, _PHONEMES_ASCII)
                if chunk:
                    out.append(chunk.decode("utf-8", "replace"))
        return " ".join(out)


@lru_cache(maxsize=1)
def engine() -> ESpeak:
    """The process's one eSpeak NG (the library is a process-wide singleton anyway)."""
    return ESpeak()
