"""History's gallery, the pure part: one page of jobs (newest first) grouped so that the takes of
one batch sit together under one heading, each job keeping its place in the page (the index the
list's own choice has).  No Gradio, no HTML: the tab draws it (ui/historypanel.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

FIRST_WORDS = 60  # characters of the prompt a gallery card shows


def as_written(settings: dict) -> str:
    """A job's prompt as the user wrote it (@Mira), or as sent when nothing was rewritten."""
    return settings.get("written_prompt") or settings.get("prompt") or ""


@dataclass
class Group:
    """One job on its own (`batch_id` None), or the takes of one batch that are on this page."""

    batch_id: str | None
    items: list[tuple[int, Any]] = field(default_factory=list)  # (index in the page, snapshot)


def group_batches(snaps: list[Any]) -> list[Group]:
    """The page's jobs in order, a batch's takes gathered at its first take's place (takes are made
    together, so they are neighbours on a page sorted by time; a take that lands apart still joins)."""
    groups: list[Group] = []
    by_batch: dict[str, Group] = {}
    for i, snap in enumerate(snaps):
        batch = getattr(snap, "batch_id", None)
        if batch and batch in by_batch:
            by_batch[batch].items.append((i, snap))
            continue
        group = Group(batch or None, [(i, snap)])
        groups.append(group)
        if batch:
            by_batch[batch] = group
    for g in groups:
        g.items.sort(key=lambda pair: getattr(pair[1], "take", None) or 0)
    return groups


def first_words(text: str, limit: int = FIRST_WORDS) -> str:
    """The start of a prompt on one line, cut at a word (or, in Chinese, at a character) with "…"."""
    line = " ".join((text or "").split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:，。；：") + "…"
