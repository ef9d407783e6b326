"""`hocvuso content check|audio`: validate the content; pre-build the voice cache."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from bot.config import Settings
from bot.content import quiz_fairness
from bot.content.loader import Catalog, ContentError, load_catalog
from bot.content.places import load_places
from bot.speech import Speech, pronunciation
from bot.speech.encode import AudioError, probe
from bot.speech.scripts import curriculum_scripts


def add_parser(sub: Any) -> None:
    p = sub.add_parser("content", help="lesson content tools")
    p.add_argument(
        "action", choices=["check", "audio"],
        help="check: validate every lesson, places.yaml, pronunciation.yaml and recordings; "
        "audio: build the voice of every step and question",
    )
    p.set_defaults(func=run)


def _audio_problems(catalog: Catalog, settings: Settings) -> list[str]:
    problems = []
    for lesson in catalog.lessons.values():
        for i, step in enumerate(lesson.steps):
            if step.audio:
                try:
                    probe(settings.content_dir / step.audio)
                except AudioError as exc:
                    problems.append(f"lessons/{lesson.id}.yaml:steps[{i}].audio: not a playable audio file ({exc})")
    return problems


def check(settings: Settings) -> tuple[Catalog | None, list[str]]:
    problems: list[str] = []
    catalog = None
    try:
        catalog = load_catalog(settings.lessons_dir)
        problems += _audio_problems(catalog, settings)
    except ContentError as err:
        problems += err.problems
    try:
        load_places(settings.places_file)
    except ContentError as err:
        problems += err.problems
    try:
        pronunciation.load(settings.content_dir)
    except pronunciation.PronunciationError as err:
        problems += err.problems
    return catalog, problems


def build_audio(catalog: Catalog, settings: Settings) -> int:
    speech = Speech(settings.voice_cache_dir, settings.content_dir, settings.voice_words_per_minute)
    started = time.perf_counter()
    before = speech.cache.entries()
    items = curriculum_scripts(list(catalog.lessons.values()))
    for lesson, step, text in items:
        if step is not None:
            speech.step_now(lesson, step)
        else:
            speech.speak_now(text)
    made = speech.cache.entries() - before
    print(
        f"OK: {len(items)} voice messages ({made} made now) in {time.perf_counter() - started:.1f} s; "
        f"cache {settings.voice_cache_dir}: {speech.cache.size_bytes() / 1024:.0f} KiB"
    )
    return 0


async def run(args: argparse.Namespace, settings: Settings) -> int:
    catalog, problems = check(settings)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    assert catalog is not None
    if args.action == "audio":
        return build_audio(catalog, settings)
    notes = quiz_fairness.warnings(catalog)
    for note in notes:
        print(f"warning: {note}", file=sys.stderr)
    tail = f" {len(notes)} warning(s) about quizzes that give their answers away." if notes else ""
    print(f"OK: {len(catalog.lessons)} lessons ({len(catalog.core_ids)} core), places valid.{tail}")
    return 0
