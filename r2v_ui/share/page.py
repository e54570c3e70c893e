"""The share page: server-rendered HTML in the viewer's language, dark and media first, no Gradio.

What a viewer sees at /s/<token>: the video (or the takes side by side, one play/pause and one scrubber
driving all), each with its poster and a Pick button; the notes, each at its time with a button that
seeks there, and a form to leave one (optionally at the playing video's current time); the cast's
pictures and names; the prompt and settings only when the owner allowed it.  Nothing of the studio is
linked from it: no form of the studio, no key, no other job.

Every text is a catalog entry (r2v_ui/messages); everything a person wrote (prompt, names, notes) is
escaped here.  The style and script are fixed strings, allowed by their hashes in the page's Content
Security Policy (`CSP`): no inline code of anyone else's runs, and the page loads nothing from
elsewhere.  The "not found" page is the same bytes for every reason it is shown.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from ..messages import t
from .model import NAME_MAX_CHARS, NOTE_MAX_CHARS, Note, ShareLink, clock_seconds

CSS = """
:root{color-scheme:dark;--bg:#0a0a0d;--panel:#14141a;--panel2:#1b1b23;--line:#262631;--text:#ededf2;--muted:#a3a3b4;
--accent:#9d9dff;--pick:#3ddc97;--warn:#f5d67b}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif}
.top{display:flex;align-items:center;gap:10px;padding:14px clamp(16px,4vw,40px);border-bottom:1px solid var(--line)}
.mark{width:22px;height:22px;border-radius:6px;background:linear-gradient(135deg,#9d9dff,#3ddc97);flex:none}
.brand{font-size:13px;letter-spacing:.02em;color:var(--muted)}
main{max-width:1360px;margin:0 auto;padding:22px clamp(12px,4vw,40px) 40px}
h1{font-size:clamp(21px,2.6vw,30px);line-height:1.2;font-weight:650;letter-spacing:-.015em;margin:0 0 6px;overflow-wrap:anywhere}
.meta{color:var(--muted);font-size:13px;margin:0 0 18px}
.until{white-space:nowrap}
.local{border:1px solid #5c4d17;background:#1c170a;color:var(--warn);padding:10px 14px;border-radius:10px;font-size:14px;margin:0 0 18px}
.reel{display:grid;gap:14px;grid-template-columns:repeat(auto-fit,minmax(min(100%,300px),1fr))}
.reel.one{grid-template-columns:minmax(0,1fr)}
.take{margin:0;min-width:0;background:var(--panel);border:1px solid var(--line);border-radius:14px;overflow:hidden}
.take.picked{border-color:var(--pick);box-shadow:0 0 0 1px var(--pick) inset}
.take video{display:block;width:100%;aspect-ratio:16/9;background:#000;object-fit:contain}
.reel.one video{max-height:78vh}
.take figcaption{display:flex;align-items:center;justify-content:space-between;gap:10px;padding:10px 12px;min-height:56px}
.take .label{font-weight:600;font-size:15px}
.take .sub{color:var(--muted);font-size:13px;margin-left:8px;font-weight:400}
form{margin:0}
button,input,select,textarea{font:inherit;color:inherit}
button{cursor:pointer}
.pick button{background:transparent;border:1px solid #3d3d4e;border-radius:999px;padding:6px 16px;min-height:38px;
font-size:14px;font-weight:600;color:var(--text)}
.pick button:hover{border-color:var(--text)}
.pick button[aria-pressed="true"]{background:var(--pick);border-color:var(--pick);color:#04251a}
.transport{display:flex;align-items:center;gap:14px;margin-top:12px;padding:10px 14px;background:rgba(20,20,26,.94);
border:1px solid var(--line);border-radius:12px;position:sticky;bottom:10px;z-index:2;backdrop-filter:blur(8px)}
#play{background:var(--text);color:var(--bg);border:0;border-radius:999px;padding:8px 20px;min-height:40px;font-weight:650;flex:none}
#scrub{flex:1;min-width:0;accent-color:var(--accent);height:28px}
#clock{font-variant-numeric:tabular-nums;color:var(--muted);font-size:13px;flex:none}
.cols{display:grid;grid-template-columns:minmax(0,1.25fr) minmax(0,1fr);gap:40px;margin-top:36px}
@media (max-width:880px){.cols{grid-template-columns:minmax(0,1fr);gap:28px;margin-top:28px}}
h2{font-size:12px;text-transform:uppercase;letter-spacing:.1em;color:var(--muted);font-weight:650;margin:0 0 12px}
section+section{margin-top:28px}
.notes{list-style:none;padding:0;margin:0 0 18px;display:flex;flex-direction:column;gap:10px}
.notes li{background:var(--panel);border:1px solid var(--line);border-radius:12px;padding:10px 14px}
.note-head{display:flex;flex-wrap:wrap;gap:8px;align-items:center;font-size:13px;color:var(--muted)}
.note-head .who{color:var(--text);font-weight:600}
.seek{background:#25254a;color:#d2d2ff;border:0;border-radius:6px;padding:2px 9px;min-height:26px;font-variant-numeric:tabular-nums;font-size:13px}
.note-text{margin:4px 0 0;white-space:pre-wrap;overflow-wrap:anywhere}
.empty{color:var(--muted);margin:0 0 18px}
.note-form{display:grid;gap:10px;background:var(--panel);border:1px solid var(--line);border-radius:14px;padding:14px}
.note-form label{font-size:13px;color:var(--muted);display:block;margin-bottom:4px}
.note-form textarea,.note-form input[type=text],.note-form select,.pw input{width:100%;background:#0e0e13;
border:1px solid #383848;border-radius:10px;padding:10px 12px;min-height:44px}
.note-form textarea{min-height:96px;resize:vertical}
.row{display:flex;flex-wrap:wrap;gap:10px;align-items:center;justify-content:space-between}
.at{display:flex;align-items:center;gap:8px;font-size:14px;color:var(--text)}
.at input{width:20px;height:20px;accent-color:var(--accent)}
.at output{font-variant-numeric:tabular-nums}
.send,.pw button{background:var(--accent);color:#0b0b1a;border:0;border-radius:999px;padding:10px 22px;min-height:44px;font-weight:650}
.hint{color:var(--muted);font-size:12px;margin:0}
#say{min-height:1.5em;margin:0;font-size:14px}
.cast{display:flex;flex-wrap:wrap;gap:14px;list-style:none;padding:0;margin:0}
.cast li{width:104px}
.cast img,.cast .no-pic{width:104px;height:130px;object-fit:cover;border-radius:10px;display:block;background:var(--panel2)}
.cast .no-pic{display:flex;align-items:center;justify-content:center;font-size:34px;color:var(--muted)}
.cast span{display:block;margin-top:6px;font-size:14px;overflow-wrap:anywhere}
.prompt{white-space:pre-wrap;overflow-wrap:anywhere;background:var(--panel);border:1px solid var(--line);border-radius:12px;
padding:12px 14px;margin:0 0 10px}
.chips{display:flex;flex-wrap:wrap;gap:8px;list-style:none;padding:0;margin:0}
.chips li{background:var(--panel2);border-radius:999px;padding:3px 12px;font-size:13px;color:var(--text)}
.chips .k{color:var(--muted)}
footer{color:var(--muted);font-size:12px;text-align:center;padding:8px 16px 28px}
.alone{max-width:440px;margin:12vh auto 0;padding:0 20px}
.alone p{color:var(--muted)}
.pw{display:grid;gap:12px;margin-top:18px}
.pw label{font-size:13px;color:var(--muted)}
a{color:var(--accent)}
:focus-visible{outline:2px solid var(--accent);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
"""

JS = """
(() => {
  const vs = [...document.querySelectorAll('video.sync')];
  const $ = (id) => document.getElementById(id);
  const play = $('play'), scrub = $('scrub'), clock = $('clock'), say = $('say');
  const fmt = (s) => { s = Math.max(0, Math.floor(s || 0)); const h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60),
    x = String(s % 60).padStart(2, '0'); return h ? h + ':' + String(m).padStart(2, '0') + ':' + x : m + ':' + x; };
  const longest = () => Math.max(0, ...vs.map(v => v.duration || 0));
  const shown = (on) => { if (!play) return; play.setAttribute('aria-pressed', String(on)); play.textContent = on ? play.dataset.pause : play.dataset.play; };
  const seekAll = (t) => vs.forEach(v => { v.currentTime = Math.min(t, v.duration || t); });
  if (play) play.addEventListener('click', () => {
    const start = vs.every(v => v.paused), t = vs[0].currentTime;
    vs.forEach(v => { if (start) { v.currentTime = Math.min(t, v.duration || t); v.play().catch(() => {}); } else v.pause(); });
    shown(start);
  });
  if (scrub) scrub.addEventListener('input', () => { const d = longest(); if (d) seekAll(Number(scrub.value) / 1000 * d); });
  const jobSel = $('note-job'), at = $('at'), atTime = $('at-time');
  const source = () => vs[jobSel ? Number(jobSel.value) : 0] || vs[0];
  document.addEventListener('timeupdate', (e) => {
    const v = e.target;
    if (!v.matches || !v.matches('video.sync')) return;
    if (v === vs[0]) {
      const d = longest();
      if (scrub && d && document.activeElement !== scrub) scrub.value = String(Math.round(v.currentTime / d * 1000));
      if (clock) clock.textContent = fmt(v.currentTime) + ' / ' + fmt(d);
      if (!v.paused) vs.slice(1).forEach(o => { if (!o.paused && Math.abs(o.currentTime - v.currentTime) > 0.25) o.currentTime = Math.min(v.currentTime, o.duration || 0); });
    }
    if (v === source() && atTime) atTime.value = fmt(v.currentTime);
  }, true);
  const clockNow = () => { if (clock && vs.length) clock.textContent = fmt(vs[0].currentTime) + ' / ' + fmt(longest()); };
  document.addEventListener('loadedmetadata', clockNow, true);
  clockNow();
  document.addEventListener('ended', () => { if (vs.every(v => v.paused || v.ended)) shown(false); }, true);
  if (jobSel) jobSel.addEventListener('change', () => { if (atTime) atTime.value = fmt(source().currentTime); });
  document.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('button.seek');
    if (!b) return;
    const t = Number(b.dataset.t), v = vs[Number(b.dataset.job)] || vs[0];
    seekAll(t);
    v.scrollIntoView({block: 'nearest', behavior: 'smooth'});
  });
  const name = $('name');
  try { if (name && !name.value) name.value = localStorage.getItem('r2v-share-name') || ''; } catch (err) {}
  document.addEventListener('submit', async (e) => {
    const f = e.target;
    if (!f.matches || !f.matches('form.live')) return;
    const who = f.querySelector('input[name=name][type=hidden]');
    if (who && name) who.value = name.value;
    try { if (name) localStorage.setItem('r2v-share-name', name.value); } catch (err) {}
    if (f.id === 'note-form') { const src = source(); $('seconds').value = at && at.checked && src ? src.currentTime.toFixed(2) : ''; }
    if (!window.fetch) return;
    e.preventDefault();
    const button = f.querySelector('button');
    button.disabled = true;
    try {
      const r = await fetch(f.action, {method: 'POST', body: new URLSearchParams(new FormData(f)),
        headers: {'X-R2V-Share': '1'}, credentials: 'same-origin'});
      if (!(r.headers.get('content-type') || '').includes('json')) { say.textContent = say.dataset.gone; button.disabled = false; return; }
      const j = await r.json();
      say.textContent = j.say || '';
      if (j.ok && j.note) {
        const list = $('notes');
        list.insertAdjacentHTML('beforeend', j.note);
        list.hidden = false;
        const none = $('no-notes'); if (none) none.remove();
        f.querySelector('textarea').value = '';
      }
      if (j.ok && j.picked !== undefined) document.querySelectorAll('figure.take').forEach((fig, i) => {
        fig.classList.toggle('picked', i === j.picked);
        const b = fig.querySelector('.pick button');
        if (b) { b.setAttribute('aria-pressed', String(i === j.picked)); b.textContent = i === j.picked ? b.dataset.on : b.dataset.off; }
      });
    } catch (err) { say.textContent = say.dataset.offline; }
    button.disabled = false;
  });
})();
"""


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


# Only this page's own style and script run; media and pictures only from this address; forms post only here.
CSP = (f"default-src 'none'; style-src {_hash(CSS)}; script-src {_hash(JS)}; img-src 'self'; media-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY", "Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}


@dataclass(frozen=True)
class Shown:
    """One video of the page: where its files are served (by position, never by a path) and what it was."""

    n: int
    job_id: str
    settings: dict[str, Any]
    references: list[dict[str, Any]]
    seed_used: int | None
    take: int | None
    has_poster: bool


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _doc(lang: str, title: str, body: str, *, script: bool = False) -> str:
    return (f'<!doctype html><html lang="{_e(lang)}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width,initial-scale=1">'
            '<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow">'
            f"<title>{_e(title)}</title><style>{CSS}</style></head><body>"
            f'<header class="top"><span class="mark" aria-hidden="true"></span>'
            f'<span class="brand">{_e(t("share.page.brand", lang))}</span></header>'
            f"{body}" + (f"<script>{JS}</script>" if script else "") + "</body></html>")


def not_found(lang: str) -> str:
    """The one answer for an unknown, revoked, expired or locked link and a wrong password alike."""
    return _doc(lang, t("share.page.not_found_title", lang),
                f'<main class="alone"><h1>{_e(t("share.page.not_found_title", lang))}</h1>'
                f'<p>{_e(t("share.page.not_found", lang))}</p></main>')


def refused(lang: str, say: str, back: str) -> str:
    """A note or pick refused when the page's script did not send it (no JavaScript)."""
    return _doc(lang, t("share.page.refused_title", lang),
                f'<main class="alone"><h1>{_e(t("share.page.refused_title", lang))}</h1><p>{_e(say)}</p>'
                f'<p><a href="{_e(back)}">{_e(t("share.page.back", lang))}</a></p></main>')


def password_page(lang: str, link: ShareLink, csrf: str) -> str:
    return _doc(lang, t("share.page.password_title", lang),
                f'<main class="alone"><h1>{_e(t("share.page.password_title", lang))}</h1>'
                f'<p>{_e(t("share.page.password_say", lang))}</p>'
                f'<form class="pw" method="post" action="{_e(link.path)}">'
                f'<input type="hidden" name="csrf" value="{_e(csrf)}">'
                f'<label for="pw">{_e(t("share.page.password_label", lang))}</label>'
                '<input id="pw" name="password" type="password" required autocomplete="current-password" '
                'maxlength="200" autofocus>'
                f'<button type="submit">{_e(t("share.page.password_open", lang))}</button></form></main>')


def title_of(link: ShareLink, shown: Sequence[Shown], lang: str) -> str:
    if link.show_prompt and shown:
        prompt = " ".join(str(shown[0].settings.get("written_prompt") or shown[0].settings.get("prompt") or "").split())
        if prompt:
            return prompt if len(prompt) <= 80 else prompt[:79].rstrip() + "…"
    return t("share.page.title_one", lang) if len(shown) == 1 else t("share.page.title_many", lang, count=len(shown))


def label_of(s: Shown, count: int, lang: str) -> str:
    return t("share.page.take", lang, n=s.n + 1) if count > 1 else t("share.page.video", lang)


def note_item(note: Note, shown: Sequence[Shown], lang: str) -> str:
    """One note as a list item: who, which take and when, a button that seeks there, and the text."""
    n = next((s.n for s in shown if s.job_id == note.job_id), 0)
    head = f'<span class="who">{_e(note.name or t("share.page.someone", lang))}</span>'
    if len(shown) > 1:
        head += f"<span>{_e(t('share.page.take', lang, n=n + 1))}</span>"
    if note.seconds is not None:
        at = clock_seconds(note.seconds)
        head += (f'<button type="button" class="seek" data-t="{note.seconds:.2f}" data-job="{n}" '
                 f'aria-label="{_e(t("share.page.seek", lang, time=at))}">{_e(at)}</button>')
    return f'<li><div class="note-head">{head}</div><p class="note-text">{_e(note.text)}</p></li>'


def _cast(link: ShareLink, shown: Sequence[Shown], lang: str) -> str:
    seen: set[str] = set()
    items = []
    for s in shown:
        for k, ref in enumerate(s.references):
            ident = str(ref.get("sha256") or ref.get("name") or k)
            if ident in seen:
                continue
            seen.add(ident)
            name = ref.get("character") or Path(str(ref.get("name") or "")).stem or "?"
            if ref.get("kind") == "image" and ref.get("kept"):
                pic = f'<img src="{_e(link.path)}/c/{s.n}/{k}" alt="" loading="lazy" width="104" height="130">'
            else:
                pic = f'<div class="no-pic" aria-hidden="true">{_e(name[:1].upper())}</div>'
            items.append(f"<li>{pic}<span>{_e(name)}</span></li>")
    if not items:
        return ""
    return f'<section aria-labelledby="cast-h"><h2 id="cast-h">{_e(t("share.page.cast", lang))}</h2><ul class="cast">{"".join(items)}</ul></section>'


def _details(shown: Sequence[Shown], lang: str) -> str:
    first = shown[0].settings
    prompt = str(first.get("written_prompt") or first.get("prompt") or "")
    chips = []
    if first.get("size"):
        chips.append(t("compare.size", lang, size=str(first["size"]).replace("*", "×")))
    if first.get("duration"):
        chips.append(t("status.secs", lang, s=first["duration"]))
    if "audio" in first:
        chips.append(t("confirm.sound_on" if first.get("audio") else "confirm.sound_off", lang))
    seeds = {s.seed_used for s in shown if s.seed_used is not None}
    if len(seeds) == 1:  # takes with seeds of their own say them under each video
        chips.append(t("compare.seed", lang, seed=seeds.pop()))
    if first.get("negative_prompt"):
        chips.append(t("compare.avoid", lang, text=first["negative_prompt"]))
    return (f'<section aria-labelledby="details-h"><h2 id="details-h">{_e(t("share.page.details", lang))}</h2>'
            f'<p class="prompt">{_e(prompt)}</p><ul class="chips">{"".join(f"<li>{_e(c)}</li>" for c in chips)}</ul></section>')


def share_page(lang: str, link: ShareLink, shown: Sequence[Shown], notes: Sequence[Note], *, csrf: str,
               picked: int | None, local_only: bool, expires_on: str | None) -> str:
    count = len(shown)
    title = title_of(link, shown, lang)
    meta = _e(t("share.page.meta_many" if count > 1 else "share.page.meta_one", lang, count=count))
    if expires_on:
        meta += f' · <span class="until">{_e(t("share.page.expires", lang, date=expires_on))}</span>'
    parts = [f'<main><h1>{_e(title)}</h1><p class="meta">{meta}</p>']
    own_seeds = len({s.seed_used for s in shown}) > 1  # takes of different seeds say theirs under each
    if local_only:
        parts.append(f'<p class="local" role="note">{_e(t("share.page.local_only", lang, flag="--share"))}</p>')
    figs = []
    for s in shown:
        label = label_of(s, count, lang)
        poster = f' poster="{_e(link.path)}/p/{s.n}"' if s.has_poster else ""
        on = picked == s.n
        pick = ""
        if count > 1:
            pick = (f'<form class="pick live" method="post" action="{_e(link.path)}/pick">'
                    f'<input type="hidden" name="csrf" value="{_e(csrf)}"><input type="hidden" name="job" value="{s.n}">'
                    '<input type="hidden" name="name" value="">'
                    f'<button type="submit" aria-pressed="{str(on).lower()}" data-on="{_e(t("share.page.picked", lang))}" '
                    f'data-off="{_e(t("share.page.pick", lang))}" aria-describedby="label-{s.n}">'
                    f'{_e(t("share.page.picked" if on else "share.page.pick", lang))}</button></form>')
        sub = f'<span class="sub">{_e(t("compare.seed", lang, seed=s.seed_used))}</span>' if (
            link.show_prompt and own_seeds and s.seed_used is not None) else ""
        figs.append(
            f'<figure class="take{" picked" if on else ""}" id="take-{s.n + 1}">'
            f'<video class="sync" src="{_e(link.path)}/v/{s.n}"{poster} controls playsinline preload="metadata"'
            f'{" muted" if count > 1 else ""} aria-label="{_e(label)}"></video>'
            + (f'<figcaption><span class="label" id="label-{s.n}">{_e(label)}{sub}</span>{pick}</figcaption>'
               if count > 1 else "") + "</figure>")  # one video: nothing to tell apart or pick
    parts.append(f'<div class="reel{" one" if count == 1 else ""}">{"".join(figs)}</div>')
    if count > 1:
        parts.append(
            f'<div class="transport"><button type="button" id="play" aria-pressed="false" '
            f'data-play="{_e(t("share.page.play_all", lang))}" data-pause="{_e(t("share.page.pause_all", lang))}">'
            f'{_e(t("share.page.play_all", lang))}</button>'
            f'<input id="scrub" type="range" min="0" max="1000" value="0" aria-label="{_e(t("share.page.scrub", lang))}">'
            '<span id="clock">0:00 / 0:00</span></div>')
    # notes, then what made it
    items = "".join(note_item(n, shown, lang) for n in notes)
    options = "".join(f'<option value="{s.n}">{_e(label_of(s, count, lang))}</option>' for s in shown)
    job_field = (f'<div><label for="note-job">{_e(t("share.page.note_on", lang))}</label>'
                 f'<select id="note-job" name="job">{options}</select></div>' if count > 1
                 else '<input type="hidden" name="job" value="0">')
    notes_html = (
        f'<section aria-labelledby="notes-h"><h2 id="notes-h">{_e(t("share.page.notes", lang))}</h2>'
        f'<ol class="notes" id="notes"{"" if notes else " hidden"}>{items}</ol>'
        + ("" if notes else f'<p class="empty" id="no-notes">{_e(t("share.page.notes_none", lang))}</p>')
        + f'<form class="note-form live" id="note-form" method="post" action="{_e(link.path)}/note">'
        f'<input type="hidden" name="csrf" value="{_e(csrf)}"><input type="hidden" name="seconds" id="seconds" value="">'
        f'{job_field}'
        f'<div><label for="note-text">{_e(t("share.page.note_label", lang))}</label>'
        f'<textarea id="note-text" name="text" required maxlength="{NOTE_MAX_CHARS}" '
        f'placeholder="{_e(t("share.page.note_placeholder", lang))}" aria-describedby="note-hint"></textarea>'
        f'<p class="hint" id="note-hint">{_e(t("share.page.note_hint", lang, most=NOTE_MAX_CHARS))}</p></div>'
        f'<div><label for="name">{_e(t("share.page.name_label", lang))}</label>'
        f'<input type="text" id="name" name="name" maxlength="{NAME_MAX_CHARS}" autocomplete="name"></div>'
        f'<div class="row"><label class="at"><input type="checkbox" id="at" name="at" value="1" checked>'
        f'<span>{_e(t("share.page.note_at", lang))}</span> <output id="at-time" for="at">0:00</output></label>'
        f'<button type="submit" class="send">{_e(t("share.page.send", lang))}</button></div>'
        f'<p id="say" role="status" aria-live="polite" data-offline="{_e(t("share.page.offline", lang))}" data-gone="{_e(t("share.gone", lang))}"></p>'
        "</form></section>")
    side = _cast(link, shown, lang) + (_details(shown, lang) if link.show_prompt and shown else "")
    parts.append(f'<div class="cols"><div>{notes_html}</div><div>{side}</div></div></main>')
    parts.append(f'<footer>{_e(t("share.page.footer", lang))}</footer>')
    return _doc(lang, title, "".join(parts), script=True)


def json_answer(ok: bool, say: str, **extra: Any) -> bytes:
    return json.dumps({"ok": ok, "say": say, **extra}, ensure_ascii=False).encode("utf-8")
