"""Demo mode never speaks of money: a demo job's summary and History's detail have no price row and
no currency, in either language; a live job's still show the estimate (and what was billed)."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from r2v_ui.messages import EN, ZH, msg
from r2v_ui.price import PriceTable
from r2v_ui.ui import historypanel, result, status
from tests.fixtures_jobs import snapshot


def _snap(**over):
    """A finished 1080P job with a price saved, as the page is handed it."""
    base = dict(stage_text=msg("stage.succeeded"), progress=1.0, task_id="task-9f",
                settings={"prompt": "character1 waves in the rain", "size": "1920*1080", "duration": 5},
                references=({"name": "hero.png", "kind": "image"},),
                price_label=PriceTable().estimate("1920*1080", 5).message())
    return snapshot("succeeded", **(base | over))

MONEY = re.compile(r"[$¥€£]|price|cost|billed|charge|budget|pay|价格|费用|计费|扣费|付费|预算|元", re.IGNORECASE)


@pytest.mark.parametrize("lang", [EN, ZH])
def test_a_demo_jobs_summary_and_detail_never_mention_money(lang):
    snap = _snap(target="demo", cost={"billed": 0.5})
    for text in (status.summary_markdown(snap, lang), historypanel.detail_markdown(snap, lang)):
        assert not MONEY.search(text), MONEY.search(text)


@pytest.mark.parametrize("lang", [EN, ZH])
def test_a_live_jobs_summary_keeps_its_estimate_and_what_was_billed(lang):
    snap = _snap(target="live", cost={"billed": 0.5},
                 price_label=PriceTable().estimate("1920*1080", 5).message())
    text = status.summary_markdown(snap, lang)
    assert "$" in text and ("Price" in text or "价格" in text)
    assert "$0.50" in text  # the service's own figure beside it


@pytest.mark.parametrize("lang", [EN, ZH])
def test_the_demo_repeat_question_for_several_takes_never_mentions_charges(lang):
    """It said "2 takes (each its own video and its own charge)" / "单独计费" in demo mode."""
    draft = SimpleNamespace(references=[1, 2], size="1920*1080", duration=5, shot_type="single", audio=True,
                            prompt="character1 waves")
    price = PriceTable().estimate("1920*1080", 5).times(2).message()
    demo = result.confirm_html(draft, price, duplicate_s=3.0, live=False, takes=2, lang=lang)
    assert "2" in demo and not MONEY.search(demo), MONEY.search(demo)
    live = result.confirm_html(draft, price, duplicate_s=None, live=True, takes=2, lang=lang)
    assert MONEY.search(live)  # live mode still says what each take costs
