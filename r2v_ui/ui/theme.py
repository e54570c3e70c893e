"""Look and feel: one theme, a little CSS, and one small script (mute autoplaying results so
browsers let them start on their own).  System fonts only: the page must work offline."""

from __future__ import annotations

import gradio as gr

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
    )


CSS = """
.gradio-container { max-width: 1400px !important; margin: 0 auto; }
#studio-header { display: flex; align-items: center; justify-content: space-between; gap: 16px;
  flex-wrap: wrap; padding: 6px 2px 2px; }
#studio-header > div:first-child { flex: 1 1 460px; }
#studio-header > div:last-child { text-align: right; }
#studio-header h1 { font-size: 1.7rem; margin: 0; letter-spacing: -0.01em; }
#studio-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
.mode-badge { display: inline-block; padding: 6px 14px; border-radius: 999px; font-weight: 600; font-size: 0.92rem; }
.mode-demo { background: #fff4d6; color: #7a4b00; border: 1px solid #f3d089; }
.mode-live { background: #dcfce7; color: #14532d; border: 1px solid #86efac; }
.billing-note { font-size: 0.85rem; color: var(--body-text-color-subdued); margin-top: 4px; }
.step-title h3 { margin: 6px 0 0 !important; }
#cast-row > .cast-card { flex: 0 1 320px !important; max-width: 380px; }
.cast-card { border: 1px solid var(--border-color-primary); border-radius: 14px !important; padding: 10px !important;
  background: var(--background-fill-primary); box-shadow: 0 1px 3px rgba(15,23,42,.06); }
.card-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.card-head .tag { font-family: var(--font-mono); font-weight: 700; font-size: 1.05rem; color: var(--color-accent);
  background: var(--primary-50); padding: 2px 10px; border-radius: 8px; }
.card-head .kind { font-size: 0.85rem; color: var(--body-text-color-subdued); }
.verdict { font-size: 0.88rem; padding: 6px 10px; border-radius: 8px; margin: 2px 0; line-height: 1.35; }
.verdict-label { font-weight: 700; }
.verdict-accepted { background: #ecfdf5; color: #065f46; }
.verdict-fixed { background: #eff6ff; color: #1e3a8a; }
.verdict-refused { background: #fef2f2; color: #991b1b; }
.verdict-empty { color: var(--body-text-color-subdued); background: var(--background-fill-secondary); }
.card-buttons button { min-width: 0 !important; }
.char-count { font-size: 0.82rem; font-variant-numeric: tabular-nums; }
.count-ok { color: var(--body-text-color-subdued); }
.count-near { color: #b45309; font-weight: 600; }
.count-over { color: #b91c1c; font-weight: 700; }
.hint { font-size: 0.9rem; padding: 5px 10px; border-radius: 8px; margin: 3px 0; }
.hint-error { background: #fef2f2; color: #991b1b; }
.hint-warning { background: #fffbeb; color: #92400e; }
.hint-ok { background: #ecfdf5; color: #065f46; }
.price { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; padding: 4px 2px; }
.price-label { color: var(--body-text-color-subdued); font-size: 0.9rem; }
.price-value { font-weight: 700; font-size: 1.1rem; }
.price-note { color: var(--body-text-color-subdued); font-size: 0.85rem; }
.size-info { color: var(--body-text-color-subdued); font-size: 0.9rem; padding: 0 4px; }
.form-alert { background: #fef2f2; color: #991b1b; border: 1px solid #fecaca; border-radius: 10px; padding: 8px 12px; }
.job-status { border-radius: 14px; padding: 14px 16px; background: var(--background-fill-secondary);
  border: 1px solid var(--border-color-primary); }
.job-headline { font-weight: 700; font-size: 1.15rem; margin-bottom: 6px; }
.job-succeeded .job-headline { color: #047857; }
.job-failed .job-headline, .job-uncertain .job-headline { color: #b91c1c; }
.stages { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 6px 0 10px; }
.stage { font-size: 0.8rem; padding: 3px 10px; border-radius: 999px; border: 1px solid var(--border-color-primary); }
.stage-done { background: #ecfdf5; color: #065f46; border-color: #a7f3d0; }
.stage-now { background: var(--primary-600); color: white; border-color: var(--primary-600); font-weight: 700;
  animation: pulse 1.6s ease-in-out infinite; }
.stage-todo { color: var(--body-text-color-subdued); }
@keyframes pulse { 0%, 100% { opacity: 1; } 50% { opacity: .72; } }
.job-succeeded .stage-now { animation: none; }
.bar { height: 8px; border-radius: 999px; background: var(--neutral-200); overflow: hidden; margin: 8px 0 4px; }
.bar-fill { height: 100%; background: linear-gradient(90deg, var(--primary-500), var(--secondary-500));
  transition: width .4s ease; }
.job-meta { font-size: 0.85rem; color: var(--body-text-color-subdued); font-variant-numeric: tabular-nums; }
.job-note { font-size: 0.82rem; color: var(--body-text-color-subdued); margin-top: 8px; }
.job-error { background: #fef2f2; color: #991b1b; border-radius: 10px; padding: 8px 12px; margin-top: 6px; }
.job-warning { background: #fffbeb; color: #92400e; border-radius: 10px; padding: 6px 12px; margin-top: 6px; font-size: .9rem; }
.job-notice { background: #eff6ff; color: #1e3a8a; border-left: 4px solid #1d4ed8; border-radius: 10px; padding: 8px 12px; margin-top: 6px; }
#generate-btn { font-size: 1.15rem !important; padding: 14px !important; }
#result-column { position: sticky; top: 8px; align-self: flex-start; }
.history-detail { border-left: 1px solid var(--border-color-primary); padding-left: 12px !important; }
footer { opacity: .7; }
"""

# Browsers only let a video start on its own when it is muted (or after a click on the page):
# mute the result player whenever Gradio puts a new <video> in it; its controls can unmute.
HEAD = """
<script>
(() => {
  const mute = () => document.querySelectorAll('#result-video video').forEach(v => {
    if (!v.dataset.r2vMuted) { v.muted = true; v.dataset.r2vMuted = '1'; }
  });
  new MutationObserver(mute).observe(document.documentElement, {childList: true, subtree: true});
})();
</script>
"""
