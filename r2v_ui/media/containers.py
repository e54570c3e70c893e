"""What a video and a voice sample share: their container's facts read with PyAV's demuxer from the
header alone (nothing is decoded) — which container, whether it holds a picture track or only
sound, the picture's size, the duration (from the header, else from the last packets' timestamps) —
and how a clip's seconds are said.  The rules are checked by video.py and audio.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
from av.container import InputContainer
from av.stream import Disposition, Stream

from .report import AUDIO, FORMAT_LABELS, READ_ERRORS, VIDEO

ISO_MEDIA = "mov,mp4,m4a,3gp,3g2,mj2"  # PyAV's one demuxer name for both MP4 and MOV
AUDIO_CONTAINERS = {"mp3": "MP3", "wav": "WAV", "flac": "FLAC"}  # demuxer name → the format's name
_NOT_A_CONTAINER = {"image2", "tty"}  # ffmpeg guesses these from the extension alone


@dataclass(frozen=True)
class AvFacts:
    container: str  # PyAV demuxer name
    label: str  # what to call it in a sentence when refused
    kind: str  # VIDEO or AUDIO, from the content
    width: int | None
    height: int | None
    duration: float | None


def av_facts(path: Path) -> AvFacts | None:
    """Container facts from the header only; None when ffmpeg does not see a media container."""
    try:
        with av.open(str(path), mode="r", metadata_errors="ignore") as c:
            name = c.format.name
            if name in _NOT_A_CONTAINER or name.endswith("_pipe"):
                return None
            label = FORMAT_LABELS.get(name) or c.format.long_name or name
            videos = [s for s in c.streams.video if not (s.disposition & Disposition.attached_pic)]
            audios = list(c.streams.audio)
            if name in AUDIO_CONTAINERS or (audios and not videos):
                kind, stream = AUDIO, (audios[0] if audios else None)
            elif videos:
                kind, stream = VIDEO, videos[0]
            else:
                return None
            width = height = None
            if kind == VIDEO:
                width, height = stream.codec_context.width or None, stream.codec_context.height or None
            duration = _duration(c, stream) if stream is not None else None
            return AvFacts(name, label, kind, width, height, duration)
    except READ_ERRORS:
        return None


def av_kind(path: Path) -> str | None:
    facts = av_facts(path)
    return facts.kind if facts else None


def _duration(c: InputContainer, stream: Stream) -> float | None:
    if c.duration and c.duration > 0:
        return c.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    rate = getattr(stream, "average_rate", None)
    if stream.frames and rate:
        return float(stream.frames / rate)
    return _duration_from_last_packets(c, stream)


def _duration_from_last_packets(c: InputContainer, stream: Stream, max_packets: int = 20_000) -> float | None:
    """Headers silent: jump near the end and read (not decode) the last packets' timestamps."""
    try:
        c.seek(2**62, backward=True, any_frame=True, stream=stream)
    except READ_ERRORS:
        return None  # cannot jump: rather than read the whole file, say we cannot tell
    end = None
    for i, packet in enumerate(c.demux(stream)):
        if packet.pts is not None:
            stop = packet.pts + (packet.duration or 0)
            end = stop if end is None else max(end, stop)
        if i >= max_packets:
            break
    if end is None or not stream.time_base:
        return None
    start = stream.start_time or 0
    return float((end - start) * stream.time_base)


def seconds(d: float, *limits: float) -> str:
    """Seconds (the number; the sentence gives the unit) with one decimal, or more when one decimal
    would make it look like a limit."""
    for digits in (1, 2, 3):
        text = f"{d:.{digits}f}"
        if all(float(text) != lim for lim in limits):
            return text
    return f"{d:.3f}"


def span(rules) -> dict[str, str]:
    """The allowed duration, for a sentence: {"lo": "1", "hi": "30"}."""
    return {"lo": f"{rules.duration_min:g}", "hi": f"{rules.duration_max:g}"}
