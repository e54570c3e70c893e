"""The page's own scripts beyond theme.py's basics, each a plain string put in the page head.

* COMPARE_JS: Compare's one play/pause and one scrubber for every video; the first video leads and
  the others are pulled back to its time when they drift more than 0.2 s.
* RECORDER_JS: record a voice clip without Gradio's audio player (which brings a 150 KB streaming
  bundle to every page load): the microphone is captured as 16-bit PCM, written as a WAV file and
  handed to the card's own "Voice clip" file input (dropscript.py's r2vGiveFile), so a recording goes through exactly the checks
  of a chosen file.  Events are delegated from the document, so cards re-rendered by Gradio keep
  working.
* WORDS_JS: the words these scripts write (screen-reader names, the Compare time), from the catalog
  in both languages as one JSON object made when the page is built; `r2vWord(key, {field: value})`
  says one in the page's language (`<html lang>`, set by language.py's load script), so a Chinese
  page never hears an English label and the catalog stays the one place for every sentence."""

from __future__ import annotations

import json

from ..messages import CATALOGS, LANGUAGES
from .dropscript import DROP_WORDS

TAB_WORDS = ("ui.tab.studio", "ui.tab.compare", "ui.tab.history", "ui.tab.spend")
SCRIPT_WORDS = ("script.card_left", "script.card_right", "script.card_remove", "compare.scrub",
                "script.compare_time", "script.seconds", *DROP_WORDS, *TAB_WORDS)


def words_js(keys: tuple[str, ...] = SCRIPT_WORDS) -> str:
    """The script that defines `r2vWords` (the `keys` in every language) and `r2vWord(key, vars)`."""
    table = json.dumps({lang: {k: CATALOGS[lang][k] for k in keys} for lang in LANGUAGES}, ensure_ascii=False)
    return _WORD_JS.replace("%WORDS%", table.replace("</", "<\\/"))  # never ends the <script> it sits in


# The language codes are the catalog's (messages.EN, messages.ZH), as language.py's load script sets them.
_WORD_JS = r"""
window.r2vWords = %WORDS%;
window.r2vWord = (key, vars) => {
  const all = window.r2vWords, mine = all[document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en'];
  return (mine[key] || all.en[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? String(vars[k]) : m));
};
"""


WORDS_JS = words_js()

COMPARE_JS = """
(() => {
  // Compare: one play/pause and one scrubber for every video; the first leads, the others follow it.
  const synced = () => [...document.querySelectorAll('#compare-slots video.r2v-sync')];
  const longest = (vs) => Math.max(0, ...vs.map(v => v.duration || 0));
  document.addEventListener('click', (e) => {
    const b = e.target.closest && e.target.closest('#compare-play');
    if (!b) return;
    const vs = synced();
    if (!vs.length) return;
    const start = vs.every(v => v.paused);
    const t = vs[0].currentTime;
    vs.forEach(v => { if (start) { v.currentTime = Math.min(t, v.duration || t); v.play().catch(() => {}); } else v.pause(); });
    b.setAttribute('aria-pressed', String(start));
    const zh = document.documentElement.lang === 'zh-CN';  // its words per language are in data attributes
    const k = start ? 'pause' : 'play';
    b.textContent = (zh && b.dataset['zh' + k[0].toUpperCase() + k.slice(1)]) || b.dataset[k];
  });
  document.addEventListener('input', (e) => {
    if (!e.target || e.target.id !== 'compare-scrub') return;
    const vs = synced(), d = longest(vs);
    if (!d) return;
    const t = Number(e.target.value) / 1000 * d;
    vs.forEach(v => { v.currentTime = Math.min(t, v.duration || t); });
  });
  document.addEventListener('timeupdate', (e) => {
    const v = e.target;
    if (!v.matches || !v.matches('video.r2v-sync')) return;
    const vs = synced();
    if (v !== vs[0]) return;
    const d = longest(vs), s = document.getElementById('compare-scrub'), out = document.getElementById('compare-time');
    if (s && d && document.activeElement !== s) s.value = String(Math.round(v.currentTime / d * 1000));
    if (out) out.textContent = r2vWord('script.compare_time', {now: v.currentTime.toFixed(1), total: d.toFixed(1)});
    if (!v.paused) vs.slice(1).forEach(o => {
      if (!o.paused && Math.abs(o.currentTime - v.currentTime) > 0.2) o.currentTime = Math.min(v.currentTime, o.duration || 0);
    });
  }, true);
})();
"""

RECORDER_JS = """
(() => {
  const live = {};
  // The button's words in the page's language: data-zh-<word> on a Chinese page, data-<word> otherwise.
  const said = (b, k) => (document.documentElement.lang === 'zh-CN' && b.dataset['zh' + k[0].toUpperCase() + k.slice(1)]) || b.dataset[k];
  const wav = (chunks, rate) => {
    const n = chunks.reduce((a, c) => a + c.length, 0);
    const buf = new ArrayBuffer(44 + n * 2), v = new DataView(buf);
    const put = (o, s) => { for (let i = 0; i < s.length; i++) v.setUint8(o + i, s.charCodeAt(i)); };
    put(0, 'RIFF'); v.setUint32(4, 36 + n * 2, true); put(8, 'WAVE'); put(12, 'fmt ');
    v.setUint32(16, 16, true); v.setUint16(20, 1, true); v.setUint16(22, 1, true); v.setUint32(24, rate, true);
    v.setUint32(28, rate * 2, true); v.setUint16(32, 2, true); v.setUint16(34, 16, true);
    put(36, 'data'); v.setUint32(40, n * 2, true);
    let o = 44;
    for (const c of chunks) for (let i = 0; i < c.length; i++, o += 2) {
      const x = Math.max(-1, Math.min(1, c[i])); v.setInt16(o, x < 0 ? x * 0x8000 : x * 0x7fff, true);
    }
    return new Blob([buf], {type: 'audio/wav'});
  };
  // The card's own voice input takes it (dropscript.py's r2vGiveFile), as a chosen file would be.
  const hand = (n, blob) => window.r2vGiveFile(n, 'voice-upload',
                                               new File([blob], 'recording-character' + n + '.wav', {type: 'audio/wav'}));
  document.addEventListener('click', async (e) => {
    const b = e.target.closest && e.target.closest('.voice-rec');
    if (!b) return;
    const n = b.dataset.card, say = document.getElementById('card-' + n + '-rec-status');
    if (live[n]) { live[n](); return; }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({audio: true});
      const ctx = new AudioContext(), src = ctx.createMediaStreamSource(stream);
      const proc = ctx.createScriptProcessor(4096, 1, 1), chunks = [], started = Date.now();
      proc.onaudioprocess = (ev) => chunks.push(new Float32Array(ev.inputBuffer.getChannelData(0)));
      src.connect(proc); proc.connect(ctx.destination);
      b.setAttribute('aria-pressed', 'true'); b.dataset.idle = b.innerHTML; b.textContent = said(b, 'stop');
      const tick = setInterval(() => { if (say) say.textContent = said(b, 'recording') + ' ' + r2vWord('script.seconds', {n: Math.round((Date.now() - started) / 1000)}); }, 500);
      live[n] = () => {
        delete live[n]; clearInterval(tick);
        proc.disconnect(); src.disconnect(); stream.getTracks().forEach(t => t.stop());
        const rate = ctx.sampleRate; ctx.close();
        b.setAttribute('aria-pressed', 'false'); b.innerHTML = b.dataset.idle;
        const ok = hand(n, wav(chunks, rate));
        if (say) say.textContent = ok ? said(b, 'checking') : said(b, 'failed');
        // The card's verdict replaces "checking" once the check has answered.
        const face = document.getElementById('card-' + n + '-face');
        if (ok && face && say) new MutationObserver((_, seen) => { say.textContent = ''; seen.disconnect(); })
          .observe(face, {childList: true, subtree: true, characterData: true});
      };
    } catch (err) {
      if (say) say.textContent = said(b, 'denied') + (err && err.name ? ' (' + err.name + ')' : '');
    }
  });
})();
"""

# The result pane, the takes, History's gallery and the phone's bar (issue 23).  Delegated from the
# document (Gradio re-renders the HTML blocks) and driven by one MutationObserver.
RESULT_JS = r"""
(() => {
  const phone = () => window.matchMedia('(max-width: 760px)').matches;
  const bar = () => document.querySelector('.generate-bar');
  // The phone's fixed bar: its height is reserved at the page's end (theme.py reads --r2v-bar-h).
  let measured = null;
  const measure = () => {
    const b = bar();
    if (!b || measured === b) return;
    measured = b;
    const set = () => {
      const root = document.documentElement.style, h = Math.ceil(b.getBoundingClientRect().height);
      const fixed = getComputedStyle(b).position === 'fixed';
      root.setProperty('--r2v-bar-h', h + 'px');
      root.setProperty('--r2v-bar-pad', fixed ? (h + 16) + 'px' : '0px');
      root.setProperty('--r2v-pane-min', fixed ? 'calc(100vh - ' + (h + 16) + 'px)' : '0px');
    };
    new ResizeObserver(set).observe(b);
    window.addEventListener('resize', set);
    set();
  };
  // While a job runs, the bar says so in one line (after a reload, with the status far below on a
  // phone); a tap brings the status into view.
  const RUNNING = ['checking', 'uploading', 'submitting', 'queued', 'processing', 'downloading', 'running'];
  const mirror = () => {
    const out = document.getElementById('bar-status'), box = document.getElementById('job-status-box');
    if (!out) return;
    let text = '';
    if (box && RUNNING.includes(box.dataset.state)) {
      const head = box.querySelector('.job-headline'), meta = box.querySelector('.job-meta');
      text = (head ? head.textContent.trim() : '') + (meta ? ' · ' + meta.textContent.trim() : '');
    }
    if (out.textContent !== text) out.textContent = text;
    // A Generate that sent nothing says why beside the button too (the form's alert may be far away).
    const alert = document.querySelector('#form-alert .form-alert'), pane = document.getElementById('pane-alert-text');
    const why = alert ? alert.textContent.trim() : '';
    if (pane && pane.textContent !== why) pane.textContent = why;
  };
  // After Generate on a phone: the progress in view above the bar (not under it), once the status box
  // shows the new job (the pane grows then, theme.py, so there is room to scroll it up).
  let wanted = 0;
  const showProgress = () => {
    if (!wanted) return;
    const box = document.getElementById('job-status-box');
    if (Date.now() > wanted || document.querySelector('#form-alert .form-alert')) { wanted = 0; return; }
    if (!box || ['empty', 'loading'].includes(box.dataset.state)) return;
    wanted = 0;
    const r = box.getBoundingClientRect(), b = bar();
    const floor = phone() && b ? b.getBoundingClientRect().top : window.innerHeight;
    if (r.top < 0 || r.bottom > floor) window.scrollBy({top: r.top - 8});
  };
  window.r2vShowProgress = () => { wanted = Date.now() + 10000; showProgress(); };
  // Takes: each running take's percent, from the status box's list into its cell.
  const percents = () => {
    document.querySelectorAll('#job-status-box .take-progress li[data-job]').forEach(li => {
      const cell = document.querySelector('.take[data-job="' + li.dataset.job + '"] .take-pct');
      if (cell && cell.textContent !== li.dataset.pct) cell.textContent = li.dataset.pct;
    });
  };
  // Takes play on hover (muted) and on a tap or Enter; the first play brings the controls.
  const play = (v, on) => { if (on) { v.muted = v.dataset.r2vSound !== '1'; v.play().catch(() => {}); } else v.pause(); };
  document.addEventListener('mouseover', (e) => {
    const v = e.target.closest && e.target.closest('.take video');
    if (v && v.paused && !v.dataset.r2vTouched) play(v, true);
  });
  document.addEventListener('mouseout', (e) => {
    const v = e.target.closest && e.target.closest('.take video');
    if (v && !v.dataset.r2vTouched && !(e.relatedTarget && v.contains(e.relatedTarget))) play(v, false);
  });
  // The first tap or click plays (a hover may have started it already: it goes on), with the controls.
  const toggle = (v) => { const first = !v.dataset.r2vTouched; v.dataset.r2vTouched = '1'; v.controls = true;
                          play(v, first || v.paused); };
  document.addEventListener('click', (e) => {
    const v = e.target.closest && e.target.closest('.take video');
    if (v && !v.controls) { e.preventDefault(); toggle(v); }
    const s = e.target.closest && e.target.closest('#bar-status');
    if (s) { const box = document.getElementById('job-status-box'); if (box) box.scrollIntoView({block: 'start'}); }
    // History's gallery: a card opens its job (the list's own choice is pressed: one way in).
    const card = e.target.closest && e.target.closest('.gallery-card[data-index]');
    if (card) {
      const inputs = document.querySelectorAll('#history-list input[type=radio]');
      const input = inputs[Number(card.dataset.index)];
      if (input) input.click();
      document.querySelectorAll('.gallery-card[aria-pressed]').forEach(c => c.setAttribute('aria-pressed', String(c === card)));
    }
    // The gallery or the list: the choice is this browser's, remembered.
    const view = e.target.closest && e.target.closest('#history-view button[data-view]');
    if (view) setView(view.dataset.view);
  });
  document.addEventListener('keydown', (e) => {
    const v = e.target.closest && e.target.closest('.take video');
    if (v && !v.controls && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); toggle(v); }
    if (e.key === 'Escape') {
      const c = document.getElementById('confirm-cancel');
      if (c && c.getClientRects().length) c.click();
    }
  });
  const showView = (v) => {
    const body = document.getElementById('history-body');
    if (body && body.dataset.view !== v) body.dataset.view = v;
    document.querySelectorAll('#history-view button[data-view]').forEach(b => {
      const on = String(b.dataset.view === v);
      if (b.getAttribute('aria-pressed') !== on) b.setAttribute('aria-pressed', on);
    });
  };
  const setView = (v) => {
    if (v !== 'list' && v !== 'gallery') return;
    try { localStorage.setItem('r2v-history-view', v); } catch (err) {}
    showView(v);
  };
  const applyView = () => {
    const body = document.getElementById('history-body');
    if (!body || body.dataset.view) return;
    let v = 'gallery';
    try { v = localStorage.getItem('r2v-history-view') || 'gallery'; } catch (err) {}
    showView(v === 'list' ? 'list' : 'gallery');
  };
  // The question over the page takes the focus (a dialog), and gives it back to Generate when it goes.
  let asked = false;
  const focusDialog = () => {
    const box = document.getElementById('confirm-box'), shown = !!(box && box.getClientRects().length);
    if (shown && !asked) {  // (again at the next change until it takes: the box may show before its buttons)
      const go = document.getElementById('confirm-go');
      if (go) go.focus();
      asked = !!go && document.activeElement === go;
      return;
    }
    if (!shown && asked) { const g = document.getElementById('generate-btn'); if (g && document.activeElement === document.body) g.focus({preventScroll: true}); }
    if (!shown) asked = false;
  };
  // The tabs' labels in the page's language: Gradio translates a tab's label when it draws it, so
  // after the load script switches the language (a browser that chose the other one) the tabs not
  // selected kept the first language.  Each label that is a tab's word in another language is said
  // in this one.
  const TABS = """ + json.dumps(list(TAB_WORDS)) + """;
  const tabWords = () => {
    const all = window.r2vWords, lang = document.documentElement.lang === 'zh-CN' ? 'zh-CN' : 'en';
    if (!all || !all[lang]) return;
    document.querySelectorAll('#main-tabs [role=tab], #main-tabs .overflow-item, #main-tabs .tab-container button').forEach(b => {
      const text = b.textContent.trim();
      for (const key of TABS) for (const other of Object.keys(all))
        if (other !== lang && all[other][key] === text && all[lang][key] && text !== all[lang][key]) {
          for (const n of b.childNodes) if (n.nodeType === 3 && n.textContent.trim() === text) n.textContent = n.textContent.replace(text, all[lang][key]);
          if (b.textContent.trim() === text) b.textContent = all[lang][key];
        }
    });
  };
  new MutationObserver(() => { measure(); mirror(); percents(); applyView(); focusDialog(); showProgress(); tabWords(); })
    .observe(document.documentElement, {childList: true, subtree: true, characterData: true});
  // Gradio shows and hides a column by its class: the question's box is watched for that alone.
  new MutationObserver(focusDialog).observe(document.documentElement, {subtree: true, attributes: true,
                                                                       attributeFilter: ['class', 'style']});
})();
"""
