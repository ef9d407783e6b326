"""`Speech`: the one object flows, commands and the web app use to get a voice message for a text."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bot.content.models import Lesson
from bot.speech import pronunciation
from bot.speech.cache import Voice, VoiceCache, text_key
from bot.speech.encode import AudioError
from bot.speech.espeak import SpeechError, engine
from bot.speech.scripts import question_script, step_script

log = logging.getLogger(__name__)
VOICE = "vi"  # eSpeak NG's Northern Vietnamese voice


class Speech:
    def __init__(self, cache_dir: Path, content_dir: Path, words_per_minute: int = 140) -> None:
        self.cache = VoiceCache(cache_dir)
        self.content_dir = content_dir
        self.words_per_minute = words_per_minute
        self.pronunciation = pronunciation.load(content_dir)
        self._engine_version = version("espeakng-loader")

    def spoken(self, text: str) -> str:
        return self.pronunciation.spoken(text)

    def key(self, text: str) -> str:
        return text_key(self.spoken(text), VOICE, self.words_per_minute, self._engine_version)

    def speak_now(self, text: str) -> Voice:
        """Blocking: the cached voice for `text`, synthesized on first use."""
        spoken = self.spoken(text)
        return self.cache.put(self.key(text), lambda: engine().synthesize(spoken, self.words_per_minute))

    def step_now(self, lesson: Lesson, index: int) -> Voice:
        """Blocking: an author's recording if the step has one, else the synthesized step."""
        audio = lesson.steps[index].audio
        if audio:
            return self.cache.put_recording(self.content_dir / audio)
        return self.speak_now(step_script(lesson, index))

    async def speak(self, text: str) -> Voice | None:
        return await self._off_loop(self.speak_now, text)

    async def step(self, lesson: Lesson, index: int) -> Voice | None:
        return await self._off_loop(self.step_now, lesson, index)

    async def question(self, lesson: Lesson, index: int) -> Voice | None:
        return await self._off_loop(self.speak_now, question_script(lesson, index))

    async def _off_loop(self, fn: Callable[..., Voice], *args: Any) -> Voice | None:
        """Run a blocking synthesis in a worker thread; on failure log it and go on without a voice
        (the person still gets the text)."""
        try:
            return await asyncio.to_thread(fn, *args)
        except (SpeechError, AudioError, OSError) as exc:
            log.error("voice message could not be made (%s); sending text only", exc)
            return None
