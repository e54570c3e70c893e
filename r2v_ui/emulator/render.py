"""Render an honest preview MP4 from the references.

The clip is H.264 (yuv420p, moov atom first so a browser starts playing before the download
ends) of exactly the requested duration, with an AAC track exactly when audio is on.  It is drawn
at the requested aspect, scaled down to a preview's size when `RenderJob.long_side` says so (the
emulator's `preview_long_side`, 640 px by default: a 1080P request is drawn at 640×360, about a
ninth of the pixels); the label says both sizes.
It shows the references moving (stills panned, reference videos playing), the prompt as a
caption, a "PREVIEW" label, and a mark in the lower-right corner when watermark is on.

Speed matters more than beauty: a 5 s 1080P clip must render in a few seconds on two cores.
So the clip runs at a low frame rate, everything static (background, caption, label, mark) is
drawn once into the background, the references only ever move inside the middle band (no
per-frame alpha blending), and x264 runs with preset ultrafast.

Run ``python -m r2v_ui.emulator.render --bench`` to print seconds per clip.
"""

from __future__ import annotations

import argparse
import logging
import math
import random
import re
import tempfile
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageOps

from ..atomic_files import atomic_path
from ..fonts import CJK_FONT_PACKAGE, has_cjk_font  # noqa: F401  (the renderer's font check, as before)
from ..fonts import font as _font
from ..fonts import warn_once_without_cjk as _warn_once_without_cjk

FPS = 12
AUDIO_RATE = 48_000
MAX_DISTINCT_VIDEO_FRAMES = 36

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reference:
    kind: str  # "image" | "video"
    path: Path
    voice: Path | None = None


@dataclass(frozen=True)
class RenderJob:
    references: tuple[Reference, ...]
    prompt: str
    width: int
    height: int
    duration: int
    audio: bool = True
    watermark: bool = False
    seed: int = 0
    shot_type: str = "single"
    fps: int = FPS
    long_side: int = 0  # draw at most this many pixels on the longest side; 0: at the requested size

    @property
    def drawn_size(self) -> tuple[int, int]:
        """The size the clip is drawn at: the requested size, scaled down so that its longest side is
        at most `long_side`, in even numbers (yuv420p)."""
        scale = min(1.0, self.long_side / max(self.width, self.height)) if self.long_side else 1.0
        return (max(2, round(self.width * scale / 2) * 2), max(2, round(self.height * scale / 2) * 2))


def wrap_caption(draw: ImageDraw.ImageDraw, text: str, font, max_width: float) -> list[str]:
    """Lines no wider than `max_width` pixels, measured: Latin text breaks at spaces, Chinese
    between any two characters (it has no spaces), and a word too long for a line is cut."""
    tokens = re.findall(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]|\s+|[^\s\u2e80-\u9fff"
                        r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f]+", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if token.isspace():
            token = " "
            if not line:
                continue
        if draw.textlength(line + token, font=font) <= max_width:
            line += token
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if token == " " else token
        while draw.textlength(line, font=font) > max_width and len(line) > 1:  # one word wider than a line
            cut = len(line) - 1
            while cut > 1 and draw.textlength(line[:cut], font=font) > max_width:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _background(width: int, height: int, rng: random.Random) -> np.ndarray:
    """A dark two-colour diagonal gradient, different per seed."""
    a = np.array([rng.randint(10, 60), rng.randint(10, 60), rng.randint(30, 90)], np.float32)
    b = np.array([rng.randint(40, 110), rng.randint(20, 70), rng.randint(10, 60)], np.float32)
    # Computed small and scaled up: a smooth gradient loses nothing, and it is 60x cheaper.
    sh, sw = max(2, height // 8), max(2, width // 8)
    ys = np.linspace(0.0, 1.0, sh, dtype=np.float32)[:, None]
    xs = np.linspace(0.0, 1.0, sw, dtype=np.float32)[None, :]
    t = (0.6 * ys + 0.4 * xs)[..., None]
    small = Image.fromarray((a * (1 - t) + b * t).astype(np.uint8))
    return np.array(small.resize((width, height), Image.Resampling.BILINEAR))


def _cover(img: Image.Image, width: int, height: int) -> Image.Image:
    return ImageOps.fit(img, (max(1, width), max(1, height)), Image.Resampling.BILINEAR)


class _StillLayer:
    """A still image that pans slowly across its slot (a crop window sliding over a bigger copy)."""

    def __init__(self, path: Path, width: int, height: int, rng: random.Random):
        with Image.open(path) as img:
            img = ImageOps.exif_transpose(img).convert("RGB")
            margin = 1.18
            self.big = np.asarray(_cover(img, int(width * margin), int(height * margin)))
        self.w, self.h = width, height
        self.dx = self.big.shape[1] - width
        self.dy = self.big.shape[0] - height
        self.phase = rng.random() * math.tau
        self.direction = rng.choice((-1, 1))

    def frame(self, t: float) -> np.ndarray:
        u = 0.5 + 0.5 * math.sin(self.phase + self.direction * t * 0.9)
        v = 0.5 + 0.5 * math.cos(self.phase + t * 0.6)
        x = int(round(u * self.dx))
        y = int(round(v * self.dy))
        return self.big[y : y + self.h, x : x + self.w]


class _VideoLayer:
    """Frames of a reference video, sampled at the render frame rate, looped when shorter."""

    def __init__(self, path: Path, width: int, height: int, fps: int, seconds: float):
        self.frames: list[np.ndarray] = []
        wanted = min(MAX_DISTINCT_VIDEO_FRAMES, max(1, int(seconds * fps)))
        step = 1.0 / fps
        next_t = 0.0
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for frame in container.decode(stream):
                t = float(frame.time) if frame.time is not None else next_t
                if t + 1e-6 < next_t:
                    continue
                img = frame.to_image()
                self.frames.append(np.asarray(_cover(img, width, height)))
                next_t += step
                if len(self.frames) >= wanted:
                    break
        if not self.frames:
            self.frames.append(np.zeros((height, width, 3), np.uint8))
        self.fps = fps

    def frame(self, t: float) -> np.ndarray:
        return self.frames[int(t * self.fps) % len(self.frames)]


PREVIEW_LABEL = "PREVIEW · emulator"
WATERMARK = "AI generated"
Box = tuple[int, int, int, int]  # (x0, y0, x1, y1) in pixels of the drawn frame


def bands(width: int, height: int) -> tuple[int, int]:
    """The rows where the middle band (the references) starts and ends: the label's band is above
    it, the caption's below."""
    unit = min(width, height)
    return max(40, unit // 9), height - max(70, unit // 5)


def _pad(width: int, height: int) -> int:
    return max(6, min(width, height) // 90)


def preview_label_box(width: int, height: int) -> Box:
    """Where the red PREVIEW label is drawn on a frame of `width`×`height` (the drawn size, the
    video's own): what the page must never cover (History's gallery, tests/test_browser_poster_labels.py)."""
    pad, top = _pad(width, height), bands(width, height)[0]
    box = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), PREVIEW_LABEL, font=_font(max(14, min(width, height) // 22)))
    lw, lh = box[2] - box[0], box[3] - box[1]
    x0, y0 = pad * 2, max(pad, (top - lh - 2 * pad) // 2)
    return (x0, y0, x0 + lw + 2 * pad, y0 + lh + 2 * pad)


def watermark_box(width: int, height: int) -> Box:
    """Where the "AI generated" mark is drawn (lower right) when the job asked for a watermark."""
    pad = _pad(width, height)
    mbox = ImageDraw.Draw(Image.new("RGB", (1, 1))).textbbox((0, 0), WATERMARK, font=_font(max(14, min(width, height) // 26)))
    mw, mh = mbox[2] - mbox[0], mbox[3] - mbox[1]
    mx, my = width - mw - pad * 3, height - mh - pad * 3
    return (mx - pad, my - pad, mx + mw + pad, my + mh + pad)


def _draw_static(bg: np.ndarray, job: RenderJob, top: int, bottom: int) -> np.ndarray:
    """Caption, PREVIEW label and watermark, drawn once into the background."""
    h, w = bg.shape[:2]
    img = Image.fromarray(bg)
    draw = ImageDraw.Draw(img, "RGBA")
    unit = min(w, h)
    # PREVIEW label, top-left (its box: preview_label_box, the page's tests read it too).
    label_font = _font(max(14, unit // 22))
    pad = _pad(w, h)
    box = draw.textbbox((0, 0), PREVIEW_LABEL, font=label_font)
    x0, y0, x1, y1 = preview_label_box(w, h)
    draw.rounded_rectangle((x0, y0, x1, y1), radius=pad, fill=(200, 30, 40, 230))
    draw.text((x0 + pad, y0 + pad - box[1]), PREVIEW_LABEL, font=label_font, fill=(255, 255, 255, 255))
    size = f"{job.width}×{job.height}" + ("" if (w, h) == (job.width, job.height) else f" (drawn {w}×{h})")
    info = f"{size} · {job.duration}s · {job.shot_type} · seed {job.seed}"
    info_font = _font(max(12, unit // 40))
    # Right of the label, never on it: on a narrow (portrait) frame the line wraps into the room left.
    room = w - x1 - pad * 3
    ibox = draw.textbbox((0, 0), info, font=info_font)
    info_lines = [info] if ibox[2] - ibox[0] <= room else wrap_caption(draw, info, info_font, room)
    iy = y0 + pad - ibox[1] if len(info_lines) == 1 else y0
    for line in info_lines:
        lbox = draw.textbbox((0, 0), line, font=info_font)
        draw.text((w - (lbox[2] - lbox[0]) - pad * 2, iy), line, font=info_font, fill=(235, 235, 235, 255))
        iy += round((ibox[3] - ibox[1]) * 1.3)
    # Caption: the prompt, wrapped, at most three lines.
    cap_font = _font(max(14, unit // 30))
    text = " ".join(job.prompt.split()) or "(empty prompt)"
    _warn_once_without_cjk(text)
    room = w - 4 * pad
    lines = wrap_caption(draw, text, cap_font, room)
    if len(lines) > 3:
        lines = lines[:3]
        while lines[2] and draw.textlength(lines[2] + "…", font=cap_font) > room:
            lines[2] = lines[2][:-1]
        lines[2] += "…"
    line_h = int(cap_font.size * 1.25) if hasattr(cap_font, "size") else 20
    y = bottom + max(pad, (h - bottom - line_h * len(lines)) // 2)
    for line in lines:
        draw.text((pad * 2, y), line, font=cap_font, fill=(250, 250, 250, 255))
        y += line_h
    # Watermark, lower-right.
    if job.watermark:
        mark_font = _font(max(14, unit // 26))
        mbox = draw.textbbox((0, 0), WATERMARK, font=mark_font)
        bx0, by0, bx1, by1 = watermark_box(w, h)
        draw.rectangle((bx0, by0, bx1, by1), fill=(0, 0, 0, 140))
        draw.text((bx0 + pad, by0 + pad - mbox[1]), WATERMARK, font=mark_font, fill=(255, 255, 255, 210))
    return np.array(img)


def _slots(n: int, width: int, top: int, bottom: int) -> list[tuple[int, int, int, int]]:
    """n boxes (x, y, w, h) side by side in the middle band."""
    gap = max(4, width // 80)
    slot_w = (width - gap * (n + 1)) // n
    slot_h = bottom - top - 2 * gap
    out = []
    for i in range(n):
        x = gap + i * (slot_w + gap)
        out.append((x, top + gap, slot_w & ~1, slot_h & ~1))
    return out


def _make_layer(ref: Reference, w: int, h: int, job: RenderJob, rng: random.Random):
    if ref.kind == "video":
        return _VideoLayer(ref.path, w, h, job.fps, job.duration)
    return _StillLayer(ref.path, w, h, rng)


def _chord(seconds: int, rng: random.Random) -> np.ndarray:
    n = seconds * AUDIO_RATE
    t = np.arange(n, dtype=np.float32) / AUDIO_RATE
    root = 110.0 * 2 ** (rng.randint(0, 11) / 12)
    wave = np.zeros(n, np.float32)
    for ratio, amp in ((1.0, 0.5), (1.26, 0.3), (1.5, 0.3), (2.0, 0.15)):
        wave += amp * np.sin(2 * np.pi * root * ratio * t)
    wave *= 0.18 * (0.75 + 0.25 * np.sin(2 * np.pi * 0.5 * t))
    fade = min(n // 4, AUDIO_RATE // 10)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        wave[:fade] *= ramp
        wave[-fade:] *= ramp[::-1]
    left = wave
    right = np.roll(wave, 240)
    return np.stack([left, right])


def _decode_audio(path: Path) -> np.ndarray:
    resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
    chunks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    if not chunks:
        return np.zeros((2, 0), np.float32)
    return np.concatenate(chunks, axis=1).astype(np.float32)


def _soundtrack(job: RenderJob, rng: random.Random) -> np.ndarray:
    """The voice references one after another (the vendor uses them as timbre), else a chord."""
    n = job.duration * AUDIO_RATE
    voices = [r.voice for r in job.references if r.voice is not None]
    if not voices:
        return _chord(job.duration, rng)
    parts = [_decode_audio(v) for v in voices]
    track = np.concatenate(parts, axis=1) if parts else np.zeros((2, 0), np.float32)
    out = np.zeros((2, n), np.float32)
    m = min(n, track.shape[1])
    out[:, :m] = track[:, :m]
    return out


def render_preview(job: RenderJob, dest: Path) -> Path:
    """Write the preview MP4 to ``dest`` (atomically: a temporary file renamed at the end)."""
    if job.width % 2 or job.height % 2:
        raise ValueError("width and height must be even for yuv420p")
    rng = random.Random(job.seed)
    (w, h), fps = job.drawn_size, job.fps
    unit = min(w, h)
    top, bottom = bands(w, h)
    bg = _draw_static(_background(w, h, rng), job, top, bottom)

    refs = job.references or ()
    n = max(1, len(refs))
    group = [(s, _make_layer(r, s[2], s[3], job, rng)) for s, r in zip(_slots(n, w, top, bottom), refs)]
    closeups: list[tuple[tuple[int, int, int, int], object]] = []
    if job.shot_type == "multi" and refs:
        (bx, by, bw, bh) = _slots(1, w, top, bottom)[0]
        closeups = [((bx, by, bw, bh), _make_layer(r, bw, bh, job, rng)) for r in refs]
    shots: list[list] = [group] + [[c] for c in closeups]
    total = job.duration * fps
    shot_len = max(1, math.ceil(total / len(shots)))

    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name, renamed at the end; a preview needs no flush to disk.
    with atomic_path(dest, durable=False) as part:
        container = av.open(str(part), "w", format="mp4", options={"movflags": "+faststart"})
        try:
            vstream = container.add_stream("libx264", rate=fps)
            vstream.width, vstream.height = w, h
            vstream.pix_fmt = "yuv420p"
            vstream.time_base = Fraction(1, fps)
            vstream.codec_context.options = {"preset": "ultrafast", "crf": "30"}
            astream = None
            if job.audio:
                astream = container.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
                astream.time_base = Fraction(1, AUDIO_RATE)
                astream.codec_context.options = {}

            bar_y0, bar_y1 = bottom - max(3, unit // 180), bottom
            frame_buf = bg.copy()
            for i in range(total):
                t = i / fps
                np.copyto(frame_buf, bg)
                for (x, y, sw, sh), layer in shots[min(len(shots) - 1, i // shot_len)]:
                    bob = int(round(math.sin(t * 1.7 + x) * min(6, sh * 0.01)))
                    yy = min(max(0, y + bob), h - sh)
                    frame_buf[yy : yy + sh, x : x + sw] = layer.frame(t)
                frame_buf[bar_y0:bar_y1, : int(w * (i + 1) / total)] = (235, 80, 80)
                vf = av.VideoFrame.from_ndarray(frame_buf, format="rgb24")
                vf.pts = i
                for packet in vstream.encode(vf):
                    container.mux(packet)
            for packet in vstream.encode():
                container.mux(packet)

            if astream is not None:
                samples = _soundtrack(job, rng)
                step = 1024
                for start in range(0, samples.shape[1], step):
                    chunk = np.ascontiguousarray(samples[:, start : start + step])
                    af = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="stereo")
                    af.sample_rate = AUDIO_RATE
                    af.pts = start
                    for packet in astream.encode(af):
                        container.mux(packet)
                for packet in astream.encode():
                    container.mux(packet)
        finally:
            container.close()
    return dest


# ---------------------------------------------------------------------------------------------
# Benchmark (not a test): python -m r2v_ui.emulator.render --bench


def _bench_inputs(tmp: Path) -> list[Reference]:
    refs = []
    for i, (cw, ch) in enumerate(((1200, 1600), (1600, 1200))):
        arr = np.random.default_rng(i).integers(0, 255, (ch // 40, cw // 40, 3), dtype=np.uint8)
        img = Image.fromarray(arr).resize((cw, ch), Image.Resampling.NEAREST)
        p = tmp / f"ref{i}.jpg"
        img.save(p, quality=85)
        refs.append(Reference("image", p))
    vpath = tmp / "ref.mp4"
    with av.open(str(vpath), "w") as c:
        s = c.add_stream("libx264", rate=24)
        s.width, s.height, s.pix_fmt = 640, 480, "yuv420p"
        s.codec_context.options = {"preset": "ultrafast"}
        for k in range(48):
            a = np.full((480, 640, 3), (k * 5) % 255, np.uint8)
            a[:, (k * 10) % 640 :] = (20, 120, 200)
            for p_ in s.encode(av.VideoFrame.from_ndarray(a, format="rgb24")):
                c.mux(p_)
        for p_ in s.encode():
            c.mux(p_)
    refs.append(Reference("video", vpath))
    return refs


def bench() -> None:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        refs = tuple(_bench_inputs(tmp))
        cases = [
            ("1080P 16:9 5s audio", 1920, 1080, 5, True, "single"),
            ("1080P 16:9 10s audio multi", 1920, 1080, 10, True, "multi"),
            ("720P 9:16 5s no audio", 720, 1280, 5, False, "single"),
        ]
        for name, w, h, dur, audio, shot in cases:
            job = RenderJob(refs, "character1 walks towards character2 while character3 waves", w, h, dur,
                            audio=audio, watermark=True, seed=1, shot_type=shot)
            t0 = time.perf_counter()
            out = render_preview(job, tmp / "out.mp4")
            dt = time.perf_counter() - t0
            print(f"{name}: {dt:.2f} s per clip ({out.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Preview renderer of the embedded emulator")
    parser.add_argument("--bench", action="store_true", help="print seconds per clip")
    args = parser.parse_args()
    if args.bench:
        bench()
    else:
        parser.print_help()
