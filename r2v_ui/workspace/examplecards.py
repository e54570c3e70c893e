"""The example cast as checked cards, made once per process and language, handed out as copies.

"Try the example cast" used to check both pictures and the voice (media.probe) and draw their
thumbnails on every click: ~40 ms of CPU a visitor for the same answer each time.  `ExampleCards`
checks them the first time a language is asked for (under that language's lock: two first
visitors do not both do it, and a Chinese visitor does not wait for an English one) and keeps the
cards.  Each visitor gets a list of their own (cards are frozen: whatever a visitor then does to
their cast — a new picture, a card deleted, a voice removed — makes new cards and a new list, and
touches neither the kept cards nor another visitor's cast).

The files stay where `examples.example_cast` drew them (the data folder's `examples/`): the
checks accept them as they are and write nothing to the checked folder, and nothing per session
deletes a card's file.  Before handing out kept cards the files are looked at (a `stat` each): if
one was removed or changed, the cast is drawn and checked again.

The studio warms them at start (`warm`, called by the thread that draws the example files,
examples.prepare_in_background), every language, so no visitor waits for the checks; a click that
comes before the warming ends waits on that language's lock rather than checking again.  `ready()`
says whether they are made (and their files unchanged).
"""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from pathlib import Path
from typing import Callable

from ..examples import ExampleCast, example_cast
from ..messages import LANGUAGES, language
from . import cast as cast_mod
from .cast import Card

_Stamp = tuple[tuple[str, int, int], ...]  # (path, size, modification time) of each file the cards use


class ExampleCards:
    """The example cast's checked cards for one studio (`finish`: what the page adds to a card once,
    e.g. its thumbnail, ui/cards.with_thumb)."""

    def __init__(self, examples_dir: Path, checked_dir: Path, finish: Callable[[Card], Card] = lambda c: c):
        self.examples_dir, self.checked_dir, self.finish = Path(examples_dir), Path(checked_dir), finish
        self._locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        self._made: dict[str, tuple[ExampleCast, tuple[Card, ...], _Stamp]] = {}

    def cast(self, lang: str | None) -> tuple[ExampleCast, list[Card]]:
        """The example (prompt, things to avoid) and a new list of its checked cards, in `lang`."""
        lang = language(lang)
        made = self._made.get(lang)
        if made is None or _stamp(made[1]) != made[2]:
            with self._lock(lang):
                made = self._made.get(lang)
                if made is None or _stamp(made[1]) != made[2]:
                    made = self._make(lang)
                    self._made[lang] = made
        ex, cards, _ = made
        return ex, [replace(c) for c in cards]  # the visitor's own list (and card objects)

    def warm(self, langs: tuple[str, ...] = LANGUAGES) -> None:
        """Make every language's cards now (at studio start, off the serving path).  Raises what a check
        raises: the caller logs it once, and the first click then does the work as it would have."""
        for lang in langs:
            self.cast(lang)

    def ready(self, lang: str | None = None) -> bool:
        """Are `lang`'s cards (every language's, when None) made, and their files as they were checked?"""
        for code in (language(lang),) if lang else LANGUAGES:
            made = self._made.get(code)
            if made is None or _stamp(made[1]) != made[2]:
                return False
        return True

    def _lock(self, lang: str) -> threading.Lock:
        with self._locks_lock:
            return self._locks.setdefault(lang, threading.Lock())

    def _make(self, lang: str) -> tuple[ExampleCast, tuple[Card, ...], _Stamp]:
        ex = example_cast(self.examples_dir, lang)
        cast: list[Card] = []
        for i, ch in enumerate(ex.characters):
            card = cast_mod.check_media(Card(), str(ch.image), i + 1, cast, i,
                                        display_name=ch.image.name, work_dir=self.checked_dir)
            if ch.voice:
                card = cast_mod.check_voice(card, str(ch.voice), display_name=ch.voice.name, work_dir=self.checked_dir)
            cast.append(self.finish(card.marked(example=True)))
        cards = tuple(cast)
        return ex, cards, _stamp(cards)


def _stamp(cards: tuple[Card, ...]) -> _Stamp:
    out = []
    for c in cards:
        for p in (c.path, c.voice_path):
            if p:
                try:
                    st = os.stat(p)
                    out.append((p, st.st_size, st.st_mtime_ns))
                except OSError:
                    out.append((p, -1, -1))
    return tuple(out)
