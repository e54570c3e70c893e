"""Videos and voice clips: what a user sees when they add one (tiny files encoded here with PyAV)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from r2v_ui.media import probe
from r2v_ui.spec import AUDIO_RULES

pytestmark = pytest.mark.timeout(60)


def _video(path: Path, seconds: float, size=(240, 240), fps=2, fmt=None, options=None) -> Path:
    with av.open(str(path), "w", format=fmt, options=options or {}) as c:
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height, s.pix_fmt = size[0], size[1], "yuv420p"
        s.options = {"g": "600"}  # one keyframe: tiny and quick
        frame = av.VideoFrame.from_ndarray(np.full((size[1], size[0], 3), 90, np.uint8), format="rgb24")
        for i in range(int(seconds * fps)):
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            c.mux(s.encode(frame))
        c.mux(s.encode())
    return path


def _sound(path: Path, seconds: float, codec: str, rate=8000) -> Path:
    with av.open(str(path), "w") as c:
        s = c.add_stream(codec, rate=rate, layout="mono")
        fmt = s.codec_context.codec.audio_formats[0].name if codec != "pcm_s16le" else "s16"
        chunk = 1152
        n, pts = int(seconds * rate), 0
        t = np.arange(n) / rate
        wave = 0.3 * np.sin(2 * np.pi * 220 * t)
        while pts < n:
            part = wave[pts:pts + chunk]
            if fmt.startswith("s16"):
                data = (part * 32767).astype(np.int16)
            elif fmt.startswith("s32"):
                data = (part * 2**31 - 1).astype(np.int32)
            else:
                data = part.astype(np.float32)
            frame = av.AudioFrame.from_ndarray(data.reshape(1, -1), format=fmt, layout="mono")
            frame.sample_rate, frame.pts = rate, pts
            c.mux(s.encode(frame))
            pts += len(part)
        c.mux(s.encode())
    return path


def test_mp4_video_is_accepted_with_its_duration(tmp_path):
    src = _video(tmp_path / "walk.mp4", 3, size=(320, 240))
    r = probe(src, "video")
    assert (r.verdict, r.kind, r.format, r.content_type) == ("accepted", "video", "MP4", "video/mp4")
    assert (r.width, r.height) == (320, 240)
    assert r.duration == pytest.approx(3.0, abs=0.6)
    assert r.path == src and "walk.mp4" in r.message


def test_mov_video_is_accepted_as_quicktime(tmp_path):
    r = probe(_video(tmp_path / "turn.mov", 2, fmt="mov"))
    assert (r.verdict, r.kind, r.format, r.content_type) == ("accepted", "video", "MOV", "video/quicktime")


def test_31_second_video_is_refused_and_user_is_told_to_trim(tmp_path):
    r = probe(_video(tmp_path / "long.mp4", 31), "video")
    assert r.verdict == "refused"
    assert "long.mp4 is 31" in r.message and "1–30 s" in r.message and "trim" in r.message


def test_half_second_video_is_refused(tmp_path):
    r = probe(_video(tmp_path / "blink.mp4", 0.5, fps=4), "video")
    assert r.verdict == "refused" and "blink.mp4" in r.message and "1–30 s" in r.message


def test_tiny_video_is_refused_for_its_size(tmp_path):
    r = probe(_video(tmp_path / "small.mp4", 2, size=(160, 240)), "video")
    assert r.verdict == "refused" and "small.mp4 is 160×240 px" in r.message and "240 px" in r.message


def test_cut_off_mp4_is_refused(tmp_path):
    whole = _video(tmp_path / "whole.mp4", 4, size=(320, 320)).read_bytes()
    src = tmp_path / "cut.mp4"
    src.write_bytes(whole[: len(whole) - 200])
    r = probe(src, "video")
    assert r.verdict == "refused" and "cut.mp4" in r.message


def test_mp4_cut_off_inside_its_video_data_is_refused(tmp_path):
    whole = _video(tmp_path / "whole.mp4", 4, size=(320, 320), options={"movflags": "faststart"}).read_bytes()
    assert whole[4:8] == b"ftyp" and whole.find(b"moov") < whole.find(b"mdat")  # header first, data last
    src = tmp_path / "cut.mp4"
    src.write_bytes(whole[: len(whole) - 100])
    r = probe(src, "video")
    assert r.verdict == "refused" and r.message.startswith("cut.mp4 seems cut off")


def test_video_over_100_mb_is_refused_without_reading_it(tmp_path):
    src = tmp_path / "huge.mp4"
    with open(src, "wb") as fh:  # sparse: 101 MB on paper, nothing on disk, nothing readable
        fh.truncate(101 * 1024 * 1024)
    r = probe(src, "video")
    assert r.verdict == "refused" and "huge.mp4 is 101 MB;" in r.message and "100 MB" in r.message


def test_voice_clip_over_the_byte_cap_is_refused(tmp_path):
    src = tmp_path / "speech.wav"
    with open(src, "wb") as fh:
        fh.truncate(AUDIO_RULES.max_bytes + 1)
    r = probe(src, "audio")
    assert r.verdict == "refused" and "speech.wav" in r.message and f"{AUDIO_RULES.max_bytes // (1024 * 1024)} MB" in r.message


def test_mkv_video_is_refused_with_the_formats_the_service_takes(tmp_path):
    path = tmp_path / "clip.mkv"
    with av.open(str(path), "w") as c:
        s = c.add_stream("mpeg4", rate=2)  # codec does not matter: the container is refused
        s.width = s.height = 240
        s.pix_fmt = "yuv420p"
        for i in range(4):
            frame = av.VideoFrame.from_ndarray(np.zeros((240, 240, 3), np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 2)
            c.mux(s.encode(frame))
        c.mux(s.encode())
    r = probe(path)
    assert r.verdict == "refused" and "clip.mkv" in r.message and "MP4 or MOV" in r.message


def test_two_second_voice_clip_is_refused_as_too_short(tmp_path):
    r = probe(_sound(tmp_path / "hello.wav", 2, "pcm_s16le"), "audio")
    assert r.verdict == "refused"
    assert "hello.wav is 2.0 s long" in r.message and "3–30 s" in r.message and "longer" in r.message


@pytest.mark.parametrize(
    "name, codec, fmt, content_type",
    [
        ("voice.wav", "pcm_s16le", "WAV", "audio/wav"),
        ("voice.flac", "flac", "FLAC", "audio/flac"),
        ("voice.mp3", "libmp3lame", "MP3", "audio/mpeg"),
    ],
)
def test_five_second_voice_clip_is_accepted(tmp_path, name, codec, fmt, content_type):
    if codec not in av.codecs_available:
        pytest.skip(f"this PyAV build has no {codec} encoder")
    src = _sound(tmp_path / name, 5, codec, rate=44100 if codec == "libmp3lame" else 8000)
    r = probe(src)
    assert (r.verdict, r.kind, r.format, r.content_type) == ("accepted", "audio", fmt, content_type)
    assert r.duration == pytest.approx(5.0, abs=0.2)
    assert name in r.message


def test_sound_given_as_video_is_told_it_has_no_picture(tmp_path):
    r = probe(_sound(tmp_path / "song.wav", 4, "pcm_s16le"), "video")
    assert r.verdict == "refused" and "song.wav has no picture track" in r.message


def test_cut_off_wav_is_refused(tmp_path):
    whole = _sound(tmp_path / "whole.wav", 5, "pcm_s16le").read_bytes()
    src = tmp_path / "cut.wav"
    src.write_bytes(whole[: len(whole) // 2])
    r = probe(src, "audio")
    assert r.verdict == "refused" and "cut.wav" in r.message and "cut off" in r.message
