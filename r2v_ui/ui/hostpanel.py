"""The "Reference hosting" panel: which way this session's reference files get a link the service
can fetch, and a Check that tests it for real (the backend's own `check()`, run by the JobManager).

`render(settings)` builds the panel's widgets (inside the header's closed setup panel) and
`listen(w, ctx)` wires them; the rest are functions of the settings, the manager and a language
that make its HTML.  Drawn before any request is known, the description is in both languages
(`describe_both`; the page's CSS shows one).
"""

from __future__ import annotations

import concurrent.futures
import html
from dataclasses import dataclass
from typing import Any

import gradio as gr

from ..errors import StudioError
from ..messages import EN, LANGUAGES, Msg, both, msg, render_msg, t
from .context import CHECK_CONCURRENCY, PageContext
from .language import label, lang_of


@dataclass
class HostingWidgets:
    info: gr.HTML     # which way reference files get a link, or why there is none
    check: gr.Button
    result: gr.HTML   # how the last check went


def render(settings: Any) -> HostingWidgets:
    gr.HTML(f"<p>{both('setup.hosting_heading', markup=True)}</p>", min_height=0, padding=False)
    info = gr.HTML(describe_both(settings, session_target(settings, None)), elem_id="hosting-info")
    with gr.Row(equal_height=True):
        check = gr.Button(label("ui.check_hosting"), size="sm", scale=0, min_width=130, elem_id="hosting-check")
        result = gr.HTML("", elem_id="hosting-result")
    return HostingWidgets(info, check, result)


def listen(w: HostingWidgets, ctx: PageContext) -> None:
    settings, key = ctx.settings, ctx.states.key

    def check_hosting(given: dict, request: gr.Request):
        target, lang = session_target(settings, given[key]), lang_of(request)
        return {w.info: describe(settings, target, lang), w.result: check_html(ctx.manager, target, lang)}

    w.check.click(check_hosting, {key}, [w.info, w.result], api_name="check_hosting",
                  concurrency_limit=CHECK_CONCURRENCY, concurrency_id="checks")

    def key_changed(given: dict, request: gr.Request):
        target = session_target(settings, given[key])
        return {w.info: describe(settings, target, lang_of(request)), w.result: ""}

    key.change(key_changed, {key}, [w.info, w.result], show_progress="hidden", api_visibility="private")


def session_target(settings: Any, session_key: str | None) -> str:
    """"demo" or "live", as the JobManager picks it for jobs started now."""
    return "live" if (session_key or not settings.demo) else "demo"


def describe(settings: Any, target: str, lang: str = EN) -> str:
    """One paragraph (HTML) naming the hosting way in use, or why there is none yet, in `lang`."""
    if target == "demo":
        return _box("info", t("setup.demo_title", lang), t("setup.demo_text", lang))
    choice = (settings.hosting or "auto").lower()
    if choice == "auto":
        choice = "s3" if settings.s3_bucket else ("public" if settings.public_base_url else "")
    if choice == "emulator":
        return _box("info", t("setup.emulator_title", lang),
                    t("setup.emulator_text", lang, where=settings.base_url, setting="R2V_HOSTING=emulator"))
    if choice == "s3":
        where = msg("setup.s3_at", endpoint=settings.s3_endpoint) if settings.s3_endpoint else msg("setup.s3_aws")
        return _box("info", t("setup.s3_title", lang),
                    t("setup.s3_text", lang, bucket=settings.s3_bucket or "?", where=where, prefix=settings.s3_prefix,
                      hours=settings.s3_url_ttl_seconds // 3600))
    if choice == "public":
        where = settings.public_base_url or msg("setup.share_link")
        return _box("info", t("setup.public_title", lang), t("setup.public_text", lang, where=where))
    if choice == "url":
        return _box("info", t("setup.url_title", lang), t("setup.url_text", lang))
    return _box("error", t("setup.none_title", lang), render_msg(no_hosting_text(settings), lang))


def describe_both(settings: Any, target: str) -> str:
    """The description in every language, for the page's first render (before any request)."""
    return "".join(f'<div class="i18n" lang="{lang}">{describe(settings, target, lang)}</div>' for lang in LANGUAGES)


def no_hosting_text(settings: Any) -> Msg:
    """make_host's own plain-words error when nothing is configured."""
    from ..hosting import HostingError, make_host

    try:
        make_host(settings.with_overrides(hosting="auto", s3_bucket=None, public_base_url=None),
                  emulator_url=None, emulator_key=None, cache=False)
    except HostingError as exc:
        return exc.msg
    return msg("setup.none_fallback")


def check_html(manager: Any, target: str, lang: str = EN) -> str:
    """Run the real check and say how it went, in `lang`."""
    try:
        ok = manager.check_hosting(target)
    except StudioError as exc:
        return _box("error", t("setup.check_failed", lang), render_msg(exc.msg, lang) or type(exc).__name__)
    except (concurrent.futures.TimeoutError, TimeoutError):
        return _box("error", t("setup.check_failed", lang), t("setup.check_timeout", lang))
    return _box("ok", t("setup.works", lang), render_msg(ok, lang))


def _box(kind: str, title: str, text: str) -> str:
    return (f'<div class="hosting-note hosting-{kind}" data-kind="{kind}" role="status">'
            f'<b>{html.escape(title)}</b> — {html.escape(text)}</div>')
