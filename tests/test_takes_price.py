"""Before anything is sent, the price box speaks for every take (live mode), and demo mode for how
many free previews a click makes."""

from __future__ import annotations

from r2v_ui.price import PriceEstimate, PriceTable
from r2v_ui.ui import fieldnotes


def test_the_live_price_is_the_total_for_all_takes_beside_the_price_of_one():
    table = PriceTable({"720P": 0.10, "1080P": 0.15})
    one = fieldnotes.price_label(table, "720P", "16:9", 5, [], takes=1)
    three = fieldnotes.price_label(table, "720P", "16:9", 5, [], takes=3)
    assert "$0.50" in one and "$1.50" not in one
    assert "$1.50" in three and "$0.50" in three  # the total, and what each take costs
    assert PriceEstimate(0.5, 0.75).times(4) == PriceEstimate(2.0, 3.0)


def test_demo_mode_says_how_many_free_previews_one_click_makes():
    table = PriceTable()
    assert "3" in fieldnotes.price_label(table, "720P", "16:9", 5, [], demo=True, takes=3, lang="en")
    assert "$" not in fieldnotes.price_label(table, "720P", "16:9", 5, [], demo=True, takes=3, lang="en")
