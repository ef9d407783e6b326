"""PCM <-> voice files through PyAV (FFmpeg's libraries, shipped in the `av` wheel).

- OGG/Opus for Telegram's sendVoice (Telegram shows it as a playable voice message);
- AAC in an ADTS stream (`.aac`) for Zalo's sendVoice, which takes a public `.aac` URL;
- any audio an author records (OGG, MP3, M4A, WAV...) decodes to PCM for re-encoding.
Voice is mono at 16 kHz (what Zalo itself sends); speech needs no more.
"""

from __future__ import annotations

import io
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.audio.resampler

from bot.speech.espeak import Pcm

Format = Literal["ogg", "aac"]
SAMPLE_RATE = 16_000
_CODECS: dict[Format, tuple[str, str, int]] = {  # container, codec, bit rate
    "ogg": ("ogg", "libopus", 16_000),
    "aac": ("adts", "aac", 24_000),
}


class AudioError(ValueError):
    """A file is not audio PyAV can decode."""


def _resampler(rate: int) -> av.audio.resampler.AudioResampler:
    return av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=rate)


def encode(pcm: Pcm, fmt: Format) -> bytes:
    """Encode mono s16 PCM as an OGG/Opus or ADTS AAC file."""
    container_name, codec, bit_rate = _CODECS[fmt]
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container_name) as out:
        stream = out.add_stream(codec, rate=SAMPLE_RATE)
        assert isinstance(stream, av.AudioStream)
        stream.bit_rate = bit_rate
        stream.layout = "mono"
        frame = av.AudioFrame(format="s16", layout="mono", samples=len(pcm.samples) // 2)
        frame.planes[0].update(pcm.samples)
        frame.sample_rate = pcm.sample_rate
        frame.time_base = Fraction(1, pcm.sample_rate)
        frame.pts = 0
        for converted in _resampler(SAMPLE_RATE).resample(frame) + _resampler(SAMPLE_RATE).resample(None):
            for packet in stream.encode(converted):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def decode(source: Path | bytes, rate: int = SAMPLE_RATE) -> Pcm:
    """Decode any audio file to mono s16 PCM at `rate`."""
    try:
        with av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "r") as container:
            if not container.streams.audio:
                raise AudioError("no audio stream")
            resampler = _resampler(rate)
            parts: list[bytes] = []
            for frame in container.decode(audio=0):
                parts += [bytes(f.planes[0])[: f.samples * 2] for f in resampler.resample(frame)]
            parts += [bytes(f.planes[0])[: f.samples * 2] for f in resampler.resample(None)]
    except av.error.FFmpegError as exc:
        raise AudioError(str(exc)) from exc
    return Pcm(b"".join(parts), rate)


def probe(path: Path) -> tuple[str, str]:
    """(container format name, first audio codec name) of a file; AudioError if it has no audio."""
    try:
        with av.open(str(path), "r") as container:
            if not container.streams.audio:
                raise AudioError("no audio stream")
            return container.format.name, container.streams.audio[0].codec_context.name
    except av.error.FFmpegError as exc:
        raise AudioError(str(exc)) from exc
