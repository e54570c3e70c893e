"""Compare, the pure part: which settings differ between 2–4 finished videos, so under each video
the page shows only what makes it different (seed, the prompt's own words, size, length, …).

Works on JobSnapshots (duck-typed: `.settings`, `.seed_used`, `.references`)."""

from __future__ import annotations

import re
import time
from typing import Any

from ..messages import DEFAULT, t

MIN_COMPARE, MAX_COMPARE = 2, 4

_SETTINGS = (  # (settings key, how it reads)
    ("size", lambda v: f"size {str(v).replace('*', '×')}"),
    ("duration", lambda v: f"{v} s"),
    ("shot_type", lambda v: f"{v} shot"),
    ("audio", lambda v: "sound on" if v else "sound off"),
    ("watermark", lambda v: "watermark" if v else "no watermark"),
    ("negative_prompt", lambda v: f"avoid “{v}”" if v else "nothing to avoid"),
)
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def differences(snaps: list[Any]) -> list[list[str]]:
    """For each video, the short phrases that tell it apart from the others (empty: identical)."""
    out: list[list[str]] = [[] for _ in snaps]
    seeds = [s.seed_used for s in snaps]
    if len(set(seeds)) > 1:
        for i, seed in enumerate(seeds):
            out[i].append(f"seed {seed}" if seed is not None else "random seed")
    for key, say in _SETTINGS:
        values = [s.settings.get(key) for s in snaps]
        if len({repr(v) for v in values}) > 1:
            for i, v in enumerate(values):
                out[i].append(say(v))
    prompts = [s.settings.get("prompt") or "" for s in snaps]
    if len(set(prompts)) > 1:
        word_sets = [set(_words(p)) for p in prompts]
        for i, words in enumerate(word_sets):
            others = set().union(*(w for j, w in enumerate(word_sets) if j != i))
            own = [w for w in dict.fromkeys(_words(prompts[i])) if w not in others]
            out[i].append("prompt: +" + ", +".join(own[:8]) if own else "prompt: fewer words")
    refs = [tuple(r.get("sha256") or r.get("url") or r.get("name") for r in s.references) for s in snaps]
    if len(set(refs)) > 1:
        for i, s in enumerate(snaps):
            out[i].append("cast: " + ", ".join(r.get("name") or "?" for r in s.references))
    return out


def choice_label(snap: Any, max_prompt: int = 32, lang: str = DEFAULT) -> str:
    """A short name for a video in the picker and under the player: its take, its time, its prompt."""
    settings = snap.settings
    prompt = " ".join((settings.get("written_prompt") or settings.get("prompt") or "").split())  # as the user wrote it
    if len(prompt) > max_prompt:
        prompt = prompt[: max_prompt - 1] + "…"
    when = time.strftime("%d %b %H:%M", time.localtime(snap.created_at))
    take = t("takes.take", lang, n=snap.take) + " · " if snap.take else ""
    star = "★ " if snap.favourite else ""
    return f"{star}{take}{when} · {prompt or t('history.no_prompt', lang)}"
