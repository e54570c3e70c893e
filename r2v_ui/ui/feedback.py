"""What viewers of a share link said, as the owner sees it: the box History shows it in (`render`),
and its HTML from the share service's records — the "Shared" badge, the picks per take and the
notes, each timed note with a button that seeks the video on the owner's page to its time
(sharepanel.HEAD_JS does the seeking; Compare puts the same HTML under each video).

Everything a viewer wrote (a name, a note) is escaped here, once, wherever it is shown.  Works on the
share model's records duck-typed (`Feedback.picks/.notes`, `Note.name/.text/.seconds/.at/.job_id`,
`ShareLink.views/.live(now)`)."""

from __future__ import annotations

import html
import time
from typing import Any, Iterable

import gradio as gr

from ..messages import DEFAULT, t
from ..share.model import clock_seconds
from ..messages.formats import day_time

SEEK_HISTORY = "history"  # a note's button seeks History's video
SEEK_COMPARE = "compare"  # ... or every video Compare plays in step


def render(elem_id: str) -> gr.HTML:
    """The box the open job's picks and notes are drawn in (History's detail)."""
    return gr.HTML("", elem_id=elem_id, min_height=0, padding=False)


def badge_html(lang: str = DEFAULT) -> str:
    """The small mark on a shared job's card in History (its words also for screen readers)."""
    return f'<span class="shared-badge">{html.escape(t("share.badge", lang))}</span>'


def picks_words(n: int, lang: str = DEFAULT) -> str:
    return t("feedback.picks_one", lang) if n == 1 else t("feedback.picks", lang, n=n)


def views_words(n: int, lang: str = DEFAULT) -> str:
    return t("share.views_one", lang) if n == 1 else t("share.views", lang, n=n)


def links_line(links: Iterable[Any], lang: str = DEFAULT, now: float | None = None) -> str:
    """ "Shared: 2 live links, 5 views" ("" when none is live)."""
    now = time.time() if now is None else now
    live = [link for link in links if link.live(now)]
    if not live:
        return ""
    views = views_words(sum(int(link.views) for link in live), lang)
    text = (t("feedback.live_links_one", lang, views=views) if len(live) == 1
            else t("feedback.live_links", lang, n=len(live), views=views))
    return f'<p class="feedback-links">{badge_html(lang)} {html.escape(text)}</p>'


def note_html(note: Any, lang: str = DEFAULT, seek: str = SEEK_HISTORY) -> str:
    """One note: its time as a seek button (when it has one), who wrote it and what, and when."""
    who = html.escape(note.name.strip() if (note.name or "").strip() else t("feedback.anonymous", lang))
    button = ""
    if note.seconds is not None:
        at = clock_seconds(note.seconds)
        button = (f'<button type="button" class="note-seek" data-seek="{html.escape(seek)}" '
                  f'data-job="{html.escape(note.job_id)}" data-seconds="{float(note.seconds):.2f}" '
                  f'aria-label="{html.escape(t("feedback.seek", lang, time=at))}">{at}</button> ')
    return (f'<li class="feedback-note">{button}<b>{who}</b> <span class="note-text">{html.escape(note.text)}</span> '
            f'<small>{html.escape(day_time(note.at, lang))}</small></li>')


def notes_html(notes: Iterable[Any], lang: str = DEFAULT, seek: str = SEEK_HISTORY) -> str:
    notes = sorted(notes, key=lambda n: (n.seconds is None, n.seconds or 0.0, n.at))
    if not notes:
        return f'<p class="feedback-none">{html.escape(t("feedback.no_notes", lang))}</p>'
    return f'<ul class="feedback-notes">{"".join(note_html(n, lang, seek) for n in notes)}</ul>'


def history_html(job_id: str, counts: dict[str, int], notes: list, links: list,
                 takes: list[tuple[str, int]] | None = None, lang: str = DEFAULT, now: float | None = None) -> str:
    """History's detail of one job: shared or not, the picks (`counts` by job id; per take when it is
    one of a batch, `takes`: (job id, take number) of its batch), and the notes on this job (`notes`).
    "" when it was never shared and has no feedback."""
    if not links and not any(counts.values()) and not notes:
        return ""
    if takes and len(takes) > 1:
        rows = [t("feedback.take_picks", lang, n=n, picks=picks_words(counts.get(j, 0), lang)) for j, n in takes]
        current = ' aria-current="true"'
        marks = [f'<li{current if j == job_id else ""}>{html.escape(row)}</li>' for (j, _), row in zip(takes, rows)]
        picks = f'<ul class="feedback-picks">{"".join(marks)}</ul>'
    else:
        picks = (f'<p class="feedback-picks">'
                 f'{html.escape(t("feedback.this_picks", lang, picks=picks_words(counts.get(job_id, 0), lang)))}</p>')
    own = [n for n in notes if n.job_id == job_id]
    return (f'<section class="feedback" id="history-feedback-box" data-job="{html.escape(job_id)}" '
            f'aria-label="{html.escape(t("feedback.title", lang))}">'
            f'<h3>{html.escape(t("feedback.title", lang))}</h3>{links_line(links, lang, now)}{picks}'
            f'{notes_html(own, lang, SEEK_HISTORY)}</section>')


def compare_html(job_id: str, feedback: Any, lang: str = DEFAULT) -> str:
    """Under one video in Compare: its picks and its notes (seeking every video in step); "" when none."""
    n = feedback.pick_counts().get(job_id, 0)
    own = [note for note in feedback.notes if note.job_id == job_id]
    if not n and not own:
        return ""
    notes = notes_html(own, lang, SEEK_COMPARE) if own else ""
    return (f'<div class="feedback feedback-compare" data-job="{html.escape(job_id)}">'
            f'<p class="feedback-picks">{html.escape(picks_words(n, lang))}</p>{notes}</div>')
