"""The Spend tab and the budget bar beside Generate (Gradio).  The numbers come from the ledger
through `budget.report` and `BudgetGuard.standings`; this file only draws them, in the viewer's
language, as plain HTML: bars are divs with a width or height, and every figure is also in a table
(the chart is an image to a screen reader, with its summary as its name).

Who sees the Spend tab: the studio's owner only — with --auth, the logins named in R2V_ADMINS; on a
loopback studio without logins, whoever is at the machine; on a studio others can reach without
logins, nobody (no one there can be told apart from a stranger).  The tab is not built at all in demo
mode, which never speaks of money; its content is made on the server only for someone allowed to see it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import gradio as gr

from ..budget import SpendReport, report
from ..messages import t
from .context import PageContext
from .language import label, lang_of

CSS = """
.spend { display: flex; flex-direction: column; gap: 14px; }
.spend h2, .spend h3 { margin: 0; }
.spend-note { color: #475569; font-size: 0.85rem; }
.spend-totals { display: flex; flex-wrap: wrap; gap: 10px 24px; font-weight: 600; }
.spend-meter, .budget-track { height: 10px; border-radius: 6px; background: #e2e8f0; overflow: hidden; }
.spend-meter > div, .budget-track > div { height: 100%; background: #4f46e5; }
.spend-meter.over > div, .budget-track.low > div { background: #b91c1c; }
.spend-chart { margin: 0; }
.spend-bars { display: flex; align-items: flex-end; gap: 2px; height: 140px; padding: 4px 0;
  border-bottom: 1px solid #94a3b8; }
.spend-col { flex: 1 1 0; min-width: 0; height: 100%; display: flex; align-items: flex-end; }
.spend-col > div { width: 100%; background: #4f46e5; border-radius: 2px 2px 0 0; min-height: 1px; }
.spend-col.today > div { background: #0f766e; }
.spend-axis { display: flex; justify-content: space-between; color: #475569; font-size: 0.8rem; }
.spend table { width: 100%; border-collapse: collapse; font-size: 0.9rem; }
.spend th, .spend td { text-align: left; padding: 4px 6px; vertical-align: top;
  border: 0 !important; border-bottom: 1px solid #e2e8f0 !important; }  /* light rules, not Gradio's boxed grid */
.spend table, .spend thead, .spend tbody, .spend tr { border: 0 !important; }
.spend th { color: #334155; font-weight: 600; }
.spend table.sr-only { width: 1px; }
.spend td.num, .spend th.num { text-align: right; white-space: nowrap; }
.spend .prompt { overflow-wrap: break-word; min-width: 12em; }
.spend-scroll { overflow-x: auto; max-width: 100%; width: 100%; contain: inline-size; }  /* its table never widens the page */
#tab-spend, #spend-view, #spend-view .html-container, .spend { min-width: 0 !important; max-width: 100%; }
.spend { width: 100%; overflow-x: hidden; }
.spend-scroll:focus-visible { outline: 2px solid #4f46e5; }
@media (max-width: 640px) { .spend .wide-only { display: none; } }
.budget-left { display: flex; flex-direction: column; gap: 4px; font-size: 0.85rem; color: #334155; padding: 0 2px; }
"""


@dataclass
class SpendWidgets:
    tab: gr.Tab
    view: gr.HTML
    refresh: gr.Button


def may_see(settings: Any, request: Any) -> bool:
    """The studio's owner: an admin login, or anyone at a loopback studio without logins."""
    if settings.demo:
        return False
    user = getattr(request, "username", None) if request is not None else None
    if user:
        return user in settings.admins
    if settings.auth:
        return False
    return not settings.reachable_by_others


def render_tab(ctx: PageContext) -> SpendWidgets:
    """The tab's widgets (hidden until the page knows the viewer may see it)."""
    with gr.Tab(label("ui.tab.spend"), id="spend", elem_id="tab-spend", visible=False) as tab:
        refresh = gr.Button(label("ui.spend_refresh"), size="sm", elem_id="spend-refresh", scale=0)
        view = gr.HTML("", elem_id="spend-view", min_height=0)
    return SpendWidgets(tab, view, refresh)


def render_bar(ctx: PageContext) -> gr.HTML:
    """What is left of today's budget, beside Generate (empty when no day budget is set)."""
    return gr.HTML("", elem_id="budget-left", min_height=0, visible=not ctx.settings.demo)


def listen(w: SpendWidgets | None, ctx: PageContext, page: Any) -> None:
    settings, manager, st = ctx.settings, ctx.manager, ctx.states
    bar, demo = page.result.budget, page.demo

    async def show(request: gr.Request = None) -> dict:
        if not may_see(settings, request):
            return {w.tab: gr.Tab(visible=False), w.view: ""}
        data = await ctx.read(report, manager.budget)
        return {w.tab: gr.Tab(visible=True), w.view: spend_html(data, lang_of(request))}

    async def left(given: dict, request: gr.Request = None) -> dict:
        who = ctx.visitor(request, given[st.memory])
        standings = await ctx.read(manager.budget.standings, who.owner)
        return {bar: bar_html(standings, lang_of(request))}

    quiet = dict(api_visibility="private", show_progress="hidden")
    if w is not None:
        demo.load(show, None, [w.tab, w.view], **quiet)
        w.refresh.click(show, None, [w.tab, w.view], **quiet)
        w.tab.select(show, None, [w.tab, w.view], **quiet)
    demo.load(left, {st.memory}, [bar], **quiet)
    st.job.change(left, {st.memory}, [bar], **quiet)  # a job started (or another one shown)


# --- drawing --------------------------------------------------------------------------------------
def _money(x: float) -> str:
    return f"${x:.2f}"


def person_label(person: str, lang: str) -> str:
    if not person:
        return t("spend.this_machine", lang)
    if person.startswith(("browser:", "session:")):
        return t("spend.browser", lang, id=person.split(":", 1)[1][:6])
    return person


def bar_html(standings: list, lang: str) -> str:
    if not standings:
        return ""
    lines = []
    for s in standings:
        text = t(f"budget.left.{s.kind}", lang, left=s.left, budget=s.budget)
        pct = 0 if s.budget <= 0 else round(100 * s.left / s.budget)
        low = " low" if pct < 20 else ""
        lines.append(f'<div>{html.escape(text)}</div><div class="budget-track{low}" role="progressbar" aria-valuemin="0" '
                     f'aria-valuemax="100" aria-valuenow="{pct}" aria-label="{html.escape(text)}">'
                     f'<div style="width:{pct}%"></div></div>')
    return f'<div class="budget-left" id="budget-left-box">{"".join(lines)}</div>'


def _meter(spent: float, budget: float | None, name: str) -> str:
    if not budget:
        return ""
    pct = min(100, round(100 * spent / budget)) if budget > 0 else 100
    over = " over" if spent > budget else ""
    return (f'<div class="spend-meter{over}" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
            f'aria-valuenow="{pct}" aria-label="{html.escape(name)}"><div style="width:{pct}%"></div></div>')


def spend_html(data: SpendReport, lang: str) -> str:
    e = html.escape
    today = (t("spend.today_of", lang, spent=data.today, budget=data.budget_day) if data.budget_day is not None
             else t("spend.today", lang, spent=data.today))
    month = (t("spend.month_of", lang, spent=data.month, budget=data.budget_month) if data.budget_month is not None
             else t("spend.month", lang, spent=data.month))
    most = max((v for _, v in data.days), default=0.0)
    first, last = data.days[0][0].isoformat(), data.days[-1][0].isoformat()
    cols = []
    for i, (d, v) in enumerate(data.days):
        height = 0 if most <= 0 else max(1, round(100 * v / most)) if v > 0 else 0
        today_cls = " today" if i == len(data.days) - 1 else ""
        cols.append(f'<div class="spend-col{today_cls}" title="{d.isoformat()}: {_money(v)}">'
                    f'<div style="height:{height}%"></div></div>')
    aria = t("spend.days_aria", lang, first=first, last=last, most=most)
    day_rows = "".join(f'<tr><td>{d.isoformat()}</td><td class="num">{_money(v)}</td></tr>'
                       for d, v in reversed(data.days) if v > 0)
    days_table = (f'<table class="sr-only"><caption>{e(t("spend.days_title", lang))}</caption><thead><tr>'
                  f'<th scope="col">{e(t("spend.col.date", lang))}</th>'
                  f'<th scope="col" class="num">{e(t("spend.col.amount", lang))}</th></tr></thead>'
                  f'<tbody>{day_rows}</tbody></table>') if day_rows else ""
    chart = (f'<figure class="spend-chart"><div class="spend-bars" role="img" aria-label="{e(aria)}">{"".join(cols)}'
             f'</div><figcaption class="spend-axis"><span>{first}</span><span>{last}</span></figcaption></figure>'
             f'{days_table}')
    if not data.people and not most:
        body = f'<p>{e(t("spend.none", lang))}</p>'
    else:
        people = "".join(f'<tr><td>{e(person_label(p, lang))}</td><td class="num">{_money(v)}</td>'
                         f'<td class="num">{n}</td></tr>' for p, v, n in data.people)
        people_table = (f'<h3>{e(t("spend.people_title", lang))}</h3><table><thead><tr>'
                        f'<th scope="col">{e(t("spend.col.person", lang))}</th>'
                        f'<th scope="col" class="num">{e(t("spend.col.amount", lang))}</th>'
                        f'<th scope="col" class="num">{e(t("spend.col.jobs", lang))}</th></tr></thead>'
                        f'<tbody>{people}</tbody></table>') if data.people else ""
        top_rows = []
        for entry in data.most_expensive:
            when = datetime.fromtimestamp(entry.started_at, data.tz).strftime("%Y-%m-%d %H:%M")
            prompt = (entry.prompt or "")[:70] if entry.prompt is not None else t("spend.deleted", lang)
            billed = _money(entry.billed) if entry.billed is not None else t("spend.no_billed", lang)
            top_rows.append(f'<tr><td>{when}</td><td class="wide-only">{e(person_label(entry.person, lang))}</td>'
                            f'<td class="prompt">{e(prompt)}</td><td class="num">{_money(entry.estimate)}</td>'
                            f'<td class="num">{billed}</td><td>{e(t("spend.outcome." + entry.outcome, lang))}</td></tr>')
        heads = [("spend.col.when", ""), ("spend.col.person", "wide-only"), ("spend.col.prompt", ""),
                 ("spend.col.estimate", "num"), ("spend.col.billed", "num"), ("spend.col.outcome", "")]
        title = e(t("spend.top_title", lang))
        # On a phone the table scrolls sideways inside its own box (reachable by keyboard), not the page.
        top_table = (f'<h3 id="spend-top">{title}</h3><div class="spend-scroll" tabindex="0" role="region" '
                     f'aria-labelledby="spend-top"><table><thead><tr>'
                     + "".join(f'<th scope="col" class="{c}">{e(t(k, lang))}</th>' for k, c in heads)
                     + f'</tr></thead><tbody>{"".join(top_rows)}</tbody></table></div>') if top_rows else ""
        body = people_table + top_table
    return (f'<section class="spend" aria-labelledby="spend-title"><h2 id="spend-title">{e(t("spend.title", lang))}</h2>'
            f'<p class="spend-note">{e(t("spend.note", lang))}</p>'
            f'<div class="spend-totals"><span>{e(today)}</span><span>{e(month)}</span></div>'
            f'{_meter(data.month, data.budget_month, t("spend.month_aria", lang))}'
            f'<h3>{e(t("spend.days_title", lang))}</h3>{chart}{body}</section>')

