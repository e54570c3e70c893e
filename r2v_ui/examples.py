"""An example cast the project draws itself (Pillow and the standard library), so a newcomer can
press one button and generate a video without finding pictures first.  Nothing is downloaded.

`example_cast(dest, lang)` writes (once, atomically) two illustrated characters as 720x960 PNGs and
a short spoken-sounding voice clip as a WAV, and returns them with a prompt that names both.  The
studio draws every language's files at start, in a thread of their own (`prepare_in_background`),
and they stay in the data folder: no visitor's click waits for the drawing (a click that comes
while it is still under way waits for it rather than drawing the same files again).  The
prompt, the things to avoid and the name tag drawn into each picture are in the viewer's language
(the catalog's "example.*"): a Chinese page gets its own pictures, named on a Chinese tag (drawn with
a CJK font, fonts.py), and a Chinese prompt with the model's `character1`/`character2` kept.
"""

from __future__ import annotations

import logging
import random
import threading
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from . import fonts
from .atomic_files import atomic_path
from .messages import DEFAULT, EN, LANGUAGES, ZH, language, t

WIDTH, HEIGHT = 720, 960
VOICE_SECONDS = 4.0
VOICE_RATE = 22050

# The example's "things to avoid" in every language: they leave with the example cast (ui/scene.py).
EXAMPLE_NEGATIVE_PROMPTS: frozenset[str] = frozenset(t("example.negative", lang) for lang in LANGUAGES)
EXAMPLE_NEGATIVE_PROMPT = t("example.negative", EN)  # the English one (callers from before the catalog)

_DRAWING = threading.Lock()  # one drawer at a time: the start-up thread, or a click that came before it ended
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ExampleCharacter:
    name: str           # the character's name, as its picture's tag says it
    image: Path
    voice: Path | None = None


@dataclass(frozen=True)
class ExampleCast:
    characters: tuple[ExampleCharacter, ...]
    prompt: str
    negative_prompt: str


_FILE_SUFFIX = {EN: "", ZH: "-zh"}  # each language's pictures under a name of their own (English: the original)


def example_cast(dest: Path, lang: str | None = DEFAULT) -> ExampleCast:
    """The example cast under `dest` in `lang` (created if needed; files are drawn only when missing).
    Each language has its own pictures (their name tags differ); English keeps the original file names."""
    lang = language(lang)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    suffix = _FILE_SUFFIX[lang]  # a plain lowercase file name: shown on the card as it is
    mira = dest / f"mira-the-explorer{suffix}.png"
    bolt = dest / f"bolt-the-robot{suffix}.png"
    voice = dest / "mira-voice.wav"
    mira_name, bolt_name = t("example.mira", lang), t("example.bolt", lang)
    if not (mira.exists() and bolt.exists() and voice.exists()):
        with _DRAWING:
            if not mira.exists():
                _save_png(_draw_explorer(mira_name), mira)
            if not bolt.exists():
                _save_png(_draw_robot(bolt_name), bolt)
            if not voice.exists():
                _write_voice(voice)
    return ExampleCast(characters=(
        ExampleCharacter(mira_name, mira, voice),
        ExampleCharacter(bolt_name, bolt, None),
    ), prompt=t("example.prompt", lang), negative_prompt=t("example.negative", lang))


def prepare_in_background(dest: Path, then: Callable[[], None] | None = None) -> threading.Thread:
    """Draw the example cast of every language under `dest` in a daemon thread (started here, once
    per studio start; files already there are kept), then run `then` in it (the studio checks the
    example cards there, workspace/examplecards.ExampleCards.warm).  Nothing here blocks or fails the
    start: a failure is logged once, and the first click then draws (and checks) them."""
    def prepare() -> None:
        try:
            for lang in LANGUAGES:
                example_cast(dest, lang)
            if then is not None:
                then()
        except Exception:
            log.warning("The example cast could not be prepared at start; it is prepared on the first click.",
                        exc_info=True)

    thread = threading.Thread(target=prepare, name="example-cast", daemon=True)
    thread.start()
    return thread


# --- drawing -------------------------------------------------------------------------------------

def _font(size: int, text: str = "") -> ImageFont.ImageFont:
    if fonts.CJK.search(text):  # Chinese needs a font with its glyphs (Pillow's own has none)
        fonts.warn_once_without_cjk(text, "The example cast's name tag")
        return fonts.font(size)
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow built without FreeType: the small bitmap font still works
        return ImageFont.load_default()


def _gradient(top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Image.Image:
    img = Image.new("RGB", (WIDTH, HEIGHT))
    px = ImageDraw.Draw(img)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        px.line([(0, y), (WIDTH, y)], fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom)))
    return img


def _caption(img: Image.Image, text: str, colour: tuple[int, int, int]) -> None:
    d = ImageDraw.Draw(img)
    font = _font(44, text)
    box = d.textbbox((0, 0), text, font=font)
    w = box[2] - box[0]
    d.rounded_rectangle([(WIDTH - w) // 2 - 28, 850, (WIDTH + w) // 2 + 28, 924], radius=30, fill=(255, 255, 255))
    d.text(((WIDTH - w) // 2, 862), text, font=font, fill=colour)


def _draw_explorer(name: str) -> Image.Image:
    """A smiling explorer with curly hair, a yellow scarf and an orange jacket on a sunset sky."""
    img = _gradient((255, 196, 140), (248, 120, 110))
    d = ImageDraw.Draw(img)
    rng = random.Random(7)
    for _ in range(40):  # a few stars and dots so the picture has texture
        x, y, r = rng.randrange(WIDTH), rng.randrange(420), rng.randrange(2, 6)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(255, 240, 210))
    d.ellipse([-120, 700, 840, 1180], fill=(120, 70, 90))                    # hill
    d.rounded_rectangle([190, 560, 530, 900], radius=90, fill=(236, 110, 40))  # jacket
    d.rectangle([352, 580, 368, 880], fill=(190, 80, 30))                    # zip
    d.rounded_rectangle([230, 520, 490, 600], radius=40, fill=(250, 210, 60))  # scarf
    d.ellipse([220, 200, 500, 540], fill=(241, 194, 160))                    # face
    for cx, cy in [(240, 230), (300, 180), (370, 170), (440, 200), (490, 260), (225, 300), (500, 330)]:
        d.ellipse([cx - 60, cy - 60, cx + 60, cy + 60], fill=(92, 50, 30))   # curly hair
    d.ellipse([290, 340, 320, 380], fill=(40, 30, 30))                       # eyes
    d.ellipse([400, 340, 430, 380], fill=(40, 30, 30))
    d.ellipse([298, 346, 308, 356], fill=(255, 255, 255))
    d.ellipse([408, 346, 418, 356], fill=(255, 255, 255))
    d.ellipse([262, 400, 302, 430], fill=(245, 150, 140))                    # cheeks
    d.ellipse([418, 400, 458, 430], fill=(245, 150, 140))
    d.arc([310, 390, 410, 470], start=20, end=160, fill=(120, 40, 40), width=8)  # smile
    d.rectangle([560, 300, 600, 620], fill=(90, 60, 40))                     # walking stick
    d.ellipse([520, 560, 610, 640], fill=(241, 194, 160))                    # hand
    _caption(img, name, (200, 80, 40))
    return img


def _draw_robot(name: str) -> Image.Image:
    """A friendly teal robot with a blinking antenna on a deep blue night."""
    img = _gradient((40, 60, 130), (20, 160, 170))
    d = ImageDraw.Draw(img)
    rng = random.Random(11)
    for _ in range(60):
        x, y, r = rng.randrange(WIDTH), rng.randrange(500), rng.randrange(1, 4)
        d.ellipse([x - r, y - r, x + r, y + r], fill=(230, 240, 255))
    d.line([(360, 120), (360, 210)], fill=(200, 210, 220), width=10)         # antenna
    d.ellipse([330, 80, 390, 140], fill=(255, 80, 90))
    d.rounded_rectangle([190, 200, 530, 480], radius=50, fill=(170, 215, 225), outline=(60, 90, 110), width=8)
    d.rounded_rectangle([235, 260, 485, 400], radius=30, fill=(30, 40, 60))  # visor
    d.ellipse([280, 295, 340, 355], fill=(120, 255, 200))                    # eyes
    d.ellipse([380, 295, 440, 355], fill=(120, 255, 200))
    d.arc([310, 340, 410, 395], start=20, end=160, fill=(120, 255, 200), width=6)
    d.rounded_rectangle([220, 500, 500, 820], radius=40, fill=(150, 200, 215), outline=(60, 90, 110), width=8)
    d.rounded_rectangle([290, 560, 430, 680], radius=16, fill=(60, 90, 110))  # chest panel
    for i, colour in enumerate([(255, 200, 60), (255, 90, 90), (120, 255, 200)]):
        d.ellipse([305 + i * 42, 600, 335 + i * 42, 630], fill=colour)
    d.rounded_rectangle([120, 520, 200, 720], radius=36, fill=(150, 200, 215), outline=(60, 90, 110), width=6)
    d.rounded_rectangle([520, 440, 600, 640], radius=36, fill=(150, 200, 215), outline=(60, 90, 110), width=6)
    _caption(img, name, (30, 90, 120))
    return img


def _save_png(img: Image.Image, path: Path) -> None:
    # Not flushed to disk: an example lost in a power cut is simply drawn again when it is missing.
    with atomic_path(path, durable=False) as tmp:
        img.save(tmp, format="PNG", optimize=True)


# --- sound ---------------------------------------------------------------------------------------

def _write_voice(path: Path) -> None:
    """A few seconds of voice-like sound: a gliding pitch with vowel formants, in syllables (numpy,
    all samples at once)."""
    n = int(VOICE_SECONDS * VOICE_RATE)
    vowels = np.array([(730, 1090), (270, 2290), (570, 840), (440, 1020), (300, 870)], float)  # a, i, o, u-ish
    t = np.arange(n) / VOICE_RATE
    syllable = (t / 0.32).astype(int)
    within = (t % 0.32) / 0.32
    envelope = np.where(syllable % 5 != 4, np.sin(np.pi * within) ** 0.8, 0.0)  # a pause now and then
    f0 = 170 + 30 * np.sin(2 * np.pi * 0.7 * t) + 15 * np.sin(2 * np.pi * 5 * t)
    phase = np.cumsum(2 * np.pi * f0 / VOICE_RATE)
    f1, f2 = vowels[syllable % len(vowels)].T
    sample = np.zeros(n)
    for h in range(1, 16):  # harmonics weighted by distance to the two formants
        fh = h * f0
        weight = np.exp(-((fh - f1) / 180) ** 2) + 0.6 * np.exp(-((fh - f2) / 250) ** 2) + 0.05 / h
        sample += weight * np.sin(h * phase)
    pcm = (np.clip(0.35 * envelope * sample, -1.0, 1.0) * 32000).astype("<i2")
    with atomic_path(path, durable=False) as tmp, wave.open(str(tmp), "wb") as w:  # as _save_png
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(VOICE_RATE)
        w.writeframes(pcm.tobytes())
