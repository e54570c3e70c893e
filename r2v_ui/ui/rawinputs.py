"""Number widgets whose value reaches the handler exactly as the browser or an API client sent it.

Gradio's own `gr.Number(precision=0)` rounds 1.5 to 2 before the handler sees it, and a value that
is not a number at all ("abc") fails in Gradio's preprocessing with "Could not preprocess input
component at index 11…"; `gr.Slider` lets 5.5 through to an `int()` that makes it 5.  These keep
the same look (`is_template`: Gradio draws them with the Number and Slider of the page) and hand the
value over untouched, so form.py can refuse what is not a whole number in one plain sentence.
"""

from __future__ import annotations

from typing import Any

import gradio as gr


class WholeNumber(gr.Number):
    """A gr.Number whose value is checked by the handler (form.parse_seed), not rounded by Gradio."""

    is_template = True

    def preprocess(self, payload: Any) -> Any:
        return payload


class WholeSlider(gr.Slider):
    """A gr.Slider whose value is checked by the handler (form.parse_duration), not by Gradio."""

    is_template = True

    def preprocess(self, payload: Any) -> Any:
        return payload
