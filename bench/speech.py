"""Speech for the whole curriculum: synthesis time per step, cold and cached, and the cache size.

For every lesson step and quiz question (the texts `hocvuso content audio` builds), in one run:
- cold: an empty cache, so the text is spoken by eSpeak NG and encoded to OGG/Opus and AAC
  (timed separately: synthesis alone, and the whole cold path);
- cached: the same call again, which finds the two files by content hash;
then prints the median and 95th percentile per message, the ratio cold/cached, the total audio
length and the cache size on disk (both formats), per message and for the curriculum.

    .venv/bin/python bench/speech.py [--lessons N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import PROJECT_ROOT
from bot.content.loader import load_catalog
from bot.speech import Speech
from bot.speech.encode import decode
from bot.speech.espeak import engine
from bot.speech.scripts import curriculum_scripts


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _line(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    median, p95, total = statistics.median(ms), _pct(ms, 0.95), sum(ms) / 1000
    return f"{name:<28} median {median:9.3f} ms   p95 {p95:9.3f} ms   total {total:7.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=0, help="only the first N lessons (0 = all)")
    args = parser.parse_args()
    content = PROJECT_ROOT / "content"
    lessons = list(load_catalog(content / "lessons").lessons.values())
    if args.lessons:
        lessons = lessons[: args.lessons]
    items = curriculum_scripts(lessons)
    with tempfile.TemporaryDirectory() as tmp:
        speech = Speech(Path(tmp) / "voice", content)
        engine()  # load the library once, outside the timings
        synth, cold, cached, audio_seconds = [], [], [], 0.0
        for _lesson, _step, text in items:
            spoken = speech.spoken(text)
            t0 = time.perf_counter()
            pcm = engine().synthesize(spoken, speech.words_per_minute)
            synth.append(time.perf_counter() - t0)
            audio_seconds += pcm.seconds
            t0 = time.perf_counter()
            speech.speak_now(text)
            cold.append(time.perf_counter() - t0)
        for _lesson, _step, text in items:
            t0 = time.perf_counter()
            voice = speech.speak_now(text)
            cached.append(time.perf_counter() - t0)
        assert decode(voice.ogg).seconds > 1, "the last voice message is empty"
        size = speech.cache.size_bytes()
        ogg = sum(p.stat().st_size for p in speech.cache.root.glob("*.ogg"))
    steps = sum(len(x.steps) for x in lessons)
    print(f"curriculum: {len(lessons)} lessons, {steps} steps + {len(items) - steps} quiz questions "
          f"= {len(items)} voice messages, {audio_seconds / 60:.1f} min of speech")
    print(_line("synthesis only (eSpeak NG)", synth))
    print(_line("cold (synthesis + encode)", cold))
    print(_line("cached (hash lookup)", cached))
    print(f"ratio cold/cached (median): {statistics.median(cold) / statistics.median(cached):,.0f}x")
    print(f"real-time factor cold: {sum(cold) / audio_seconds:.3f} s of work per s of speech")
    print(f"cache size: {size / 1024:,.0f} KiB total ({ogg / 1024:,.0f} KiB OGG/Opus + "
          f"{(size - ogg) / 1024:,.0f} KiB AAC), {size / len(items) / 1024:.1f} KiB per message")


if __name__ == "__main__":
    main()
