"""«🔊 Nghe»: offline Vietnamese speech — what is said, that it is audible, cached once, and that an
author's recording is played instead of the synthesized voice."""

from __future__ import annotations

import array
import math
import re
import shutil
from fractions import Fraction
from pathlib import Path

import av
import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.content.loader import load_catalog
from bot.speech import Speech
from bot.speech.encode import decode, probe
from bot.speech.espeak import engine
from bot.speech.pronunciation import PronunciationError, load, parse
from bot.speech.scripts import curriculum_scripts
from tests.support.cli import run_cli

CONTENT = PROJECT_ROOT / "content"


def rms(path: Path) -> tuple[float, float]:
    """(seconds, RMS level of 16-bit samples) of a decoded audio file."""
    pcm = decode(path)
    samples = array.array("h", pcm.samples)
    return pcm.seconds, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def test_the_table_spells_out_what_a_vietnamese_voice_would_misread() -> None:
    table = load(CONTENT)
    said = table.spoken("Gọi 113 ngay. Cài VNeID, không đọc mã OTP qua SMS, quét mã QR trên Zalo, mang CCCD.")
    assert said == (
        "Gọi một một ba ngay. Cài vê en e ai đi, không đọc mã ô tê pê qua ét em ét, "
        "quét mã kiu a trên da lô, mang căn cước công dân."
    )
    # case matters: «AI» is the abbreviation, «ai» the Vietnamese word «who»
    assert table.spoken("Hỏi ai? Trợ lý AI.") == "Hỏi ai? Trợ lý ây ai."
    # times, dates, emoji and line breaks
    assert table.spoken("📘 Lớp lúc 8h30\nngày 20/12/2025") == "Lớp lúc 8 giờ 30.\nngày 20 tháng 12 năm 2025"


def test_every_word_of_the_curriculum_is_said_in_vietnamese() -> None:
    """After the table, eSpeak switches to no other language for any word of any step, question or
    choice, no all-capital abbreviation is left to be read as a syllable, and every other word of
    the text is said as written (the voice and the text say the same thing)."""
    table = load(CONTENT)
    catalog = load_catalog(CONTENT / "lessons")
    foreign: set[str] = set()
    for _lesson, _step, text in curriculum_scripts(list(catalog.lessons.values())):
        said = table.spoken(text)
        for word in set(re.findall(r"[^\s.,:;!?()«»\"“”]+", said)):
            if "(en)" in engine().phonemes(word) or re.fullmatch(r"[A-Z]{2,}", word):
                foreign.add(word)
        shown = text
        for key in sorted(table.words, key=len, reverse=True):
            shown = shown.replace(key, " ")
        assert all(word in said for word in re.findall(r"\w+", shown)), text
    assert not foreign, f"add these to content/pronunciation.yaml: {sorted(foreign)}"


def test_a_bad_table_is_reported_by_field() -> None:
    with pytest.raises(PronunciationError) as err:
        parse({"OTP": "", "QR": ["kiu", "a"]}, "pronunciation.yaml")
    assert err.value.problems == [
        "pronunciation.yaml:OTP: say how the word is read (non-empty text)",
        "pronunciation.yaml:QR: say how the word is read (non-empty text)",
    ]


def test_a_step_is_a_playable_voice_for_both_channels_made_once(tmp_path: Path) -> None:
    speech = Speech(tmp_path / "voice", CONTENT)
    lesson = load_catalog(CONTENT / "lessons").get("qr-thanh-toan")
    assert lesson is not None
    voice = speech.step_now(lesson, 0)
    assert probe(voice.ogg) == ("ogg", "opus")  # Telegram sendVoice
    assert probe(voice.aac) == ("aac", "aac")  # Zalo sendVoice takes an .aac URL (ADTS)
    for path in (voice.ogg, voice.aac):
        seconds, level = rms(path)
        assert seconds > 5 and level > 500, (path, seconds, level)  # several seconds, not silence
    stamp = voice.ogg.stat().st_mtime_ns
    assert speech.step_now(lesson, 0) == voice and voice.ogg.stat().st_mtime_ns == stamp  # cached
    assert speech.cache.entries() == 1
    assert speech.step_now(lesson, 1) != voice  # another text, another entry
    assert speech.key("Mã QR") != Speech(tmp_path / "v2", CONTENT, words_per_minute=120).key("Mã QR")


def write_tone(path: Path, seconds: float, hz: float = 440.0) -> None:
    rate = 16_000
    samples = array.array("h", (int(8000 * math.sin(2 * math.pi * hz * i / rate)) for i in range(int(seconds * rate))))
    with av.open(str(path), "w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=rate)
        stream.layout = "mono"  # type: ignore[union-attr]
        frame = av.AudioFrame(format="s16", layout="mono", samples=len(samples))
        frame.planes[0].update(samples.tobytes())
        frame.sample_rate, frame.time_base, frame.pts = rate, Fraction(1, rate), 0
        for packet in stream.encode(frame):  # type: ignore[union-attr]
            out.mux(packet)
        for packet in stream.encode(None):  # type: ignore[union-attr]
            out.mux(packet)


def make_content(tmp_path: Path, audio: str | None) -> Path:
    content = tmp_path / "content"
    (content / "lessons").mkdir(parents=True)
    (content / "media").mkdir()
    for name in ("places.yaml", "pronunciation.yaml"):
        shutil.copy(CONTENT / name, content / name)
    lesson = yaml.safe_load((CONTENT / "lessons" / "otp-mat-khau.yaml").read_text(encoding="utf-8"))
    lesson["steps"][0].pop("image", None)
    if audio:
        lesson["steps"][0]["audio"] = audio
    (content / "lessons" / "otp-mat-khau.yaml").write_text(yaml.safe_dump(lesson, allow_unicode=True), "utf-8")
    return content


def test_an_authors_recording_is_played_instead_of_the_synthesized_voice(tmp_path: Path) -> None:
    content = make_content(tmp_path, "media/otp-buoc-1.wav")
    write_tone(content / "media" / "otp-buoc-1.wav", 2.0)
    lesson = load_catalog(content / "lessons").get("otp-mat-khau")
    assert lesson is not None
    speech = Speech(tmp_path / "voice", content)
    recorded, synthesized = speech.step_now(lesson, 0), speech.step_now(lesson, 1)
    assert probe(recorded.ogg) == ("ogg", "opus")
    assert abs(rms(recorded.ogg)[0] - 2.0) < 0.1 and abs(rms(recorded.aac)[0] - 2.0) < 0.15
    assert rms(synthesized.ogg)[0] > 3


def test_content_check_reports_a_missing_or_unplayable_recording(tmp_path: Path) -> None:
    content = make_content(tmp_path, "media/khong-co.ogg")
    done = run_cli("content", "check", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", CONTENT_DIR=str(content))
    assert done.returncode == 1
    assert "lessons/otp-mat-khau.yaml:steps[0].audio: file media/khong-co.ogg not found under content/" in done.stderr

    content = make_content(tmp_path / "b", "media/hong.ogg")
    (content / "media" / "hong.ogg").write_bytes(b"day khong phai am thanh")
    (content / "pronunciation.yaml").write_text("OTP:\n", encoding="utf-8")
    done = run_cli("content", "check", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db", CONTENT_DIR=str(content))
    assert done.returncode == 1
    assert "lessons/otp-mat-khau.yaml:steps[0].audio: not a playable audio file" in done.stderr
    assert "content/pronunciation.yaml:OTP: say how the word is read (non-empty text)" in done.stderr


def test_content_audio_prebuilds_the_cache_once(tmp_path: Path) -> None:
    content = make_content(tmp_path, None)
    env = {"CONTENT_DIR": str(content), "VOICE_CACHE_DIR": str(tmp_path / "voice")}
    url = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    first = run_cli("content", "audio", database_url=url, **env)
    assert first.returncode == 0, first.stderr
    lesson = load_catalog(content / "lessons").get("otp-mat-khau")
    assert lesson is not None
    count = len(lesson.steps) + len(lesson.quiz.questions)
    assert f"OK: {count} voice messages ({count} made now)" in first.stdout
    assert len(list((tmp_path / "voice").glob("*.ogg"))) == count
    again = run_cli("content", "audio", database_url=url, **env)
    assert f"OK: {count} voice messages (0 made now)" in again.stdout
    # what the flows ask for is what the command built
    assert Speech(tmp_path / "voice", content).cache.get(Speech(tmp_path / "v", content).key("x")) is None
    assert Speech(tmp_path / "voice", content).step_now(lesson, 2).ogg.parent == tmp_path / "voice"
    assert len(list((tmp_path / "voice").glob("*.ogg"))) == count
