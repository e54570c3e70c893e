"""Look and feel: one theme, the workspace layout (a sticky result pane on a laptop, one column and
a generate bar fixed at the bottom on a phone), and one small script: announce the job's stage to
screen readers, and Ctrl/Cmd+Enter to generate.  System fonts only: the page must work offline."""

from __future__ import annotations

from urllib.parse import quote

import gradio as gr

from .castpanel import STALE_JS
from .dropscript import DROP_JS
from .scripts import COMPARE_JS, RECORDER_JS, RESULT_JS, WORDS_JS

FONTS = ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
MONO = ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"]


def make_theme() -> gr.themes.Base:
    return gr.themes.Soft(
        primary_hue="indigo", secondary_hue="pink", neutral_hue="slate", radius_size="lg",
        font=FONTS, font_mono=MONO,
    ).set(
        body_background_fill="linear-gradient(180deg, #f5f6ff 0%, #ffffff 320px)",
        block_border_width="1px",
        block_shadow="0 1px 2px rgba(15, 23, 42, 0.06)",
        button_primary_background_fill="linear-gradient(90deg, *primary_600, *secondary_500)",
        button_primary_background_fill_hover="linear-gradient(90deg, *primary_700, *secondary_600)",
        button_large_text_size="1.05rem",
        # WCAG AA contrast: labels and help text dark enough on their backgrounds.
        body_text_color_subdued="#475569",
        block_label_text_color="*neutral_700",
        block_label_background_fill="*neutral_100",
        block_title_text_color="*neutral_800",
        block_info_text_color="#475569",
        checkbox_label_text_color="*neutral_800",
        checkbox_label_background_fill_selected="*primary_700",
        checkbox_label_text_color_selected="white",
        checkbox_label_border_color_selected="*primary_700",
    )


def _icon(svg: str) -> str:
    """A CSS url() of a 24×24 line icon (drawn as a mask in the button's text colour)."""
    body = ("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='black' "
            f"stroke-width='2' stroke-linecap='round' stroke-linejoin='round'>{svg}</svg>")
    return 'url("data:image/svg+xml,' + quote(body, safe="/:=' ") + '")'


ICONS = {
    "media": "<rect x='3' y='4' width='18' height='16' rx='2'/><circle cx='9' cy='10' r='2'/><path d='M21 17l-5-5-9 8'/>",
    "voice": "<rect x='9' y='3' width='6' height='11' rx='3'/><path d='M5 11a7 7 0 0 0 14 0M12 18v3'/>",
    "save": "<path d='M6 3h12v18l-6-4-6 4z'/>",
    "left": "<path d='M15 18l-6-6 6-6'/>",
    "right": "<path d='M9 18l6-6-6-6'/>",
    "remove": "<path d='M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3'/>",
    "drop": "<path d='M12 16V4M7 9l5-5 5 5M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3'/>",
}

# ---- cards: begin (face-cast, issue 23 item 2) ------------------------------------------------------
# The cast area: media-first cards of equal height in a grid that fills the row (three on a laptop,
# two on a phone), "+ Add character" as the last tile, compact icon buttons (their words stay their
# accessible names; the head script makes them tooltips), verdicts shown whole, and the outline a
# dragged file gets over a card or the cast area (dropscript.py).
CARDS_CSS = """
#cast-title-row { align-items: center; gap: 8px; }
#cast-title-row > div:first-child { flex: 1 1 auto; }
#cast-area { position: relative; gap: 8px !important; border-radius: 12px; }
#cast-row { display: grid !important; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
  gap: 12px; align-items: stretch; }
#cast-row > .cast-card, #cast-row > #add-character { min-width: 0 !important; width: auto !important; }
.cast-card { position: relative; display: flex !important; flex-direction: column; gap: 8px !important;
  padding: 8px !important; border: 1px solid var(--border-color-primary); border-radius: 14px !important;
  background: var(--background-fill-primary); box-shadow: 0 1px 3px rgba(15,23,42,.06); }
.cast-card > .card-face-box { flex: 1 1 auto; padding: 0 !important; }
.cast-card .card-face-box .prose, .cast-card .card-face-box .html-container { padding: 0 !important; }
.cast-card .verdict-empty { display: none; }  /* the empty preview says it */
.card-face { display: flex; flex-direction: column; gap: 6px; }
.card-preview { position: relative; width: 100%; aspect-ratio: 4 / 5; border-radius: 10px; overflow: hidden;
  background: #eef1f8; display: flex; flex-direction: column; align-items: center; justify-content: center; }
.card-preview img { width: 100%; height: 100%; object-fit: contain; display: block; }
.card-preview .tag { position: absolute; top: 6px; left: 6px; font-family: var(--font-mono); font-weight: 700;
  font-size: .85rem; color: #312e81; background: rgba(238,242,255,.95); padding: 1px 8px; border-radius: 6px; }
.card-preview .card-at { position: absolute; left: 6px; bottom: 6px; max-width: calc(100% - 12px); overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; font-weight: 700; font-size: .85rem; color: #fff;
  background: rgba(49,46,129,.88); padding: 1px 8px; border-radius: 6px; }
.thumb-badge { position: absolute; right: 6px; bottom: 6px; background: rgba(15,23,42,.85); color: #fff;
  font-size: .75rem; padding: 1px 6px; border-radius: 6px; }
.thumb-empty { border: 2px dashed #94a3b8; color: #334155; font-size: .85rem; text-align: center;
  padding: 36px 10px 10px; gap: 6px; cursor: pointer; background: #f8fafc; }
.thumb-empty .drop-say { font-size: .78rem; color: #475569; }
.drop-icon { width: 32px; height: 32px; background: #6366f1; -webkit-mask: var(--icon) center / contain no-repeat;
  mask: var(--icon) center / contain no-repeat; --icon: %drop%; }
.thumb-link { color: #334155; font-size: .85rem; padding: 10px; text-align: center; }
.card-caption { display: flex; align-items: baseline; gap: 6px; min-width: 0; }
.card-name { flex: 1 1 auto; min-width: 0; font-size: .85rem; font-weight: 600; color: #1e293b; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.card-caption .kind { flex: 0 0 auto; font-size: .75rem; color: #475569; }
.card-voice { font-size: .78rem; color: #334155; overflow-wrap: anywhere; }
.cast-card .verdict { font-size: .78rem; padding: 4px 8px; margin: 0; overflow-wrap: anywhere; }
.cast-card .card-character { padding: 0 !important; border: 0 !important; box-shadow: none !important;
  background: transparent !important; }
.cast-card .card-character input { padding: 6px 8px !important; border: 1px solid #cbd5e1 !important;
  border-radius: 8px !important; }
.cast-card .card-character [data-testid="block-info"] { font-size: .78rem; font-weight: 600; color: #334155;
  background: transparent !important; padding: 0 2px !important; margin-bottom: 2px; }
.cast-card .card-character label { background: transparent !important; }
.cast-card > .form { background: transparent !important; border: 0 !important; box-shadow: none !important; }
.cast-card button { min-width: 0 !important; }
.card-insert { font-size: .8rem !important; padding: 4px 8px !important; }
.card-tools { display: flex !important; flex-wrap: wrap !important; gap: 4px !important; align-items: center; }
.card-tools > * { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important; }
.card-tools .card-tool { position: relative; width: 32px !important; height: 32px !important; min-height: 0 !important;
  padding: 0 !important; font-size: 0 !important; line-height: 0 !important; color: #334155; flex: 0 0 32px !important; }
.card-tools .card-tool::before { content: ""; position: absolute; inset: 0; margin: auto; width: 18px; height: 18px;
  background: currentColor; -webkit-mask: var(--icon) center / contain no-repeat; mask: var(--icon) center / contain no-repeat; }
.card-tools .card-tool:disabled { color: #94a3b8; }
.tool-media { --icon: %media%; } .tool-voice { --icon: %voice%; } .tool-save { --icon: %save%; }
.tool-left { --icon: %left%; margin-left: auto !important; } .tool-right { --icon: %right%; }
.tool-remove { --icon: %remove%; color: #b91c1c !important; }
.card-more { padding: 0 !important; border: 0 !important; box-shadow: none !important; background: transparent !important; }
.card-more > button { font-size: .8rem !important; padding: 2px 0 !important; }
#add-character.add-tile { align-self: start; aspect-ratio: 4 / 5; height: auto; min-height: 96px; border: 2px dashed #a5b4fc !important; background: #f5f7ff !important;
  color: #3730a3 !important; font-size: .95rem !important; font-weight: 600; border-radius: 14px !important; box-shadow: none; }
#add-character.add-tile:hover { background: #eef2ff !important; }
#cast-refresh { display: none !important; }  /* pressed by castpanel.STALE_JS only */
/* Empty, the live region stays in the page (a screen reader hears what is later written in it) but takes no room. */
.cast-drop-status:empty { padding: 0 !important; border: 0 !important; }
#cast-drop-box .html-container, #cast-drop-box .prose { padding: 0 !important; }
#cast-drop-box:has(.cast-drop-status:empty) { margin-bottom: -8px; }
.cast-drop-status { background: #fffbeb; color: #78350f; border: 1px solid #fde68a; border-radius: 10px; padding: 6px 10px;
  font-size: .85rem; }
.cast-card.drop-over { outline: 3px dashed #4f46e5; outline-offset: 2px; }
#cast-area.drop-over { outline: 3px dashed #818cf8; outline-offset: 4px; }
.cast-card.drop-over::after, #cast-area.drop-over::after { content: attr(data-drop-say); position: absolute; left: 10px;
  right: 10px; top: 30%; z-index: 5; pointer-events: none; background: rgba(49,46,129,.94); color: #fff; padding: 10px;
  border-radius: 10px; text-align: center; font-weight: 600; font-size: .9rem; }
@media (max-width: 760px) {
  #cast-row { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .cast-card { padding: 6px !important; }
  .card-tools { gap: 2px !important; }
  .card-tools .card-tool { width: 26px !important; height: 30px !important; flex-basis: 26px !important; }
  .thumb-empty { padding-top: 30px; }
}
"""
for _name, _svg in ICONS.items():
    CARDS_CSS = CARDS_CSS.replace(f"%{_name}%", _icon(_svg))
# The API key panel's two buttons at the size of the page's other buttons (they were large, and a full
# row each on a phone).
CARDS_CSS += """
#api-key-use, #api-key-forget { font-size: .9rem !important; padding: 6px 14px !important; min-height: 0 !important;
  flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; align-self: flex-end; }
"""
# ---- cards: end -------------------------------------------------------------------------------------

CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
.sr-only { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -9999px; top: 4px; z-index: 100; background: #fff; color: #1e1b4b;
  padding: 8px 12px; border-radius: 8px; border: 2px solid #4338ca; }
.skip-link:focus { left: 8px; }
#studio-header { display: flex; align-items: center; justify-content: space-between; gap: 8px 16px; flex-wrap: wrap; }
#studio-header .brand { flex: 1 1 320px; min-width: 0; }
#studio-header .mode { flex: 0 1 auto; text-align: right; min-width: 0; }
#studio-header h1 { font-size: 1.45rem; margin: 0; letter-spacing: -0.01em; }
#studio-header p { margin: 0; color: #475569; font-size: .92rem; }
.mode-badge { display: inline-block; padding: 4px 12px; border-radius: 999px; font-weight: 600; font-size: 0.85rem; }
.mode-demo { background: #fff4d6; color: #6b4100; border: 1px solid #f3d089; }
.mode-live { background: #dcfce7; color: #14532d; border: 1px solid #86efac; }
.billing-note { font-size: 0.8rem; color: #475569; margin-top: 2px; }
h2.step-title { font-size: 1.05rem; margin: 4px 0 0; }
.step-help { margin: 0; font-size: .85rem; color: #475569; }
.verdict { font-size: 0.85rem; padding: 5px 8px; border-radius: 8px; margin: 2px 0; line-height: 1.3; }
.verdict-label { font-weight: 700; }
.verdict-accepted { background: #ecfdf5; color: #065f46; }
.verdict-fixed { background: #eff6ff; color: #1e3a8a; }
.verdict-refused { background: #fef2f2; color: #991b1b; }
.verdict-empty { color: #475569; background: var(--background-fill-secondary); }
.retag-box { background: #fffbeb; border: 1px solid #fde68a; border-radius: 10px; padding: 8px !important; color: #78350f; }
#prompt-meta { gap: 8px; align-items: flex-start; }
.char-count { font-size: 0.8rem; font-variant-numeric: tabular-nums; }
.count-ok { color: #475569; }
.count-near { color: #92400e; font-weight: 600; }
.count-over { color: #991b1b; font-weight: 700; }
.hint { font-size: 0.85rem; padding: 4px 8px; border-radius: 8px; margin: 2px 0; }
.hint-error { background: #fef2f2; color: #991b1b; }
.hint-warning { background: #fffbeb; color: #78350f; }
.hint-ok { background: #ecfdf5; color: #065f46; }
/* Scene starters (ui/starters.py) and the storyboard (ui/storyboard.py). */
#starters { flex-wrap: wrap !important; gap: 6px !important; align-items: center; }
#starters > * { flex: 0 0 auto !important; width: auto !important; min-width: 0 !important; }
.starters-lead { font-size: .85rem; color: #334155; }
.storyboard-intro { font-size: .85rem; color: #334155; margin: 0 0 4px; }
.shot-row { gap: 6px !important; flex-wrap: nowrap !important; }
.storyboard-note { background: var(--background-fill-secondary); color: #334155; }
.storyboard-preview { border: 1px dashed var(--border-color-primary); border-radius: 10px; padding: 6px 10px; }
.storyboard-preview-title { font-size: .8rem; font-weight: 700; color: #334155; }
.storyboard-prompt { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0; font-size: .85rem; }
#storyboard-fit { width: auto !important; align-self: flex-start; }
#settings-row { gap: 8px; }
.size-info { color: #475569; font-size: 0.85rem; padding: 0 4px; }
#seed-row { align-items: flex-end; }
.form-alert { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 10px; padding: 8px 12px; }
.form-note { background: #eff6ff; color: #1e3a8a; border-radius: 10px; padding: 6px 10px; font-size: .9rem; }
/* Gradio's container hides its overflow, which makes it the sticky pane's scroll box (so the pane
   scrolled away with the page); `clip` cuts the same overflow without being a scroll box. */
.gradio-container { overflow: clip !important; }
#result-pane { position: sticky; top: 8px; align-self: flex-start; max-height: calc(100vh - 16px); overflow-y: auto;
  flex-wrap: nowrap !important; }
#result-pane > * { flex: 0 0 auto !important; }
.generate-bar { gap: 4px !important; }
.price { display: flex; align-items: baseline; gap: 8px; flex-wrap: wrap; padding: 0 2px; }
.price-label { color: #475569; font-size: 0.85rem; }
.price-value { font-weight: 700; font-size: 1.05rem; }
.price-note { color: #475569; font-size: 0.8rem; }
#generate-btn { font-size: 1.1rem !important; padding: 12px !important; }
.kbd-hint { font-size: .75rem; color: #475569; text-align: center; }
.confirm-box { background: #fffbeb; border: 1px solid #fcd34d; border-radius: 12px; padding: 10px !important; }
.confirm { color: #422006; display: flex; flex-direction: column; gap: 4px; }
.confirm-prompt { font-style: italic; color: #57534e; }
.job-status { border-radius: 12px; padding: 12px 14px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); }
.job-headline { font-weight: 700; font-size: 1.1rem; margin-bottom: 4px; }
.job-succeeded .job-headline { color: #047857; }
.job-failed .job-headline, .job-uncertain .job-headline { color: #b91c1c; }
.stages { display: flex; flex-wrap: wrap; gap: 4px; list-style: none; padding: 0; margin: 4px 0 8px; }
.stage { font-size: 0.75rem; padding: 2px 8px; border-radius: 999px; border: 1px solid var(--border-color-primary); }
.stage-done { background: #ecfdf5; color: #065f46; border-color: #a7f3d0; }
.stage-now { background: #4338ca; color: white; border-color: #4338ca; font-weight: 700; }
.stage-todo { color: #475569; }
.bar { height: 8px; border-radius: 999px; background: var(--neutral-200); overflow: hidden; margin: 6px 0 4px; }
.bar-fill { height: 100%; background: linear-gradient(90deg, var(--primary-500), var(--secondary-500)); transition: width .4s ease; }
.job-meta { font-size: 0.85rem; color: #334155; font-variant-numeric: tabular-nums; }
.job-text { font-size: .92rem; }
.job-note { font-size: 0.8rem; color: #475569; margin-top: 6px; }
.job-error { background: #fef2f2; color: #991b1b; border-radius: 10px; padding: 8px 12px; margin-top: 6px; }
.job-warning { background: #fffbeb; color: #78350f; border-radius: 10px; padding: 6px 12px; margin-top: 6px; font-size: .9rem; }
.job-notice { background: #eff6ff; color: #1e3a8a; border-left: 4px solid #1d4ed8; border-radius: 10px; padding: 8px 12px; margin-top: 6px; }
#result-actions { gap: 6px; flex-wrap: wrap; }
#result-video video, #history-video video { width: 100%; max-height: 46vh; border-radius: 10px; background: #000; display: block; }
#generate-row { align-items: end; gap: 8px; flex-wrap: nowrap; }
#takes { flex: 0 0 124px !important; min-width: 124px !important; }
.takes-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px; }
.take { margin: 0; border: 1px solid var(--border-color-primary); border-radius: 10px; overflow: hidden; }
.take video { width: 100%; display: block; background: #000; aspect-ratio: 16 / 9; object-fit: contain; cursor: pointer; }
.take figcaption { font-size: .8rem; padding: 4px 8px; display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.take-wait { aspect-ratio: 16 / 9; display: flex; flex-direction: column; align-items: center; justify-content: center;
  background: var(--background-fill-secondary); color: #334155; font-size: .85rem; text-align: center; padding: 6px; }
.take-note { font-size: .75rem; color: #991b1b; }
.take-download { margin-left: auto; }
/* Each take's box in its own shape (takes.py), never taller than the screen allows: a 9:16 take is not a
   strip in a 16:9 box. */
.take video, .take-wait { aspect-ratio: var(--frame, 16 / 9); max-height: min(46vh, 480px); width: 100%; }
.kept { color: #92400e; font-weight: 600; }
.voice-rec { width: 100%; padding: 6px 8px; border-radius: 8px; border: 1px solid var(--border-color-primary);
  background: var(--button-secondary-background-fill); font-size: .85rem; }
.voice-rec[aria-pressed="true"] { background: #fef2f2; color: #991b1b; border-color: #fca5a5; font-weight: 600; }
.voice-rec-status { font-size: .78rem; color: #334155; min-height: 1em; }
.compare-controls { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; padding: 6px 0; }
.compare-play { padding: 6px 14px; border-radius: 8px; border: 1px solid var(--border-color-primary);
  background: var(--button-primary-background-fill); color: var(--button-primary-text-color); font-weight: 600; }
#compare-scrub { flex: 1 1 200px; min-width: 0; }
.compare-time { font-variant-numeric: tabular-nums; font-size: .85rem; color: #334155; min-width: 5em; }
/* Two takes of different shapes side by side, both whole in view: every player the row's box (its tallest
   shape, comparepanel.py), as high as the screen allows, the video contained in it. */
.compare-cell video { width: 100%; display: block; background: #000; border-radius: 8px;
  aspect-ratio: var(--row-frame, 16 / 9); max-height: min(60vh, 640px); object-fit: contain; }
.compare-caption { margin: 4px 0; font-size: .85rem; color: #334155; line-height: 1.35; }
.compare-name { font-weight: 700; color: #1e293b; }
/* Side by side, each video's Keep button on one line with the others', however long its notes. */
#compare-slots { align-items: stretch !important; }
#compare-slots > .compare-col { justify-content: space-between; }
.history-list .wrap { flex-direction: column !important; gap: 4px !important; }
.history-list label { width: 100%; justify-content: flex-start; font-size: .88rem; }
.history-empty { padding: 16px; border-radius: 12px; background: var(--background-fill-secondary); color: #334155; }
.history-detail { border-left: 1px solid var(--border-color-primary); padding-left: 12px !important; }
#history-actions { gap: 6px; flex-wrap: wrap; }
.page-info { font-size: .85rem; color: #475569; }
/* On a phone the pager is one row: the two buttons as wide as their words, the page between them
   (Gradio's row would wrap it, and stretch the buttons to a third each). */
@media (max-width: 760px) {
  #history-pager { flex-wrap: nowrap !important; align-items: center !important; gap: 8px !important; }
  #history-pager > button { flex: 0 0 auto !important; min-width: 0 !important; width: auto !important;
    padding: 6px 10px !important; min-height: 36px; }
  #history-pager > #history-page-info { flex: 1 1 auto !important; min-width: 0 !important; text-align: center; }
  #history-pager .page-info { font-size: .8rem; }
}
/* ---- face-result (issue 23): the page's width, the result pane, takes, Compare, History's gallery,
   the phone's bar.  Owned by the result pane's look; other blocks above are other components'. ---- */
/* The container shrink-wraps its content: a narrow tab (Compare, History) would narrow the page and
   move the header and tabs sideways.  It takes the width it may have on every tab. */
.gradio-container { width: 100% !important; }
.gradio-container > .main { width: 100% !important; }
/* Gradio's footer, with its Settings link left out (launch_kwargs): no dot after its last link. */
footer .record.hidden + .divider { display: none; }
/* The repeat (or live) question: a dialog over the page, never a box that pushes the video down.  (The
   sticky pane is its stacking context: the pane itself goes above the form so the backdrop covers it.) */
#result-pane { z-index: 40; }
#confirm-box { position: fixed !important; z-index: 90; left: 50%; top: 50%; transform: translate(-50%, -50%);
  width: min(520px, calc(100vw - 24px)) !important; max-height: calc(100vh - 24px); overflow-y: auto;
  box-shadow: 0 0 0 100vmax rgba(15, 23, 42, .45), 0 12px 40px rgba(15, 23, 42, .35); }
/* Its answers break between words or after a comma, in lines of even length: no lone "个" on a phone. */
#confirm-box button { word-break: keep-all; text-wrap: balance; }
.pane-alert:empty { display: none; }
/* face-tour: an empty alert or status line takes no room in the bar (each kept 20 px of padding:
   the phone's fixed bar was 48 px taller than its content). */
#pane-alert:has(.pane-alert:empty), #bar-status-box:has(#bar-status:empty) { display: none !important; }
.pane-alert { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 10px; padding: 6px 10px;
  font-size: .88rem; }
.take-progress { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 0; margin: 4px 0 0;
  font-size: .85rem; color: #334155; font-variant-numeric: tabular-nums; }
.take-pct { font-weight: 700; font-size: 1.1rem; font-variant-numeric: tabular-nums; }
.take-hint { font-size: .75rem; color: #475569; }
#bar-status { display: none; }
/* History as a gallery: a poster per job (its takes grouped), status, date, length, size, first words. */
.history-gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.gallery-batch { grid-column: 1 / -1; border: 1px solid var(--border-color-primary); border-radius: 12px;
  padding: 8px; background: var(--background-fill-secondary); }
.gallery-batch-head { font-size: .85rem; color: #334155; margin: 0 2px 6px; }
.gallery-batch-head b { color: #1e293b; }
/* face-tour: a batch's posters grow into its row (up to 300 px) rather than leave most of it empty. */
.gallery-batch .history-gallery { grid-template-columns: repeat(auto-fit, minmax(160px, 300px)); gap: 8px; }
.gallery-card { all: unset; box-sizing: border-box; display: flex; flex-direction: column; cursor: pointer; border-radius: 10px;
  overflow: hidden; background: var(--background-fill-primary); border: 1px solid var(--border-color-primary); }
.gallery-card:hover { border-color: #6366f1; }
.gallery-card:focus-visible { outline: 3px solid #4338ca; outline-offset: 2px; }
.gallery-card[aria-pressed="true"] { border: 2px solid #4338ca; }
.gallery-poster { position: relative; aspect-ratio: 16 / 9; background: #0f172a; display: flex; align-items: center;
  justify-content: center; color: #e2e8f0; font-size: .8rem; }
.gallery-wait { color: #e2e8f0 !important; padding: 0 8px; text-align: center; font-size: 1.2rem; font-weight: 700; }
/* A result's settings (the pane's summary, History's detail): light rules, the names on one line. */
#result-summary table, #history-info table { border-collapse: collapse; }
#result-summary th, #result-summary td, #history-info th, #history-info td {
  border: 1px solid var(--border-color-primary) !important; padding: 4px 10px !important; }
#result-summary td:first-child, #history-info td:first-child, #result-summary th:first-child,
#history-info th:first-child { white-space: nowrap; word-break: keep-all; }
/* The whole poster shows in the card's 16:9 box (a portrait or square one is neither cropped nor
   stretching its card), and nothing lies on it: the state
   chip, the star and the share badge are a line under it (a poster has labels of its own). */
.gallery-poster { overflow: hidden; }
.gallery-poster img { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: contain; display: block; }
.gallery-tags { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 6px; padding: 6px 8px 0; }
.gallery-state { font-size: .72rem; font-weight: 700; padding: 1px 7px;
  border-radius: 999px; background: #334155; color: #fff; }
.gallery-state[data-state="succeeded"] { background: #047857; }
.gallery-state[data-state="failed"], .gallery-state[data-state="uncertain"] { background: #b91c1c; }
.gallery-kept { color: #b45309; font-size: 1rem; line-height: 1; }
.gallery-meta { padding: 4px 8px 0; font-size: .75rem; color: #475569; font-variant-numeric: tabular-nums; }
.gallery-words { padding: 2px 8px 8px; font-size: .82rem; color: #1e293b; line-height: 1.3; overflow-wrap: anywhere; }
.history-view-switch { display: inline-flex; border: 1px solid var(--border-color-primary); border-radius: 8px; overflow: hidden; }
.history-view-switch button { padding: 4px 14px; font-size: .85rem; background: var(--background-fill-primary); color: #334155;
  border: 0; cursor: pointer; }
.history-view-switch button[aria-pressed="true"], .history-view-switch button[aria-pressed="true"] * {
  background: #4338ca; color: #fff !important; font-weight: 600; }
#history-body[data-view="gallery"] #history-list, #history-body:not([data-view]) #history-list { display: none !important; }
#history-body[data-view="list"] #history-gallery { display: none !important; }
/* The phone's fixed bar: its own height, measured by the page's script (scripts.RESULT_JS, which sets
   these while the bar is fixed; Gradio scopes rules inside @media to its container, so `html` and the
   container are styled here, outside one), is reserved at the page's end and kept clear when the
   browser scrolls a control into view: nothing ever stays under the bar. */
html { scroll-padding-bottom: var(--r2v-bar-pad, 0px); }
.gradio-container { padding-bottom: var(--r2v-bar-pad, 0px) !important; }
/* A job shown: the pane is at least a screen above the bar tall, so its progress can come to the top
   of the screen even at the page's end (it would otherwise stay under the bar). */
#result-pane:has(#job-status-box:not([data-state="empty"]):not([data-state="loading"])) {
  min-height: var(--r2v-pane-min, 0px); }
@media (max-width: 760px) {
  #bar-status:not(:empty) { display: block; width: 100%; text-align: center; font-size: .85rem; color: #1e3a8a;
    background: #eff6ff; border: 1px solid #bfdbfe; border-radius: 8px; padding: 3px 8px; cursor: pointer; }
  .history-gallery { grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 8px; }
  .gallery-batch .history-gallery { grid-template-columns: repeat(2, minmax(0, 1fr)); }
}
/* ---- end face-result ---- */
.prose code, #history-info code, .step-help code { color: #1e293b !important; background: #eef2f7 !important; }
@media (max-width: 760px) {
  .gradio-container { padding-top: 0 !important; padding-left: 8px !important; padding-right: 8px !important; }
  #workspace { flex-direction: column !important; }
  #composer, #result-pane { width: 100% !important; min-width: 0 !important; }
  #result-pane { position: static; max-height: none; overflow: visible; }
  .generate-bar { position: fixed !important; left: 0; right: 0; bottom: 0; z-index: 60; margin: 0 !important;
    background: var(--background-fill-primary); padding: 8px 12px calc(8px + env(safe-area-inset-bottom)) !important;
    box-shadow: 0 -4px 16px rgba(15,23,42,.12); border-top: 1px solid var(--border-color-primary); }
  .generate-bar .price { justify-content: center; }
  #kbd-hint { display: none; }
  #settings-row > * { min-width: 100% !important; }
  #compare-slots { flex-wrap: wrap !important; }
  #compare-slots > .compare-col { min-width: 100% !important; flex: 1 1 100% !important; }
  /* One a row: each its own shape, a tall one leaving room on the screen for its caption and Keep. */
  .compare-cell video { aspect-ratio: var(--frame, 16 / 9); max-height: 62svh; }
  #studio-header .mode { text-align: left; }
  .history-detail { border-left: none; padding-left: 0 !important; }
  #history-controls { flex-direction: column !important; }
  #history-controls > * { width: 100% !important; }
}
""" + CARDS_CSS

# One small script (the result player starts muted by its own `muted` attribute, videoview.py): the
# job's headline and notices are copied into one polite live region, so a screen reader hears each stage once; and
# Ctrl/Cmd+Enter presses Generate.
HEAD = """
<style>
/* Gradio's 32 px side margins would leave two cast cards 150 px each on a 390 px phone (a <style> of
   the head: the page CSS is scoped inside .contain, which this margin is outside of). */
@media (max-width: 760px) { .gradio-container .main.fillable { padding-left: 8px !important; padding-right: 8px !important; } }
</style>
<script>""" + WORDS_JS + """</script>
<script>
(() => {
  let live = null;
  const announce = () => {
    const box = document.querySelector('#job-status-box');
    if (!box) return;
    if (!live) {
      live = document.createElement('div');
      live.id = 'r2v-live'; live.className = 'sr-only';
      live.setAttribute('role', 'status'); live.setAttribute('aria-live', 'polite');
      document.body.appendChild(live);
    }
    const head = box.querySelector('.job-headline');
    const extra = box.querySelector('.job-notice, .job-error');
    const stop = document.documentElement.lang === 'zh-CN' ? '。' : '. ';
    const text = (head ? head.textContent.trim() : '') + (extra ? stop + extra.textContent.trim() : '');
    if (live.textContent !== text) live.textContent = text;
  };
  // A finished video comes into view when the user is watching its progress (on a phone it lands below
  // the status box, behind the generate bar); someone busy elsewhere on the page is left where they are.
  // On a phone, a video that finishes while its progress is in view is brought up whole, controls
  // included, above the fixed generate bar; once it is laid out (a hidden one has no size yet).
  const reveal = () => {
    const v = document.querySelector('#result-video video'), box = document.getElementById('job-status-box');
    if (!v || !box || v.dataset.r2vShown === v.getAttribute('src')) return;
    const vr = v.getBoundingClientRect();
    if (!vr.height) return;
    v.dataset.r2vShown = v.getAttribute('src');
    const r = box.getBoundingClientRect();
    if (!window.matchMedia('(max-width: 760px)').matches || r.bottom <= 0 || r.top >= window.innerHeight) return;
    const fit = () => {  // again when its size is known: a video's height comes with its metadata
      const bar = document.querySelector('.generate-bar'), now = v.getBoundingClientRect();
      const floor = bar ? bar.getBoundingClientRect().top : window.innerHeight;
      if (now.bottom > floor) window.scrollBy({top: Math.min(now.bottom - floor + 12, now.top - 8)});
    };
    fit();
    if (v.readyState < 1) v.addEventListener('loadedmetadata', fit, {once: true});
  };
  // Screen-reader names in the page's language (words from the catalog, scripts.WORDS_JS): each card's
  // arrows and remove button, and Compare's scrubber.
  const setLabel = (el, label) => { if (el && el.getAttribute('aria-label') !== label) el.setAttribute('aria-label', label); };
  const names = () => {
    document.querySelectorAll('.cast-card').forEach(card => {
      const n = (card.id.match(/card-(\\d)/) || [])[1];
      if (!n) return;
      for (const [suffix, key] of [['up', 'script.card_left'], ['down', 'script.card_right'], ['remove', 'script.card_remove']])
        setLabel(document.getElementById('card-' + n + '-' + suffix), r2vWord(key, {tag: 'character' + n}));
      // The icon buttons' tooltips: their accessible name (aria-label, else their words, drawn as an icon).
      card.querySelectorAll('.card-tool').forEach(b => {
        const tip = b.getAttribute('aria-label') || b.textContent.trim();
        if (tip && b.getAttribute('title') !== tip) b.setAttribute('title', tip);
      });
    });
    setLabel(document.getElementById('compare-scrub'), r2vWord('compare.scrub'));
  };
  // Gradio names each radio option alone ("radio-3", "radio-4"), so every option was a Tab stop: the
  // options of one choice share a name, and the choice is one Tab stop whose arrows move the choice.
  const groups = new WeakMap();
  let groupCount = 0;
  const radios = () => {
    document.querySelectorAll('fieldset').forEach(f => {
      const options = f.querySelectorAll('input[type=radio]');
      if (options.length < 2) return;
      if (!groups.has(f)) groups.set(f, 'r2v-choice-' + (++groupCount));
      const name = groups.get(f);
      options.forEach(o => { if (o.name !== name) o.name = name; });
    });
  };
  // <html lang> is set by the load script (language.py) after this runs: watched too.
  new MutationObserver(() => { announce(); reveal(); names(); radios(); })
    .observe(document.documentElement, {childList: true, subtree: true, characterData: true, attributes: true,
                                        attributeFilter: ['lang']});
  document.addEventListener('click', (e) => {
    const skip = e.target.closest && e.target.closest('.skip-link');
    if (skip) { e.preventDefault(); const b = document.getElementById('generate-btn'); if (b) b.focus(); }
  });
  document.addEventListener('keydown', (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
      const b = document.getElementById('generate-btn');
      if (b && !b.disabled) { e.preventDefault(); b.click(); }
    }
  });
})();
</script>
<script>""" + COMPARE_JS + RECORDER_JS + RESULT_JS + DROP_JS + STALE_JS + """</script>
"""
