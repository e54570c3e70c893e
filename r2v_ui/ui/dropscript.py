"""Drag and drop onto the cast (issue 23, item 2), one script put in the page head (theme.HEAD).

* The page never navigates away on a drop: a drag carrying files has its `dragover` and `drop`
  default prevented anywhere on the document (Chromium would otherwise open the file in the tab).
* A file dropped on a card is taken by that card: a sound file (audio/*, or .mp3/.wav/.flac) becomes
  its voice, anything else its picture or video.  Dropped elsewhere in the cast area, a picture or
  video goes to the next card that was never filled (pressing "+ Add character" when none is left,
  up to five cards), the same rule as "put into" of the character library (charactercards.py).
* The file is handed to the card's own upload input (a DataTransfer set as `input.files`, then a
  `change` event), so a dropped file goes through exactly the checks of a chosen one, and a refused
  one never replaces an accepted one (workspace/kept.py).
* While a file is dragged over a card or the cast area, it is outlined with what a drop will do;
  clicking an empty card's preview opens its file chooser.
Words come from the catalog (scripts.WORDS_JS, `r2vWord`), in the page's language."""

from __future__ import annotations

from .. import spec

DROP_WORDS = ("script.drop_on", "script.drop_area", "script.drop_full", "script.drop_voice_on_card",
              "script.drop_failed")

_AUDIO = "|".join(ext.lstrip(".") for ext in spec.AUDIO_RULES.extensions)

DROP_JS = r"""
(() => {
  const AUDIO = new RegExp('\\.(%AUDIO%)$', 'i');
  const MAX = %MAX%;
  const isAudio = (f) => (f.type || '').startsWith('audio/') || AUDIO.test(f.name || '');
  const carriesFiles = (e) => !!e.dataTransfer && [...(e.dataTransfer.types || [])].includes('Files');
  const shown = (el) => !!el && el.getClientRects().length > 0;
  const cards = () => [...document.querySelectorAll('#cast-row > .cast-card')].filter(shown);
  const numberOf = (card) => Number((card.id.match(/^card-(\d+)$/) || [])[1] || 0);
  const say = (key, vars) => {
    const box = document.getElementById('cast-drop-status');
    if (box) box.textContent = key ? r2vWord(key, vars) : '';
  };
  // Hand one file to card n's own upload input ('file': picture or video; 'voice-upload': voice);
  // Gradio puts an upload button's file input just before the button.
  window.r2vGiveFile = (n, box, file) => {
    const button = document.getElementById('card-' + n + '-' + box);
    const input = button && button.previousElementSibling;
    if (!input || !input.matches('input[type=file]')) return false;
    const dt = new DataTransfer();
    dt.items.add(file);
    input.files = dt.files;
    input.dispatchEvent(new Event('change', {bubbles: true}));
    return true;
  };
  // Cards handed a file whose verdict has not come back yet are not "empty" for the next file.
  const claimed = new Map(), waiting = [];
  const settled = () => claimed.size ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve();
  const claim = (n) => {
    if (claimed.has(n)) claimed.get(n)();  // dropped on again: the newest file is the one awaited
    const face = document.getElementById('card-' + n + '-face');
    const done = () => { const f = face && face.querySelector('.card-face'); return !f || f.dataset.verdict !== 'empty'; };
    const watch = new MutationObserver(() => { if (done()) release(); });
    const timer = setTimeout(() => release(), 60000);
    const release = () => {
      watch.disconnect(); clearTimeout(timer); claimed.delete(n);
      if (!claimed.size) waiting.splice(0).forEach((resolve) => resolve());
    };
    if (face) watch.observe(face, {childList: true, subtree: true, attributes: true});
    claimed.set(n, release);
  };
  const empty = (card) => {
    const f = card.querySelector('.card-face');
    return !!f && f.dataset.verdict === 'empty' && f.dataset.filled === '0' && !claimed.has(numberOf(card));
  };
  // Resolves with pred()'s first truthy value as the page changes, or null after `ms`.
  const when = (pred, ms) => new Promise((resolve) => {
    const now = pred();
    if (now) { resolve(now); return; }
    const watch = new MutationObserver(() => { const v = pred(); if (v) { watch.disconnect(); clearTimeout(timer); resolve(v); } });
    const timer = setTimeout(() => { watch.disconnect(); resolve(null); }, ms);
    watch.observe(document.body, {childList: true, subtree: true, attributes: true});
  });
  const nextEmpty = async () => {
    const free = cards().find(empty);
    if (free) return numberOf(free);
    // Files still being checked first: their answers redraw every card, and one computed before the
    // new card was added would hide it again.
    await settled();
    const again = cards().find(empty);
    if (again) return numberOf(again);
    const add = document.getElementById('add-character');
    const count = cards().length;
    if (count >= MAX || !shown(add) || add.disabled) return 0;
    add.click();
    const card = await when(() => cards().length > count && cards().find(empty), 30000);
    return card ? numberOf(card) : 0;
  };
  const give = (n, box, file) => {
    if (box === 'file') claim(n);
    if (!window.r2vGiveFile(n, box, file)) say('script.drop_failed');
  };
  const onCard = async (card, files) => {
    const n = numberOf(card);
    const voice = files.find(isAudio), media = files.find((f) => !isAudio(f));
    if (media) give(n, 'file', media);
    if (voice) give(n, 'voice-upload', voice);
  };
  let queue = Promise.resolve();  // drops on the area are placed one after the other
  const onArea = (files) => {
    queue = queue.then(async () => {
      const media = files.filter((f) => !isAudio(f));
      if (media.length < files.length) say('script.drop_voice_on_card');
      for (const file of media) {
        const n = await nextEmpty();
        if (!n) { say('script.drop_full', {max: MAX}); return; }
        give(n, 'file', file);
      }
    });
  };
  // What a drop here would do: a card, the cast area, or nothing of ours.
  const targetOf = (el) => {
    const card = el && el.closest && el.closest('.cast-card');
    if (card && shown(card)) return card;
    return (el && el.closest && el.closest('#cast-area')) || null;
  };
  let marked = null;
  const mark = (t) => {
    if (marked === t) return;
    if (marked) { marked.classList.remove('drop-over'); marked.removeAttribute('data-drop-say'); }
    marked = t;
    if (!t) return;
    t.classList.add('drop-over');
    t.setAttribute('data-drop-say', t.id === 'cast-area' ? r2vWord('script.drop_area')
                                                          : r2vWord('script.drop_on', {tag: 'character' + numberOf(t)}));
  };
  document.addEventListener('dragover', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();  // never let the browser open the file in the tab
    const t = targetOf(e.target);
    if (t) e.dataTransfer.dropEffect = 'copy';
    mark(t);
  });
  document.addEventListener('dragleave', (e) => { if (!e.relatedTarget) mark(null); });
  document.addEventListener('dragend', () => mark(null));
  document.addEventListener('drop', (e) => {
    if (!carriesFiles(e)) return;
    e.preventDefault();
    mark(null);
    const t = targetOf(e.target), files = [...e.dataTransfer.files];
    if (!t || !files.length) return;
    say('');
    if (t.id === 'cast-area') onArea(files); else onCard(t, files);
  });
  // An empty card's preview is a drop zone that also opens the file chooser (the card's own button
  // stays the keyboard's way in).
  document.addEventListener('click', (e) => {
    const zone = e.target.closest && e.target.closest('.thumb-empty[data-card]');
    const button = zone && document.getElementById('card-' + zone.dataset.card + '-file');
    if (button) button.click();
  });
})();
""".replace("%AUDIO%", _AUDIO).replace("%MAX%", str(spec.MEDIA_MAX))
