"""Compare, the pure part: which settings differ between 2–4 finished videos, so under each video
the page shows only what makes it different (seed, the prompt's own words, size, length, …), and a
short name for each video.  No Gradio, no HTML: the tab draws it (ui/comparepanel.py).

Works on JobSnapshots (duck-typed: `.settings`, `.seed_used`, `.references`)."""

from __future__ import annotations

import re
from typing import Any

from .. import spec
from ..messages import DEFAULT, t, word_list
from ..messages.formats import day_time
from .gallery import as_written

MIN_COMPARE, MAX_COMPARE = 2, 4

_SETTINGS = (  # (settings key, how it reads in a language)
    ("size", lambda v, lang: t("compare.size", lang, size=str(v).replace("*", "×"))),
    ("duration", lambda v, lang: t("status.secs", lang, s=v)),
    ("shot_type", lambda v, lang: t("summary.multi" if v == "multi" else "summary.single", lang)),
    ("audio", lambda v, lang: t("confirm.sound_on" if v else "confirm.sound_off", lang)),
    ("watermark", lambda v, lang: t("compare.watermark" if v else "compare.no_watermark", lang)),
    ("negative_prompt", lambda v, lang: t("compare.avoid", lang, text=v) if v else t("compare.nothing_to_avoid", lang)),
)


def frame(snap: Any) -> tuple[int, int]:
    """A video's shape as (width, height) from its settings' size (16:9 when unknown): the page sizes
    its player's box from it, so a tall video and a wide one stand side by side at one height."""
    try:
        w, h = spec.size_pixels(str((snap.settings or {}).get("size") or ""))
        if w > 0 and h > 0:
            return w, h
    except (TypeError, ValueError):
        pass
    return 16, 9


def tallest(frames: list[tuple[int, int]]) -> tuple[int, int]:
    """The tallest of these shapes (the smallest width for its height): a row of players shares its box."""
    return min(frames, key=lambda f: f[0] / f[1], default=(16, 9))


_CJK = "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
# A word: a run of letters or digits, or one Chinese/Japanese/Korean character (they are written without spaces).
_WORD = re.compile(f"{_CJK}|(?:(?!{_CJK})\\w)+", re.UNICODE)
_CJK_ONE = re.compile(f"{_CJK}")


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold())


def _own_phrases(text: str, others: set[str]) -> list[str]:
    """The words of `text` that no other prompt has; neighbouring characters of a Chinese phrase
    stay together ("挥手", not "挥", "手")."""
    phrases: list[str] = []
    end = None
    for m in _WORD.finditer(text.casefold()):
        word = m.group()
        if word in others:
            end = None
            continue
        if end == m.start() and _CJK_ONE.fullmatch(word) and _CJK_ONE.match(phrases[-1][-1]):
            phrases[-1] += word
        elif word not in phrases:
            phrases.append(word)
        end = m.end()
    return phrases


def differences(snaps: list[Any], lang: str = DEFAULT) -> list[list[str]]:
    """For each video, the short phrases that tell it apart from the others (empty: identical), in `lang`."""
    out: list[list[str]] = [[] for _ in snaps]
    seeds = [s.seed_used for s in snaps]
    if len(set(seeds)) > 1:
        for i, seed in enumerate(seeds):
            out[i].append(t("compare.seed", lang, seed=seed) if seed is not None else t("compare.random_seed", lang))
    for key, say in _SETTINGS:
        values = [s.settings.get(key) for s in snaps]
        if len({repr(v) for v in values}) > 1:
            for i, v in enumerate(values):
                out[i].append(say(v, lang))
    prompts = [s.settings.get("prompt") or "" for s in snaps]
    if len(set(prompts)) > 1:
        word_sets = [set(_words(p)) for p in prompts]
        for i, words in enumerate(word_sets):
            others = set().union(*(w for j, w in enumerate(word_sets) if j != i))
            own = _own_phrases(prompts[i], others)
            words = word_list(["+" + w for w in own[:8]], lang)
            out[i].append(t("compare.prompt_more", lang, words=words) if own else t("compare.prompt_fewer", lang))
    refs = [tuple(r.get("sha256") or r.get("url") or r.get("name") for r in s.references) for s in snaps]
    if len(set(refs)) > 1:
        for i, s in enumerate(snaps):
            names = word_list([r.get("name") or "?" for r in s.references], lang)
            out[i].append(t("compare.cast", lang, names=names))
    return out


def choice_label(snap: Any, max_prompt: int = 32, lang: str = DEFAULT) -> str:
    """A short name for a video in the picker and under the player: its take, its time, its prompt."""
    settings = snap.settings
    prompt = " ".join(as_written(settings).split())
    if len(prompt) > max_prompt:
        prompt = prompt[: max_prompt - 1] + "…"
    when = day_time(snap.created_at, lang)
    take = t("takes.take", lang, n=snap.take) + " · " if snap.take else ""
    star = "★ " if snap.favourite else ""
    return f"{star}{take}{when} · {prompt or t('history.no_prompt', lang)}"
