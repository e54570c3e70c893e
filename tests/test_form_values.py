"""The page's form values as a browser or an API client sends them: whole numbers and true/false
switches pass; anything else is refused in one sentence, never rounded or guessed (tables)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from r2v_ui import spec
from r2v_ui.price import PriceTable
from r2v_ui.workspace.cast import Card
from r2v_ui.workspace import form
from r2v_ui.ui import fieldnotes

DURATION_OK = [(5, 5), (5.0, 5), ("7", 7), (" 10 ", 10), (spec.DURATION_MIN, 2)]
DURATION_REFUSED = [5.5, 2.0001, "5.5", "abc", "", None, True, 1, 11, math.nan, math.inf, [5], "1e1"]
SEED_OK = [(0, 0), (42.0, 42), ("123", 123), (spec.SEED_MAX, spec.SEED_MAX)]
SEED_REFUSED = [1.5, "abc", -1, spec.SEED_MAX + 1, math.nan, -math.inf, True, "4 2", {"value": 3}]


@pytest.mark.parametrize("value,expected", DURATION_OK, ids=[repr(v) for v, _ in DURATION_OK])
def test_a_whole_duration_passes(value, expected):
    assert form.parse_duration(value) == expected


@pytest.mark.parametrize("value", DURATION_REFUSED, ids=[repr(v) for v in DURATION_REFUSED])
def test_a_duration_that_is_not_a_whole_number_of_seconds_in_range_is_refused_in_words(value):
    with pytest.raises(ValueError) as err:
        form.parse_duration(value)
    assert str(err.value) == "The duration must be a whole number of seconds from 2 to 10."


@pytest.mark.parametrize("value,expected", SEED_OK, ids=[repr(v) for v, _ in SEED_OK])
def test_a_whole_seed_passes(value, expected):
    assert form.parse_seed(form.SEED_FIXED, value) == expected


@pytest.mark.parametrize("value", SEED_REFUSED, ids=[repr(v) for v in SEED_REFUSED])
def test_a_seed_that_is_not_a_whole_number_in_range_is_refused_in_words(value):
    with pytest.raises(ValueError) as err:
        form.parse_seed(form.SEED_FIXED, value)
    assert str(err.value) == "The seed must be a whole number from 0 to 2147483647."


@pytest.mark.parametrize("value", ["false", "true", 0, 1, None, "on"])
def test_a_switch_is_true_or_false_only(value):
    with pytest.raises(ValueError, match="Sound must be switched on or off"):
        form.parse_switch(value, "Sound")
    assert form.parse_switch(False, "Sound") is False and form.parse_switch(True, "Sound") is True


def _card() -> dict:
    return Card(kind="image", path=str(Path("/x/a.png")), verdict="accepted", name="a.png")


def test_build_draft_lists_every_value_it_refuses_and_sends_nothing():
    values = form.FormValues(prompt="character1 waves", tier="720P", aspect="16:9", duration=5.5, audio="false",
                             watermark=None, seed_mode=form.SEED_FIXED, seed=1.5)
    with pytest.raises(ValueError) as err:
        form.build_draft([_card()], values)
    text = str(err.value)
    assert "The seed must be a whole number from 0 to 2147483647." in text
    assert "The duration must be a whole number of seconds from 2 to 10." in text
    assert "Sound must be switched on or off" in text and "Watermark must be switched on or off" in text


def test_build_draft_keeps_whole_numbers_as_ints():
    draft = form.build_draft([_card()], form.FormValues(prompt="character1 waves", tier="720P", aspect="16:9",
                                                        duration=6.0, seed_mode=form.SEED_FIXED, seed="77"))
    assert (draft.duration, draft.seed) == (6, 77)
    assert type(draft.duration) is int and type(draft.seed) is int


def test_the_price_estimate_is_not_shown_for_a_duration_that_is_not_whole():
    price = PriceTable()
    assert fieldnotes.price_label(price, "720P", "16:9", 5.5, []) == ""
    assert "$0.50" in fieldnotes.price_label(price, "720P", "16:9", 5.0, [])
