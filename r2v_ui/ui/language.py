"""The page's language: which one a request is in, the labels Gradio translates in the browser
(`gr.I18n`), and the switch that changes it.

A request's language is the one its browser chose with the switch (a cookie, so it is known from
the very first request of a visit and kept by that browser), else the first of Chinese or English
in its Accept-Language, else English.  Server-rendered HTML and messages use `lang_of(request)`;
component labels are `label("...")` keys that Gradio's frontend translates: it starts from the
browser's language (the same one Accept-Language names) and the page's load script switches it
to the chosen one when the cookie says so.  The words live in the catalog (r2v_ui/messages), under
keys that start with "ui.".
"""

from __future__ import annotations

import json
from typing import Any

import gradio as gr

from ..messages import CATALOGS, EN, LANGUAGES, ZH, from_accept_language, t

COOKIE = "r2v_lang"
CHOICES = [("中文", ZH), ("English", EN)]  # each language named in itself


def lang_of(request: Any) -> str:
    """The language of one request (a gr.Request, or None for a call with no browser)."""
    cookies = getattr(request, "cookies", None) or {}
    chosen = cookies.get(COOKIE) if hasattr(cookies, "get") else None
    if chosen in LANGUAGES:
        return chosen
    headers = getattr(request, "headers", None) or {}
    return from_accept_language(headers.get("accept-language") if hasattr(headers, "get") else None)


def _frontend_key(key: str) -> str:
    return key.replace(".", "_")  # Gradio's frontend reads dots as nesting


# Words Gradio's own frontend says that its translations lack (Gradio 6.31 shows the key itself, in
# English too): after every event its status tracker tells screen readers "common.complete" in a
# live region.  Gradio's key (dotted: its own nesting) → the catalog's sentence for it.
GRADIO_GAPS = {"common.complete": "gradio.complete"}


def make_i18n() -> gr.I18n:
    """The labels for `launch(i18n=...)`: every "ui." key of the catalog, in both languages, and the
    words Gradio's frontend lacks (GRADIO_GAPS)."""
    return gr.I18n(**{lang: {**{key: CATALOGS[lang][said] for key, said in GRADIO_GAPS.items()},
                             **{_frontend_key(k): v for k, v in CATALOGS[lang].items() if k.startswith("ui.")}}
                      for lang in LANGUAGES})


def label(key: str) -> Any:
    """A component label Gradio translates in the browser: `gr.Button(label("ui.generate"))`."""
    if key not in CATALOGS[EN]:
        raise KeyError(f"no label {key!r} in the catalog")
    return gr.i18n.I18nData(_frontend_key(key))


def choices(pairs: Any) -> list[tuple[Any, Any]]:
    """Choices for a Radio or Dropdown from (label key, value) pairs: the labels translated in the browser."""
    return [(label(key), value) for key, value in pairs]


def text(key: str, request: Any, **params: Any) -> str:
    """A server-rendered text in the request's language."""
    return t(key, lang_of(request), **params)


# On load: when this browser chose a language that is not the one Gradio started in, switch
# Gradio's own labels to it (its `changeLocale`, from the module the page already loaded).
TITLES = json.dumps({lang: t("page.title", lang) for lang in LANGUAGES}, ensure_ascii=False)
APPLY_JS = f"""
async () => {{
  const m = document.cookie.match(/(?:^|; ){COOKIE}=([^;]+)/);
  const lang = m ? decodeURIComponent(m[1]) : null;
  document.documentElement.lang = lang || (navigator.language && navigator.language.startsWith('zh') ? 'zh-CN' : 'en');
  document.title = {TITLES}[document.documentElement.lang] || document.title;
  if (!lang) return;
  const core = performance.getEntriesByType('resource').map(e => e.name).find(n => /\\/core-[^/]*\\.js$/.test(n));
  if (!core) return;
  try {{ const mod = await import(core); if (mod.changeLocale) mod.changeLocale(lang); }} catch (e) {{ console.warn(e); }}
}}
"""

# The switch: remembered by this browser (a year), then the page reloads in the new language.
SWITCH_JS = f"""
(lang) => {{
  document.cookie = '{COOKIE}=' + encodeURIComponent(lang) + '; path=/; max-age=31536000; SameSite=Lax';
  location.reload();
  return lang;
}}
"""


# The switch sits in the page's top margin, out of the flow: it adds no height above the workspace.
CSS = """
html:not([lang="zh-CN"]) .i18n[lang="zh-CN"], html[lang="zh-CN"] .i18n[lang="en"] { display: none !important; }
#lang-switch { position: absolute; top: 6px; right: 16px; z-index: 20; width: auto !important; min-width: 0 !important;
  background: transparent; border: 0; padding: 0; }
#lang-switch .wrap { gap: 4px; flex-wrap: nowrap; }
#lang-switch label { padding: 2px 10px; min-height: 0; font-size: .85rem; }
"""


def render_switch(ctx: Any) -> gr.Radio:
    return gr.Radio(CHOICES, value=None, label=label("ui.language"), elem_id="lang-switch", container=False,
                    show_label=False, min_width=160)


def listen_switch(switch: gr.Radio) -> None:
    switch.input(None, [switch], None, js=SWITCH_JS, api_visibility="private", queue=False)
