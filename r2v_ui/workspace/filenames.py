"""The name a result video is downloaded under: something a person can file.

`mira-bolt-glowing-forest_take2_seed417409556.mp4`: the cast's names (the `@Name` of each card), or
else the prompt's first words, then the take and the seed.  Pure functions, no Gradio.

Safe on every OS: only letters (any script: Chinese names stay Chinese), digits and `-`/`_`; no
character Windows, macOS or Linux refuses (`<>:"/\\|?*`, controls), no leading or trailing dot or
space, never a reserved Windows device name (CON, NUL, COM1, …), and at most `MAX_BYTES` bytes of
UTF-8 (file systems count bytes, and a Chinese character is three).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

MAX_BYTES = 120  # the whole name, extension included; well under every file system's 255
STEM_WORDS = 5  # names and words before the take and seed
FALLBACK = "video"
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# A word: a run of letters or digits of one script; a Chinese/Japanese/Korean run is one word.
_WORD = re.compile(f"[{_CJK}]+|(?:(?![{_CJK}])[^\\W_])+", re.UNICODE)
_TAG = re.compile(r"^character\d+$", re.IGNORECASE)
_CJK_RUN_MAX = 8  # characters of a Chinese phrase kept as one word
# Words that say nothing about a video on their own (English only: Chinese has no spaces to find them by).
_SMALL = frozenset("a an the and or of in on at to with from by for into onto over under as is are was were be "
                   "his her their its my your our this that these those then while who which".split())


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order (a Chinese run cut to `_CJK_RUN_MAX` characters)."""
    out = []
    for m in _WORD.finditer(unicodedata.normalize("NFKC", text or "").casefold()):
        w = m.group()
        out.append(w[:_CJK_RUN_MAX] if re.match(f"[{_CJK}]", w) else w)
    return out


def _safe(part: str) -> str:
    return "-".join(words(part))


def video_name(names: Iterable[str], prompt: str, take: int | None = None, seed: int | None = None,
               ext: str = ".mp4") -> str:
    """The file name for one result: cast names (or the prompt's first words), take, seed."""
    stem: list[str] = []
    seen: set[str] = set()
    for name in names:
        for w in words(name):
            if w not in seen and len(stem) < STEM_WORDS:
                stem.append(w)
                seen.add(w)
    for w in words(prompt):
        if len(stem) >= STEM_WORDS:
            break
        if w in seen or w in _SMALL or _TAG.match(w):
            continue
        stem.append(w)
        seen.add(w)
    tail = ([f"take{int(take)}"] if take else []) + ([f"seed{int(seed)}"] if seed is not None else [])
    ext = "." + _safe(ext) if _safe(ext) else ""
    budget = MAX_BYTES - len(ext.encode()) - sum(len(p) + 1 for p in tail)
    head = ""
    for w in stem or [FALLBACK]:
        longer = f"{head}-{w}" if head else w
        if len(longer.encode("utf-8")) > budget:
            if not head:  # one word longer than the budget: cut at a character, never mid-byte
                head = w.encode("utf-8")[:budget].decode("utf-8", "ignore")
            break
        head = longer
    base = "_".join([head or FALLBACK, *tail])
    if base.split(".")[0].upper() in _RESERVED:
        base += "_"
    return base + ext


def for_snapshot(snap: Any, ext: str = ".mp4") -> str:
    """The download name of a job's video (duck-typed: `.references`, `.settings`, `.take`, `.seed_used`)."""
    settings = getattr(snap, "settings", None) or {}
    names = [str(r.get("character") or "") for r in (getattr(snap, "references", None) or ()) if isinstance(r, dict)]
    prompt = settings.get("written_prompt") or settings.get("prompt") or ""
    prompt = prompt.replace("@", " ")
    seed = getattr(snap, "seed_used", None)
    if seed is None:
        seed = settings.get("seed")
    return video_name(names, prompt, getattr(snap, "take", None), seed, ext)
