"""What the form says under its fields as you type: the prompt's and the things-to-avoid's character
counts, the hints about @names and character tags (and the prompt as sent), the size in pixels, and
the price beside Generate.  The widgets (`render_*`) and their HTML; what the HTML is made from (the
prompt as sent, the tag checks, the estimate) is plain logic in workspace/form.py and price.py.

`lang` None: drawn before any request is known (the first render), in both languages."""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from .. import spec
from ..messages import DEFAULT, both, msg, render_msg, t
from ..price import PriceTable
from ..workspace import cast as cast_mod
from ..workspace.cast import Card
from ..workspace.form import DEFAULTS, parse_duration, sent_prompt, tag_hints
from ..workspace.refusals import said

ASPECT_NAMES = frozenset(("16:9", "9:16", "1:1", "4:3", "3:4"))  # each has its words: "form.aspect.<ratio>"


def render_count(limit: int, elem_id: str) -> gr.HTML:
    return gr.HTML(count_label("", limit), elem_id=elem_id, min_height=0)


def render_hints() -> gr.HTML:
    return gr.HTML("", elem_id="prompt-hints", min_height=0)


def render_size() -> gr.HTML:
    return gr.HTML(size_html(DEFAULTS.tier, DEFAULTS.aspect, None), elem_id="size-info", min_height=0)


def render_price(settings: Any) -> gr.HTML:
    return gr.HTML(price_label(settings.price, DEFAULTS.tier, DEFAULTS.aspect, DEFAULTS.duration, [], demo=settings.demo),
                   elem_id="price-box", min_height=0)


def size_html(tier: str, aspect: str, lang: str | None = DEFAULT) -> str:
    return f'<div class="size-info">{size_label(tier, aspect, lang)}</div>'


def size_label(tier: str, aspect: str, lang: str | None = DEFAULT) -> str:
    try:
        w, h = spec.size_pixels(spec.size_for(tier, aspect))
    except (KeyError, ValueError):
        return ""
    shape = msg(f"form.aspect.{aspect}") if aspect in ASPECT_NAMES else msg("legacy_text", text=aspect)
    if lang is None:  # before any request is known (the first render): in both languages
        return both("form.size", w=w, h=h, shape=shape)
    return html.escape(t("form.size", lang, w=w, h=h, shape=shape))


def count_label(text: str | None, limit: int, lang: str = DEFAULT) -> str:
    n = spec.prompt_length(text)
    cls = "count-over" if n > limit else ("count-near" if n > limit * 0.9 else "count-ok")
    over = "" if n <= limit else html.escape(
        t("form.too_many_one", lang) if n - limit == 1 else t("form.too_many", lang, n=n - limit))
    return f'<span class="char-count {cls}">{n} / {limit}{over}</span>'


def prompt_count(prompt: str | None, cast: list[Card], lang: str = DEFAULT) -> str:
    """The character count of the prompt as sent (the limit applies to what the service receives)."""
    return count_label(sent_prompt(prompt, cast).sent, spec.PROMPT_MAX, lang)


def hints_html(prompt: str | None, cast: list[Card], lang: str = DEFAULT, *, as_sent: bool = True) -> str:
    """Under the prompt: the prompt as sent when names were rewritten, then the hints, which are
    about the prompt as sent.  `as_sent=False` when another view shows the prompt as sent (the storyboard)."""
    resolved = sent_prompt(prompt, cast)
    preview = (f'<div class="prompt-sent" id="prompt-sent"><span class="prompt-sent-label">{t("form.as_sent", lang)}</span> '
               f'{html.escape(resolved.sent)}</div>' if resolved.changed and as_sent else "")
    names = "".join(f'<div class="hint hint-error">✕ {html.escape(render_msg(said(p), lang))}</div>'
                    for p in resolved.problems)
    prompt = resolved.sent
    hints = tag_hints(prompt, cast, lang)
    if not hints:
        if cast_mod.filled(cast) and (prompt or "").strip() and not names:
            return preview + f'<div class="hint hint-ok">✓ {t("form.all_named", lang)}</div>'
        return preview + names
    return preview + names + "".join(
        f'<div class="hint hint-{"error" if sev == "error" else "warning"}">'
        f'{"✕" if sev == "error" else "!"} {html.escape(msg)}</div>'
        for sev, msg in hints
    )


def price_label(price: PriceTable, tier: str, aspect: str, duration: Any, cast: list[Card],
                demo: bool = False, takes: int = 1, lang: str | None = None) -> str:
    """`lang` None: before any request is known (the first render), in both languages."""
    def say(key: str, **params: Any) -> str:
        return both(key, **params) if lang is None else html.escape(t(key, lang, **params))

    if demo:  # demo mode never speaks of money: nothing is sent anywhere
        value = say("form.free_takes", n=takes) if takes > 1 else say("form.free")
        return (f'<div class="price" id="price-estimate"><span class="price-label">{say("form.demo")}</span> '
                f'<span class="price-value">{value}</span></div>')
    try:
        size = spec.size_for(tier, aspect)
        one = price.estimate(size, parse_duration(duration), cast_mod.reference_video_seconds(cast))
    except (KeyError, ValueError, TypeError):
        return ""
    est = one.times(takes)
    why = say("form.price_range_why") if est.is_range else ""
    if takes > 1:
        why = say("form.price_takes", n=takes, each=one.message()) + why
    return (f'<div class="price" id="price-estimate"><span class="price-label">{say("form.estimated_price")}</span> '
            f'<span class="price-value">{say("legacy_text", text=est.message())}</span>'
            f'<span class="price-note">{why}</span></div>')
